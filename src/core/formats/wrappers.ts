import { stripAnsi } from '../ansi';
import { DetectedFormat, HeaderMatch, LINK_PARTIAL, LogFormat, ParseContext } from '../format';
import { Level, levelFromSyslogSeverity } from '../levels';
import { defaultParseContext } from '../timestamp';
import { parseJsonObject, recordToHeader } from './jsonLines';

/**
 * Wrapped logs: a log written through a container runtime or journald, every line of the program's
 * own log inside an envelope — Kubernetes CRI (`<RFC3339Nano> <stream> <P|F> <text>`), Docker
 * json-file (`{"log":"…\n","stream":"stderr","time":"…"}`), `journalctl -o json`, `kubectl logs
 * --timestamps` / `--prefix`. The envelope is detected on the sample first; the inner text is then a
 * log of its own, detected as such, and `WrappedFormat` reads each line through both: levels, times
 * and messages are the inner log's (the envelope's time and level where the inner log has none), the
 * envelope's fields (stream, pod, container, unit, pid) are entry fields. No envelope column is
 * ever a level: a stream is not a level and CRI's `F` (full line) is not FATAL.
 */

/** One physical line of a wrapped log, unwrapped. */
export interface WrappedLine {
	/** The inner text of this line (its trailing newline removed). */
	content: string;
	/** The content's bytes when they are not UTF-8 (journald writes them as an array): pieces are joined as bytes. */
	bytes?: Buffer;
	/** Where `content` starts in the physical line when it is a plain slice of it; -1 when decoded (JSON). */
	contentStart: number;
	/** The record goes on on the next line (CRI `P`, a Docker chunk without `\n`, journald `_LINE_BREAK=line-max`). */
	partial: boolean;
	/** The stream / pod / process the line comes from. */
	source: string;
	/** The envelope's time (epoch ms), NaN when none. */
	time: number;
	/** The envelope's level (journald PRIORITY); `Level.Unknown` for the others. */
	level: Level;
	levelRaw?: string;
	logger?: string;
	fields: Record<string, string>;
}

/** An envelope format. */
export interface Wrapper {
	readonly id: string;
	readonly name: string;
	/** Bytes of a line the envelope needs read whole (JSON envelopes: the whole line). */
	readonly lineBytes: number;
	/** The content is a plain slice of the line's bytes (else it is decoded from JSON). */
	readonly rawContent: boolean;
	unwrap(line: string, ctx: ParseContext): WrappedLine | null;
	/** `LogFormat.link` of the physical line `buf[s, e)`. */
	link(buf: Uint8Array, s: number, e: number): number;
	/** Where the content of `buf[s, e)` starts when it is a plain slice of the line; -1 when not (or unsure). */
	contentFast?(buf: Uint8Array, s: number, e: number): number;
}

/** A source name as the link bits (30 bits, so `(k << 1) | partial` stays a positive int). */
function sourceBits(source: string): number {
	let h = 2166136261;
	for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 16777619);
	return h & 0x3fffffff;
}

function linkOf(w: WrappedLine | null): number {
	return w === null ? -1 : (sourceBits(w.source) << 1) | (w.partial ? LINK_PARTIAL : 0);
}

const LINK_CTX = defaultParseContext(2000);

/** RFC 3339 with up to nanoseconds, as Go's `time.RFC3339Nano` writes it (trailing zeros dropped). */
const RFC3339 = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:Z|[+-]\\d{2}:\\d{2})';

/** Epoch ms of an RFC 3339 time (Date.parse reads any number of fraction digits). */
function rfc3339(text: string): number {
	return Date.parse(text);
}

function isDigit(b: number): boolean {
	return b >= 48 && b <= 57;
}

/** Does `buf` hold the ASCII `text` at `p`? */
function bytesAt(buf: Uint8Array, p: number, text: string): boolean {
	if (p + text.length > buf.length) return false;
	for (let i = 0; i < text.length; i++) if (buf[p + i] !== text.charCodeAt(i)) return false;
	return true;
}

// ---- Kubernetes CRI ------------------------------------------------------------------------

const CRI = new RegExp(`^(${RFC3339}) (stdout|stderr) ([PF])(?: |$)`);

