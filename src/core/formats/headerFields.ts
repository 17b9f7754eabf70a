import { Level, levelFromToken } from '../levels';

/**
 * Splits the start of a header line into fields the way hand-written log layouts separate them:
 * runs of non-blank characters, `[bracketed]` / `(parenthesised)` / `<angled>` groups, with
 * spaces, `|` and ` - ` as separators. Used by the text-header formats to find the level, thread,
 * pid and logger without a regex per layout.
 */
export interface HeaderField {
	/** Offset of the field's first character (the bracket, when bracketed). */
	start: number;
	/** Offset just past the field (past a trailing `:` too). */
	end: number;
	/** The text without brackets or trailing colon, trimmed. */
	inner: string;
	bracket: boolean;
	/** The field ended with `:` (`logger:`, `INFO:`). */
	colon: boolean;
	/** The field is followed by a ` - ` separator. */
	dash: boolean;
	/** The field is followed by `|` (pipe-separated layouts such as NLog's or HealthApp's). */
	pipe: boolean;
}

const CLOSE: Record<string, string> = { '[': ']', '(': ')', '<': '>', '{': '}' };

/** Longest bracket group read as one field (a thread name such as Hadoop's `[DataStreamer for file … block …]`). */
const BRACKET_MAX = 400;

/**
 * Reads up to `max` fields starting at `pos`. `sep`: one more separator, `::` or `;`, where the
 * layout learned it (`%(threadName)s::%(levelname)s::%(asctime)s`, `%(asctime)s;%(levelname)s;…`;
 * never by default, since C++ names, IPv6 addresses and messages contain them).
 */
export function splitFields(line: string, pos: number, max: number, sep = ''): HeaderField[] {
	const sc = sep.length > 0 ? sep.charCodeAt(0) : -1;
	const isSep = (k: number): boolean => sc >= 0 && line.charCodeAt(k) === sc && (sep.length === 1 || line.startsWith(sep, k));
	const out: HeaderField[] = [];
	const n = line.length;
	let i = pos;
	while (out.length < max) {
		// Separators: blanks, `|`, a lone `-` between blanks, a `,` right after the previous field.
		for (;;) {
			const c = line.charCodeAt(i);
			if (c === 32 || c === 9 || c === 124) i++;
			else if (isSep(i)) i += sep.length;
			else if (c === 45 /* - */ && (i + 1 >= n || line.charCodeAt(i + 1) === 32) && (i === 0 || line.charCodeAt(i - 1) === 32)) {
				if (out.length > 0) out[out.length - 1].dash = true;
				i++;
			} else if (c === 44 /* , */ && out.length === 0 && i === pos) i++;
			else break;
		}
		if (i >= n) break;
		const start = i;
		const ch = line[i];
		const close = CLOSE[ch];
		let bracket = false;
		let innerStart = i, innerEnd = i;
		if (close !== undefined) {
			// A bracket group, one level of nesting allowed (`[Thread-1 (worker)]`), BRACKET_MAX chars at most.
			let depth = 0, j = i;
			const limit = Math.min(n, i + BRACKET_MAX);
			for (; j < limit; j++) {
				const cj = line[j];
				if (cj === ch) depth++;
				else if (cj === close && --depth === 0) break;
			}
			// A group glued to more text (`<string>:25`, `[a]b`) is part of a plain token; one glued to
			// the next group (`[time][WARN ][logger]`, Elasticsearch and Logstash) is a field of its own.
			const after = j + 1 < n ? line.charCodeAt(j + 1) : 32;
			const after2 = j + 2 < n ? line.charCodeAt(j + 2) : 32;
			if (j < limit && (after === 32 || after === 9 || after === 124 || (after === 58 && (after2 === 32 || after2 === 9)) || (ch === '[' && after === 91) || isSep(j + 1))) {
				bracket = true;
				innerStart = i + 1;
				innerEnd = j;
				i = j + 1;
			}
		}
		if (!bracket) {
			while (i < n) {
				const c = line.charCodeAt(i);
				if (c === 32 || c === 9 || c === 124) break;
				if (i > start && isSep(i)) break;
				i++;
			}
			innerStart = start;
			innerEnd = i;
		}
		let colon = false;
		if (line.charCodeAt(i) === 58 /* : */ && bracket && !isSep(i)) {
			colon = true;
			i++;
		} else if (!bracket && innerEnd > innerStart && line.charCodeAt(innerEnd - 1) === 58) {
			colon = true;
			innerEnd--;
		}
		out.push({ start, end: i, inner: line.slice(innerStart, innerEnd).trim(), bracket, colon, dash: false, pipe: line.charCodeAt(i) === 124 || isSep(i) });
		// A field glued to the next by `]`/`)` (`[main]org.x`) — continue from where we are.
	}
	// Mark a dash separator after the last field too (the tokenizer stops before reading it).
	const last = out[out.length - 1];
	if (last && line.startsWith(' - ', last.end)) last.dash = true;
	return out;
}

