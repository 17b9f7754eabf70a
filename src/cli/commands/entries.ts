import { EntryDetail } from '../../core/entryReader';
import { EntryStream } from '../../core/entryStream';
import { Level, levelName } from '../../core/levels';
import { CliError, fileYear, Output, readInput } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';

/** Read size: big enough that per-chunk costs vanish, small enough to stay in cache. */
const STREAM_CHUNK = 1024 * 1024;

export const summary = 'one line (or JSON object) per entry: line, level, time, logger, message';

const HELP = `Usage: loglens entries FILE [--jsonl]

Lists entries. With --jsonl one object per line:
  {line, endLine, level, time, logger, message}   (1-based lines; level/time/logger null when absent)
                     plus "levelFrom": "status" where the level was derived from an access log's HTTP status
  --fields           with --jsonl, add "fields": every field the header carries (the format's
                     named fields: LogRecord attributes of a format string, a regex's groups, JSON keys)
  --raw              keep ANSI escape sequences (colour codes) in messages
${COMMON_HELP}`;

/** `"level"` JSON values by Level, built once. */
const LEVEL_JSON = [0, 1, 2, 3, 4, 5, 6].map((l) => JSON.stringify(levelName(l as Level)));

/**
 * ISO 8601 times: entries come in time order, so the text up to the second is reused while the
 * second repeats and only the milliseconds are formatted.
 */
class IsoClock {
	private sec = NaN;
	private head = '';

	format(t: number): string {
		const sec = Math.floor(t / 1000);
		if (sec !== this.sec) {
			this.sec = sec;
			this.head = new Date(sec * 1000).toISOString().slice(0, -4);
		}
		const ms = t - sec * 1000;
		if (!Number.isInteger(ms)) return new Date(t).toISOString();
		return this.head + (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms + 'Z';
	}
}

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, { jsonl: { type: 'boolean' }, fields: { type: 'boolean' }, raw: { type: 'boolean' } }, HELP);
	if (!args) return 0;
	const withFields = args.values.fields === true;
	if (withFields && args.values.jsonl !== true) throw new CliError('--fields needs --jsonl');
	const out = new Output();
	const jsonl = args.values.jsonl === true;
	const raw = args.values.raw === true;
	const clock = new IsoClock();
	const stream = new EntryStream((e, s) => {
		const d: EntryDetail = s.detail(e, false, { raw });
		const time = Number.isNaN(d.time) ? null : clock.format(d.time);
		if (jsonl) {
			// The EntryJson shape (entryToJson), written without an object per entry.
			out.write(`{"line":${d.line + 1},"endLine":${d.endLine + 1},"level":${d.level === Level.Unknown ? 'null' : LEVEL_JSON[d.level]},"time":${time === null ? 'null' : '"' + time + '"'},"logger":${d.logger === undefined ? 'null' : JSON.stringify(d.logger)},"message":${JSON.stringify(d.message)}${d.levelFrom !== undefined && d.level !== Level.Unknown ? `,"levelFrom":"${d.levelFrom}"` : ''}${withFields ? ',"fields":' + JSON.stringify(d.fields) : ''}}\n`);
		} else out.write(`${d.line + 1}\t${d.level === Level.Unknown ? '-' : levelName(d.level)}\t${time ?? '-'}\t${d.logger ?? '-'}\t${d.message}\n`);
	}, { format: args.format, ctx: { year: fileYear(args.file) }, transient: true });
	await readInput(args.file, async (c) => {
		stream.append(c);
		if (out.pending >= 1 << 20) await out.flush();
	}, STREAM_CHUNK);
	stream.finish();
	await out.flush();
	return 0;
}