/**
 * The CRI logging format containerd and CRI-O write to `/var/log/pods/…` (and the
 * `/var/log/containers/*.log` links): `<RFC3339Nano> <stream> <P|F> <content>`, content split into
 * `P` (partial) chunks at 16 KiB and ended by an `F` (full) chunk.
 */
export const criWrapper: Wrapper = {
	id: 'cri',
	name: 'Kubernetes CRI',
	lineBytes: 0,
	rawContent: true,
	unwrap(line: string): WrappedLine | null {
		const m = CRI.exec(line);
		if (!m) return null;
		const start = Math.min(m[0].length, line.length);
		return { content: line.slice(start), contentStart: start, partial: m[3] === 'P', source: m[2], time: rfc3339(m[1]), level: Level.Unknown, fields: { stream: m[2] } };
	},
	contentFast(buf: Uint8Array, s: number, e: number): number {
		const p = criStream(buf, s, e);
		return p < 0 ? -1 : Math.min(p + 9, e);
	},
	link(buf: Uint8Array, s: number, e: number): number {
		const p = criStream(buf, s, e);
		if (p < 0) return -1;
		return ((buf[p + 3] === 101 /* stdErr */ ? 1 : 0) << 1) | (buf[p + 7] === 80 /* P */ ? LINK_PARTIAL : 0);
	},
};

/** The last `criStream` answer: the scanner asks twice per line (header, then link). */
let criMemo: { buf: Uint8Array | null; s: number; e: number; p: number } = { buf: null, s: -1, e: -1, p: -1 };

/** Where the stream (`stdout `/`stderr `) of a CRI line starts, after its timestamp; -1 when not a CRI line. */
function criStream(buf: Uint8Array, s: number, e: number): number {
	// Only the first 45 bytes are looked at: a longer line's end does not change the answer.
	const ek = e - s >= 45 ? -1 : e;
	const m = criMemo;
	if (m.buf === buf && m.s === s && m.e === ek) return m.p;
	const p = criStreamAt(buf, s, e);
	criMemo = { buf, s, e: ek, p };
	return p;
}

function criStreamAt(buf: Uint8Array, s: number, e: number): number {
	if (e - s < 29 || !isDigit(buf[s]) || buf[s + 4] !== 45 || buf[s + 10] !== 84) return -1;
	let p = s + 19;
	const lim = Math.min(e, s + 36);
	while (p < lim && buf[p] !== 32) p++;
	if (p >= lim) return -1;
	p++;
	if (p + 9 > e || buf[p] !== 115 || buf[p + 1] !== 116 || buf[p + 2] !== 100 || buf[p + 6] !== 32) return -1;
	if (!((buf[p + 3] === 111 && buf[p + 4] === 117 && buf[p + 5] === 116) || (buf[p + 3] === 101 && buf[p + 4] === 114 && buf[p + 5] === 114))) return -1;
	const tag = buf[p + 7];
	if ((tag !== 70 && tag !== 80) || (p + 8 < e && buf[p + 8] !== 32)) return -1;
	return p;
}

// ---- Docker json-file ----------------------------------------------------------------------

/**
 * Docker's json-file logging driver: `{"log":"…\n","stream":"stdout","time":"…Z"}` per line (plus
 * `attrs` with `--log-opt labels/env/tag`); a line over 16 KiB is split into chunks whose `log`
 * lacks the trailing `\n`.
 */
