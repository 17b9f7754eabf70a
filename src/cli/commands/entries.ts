import { entryToJson } from '../../core/entryReader';
import { EntryStream } from '../../core/entryStream';
import { fileYear, Output, readInput } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';

/** Smaller reads than the index uses: output is flushed per chunk, so little garbage lives long. */
const STREAM_CHUNK = 256 * 1024;

export const summary = 'one line (or JSON object) per entry: line, level, time, logger, message';

const HELP = `Usage: loglens entries FILE [--jsonl]

Lists entries. With --jsonl one object per line:
  {line, endLine, level, time, logger, message}   (1-based lines; level/time/logger null when absent)
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, { jsonl: { type: 'boolean' } }, HELP);
	if (!args) return 0;
	const out = new Output();
	const jsonl = args.values.jsonl === true;
	const stream = new EntryStream((e, s) => {
		const j = entryToJson(s.detail(e));
		if (jsonl) out.write(JSON.stringify(j) + '\n');
		else out.write(`${j.line}\t${j.level ?? '-'}\t${j.time ?? '-'}\t${j.logger ?? '-'}\t${j.message}\n`);
	}, { format: args.values.format as string | undefined, ctx: { year: fileYear(args.file) } });
	await readInput(args.file, async (c) => {
		stream.append(c);
		if (out.pending > 1 << 16) await out.flush();
	}, STREAM_CHUNK);
	stream.finish();
	await out.flush();
	return 0;
}
