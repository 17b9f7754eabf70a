import { Level, levelName } from '../../core/levels';
import { parseFilterLevel } from '../../core/filter/filter';
import { CliError } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';
import { buildTally } from './summary';

export const summary = 'exit 1 when any entry is at or above a level (for CI)';

const HELP = `Usage: loglens check FILE --fail-on LEVEL

Exits 1 and prints a count when any entry is at or above LEVEL, else 0.
  --fail-on LEVEL    trace, debug, info, notice, warning, error or critical
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, { 'fail-on': { type: 'string' } }, HELP);
	if (!args) return 0;
	const lv = args.values['fail-on'];
	if (typeof lv !== 'string') throw new CliError('check needs --fail-on LEVEL');
	const min = parseFilterLevel(lv);
	if (min === Level.Unknown) throw new CliError('--fail-on needs a real level, not unknown');
	const idx = await buildTally(args.file, args.format);
	const counts = idx.levelCounts();
	let n = 0;
	const parts: string[] = [];
	for (let l = min; l <= Level.Critical; l++) {
		n += counts[l];
		if (counts[l] > 0) parts.push(`${counts[l]} ${levelName(l)}`);
	}
	if (n > 0) {
		process.stdout.write(`${args.file}: ${n} ${n === 1 ? 'entry' : 'entries'} at or above ${levelName(min)} (${parts.join(', ')})\n`);
		return 1;
	}
	process.stdout.write(`${args.file}: no entries at or above ${levelName(min)}\n`);
	return 0;
}