export const dockerWrapper: Wrapper = {
	id: 'docker',
	name: 'Docker json-file',
	lineBytes: 1 << 20,
	rawContent: false,
	unwrap(line: string): WrappedLine | null {
		const o = parseJsonObject(line);
		if (!o || typeof o.time !== 'string' || (o.log !== undefined && typeof o.log !== 'string') || (o.log === undefined && o.stream === undefined)) return null;
		const stream = typeof o.stream === 'string' ? o.stream : '';
		let log = typeof o.log === 'string' ? o.log : '';
		const partial = !log.endsWith('\n');
		if (!partial) log = log.slice(0, log.endsWith('\r\n') ? -2 : -1);
		const fields: Record<string, string> = {};
		if (stream) fields.stream = stream;
		if (o.attrs && typeof o.attrs === 'object') {
			for (const [k, v] of Object.entries(o.attrs as Record<string, unknown>)) if (typeof v === 'string') fields[k] = v;
		}
		return { content: log, contentStart: -1, partial, source: stream, time: rfc3339(o.time), level: Level.Unknown, fields };
	},
	link(buf: Uint8Array, s: number, e: number): number {
		// Read from the bytes (no decode, no JSON.parse): where the `log` string ends, and the stream.
		if (!bytesAt(buf, s, '{"log":"')) return linkOf(dockerWrapper.unwrap(Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1'), LINK_CTX));
		let p = s + 8;
		let partial = true;
		for (; p < e; p++) {
			const b = buf[p];
			if (b === 92) {
				if (buf[p + 1] === 110 && buf[p + 2] === 34) {
					partial = false;
					p += 2;
					break;
				}
				p++;
			} else if (b === 34) break;
		}
		if (p >= e) return -1;
		const stream = bytesAt(buf, p + 1, ',"stream":"stderr"') ? 'stderr' : bytesAt(buf, p + 1, ',"stream":"stdout"') ? 'stdout' : '';
		return (sourceBits(stream) << 1) | (partial ? LINK_PARTIAL : 0);
	},
};

// ---- journald ------------------------------------------------------------------------------

/** journald fields that become entry fields under a short name. */
const JOURNAL_NAMES: Record<string, string> = { _PID: 'pid', _SYSTEMD_UNIT: 'unit', _HOSTNAME: 'host', _COMM: 'comm', _TRANSPORT: 'transport', SYSLOG_IDENTIFIER: 'identifier' };

/**
 * A journald field value: a string, an array of bytes when it is not valid UTF-8, or (a field the
 * record has more than once) an array of those — then the first.
 */
function journalValue(v: unknown): string | undefined {
	if (typeof v === 'string') return v;
	if (typeof v === 'number') return String(v);
	if (!Array.isArray(v) || v.length === 0) return undefined;
	if (v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
	return journalValue(v[0]);
}

/** The last line `link` parsed (the scanner links the line it just parsed: one JSON.parse for both). */
let journalCache: { line: string; w: WrappedLine | null } = { line: '', w: null };

/**
 * `journalctl -o json` (and `-o json-seq` without its RS): one object per record, every value a
 * string (an array of bytes when not UTF-8), `__REALTIME_TIMESTAMP` in µs, `PRIORITY` "0"–"7" the
 * syslog severity, `MESSAGE` the program's line.
 */
export const journaldWrapper: Wrapper = {
	id: 'journald',
	name: 'journald JSON',
	lineBytes: 1 << 20,
	rawContent: false,
	unwrap(line: string): WrappedLine | null {
		if (journalCache.line === line) return journalCache.w;
		const w = unwrapJournal(line);
		journalCache = { line, w };
		return w;
	},
	link(buf: Uint8Array, s: number, e: number): number {
		if (e > s && buf[s] === 0x1e) s++; // json-seq record separator
		return linkOf(journaldWrapper.unwrap(Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('latin1'), LINK_CTX));
	},
};

function unwrapJournal(line: string): WrappedLine | null {
	const o = parseJsonObject(line.charCodeAt(0) === 0x1e ? line.slice(1) : line);
	if (!o || !('MESSAGE' in o) || !('__REALTIME_TIMESTAMP' in o || '__CURSOR' in o)) return null;
	const content = journalValue(o.MESSAGE) ?? '';
	const bytes = Array.isArray(o.MESSAGE) && o.MESSAGE.every((b) => typeof b === 'number') ? Buffer.from(o.MESSAGE as number[]) : undefined;
	const us = journalValue(o.__REALTIME_TIMESTAMP);
	const pri = journalValue(o.PRIORITY);
	const fields: Record<string, string> = {};
	for (const [k, v] of Object.entries(o)) {
		if (k === 'MESSAGE' || k.startsWith('__')) continue;
		const s = journalValue(v);
		if (s !== undefined) fields[JOURNAL_NAMES[k] ?? k] = s;
	}
	const logger = journalValue(o.SYSLOG_IDENTIFIER) ?? journalValue(o._COMM);
	// Only a program's stdout/stderr stream is cut into a record per line (a traceback over many
	// records); a record sent to the journal, syslog or by the kernel is a message of its own.
	const transport = journalValue(o._TRANSPORT);
	const stream = transport === undefined || transport === 'stdout';
	const w: WrappedLine = {
		content, contentStart: -1, partial: o._LINE_BREAK === 'line-max',
		source: stream ? `${journalValue(o._PID) ?? ''}/${logger ?? ''}/${journalValue(o._SYSTEMD_UNIT) ?? ''}` : `#${journalValue(o.__CURSOR) ?? us ?? line}`,
		time: us !== undefined && /^\d{1,19}$/.test(us) ? +us / 1000 : NaN,
		level: pri !== undefined && /^[0-7]$/.test(pri) ? levelFromSyslogSeverity(+pri) : Level.Unknown, fields,
	};
	if (bytes !== undefined) w.bytes = bytes;
	if (pri !== undefined && w.level !== Level.Unknown) w.levelRaw = pri;
	if (logger !== undefined) w.logger = logger;
	return w;
}

// ---- kubectl logs --prefix / --timestamps --------------------------------------------------

const PREFIX = /^\[(pod\/([^\s\]/]+)\/([^\s\]/]+))\] /;
const STAMP = new RegExp(`^(${RFC3339}) `);

/**
 * `kubectl logs --prefix` (`[pod/<pod>/<container>] <text>`) and `--timestamps`
 * (`<RFC3339Nano> <text>`), alone or together.
 */
export class KubectlWrapper implements Wrapper {
	readonly id: string;
	readonly name: string;
	readonly lineBytes = 0;
	readonly rawContent = true;

	constructor(private readonly prefix: boolean, private readonly stamped: boolean) {
		this.id = prefix ? (stamped ? 'kubectl-prefix-timestamps' : 'kubectl-prefix') : 'kubectl-timestamps';
		// `docker logs --timestamps` writes the same as `kubectl logs --timestamps`.
		this.name = prefix ? `kubectl logs --prefix${stamped ? ' --timestamps' : ''}` : 'kubectl/docker logs --timestamps';
	}

	unwrap(line: string): WrappedLine | null {
		let at = 0;
		const fields: Record<string, string> = {};
		let source = '';
		if (this.prefix) {
			const p = PREFIX.exec(line);
			if (!p) return null;
			at = p[0].length;
			fields.pod = p[2];
			fields.container = p[3];
			source = p[1];
		}
		let time = NaN;
		if (this.stamped) {
			const t = STAMP.exec(at === 0 ? line : line.slice(at));
			if (!t) return null;
			time = rfc3339(t[1]);
			at += t[0].length;
		}
		return { content: line.slice(at), contentStart: at, partial: false, source, time, level: Level.Unknown, fields };
	}

	contentFast(buf: Uint8Array, s: number, e: number): number {
		let p = s;
		if (this.prefix) {
			if (!bytesAt(buf, s, '[pod/')) return -1;
			const lim = Math.min(e, s + 512);
			while (p < lim && buf[p] !== 93 && buf[p] !== 32) p++;
			if (p >= lim || buf[p] !== 93 || buf[p + 1] !== 32) return -1;
			p += 2;
		}
		if (this.stamped) {
			if (e - p < 21 || !isDigit(buf[p]) || buf[p + 4] !== 45 || buf[p + 10] !== 84) return -1;
			const lim = Math.min(e, p + 36);
			p += 19;
			while (p < lim && buf[p] !== 32) p++;
			if (p >= lim) return -1;
			p++;
		}
		return p;
	}

	link(buf: Uint8Array, s: number, e: number): number {
		if (this.contentFast(buf, s, e) < 0) return -1;
		if (!this.prefix) return 0;
		let p = s + 1;
		while (p < e && buf[p] !== 93) p++;
		return sourceBits(Buffer.from(buf.buffer, buf.byteOffset + s + 1, p - s - 1).toString('latin1')) << 1;
	}
}

// ---- the wrapped format --------------------------------------------------------------------

/** A wrapped log read as its inner log: see the top of this file. */
export class WrappedFormat implements LogFormat {
	readonly id: string;
	readonly name: string;
	readonly headerBytes: number;
	readonly latin1Entries: boolean;
	readonly readFast?: (buf: Uint8Array, s: number, e: number) => { level: Level; time: number } | null;
	readonly messageStartFast?: (buf: Uint8Array, e: number) => number;

	/** `innerCtx`: how the inner log's times are read (its zone learned from the envelope's UTC times). */
	constructor(readonly wrapper: Wrapper, readonly inner: LogFormat, private readonly innerCtx?: ParseContext) {
		this.id = `${wrapper.id}+${inner.id}`;
		this.name = `${wrapper.name} › ${inner.name}`;
		this.headerBytes = Math.max(wrapper.lineBytes, (inner.headerBytes ?? 4096) + 64);
		this.latin1Entries = wrapper.rawContent;
		const fast = inner.readFast?.bind(inner);
		const content = wrapper.contentFast?.bind(wrapper);
		if (fast && content) {
			this.readFast = (buf, s, e) => {
				const c = content(buf, s, e);
				if (c < 0) return null;
				const r = fast(buf, c, e);
				// Without an inner time the envelope's is taken: the full parse merges them.
				return r === null || r.time !== r.time ? null : r;
			};
			const ms = inner.messageStartFast?.bind(inner);
			if (ms) this.messageStartFast = ms;
		}
	}

	private ctxFor(ctx: ParseContext): ParseContext {
		return this.innerCtx ?? ctx;
	}

	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		const w = this.wrapper.unwrap(line, ctx);
		if (w === null) return null;
		const content = w.contentStart >= 0 ? w.content : stripAnsi(firstLine(w.content));
		const h = this.inner.parseHeader(content, this.ctxFor(ctx));
		if (h === null) return null;
		const out = merge(h, w);
		if (w.contentStart >= 0 && h.message === undefined) {
			out.messageStart = w.contentStart + h.messageStart;
			if (h.messageEnd !== undefined) out.messageEnd = w.contentStart + h.messageEnd;
		} else out.message = h.message ?? content.slice(h.messageStart, h.messageEnd ?? content.length);
		return out;
	}

	link(buf: Uint8Array, s: number, e: number): number {
		return this.wrapper.link(buf, s, e);
	}

	ownHeader(line: string, ctx: ParseContext, moved: boolean): HeaderMatch | null {
		const w = this.wrapper.unwrap(line, ctx);
		if (w === null) return null;
		const h = w.partial ? this.cutHeader(w.content, ctx) : null;
		if (h !== null) return merge(h, w);
		return moved ? own(w) : null;
	}

	joinedHeader(lines: readonly string[], ctx: ParseContext): HeaderMatch | null {
		const u = this.unwrapEntry(lines, ctx);
		return u.header;
	}

	/**
	 * The header of the first piece of a cut record of a JSON log: the object's members before the
	 * cut (none when the first value is already cut: then the envelope's time, no level).
	 */
	private cutHeader(content: string, ctx: ParseContext): HeaderMatch | null {
		const text = stripAnsi(content);
		if (this.inner.id !== 'json' || text.trimStart().charCodeAt(0) !== 123) return null;
		return recordToHeader(parseJsonPrefix(text) ?? {}, this.ctxFor(ctx));
	}

	/**
	 * Physical lines (one entry's, or any run that starts at a record) as the inner log's lines:
	 * partial records joined, multi-line messages split, escapes removed; `from[i]` is the index in
	 * `lines` of the physical line inner line `i` starts on.
	 */
	unwrapLines(lines: readonly string[], ctx: ParseContext): { lines: string[]; from: number[]; first: WrappedLine | null } {
		const inner: string[] = [];
		const from: number[] = [];
		let first: WrappedLine | null = null;
		// A record's pieces joined as bytes: a character the runtime split over two lines is whole again.
		let parts: Buffer[] = [];
		let at = 0;
		let open = false;
		const enc = this.latin1Entries ? 'latin1' : 'utf8';
		const flush = () => {
			for (const l of Buffer.concat(parts).toString('utf8').split('\n')) {
				inner.push(stripAnsi(l.endsWith('\r') ? l.slice(0, -1) : l));
				from.push(at);
			}
			parts = [];
		};
		for (let i = 0; i < lines.length; i++) {
			const w = this.wrapper.unwrap(lines[i], ctx);
			if (i === 0) first = w;
			if (!open) at = i;
			parts.push(w === null ? Buffer.from(lines[i], enc) : (w.bytes ?? Buffer.from(w.content, enc)));
			open = w !== null && w.partial;
			if (!open) flush();
		}
		if (open) flush();
		return { lines: inner, from, first };
	}

	unwrapEntry(lines: readonly string[], ctx: ParseContext): { header: HeaderMatch | null; lines: string[] } {
		const { lines: inner, first } = this.unwrapLines(lines, ctx);
		if (first === null) return { header: null, lines: inner };
		const text = inner[0] ?? '';
		const h = this.inner.parseHeader(text, this.ctxFor(ctx));
		if (h === null) {
			const o = own(first);
			o.message = text;
			return { header: o, lines: inner };
		}
		const out = merge(h, first);
		out.message = h.message ?? text.slice(h.messageStart, h.messageEnd ?? text.length);
		return { header: out, lines: inner };
	}
}

