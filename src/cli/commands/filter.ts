import { CompiledFilter, FilterSpec, parseFilterLevel, parseTimeBound } from '../../core/filter/filter';
import { filteringStream } from '../../core/filter/filterOutput';
import { filterInParallel } from '../../core/index/rangePool';
import { CliError, fileYear, Output, readInput } from '../cliIo';
import { isStreamedInput } from '../logInput';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';

/** Read size: big enough that per-chunk costs vanish, small enough to stay in cache. */
const STREAM_CHUNK = 1024 * 1024;

export const summary = 'print whole entries matching level, text, time, logger and field criteria';

const HELP = `Usage: loglens filter FILE [options]

Prints the original text of matching entries (tracebacks stay whole). All criteria must hold.
  --level MIN          entries at or above MIN (trace … critical)
  --levels a,b         entries at exactly these levels (unknown allowed)
  --grep RE            the entry's text matches RE (RE2 syntax; repeatable)
  --exclude RE         the entry's text does not match RE (repeatable)
  -i, --ignore-case    case-insensitive --grep/--exclude
  --since T, --until T ISO time, HH:MM[:SS] (today), or 15m / 2h / 1d ago
  --logger NAME        logger NAME or below it (a.b matches a.b.c)
  --field name=value   header field equality (repeatable)
  -n, --line-numbers   prefix each line with its 1-based number and ':'
  --raw                keep ANSI escape sequences (colour codes) in the output
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, {
		level: { type: 'string' },
		levels: { type: 'string' },
		grep: { type: 'string', multiple: true },
		exclude: { type: 'string', multiple: true },
		'ignore-case': { type: 'boolean', short: 'i' },
		since: { type: 'string' },
		until: { type: 'string' },
		logger: { type: 'string' },
		field: { type: 'string', multiple: true },
		'line-numbers': { type: 'boolean', short: 'n' },
		raw: { type: 'boolean' },
	}, HELP);
	if (!args) return 0;
	const v = args.values;
	const spec: FilterSpec = {};
	if (typeof v.level === 'string') spec.minLevel = parseFilterLevel(v.level);
	if (typeof v.levels === 'string') spec.levels = v.levels.split(',').filter((s) => s.trim()).map((s) => parseFilterLevel(s.trim()));
	if (Array.isArray(v.grep)) spec.include = v.grep;
	if (Array.isArray(v.exclude)) spec.exclude = v.exclude;
	spec.ignoreCase = v['ignore-case'] === true;
	if (typeof v.since === 'string') spec.since = parseTimeBound(v.since);
	if (typeof v.until === 'string') spec.until = parseTimeBound(v.until);
	if (typeof v.logger === 'string') spec.logger = v.logger;
	if (Array.isArray(v.field)) {
		const fields: Record<string, string> = {};
		for (const f of v.field) {
			const eq = f.indexOf('=');
			if (eq <= 0) throw new CliError(`--field needs name=value, got '${f}'`);
			fields[f.slice(0, eq)] = f.slice(eq + 1);
		}
		spec.fields = fields;
	}
	const filter = new CompiledFilter(spec);
	const out = new Output();
	const outOpts = { lineNumbers: v['line-numbers'] === true, raw: v.raw === true };
	const format = args.format;
	const ctx = { year: fileYear(args.file) };
	// A big file is filtered in parallel ranges (worker threads), written in order.
	if (!outOpts.lineNumbers && !isStreamedInput(args.file) && (await filterInParallel(args.file, spec, outOpts, format, ctx, out))) return 0;
	const stream = filteringStream(filter, out, outOpts, { format, ctx });
	await readInput(args.file, async (c) => {
		stream.append(c);
		if (out.pending >= 1 << 20) await out.flush();
	}, STREAM_CHUNK);
	stream.finish();
	await out.flush();
	return 0;
}