/** Level words that are not unambiguous enough to be a level without a learned position. */
const WEAK = new Set(['FAIL', 'FAILURE', 'NOTE', 'CONFIG', 'ALERT', 'FINE', 'LOG', 'SYSTEM', 'HTTP', 'SILLY']);

/** How sure a field must look to count as a level. */
export interface LevelStyle {
	/** Accept lowercase/capitalised words (`info`, `Information`). */
	lower: boolean;
	/** Accept one- and two-letter codes (`I`, `W`). */
	short: boolean;
}

/** The strict style used when nothing was learned: uppercase words of 3+ letters (any case in brackets). */
export const STRICT: LevelStyle = { lower: false, short: false };

/**
 * The texts of a field that may name a level, in the order they are tried: the field itself, then
 * for a bracketed one its last segment (`[core:error]`, `[main/INFO]`) and its first
 * (`[INFO/MainProcess]`).
 */
function levelCandidates(f: HeaderField): string[] {
	const text = f.inner;
	if (!f.bracket) {
		// `information/Notification:` (Icinga: level/component), `local.ERROR:` (Monolog: channel.LEVEL)
		const slash = text.indexOf('/');
		if (slash > 0 && f.colon) return [text, text.slice(0, slash)];
		const dot = text.lastIndexOf('.');
		if (dot > 0 && f.colon) return [text, text.slice(dot + 1)];
		return [text];
	}
	const k = Math.max(text.lastIndexOf(':'), text.lastIndexOf('/'));
	if (k < 0) return [text];
	return [text, text.slice(k + 1).trim(), text.slice(0, text.search(/[:/]/)).trim()];
}

/** The level a field names under the given style, or Unknown. */
export function fieldLevel(f: HeaderField, style: LevelStyle, learned = false): Level {
	for (const text of levelCandidates(f)) {
		const l = tokenLevel(text, style, f.bracket, learned);
		if (l !== Level.Unknown) return l;
	}
	return Level.Unknown;
}

/** The text of a field that names the level: the whole field, or the segment of a bracketed one that does. */
export function levelText(f: HeaderField): string {
	return levelCandidates(f).find((t) => levelFromToken(t) !== Level.Unknown) ?? f.inner;
}

function tokenLevel(text: string, style: LevelStyle, bracket: boolean, learned: boolean): Level {
	const len = text.length;
	if (len === 0 || len > 13) return Level.Unknown;
	const l = levelFromToken(text);
	if (l === Level.Unknown) return l;
	const upper = text === text.toUpperCase();
	if (len <= 2 && !style.short) return Level.Unknown;
	if (!upper && !style.lower && !bracket) return Level.Unknown;
	if (!learned && !bracket && WEAK.has(text.toUpperCase())) return Level.Unknown;
	return l;
}

/** Looks like a logger / component / tag name (no spaces, identifier characters). */
export function isLoggerLike(s: string): boolean {
	return s.length > 0 && s.length <= 160 && /^[\w.$@/\\<>:#-]+$/.test(s) && !/^\d+$/.test(s) && /[A-Za-z]/.test(s);
}