/**
 * The members of a JSON object cut short (`{"level":30,"time":…,"msg":"abc` → level and time): each
 * whole member before the cut. Null when not even one is whole.
 */
export function parseJsonPrefix(text: string): Record<string, unknown> | null {
	let i = text.indexOf('{') + 1;
	if (i <= 0) return null;
	const out: Record<string, unknown> = {};
	let n = 0;
	const ws = () => {
		while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
	};
	const stringEnd = (p: number): number => {
		for (let q = p + 1; q < text.length; q++) {
			if (text[q] === '\\') q++;
			else if (text[q] === '"') return q + 1;
		}
		return -1;
	};
	for (;;) {
		ws();
		if (text[i] !== '"') break;
		const ke = stringEnd(i);
		if (ke < 0) break;
		const key = JSON.parse(text.slice(i, ke)) as string;
		i = ke;
		ws();
		if (text[i] !== ':') break;
		i++;
		ws();
		// The value's end: a string, a nested value (depth counted outside strings) or a scalar.
		const vs = i;
		let depth = 0;
		let ve = -1;
		for (let q = i; q < text.length; q++) {
			const c = text[q];
			if (c === '"') {
				const se = stringEnd(q);
				if (se < 0) break;
				q = se - 1;
				if (depth === 0) {
					ve = se;
					break;
				}
			} else if (c === '{' || c === '[') depth++;
			else if (c === '}' || c === ']') {
				if (depth === 0) {
					ve = q;
					break;
				}
				if (--depth === 0) {
					ve = q + 1;
					break;
				}
			} else if (c === ',' && depth === 0) {
				ve = q;
				break;
			}
		}
		if (ve < 0) break;
		try {
			out[key] = JSON.parse(text.slice(vs, ve));
		} catch {
			break;
		}
		n++;
		i = ve;
		ws();
		if (text[i] !== ',') break;
		i++;
	}
	return n > 0 ? out : null;
}

