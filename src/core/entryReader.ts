import { stripAnsi, stripAnsiMapped } from './ansi';
import { ByteSource } from './byteSource';
import { HeaderMatch, LogFormat, ParseContext } from './format';
import { findException } from './exceptions';
import { Level, levelName, LevelName } from './levels';
import { LogIndex } from './index/logIndex';
import { nulPlaceholder, showNuls } from './textEncoding';

/** Everything about one entry, read back from the source bytes. Lines are 0-based. */
export interface EntryDetail {
	line: number;
	endLine: number;
	startOffset: number;
	/** Where the entry's last line ends (before its newline). */
	endOffset: number;
	level: Level;
	levelRaw?: string;
	/** The level was derived, not read from a level field: `status` (an access log's HTTP status). */
	levelFrom?: 'status';
	/** Epoch ms; NaN when the header has no time. */
	time: number;
	logger?: string;
	/** The first line's message (for JSON/logfmt the `msg` field). */
	message: string;
	/** The whole entry (lines joined with LF) when it is at most `maxTextBytes`. */
	text?: string;
	exception?: { type: string; message: string };
	fields: Record<string, string>;
}

/** Options for reading an entry back. */
export interface ReadEntryOptions {
	/** Entries larger than this get no `text` and only their first lines are examined (default 1 MB). */
	maxTextBytes?: number;
	/**
	 * Keep ANSI escape sequences (colour codes) in `message` and `text`. By default they are
	 * removed; the header is always parsed without them and offsets always count raw bytes.
	 */
	raw?: boolean;
}

const HEADER_DECODE = 1 << 20;

/** Decodes the lines of an entry, dropping CRs before LFs. */
export function splitEntryLines(text: string): string[] {
	const lines = text.split('\n');
	if (text.indexOf('\r') < 0) return lines;
	for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
	return lines;
}

/**
 * Builds the detail from the entry's decoded lines (the stream and the index share this). ANSI
 * escape sequences are removed from the lines first unless `raw`; the header is parsed without
 * them either way (a raw message is the same part of the raw line).
 */
export function detailFromLines(format: LogFormat, ctx: ParseContext, lines: string[], base: Omit<EntryDetail, 'message' | 'fields' | 'level' | 'time'> & { level: Level; time: number }, withText: boolean, raw = false): EntryDetail {
	let rawLines: string[] | undefined;
	if (base.line === 0 && lines.length > 0 && lines[0].charCodeAt(0) === 0xfeff) {
		// The byte-order mark is no part of the text (UTF-8's, or UTF-16's decoded).
		lines = lines.slice();
		lines[0] = lines[0].slice(1);
	}
	for (let i = 0; i < lines.length; i++) {
		if (lines[i].indexOf('\x1b') < 0) continue;
		if (raw) rawLines = lines.slice();
		lines = lines.map(stripAnsi);
		break;
	}
	let first = lines[0] ?? '';
	if (base.line === 0 && first.charCodeAt(0) === 0xfeff) first = first.slice(1);
	// A header is read after the NUL run its line starts with (as the scanner reads it).
	const whole = first;
	const nuls = leadingNuls(first);
	if (nuls > 0) first = first.slice(nuls);
	if (format.unwrapEntry) {
		// A wrapped log (container runtime, journald): the entry is read as the inner log wrote it.
		const u = format.unwrapEntry(first === lines[0] ? lines : [first, ...lines.slice(1)], ctx);
		lines = u.lines;
		rawLines = undefined;
		first = lines[0] ?? '';
		if (u.header) u.header.messageStart = 0;
		return detailFromHeader(u.header, first, lines, base, withText, undefined);
	}
	const h = format.parseHeader(first, ctx);
	return detailFromHeader(h, first, lines, base, withText, rawLines, nuls, whole);
}

