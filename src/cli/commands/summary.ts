import type { LogFormat } from '../../core/format';
import { statSync } from 'node:fs';
import { LEVEL_NAMES } from '../../core/levels';
import { indexFile } from '../../core/index/indexFile';
import { LogIndex } from '../../core/index/logIndex';
import { planRanges } from '../../core/index/parallelRanges';
import { LineScanner, ScanOptions } from '../../core/index/lineScanner';
import { LogTally, tallyFile } from '../../core/index/logTally';
import { describeFsError, checkReadableFile, CliError, fileYear, readInput } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';
import { isStreamedInput } from '../logInput';
import type { TextEncoding } from '../../core/textEncoding';

export const summary = 'counts of lines, entries and levels, the format, first and last time';

const HELP = `Usage: loglens summary FILE [--json]

Counts lines, entries (a header line plus its continuation lines) and entries per level.
  --json             {file, bytes, lines, entries, format, levels, first, last}, plus
                     "encoding": "utf-16le"/"utf-16be" for a UTF-16 log (a byte-order mark) and
                     "binary": true when most of the first 64 KB is not text (nothing indexed)
${COMMON_HELP}`;

/** The JSON the summary command prints (other tools read it). */
export interface SummaryJson {
	file: string;
	bytes: number;
	lines: number;
	entries: number;
	format: string;
	levels: Record<(typeof LEVEL_NAMES)[number], number>;
	first: string | null;
	last: string | null;
	binary?: boolean;
	/** Only for a log that is not UTF-8: 'utf-16le' or 'utf-16be' (it starts with that byte-order mark). */
	encoding?: TextEncoding;
}

/**
 * Reads FILE (or stdin) into a scanner: stdin, `.gz` files and rotated sets as a stream (no random
 * access to the bytes), a plain file from disk with `fromDisk`; file system errors become one clear
 * CLI error.
 */
async function scanInput<T extends LineScanner>(file: string, format: LogFormat | string | undefined, streamed: (opts: ScanOptions) => T, fromDisk: () => Promise<T>): Promise<T> {
	if (file === '-' || isStreamedInput(file)) {
		const scanner = streamed({ format, ctx: { year: fileYear(file) } });
		await readInput(file, (c) => scanner.append(c));
		scanner.finish();
		return scanner;
	}
	checkReadableFile(file);
	try {
		return await fromDisk();
	} catch (e) {
		if (e instanceof CliError) throw e;
		if ((e as NodeJS.ErrnoException).code) throw new CliError(describeFsError(file, e));
		throw e;
	}
}

/** Indexes FILE (or stdin) with the CLI's options. */
export function buildIndex(file: string, format: LogFormat | string | undefined): Promise<LogIndex> {
	return scanInput(file, format, (o) => new LogIndex(o), () => indexFile(file, { format }));
}

/** What a summary is made of (a tally or an index). */
type Counted = Pick<LogIndex, 'bytes' | 'lineCount' | 'entryCount' | 'format' | 'binary' | 'encoding' | 'levelCounts' | 'timeRange'>;

/**
 * Tallies FILE (or stdin): the counts `summary` and `check` print, in one pass in constant memory
 * (no index: they need no random access to lines) — or, for a big file with CPUs to spare, from the
 * index built in parallel ranges, which is faster then.
 */
export function buildTally(file: string, format: LogFormat | string | undefined): Promise<Counted> {
	return scanInput<LineScanner & Counted>(file, format, (o) => new LogTally(o),
		() => (planRanges(statSync(file).size, { format }) > 1 ? indexFile(file, { format }) : tallyFile(file, { format })));
}

export function summaryOf(file: string, idx: Counted): SummaryJson {
	const counts = idx.levelCounts();
	const levels = {} as SummaryJson['levels'];
	LEVEL_NAMES.forEach((n, i) => (levels[n] = counts[i]));
	const { first, last } = idx.timeRange();
	const iso = (t: number): string | null => (Number.isNaN(t) ? null : new Date(t).toISOString());
	const out: SummaryJson = { file, bytes: idx.bytes, lines: idx.lineCount, entries: idx.entryCount, format: idx.format.format.id, levels, first: iso(first), last: iso(last) };
	if (idx.binary) out.binary = true;
	if (idx.encoding !== 'utf-8') out.encoding = idx.encoding;
	return out;
}

export async function run(argv: string[]): Promise<number> {
	// --stats (not in the help: for the bench) builds the full index the editor uses instead of a
	// tally, and adds its memory and the peak RSS on stderr.
	const args = parseCommandArgs(argv, { json: { type: 'boolean' }, stats: { type: 'boolean' } }, HELP);
	if (!args) return 0;
	const format = args.format;
	let idx: Counted;
	if (args.values.stats) {
		const index = await buildIndex(args.file, format);
		const mem = index.memoryBytes();
		const stats = { lines: index.lineCount, entries: index.entryCount, indexBytes: mem, bytesPerLine: index.lineCount > 0 ? mem / index.lineCount : 0, maxRssKB: process.resourceUsage().maxRSS };
		process.stderr.write(JSON.stringify(stats) + '\n');
		idx = index;
	} else idx = await buildTally(args.file, format);
	const s = summaryOf(args.file, idx);
	if (args.values.json) {
		process.stdout.write(JSON.stringify(s) + '\n');
		return 0;
	}
	const rows: [string, string][] = [
		['file', s.file],
		['format', `${idx.format.format.name} (${s.format}, confidence ${idx.format.confidence.toFixed(2)})`],
		['bytes', String(s.bytes)],
		['lines', String(s.lines)],
		['entries', String(s.entries)],
		['first', s.first ?? '-'],
		['last', s.last ?? '-'],
	];
	if (s.encoding) rows.splice(2, 0, ['encoding', `${s.encoding.toUpperCase()} (byte-order mark)`]);
	let text = rows.map(([k, v]) => `${k.padEnd(9)} ${v}`).join('\n') + '\n';
	if (s.binary) text += 'binary    yes (most of the first 64 KB is not text: control bytes, invalid UTF-8; not indexed)\n';
	text += '\nlevel     entries\n';
	for (const n of LEVEL_NAMES) if (s.levels[n] > 0 || n !== 'unknown') text += `${n.padEnd(9)} ${String(s.levels[n]).padStart(7)}\n`;
	process.stdout.write(text);
	return 0;
}