function firstLine(s: string): string {
	const nl = s.indexOf('\n');
	return nl < 0 ? s : s.slice(0, nl);
}

/** The inner header with what the envelope adds: its time and level where the inner log has none, its fields. */
function merge(h: HeaderMatch, w: WrappedLine): HeaderMatch {
	const out: HeaderMatch = { level: h.level, time: h.time === h.time ? h.time : w.time, messageStart: 0, fields: { ...h.fields, ...w.fields } };
	if (h.level !== Level.Unknown) {
		if (h.levelRaw !== undefined) out.levelRaw = h.levelRaw;
	} else if (w.level !== Level.Unknown) {
		out.level = w.level;
		if (w.levelRaw !== undefined) out.levelRaw = w.levelRaw;
	}
	const logger = h.logger ?? w.logger;
	if (logger !== undefined) out.logger = logger;
	return out;
}

/** A line read by its envelope alone. */
function own(w: WrappedLine): HeaderMatch {
	const h: HeaderMatch = { level: w.level, time: w.time, messageStart: Math.max(0, w.contentStart), fields: { ...w.fields } };
	if (w.contentStart < 0) h.message = stripAnsi(firstLine(w.content));
	if (w.levelRaw !== undefined) h.levelRaw = w.levelRaw;
	if (w.logger !== undefined) h.logger = w.logger;
	return h;
}