/** The rest of `detailFromLines`: the detail from the parsed header and the entry's (clean) lines. */
function detailFromHeader(h: HeaderMatch | null, first: string, lines: string[], base: Omit<EntryDetail, 'message' | 'fields' | 'level' | 'time'> & { level: Level; time: number }, withText: boolean, rawLines: string[] | undefined, nuls = 0, whole = first): EntryDetail {
	// Built field by field (not spread) so every detail object has one shape.
	const d: EntryDetail = { line: base.line, endLine: base.endLine, startOffset: base.startOffset, endOffset: base.endOffset, level: base.level, time: base.time, message: '', fields: {} };
	if (h) {
		if (h.levelRaw !== undefined) d.levelRaw = h.levelRaw;
		if (h.levelFrom !== undefined) d.levelFrom = h.levelFrom;
		if (h.logger !== undefined) d.logger = h.logger;
		d.message = h.message ?? first.slice(h.messageStart, h.messageEnd ?? first.length);
		// No header before the message (plain text): the NUL run the line starts with is part of it.
		if (nuls > 0 && h.message === undefined && h.messageStart === 0) d.message = nulPlaceholder(nuls) + d.message;
		if (h.fields) d.fields = h.fields;
		if (rawLines !== undefined && h.message === undefined) {
			// The same part of the raw line: clean offsets mapped back past the escapes.
			let rawFirst = rawLines[0];
			if (base.line === 0 && rawFirst.charCodeAt(0) === 0xfeff) rawFirst = rawFirst.slice(1);
			rawFirst = rawFirst.slice(leadingNuls(rawFirst));
			const m = stripAnsiMapped(rawFirst);
			d.message = rawFirst.slice(m.rawStart(h.messageStart), h.messageEnd === undefined ? rawFirst.length : m.rawOffset(h.messageEnd));
		}
	} else d.message = rawLines?.[0] ?? whole;
	if (lines.length > 1 && d.message.trim() === '') {
		// Layouts that put the message below the header (.NET console, JUL) — the next non-empty line.
		const next = lines.slice(1).find((l) => l.trim() !== '');
		if (next !== undefined) d.message = next.trim();
	}
	// A stack trace needs at least a second line.
	let exc = lines.length > 1 ? findException(lines) : undefined;
	if (!exc && h?.fields) {
		for (const k of ['exc_info', 'exception', 'stack_trace', 'stack', 'error.stack_trace', 'exc_text', 'err']) {
			let v = h.fields[k];
			if (!v) continue;
			if (v.startsWith('{')) {
				try {
					const o = JSON.parse(v) as Record<string, unknown>;
					v = String(o.stack ?? o.stack_trace ?? '');
					if (!v && typeof o.type === 'string') {
						exc = { type: o.type, message: String(o.message ?? '') };
						break;
					}
				} catch {
					continue;
				}
			}
			exc = findException(v.split('\n'));
			if (exc) break;
		}
	}
	if (exc) d.exception = exc;
	// NUL runs (a crash, a copytruncate hole) show as one placeholder each.
	d.message = showNuls(d.message);
	if (withText) d.text = showNuls((rawLines ?? lines).join('\n'));
	return d;
}

/** Where the NUL run starting at `start` ends (at most `end`), read a block at a time. */
function afterNuls(source: ByteSource, start: number, end: number): number {
	let p = start;
	while (p < end) {
		const b = source.read(p, Math.min(end - p, 1 << 20));
		if (b.length === 0) break;
		let i = 0;
		while (i < b.length && b[i] === 0) i++;
		if (i < b.length) return p + i;
		p += b.length;
	}
	return p;
}

function leadingNuls(s: string): number {
	let i = 0;
	while (s.charCodeAt(i) === 0) i++;
	return i;
}

/** Reads entry `e` of the index back from the source. */
export function readEntry(index: LogIndex, source: ByteSource, e: number, opts: ReadEntryOptions = {}): EntryDetail {
	const maxText = opts.maxTextBytes ?? 1 << 20;
	const line = index.entryStartLine(e);
	const endLine = index.entryEndLine(e);
	const startOffset = index.lineStart(line);
	const endOffset = index.lineEnd(endLine);
	const size = endOffset - startOffset;
	const whole = size <= maxText;
	// A big entry is read from its first bytes — after the hole of zeros it may start with.
	const from = whole ? startOffset : afterNuls(source, startOffset, endOffset);
	const bytes = source.read(from, whole ? size : Math.min(endOffset - from, HEADER_DECODE));
	const lines = splitEntryLines(bytes.toString(index.format.format.latin1Entries ? 'latin1' : 'utf8'));
	if (!whole && lines.length > 1) lines.pop(); // the cut-off last line
	return detailFromLines(index.format.format, indexCtx(index), lines, { line, endLine, startOffset, endOffset, level: index.entryLevel(e), time: index.entryTime(e) }, whole, opts.raw === true);
}

/** The entry's whole text (LF-joined, CRs dropped; ANSI escapes removed unless `raw`). */
export function entryText(index: LogIndex, source: ByteSource, e: number, opts: Pick<ReadEntryOptions, 'raw'> = {}): string {
	const start = index.lineStart(index.entryStartLine(e));
	const end = index.lineEnd(index.entryEndLine(e));
	const text = splitEntryLines(source.read(start, end - start).toString('utf8')).join('\n');
	return opts.raw ? text : stripAnsi(text);
}

function indexCtx(index: LogIndex): ParseContext {
	return index.parseContext;
}

/** JSON shape the CLI prints per entry (1-based lines, ISO time). */
export interface EntryJson {
	line: number;
	endLine: number;
	level: LevelName | null;
	time: string | null;
	logger: string | null;
	message: string;
	/** Present when the level was derived rather than read (`status`: an access log's HTTP status). */
	levelFrom?: 'status';
}

export function entryToJson(d: EntryDetail): EntryJson {
	return {
		line: d.line + 1,
		endLine: d.endLine + 1,
		level: d.level === Level.Unknown ? null : levelName(d.level),
		time: Number.isNaN(d.time) ? null : new Date(d.time).toISOString(),
		logger: d.logger ?? null,
		message: d.message,
		...(d.levelFrom !== undefined && d.level !== Level.Unknown ? { levelFrom: d.levelFrom } : {}),
	};
}