// ---- detection -----------------------------------------------------------------------------

/** Share of the sample's non-empty lines an envelope must read. */
const MIN_WRAPPED = 0.9;

const CANDIDATES: Wrapper[] = [criWrapper, dockerWrapper, journaldWrapper, new KubectlWrapper(true, true), new KubectlWrapper(true, false), new KubectlWrapper(false, true)];

/** The inner log's lines of unwrapped sample lines: partial records joined, multi-line messages split. */
export function innerLines(lines: readonly WrappedLine[]): string[] {
	const out: string[] = [];
	const open = new Map<string, string>();
	for (const w of lines) {
		const text = (open.get(w.source) ?? '') + w.content;
		if (w.partial) {
			open.set(w.source, text);
			continue;
		}
		open.delete(w.source);
		for (const l of text.split('\n')) out.push(stripAnsi(l.endsWith('\r') ? l.slice(0, -1) : l));
	}
	for (const text of open.values()) out.push(stripAnsi(text));
	return out;
}

/**
 * When the sample is a wrapped log: the wrapped format, its inner log detected by `detect` on the
 * unwrapped sample. `--timestamps` alone is only taken when the inner log has times of its own or
 * is structured (JSON, logfmt): else a log whose lines start with an RFC 3339 time is just that,
 * and the usual detection reads it.
 */
export function detectWrapped(lines: readonly string[], ctx: ParseContext, detect: (lines: readonly string[], ctx: ParseContext) => DetectedFormat): DetectedFormat | null {
	const sample = lines.filter((l) => l.length > 0);
	if (sample.length === 0) return null;
	// Cheap gate: every envelope starts its lines with `{`, `[`, a digit or a record separator.
	const c0 = sample[0].charCodeAt(0);
	if (c0 !== 123 && c0 !== 91 && c0 !== 0x1e && !(c0 >= 48 && c0 <= 57)) return null;
	for (const wrapper of CANDIDATES) {
		const got: WrappedLine[] = [];
		let misses = 0;
		for (const l of sample) {
			const w = wrapper.unwrap(l, ctx);
			if (w !== null) got.push(w);
			else if (++misses > sample.length * (1 - MIN_WRAPPED)) break;
		}
		if (got.length < sample.length * MIN_WRAPPED) continue;
		const inner = innerLines(got);
		let d = detect(inner, ctx);
		if (wrapper.id === 'kubectl-timestamps' && !(d.format.id === 'json' || d.format.id === 'logfmt' || readsTimes(d.format, inner, ctx))) return null;
		const zone = learnZone(d.format, got, ctx);
		let innerCtx: ParseContext | undefined;
		if (zone !== undefined) {
			innerCtx = { ...ctx, defaultZoneOffsetMinutes: zone };
			d = detect(inner, innerCtx);
		}
		return { format: new WrappedFormat(wrapper, d.format, innerCtx), confidence: got.length / sample.length };
	}
	return null;
}

/** The format reads a time on most of its headers in `lines`. */
function readsTimes(f: LogFormat, lines: readonly string[], ctx: ParseContext): boolean {
	let headers = 0, timed = 0;
	for (const l of lines) {
		const h = f.parseHeader(l, ctx);
		if (!h) continue;
		headers++;
		if (h.time === h.time) timed++;
	}
	return headers > 0 && timed >= headers * 0.5;
}

/**
 * The inner log's zone, when its times (read without a zone, in the default one) are off from the
 * envelope's UTC times by the same whole quarter-hours on every line: a container's clock zone is not
 * the reader's. Undefined when the times agree (or carry their own zone).
 */
function learnZone(f: LogFormat, lines: readonly WrappedLine[], ctx: ParseContext): number | undefined {
	const QUARTER = 15 * 60000;
	let k: number | undefined;
	let n = 0;
	let at = NaN;
	for (const w of lines) {
		if (w.time !== w.time) continue;
		let h: HeaderMatch | null = null;
		try {
			h = f.parseHeader(w.contentStart >= 0 ? w.content : firstLine(w.content), ctx);
		} catch {
			h = null;
		}
		if (!h || h.time !== h.time) continue;
		const diff = h.time - w.time;
		const q = Math.round(diff / QUARTER);
		// The runtime stamps a line a little after the program wrote it (minutes at most), and zones
		// are at most 14 hours from UTC.
		if (Math.abs(diff - q * QUARTER) > 5 * 60000 || Math.abs(q) > 56) return undefined;
		if (k === undefined) k = q;
		else if (k !== q) return undefined;
		n++;
		at = w.time;
	}
	if (k === undefined || k === 0 || n < 2) return undefined;
	const assumed = ctx.defaultZoneOffsetMinutes ?? -new Date(at).getTimezoneOffset();
	return assumed + k * 15;
}
