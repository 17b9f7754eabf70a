import { stripAnsi } from './ansi';
import { DetectedFormat, HeaderMatch, LogFormat, ParseContext } from './format';
import { isLinked, LineLinks, LinkDecision } from './lineLinks';
import { detectFormat, resolveFormat } from './formatRegistry';
import { plainFormat } from './formats/plain';
import { Level } from './levels';
import { defaultParseContext } from './timestamp';

/** Options shared by everything that scans log bytes. */
export interface ScanOptions {
	/** Use this format (object or registry id) instead of detecting one. */
	format?: LogFormat | string;
	/** Year for formats without one, default zone; default: this year, the machine's zone. */
	ctx?: ParseContext;
	/** More sample lines for detection (e.g. read from the middle of a big file). */
	extraSample?: readonly string[];
	/**
	 * The detection input another scanner of the same file used (its `detectionInput`): detection
	 * runs on it at once, so a scanner of a later range of the file reads headers exactly the same
	 * way. Goes with `startOffset`.
	 */
	presample?: readonly string[];
	/** Offset in the file of the first byte appended (a later range, starting at a line start). */
	startOffset?: number;
}

/** The partial last line a scanner holds (handed from a range's scanner to the one that continues it). */
export interface ScanTail {
	carry: Buffer | null;
	carryStart: number;
	carryLen: number;
	carryLast: number;
}

/** Detection waits for this much of the file (or its end). */
export const SAMPLE_BYTES = 256 * 1024;
export const SAMPLE_LINES = 1000;
/** Bytes examined for NULs / control characters to call a file binary. */
const BINARY_PROBE = 8192;
const DEFAULT_HEADER_BYTES = 4096;

/** NULs, or more than 10% control bytes (other than tab, CR, LF, FF, ESC) in the probe. */
export function looksBinary(buf: Buffer): boolean {
	const n = Math.min(buf.length, BINARY_PROBE);
	let ctl = 0;
	for (let i = 0; i < n; i++) {
		const b = buf[i];
		if (b === 0) return true;
		if (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12 && b !== 27) ctl++;
	}
	return n > 0 && ctl > n * 0.1;
}

/**
 * The single pass over log bytes both the index and the entry stream are built on: waits for a
 * sample to detect the format (and binary files), splits lines on LF (dropping a CR before it),
 * holds a partial last line until its newline or `finish()`, and parses each line's header from a
 * latin1 decode of its first bytes only, so multi-megabyte lines and invalid UTF-8 cost nothing and
 * byte offsets stay exact.
 */
export abstract class LineScanner {
	/** Bytes appended so far. */
	bytes = 0;
	/** The file looked binary (NULs or many control bytes at its start); nothing is indexed. */
	binary = false;
	/** Lines seen (complete lines, plus the partial last one after `finish()`). */
	lineCount = 0;
	protected detected: DetectedFormat | undefined;
	protected readonly ctx: ParseContext;
	private readonly formatOption: LogFormat | string | undefined;
	private readonly extraSample: readonly string[];
	private headerBytes = DEFAULT_HEADER_BYTES;
	/** Until the sample is complete: every byte so far (detection and possible re-detection read it). */
	private head: Buffer[] | null = [];
	private headLen = 0;
	private headNewlines = 0;
	/** Detection ran on an incomplete sample at `finish()`; more data re-runs it from `head`. */
	private provisional = false;
	/** The partial last line: its first bytes, where it starts, its full length, its last byte. */
	private carry: Buffer | null = null;
	private carryStart = 0;
	private carryLen = 0;
	private carryLast = -1;
	/** `finish()` emitted the partial last line; appending more must take it back first. */
	private openLineEmitted = false;
	/** `finish()` was called once: data is being followed, so lines must appear without waiting for a full sample. */
	private finishedOnce = false;
	/** Keep whole lines in the carry (the entry stream needs their bytes), not just a header prefix. */
	protected keepWholeLines = false;
	/** Results of the last header parse (kept in fields so the hot loop allocates nothing). */
	protected hLevel: Level = Level.Unknown;
	protected hTime = NaN;
	/** The last header was read by the format's byte-level fast path. */
	protected hFast = false;
	/** The format when it has a byte-level fast path (the hot loop tries it first). */
	private fast: Required<Pick<LogFormat, 'readFast'>> | null = null;
	/** When the format is a wrapper (container runtime, journald): how its lines link to the line above. */
	private links: LineLinks | null = null;
	/** The lines detection ran on (handed to scanners of later ranges of the same file). */
	detectionInput: readonly string[] = [];
	/** This scanner reads a later range of a file: its first line continues an entry from before. */
	protected readonly continuation: boolean;

	constructor(opts: ScanOptions = {}) {
		this.ctx = opts.ctx ?? defaultParseContext();
		this.formatOption = opts.format;
		this.extraSample = opts.extraSample ?? [];
		this.continuation = (opts.startOffset ?? 0) > 0;
		if (opts.presample) {
			this.bytes = opts.startOffset ?? 0;
			this.head = null;
			this.detect([...opts.presample]);
		}
	}

	/** The year/zone headers are read with. */
	get parseContext(): ParseContext {
		return this.ctx;
	}

	/** The detected (or given) format; `plain` until detection has run. */
	get format(): DetectedFormat {
		return this.detected ?? { format: plainFormat, confidence: 0 };
	}

	/** Feeds the next bytes of the file. */
	append(chunk: Buffer): void {
		if (chunk.length === 0) return;
		if (this.provisional) this.restart();
		if (this.openLineEmitted) {
			this.openLineEmitted = false;
			this.lineCount--;
			this.links?.retract();
			this.retractLine();
		}
		const base = this.bytes;
		this.bytes += chunk.length;
		if (this.head) {
			this.headLen += chunk.length;
			for (let i = chunk.indexOf(10); i >= 0 && this.headNewlines < SAMPLE_LINES; i = chunk.indexOf(10, i + 1)) this.headNewlines++;
			const complete = this.headLen >= SAMPLE_BYTES || this.headNewlines >= SAMPLE_LINES;
			if (complete && this.head.length === 0) {
				// The first chunk holds the whole sample (big reads): detect on it in place, no copy.
				this.settle(false, false, chunk);
				return;
			}
			// The caller may reuse the chunk's memory: keep a copy (memcpy, not a byte loop).
			const copy = Buffer.allocUnsafe(chunk.length);
			chunk.copy(copy);
			this.head.push(copy);
			if (complete) this.settle(false);
			else if (this.finishedOnce) this.settle(false, true);
			return;
		}
		if (this.binary) return;
		this.scan(chunk, base);
	}

	/** The end of the data: the partial last line becomes a line (taken back if more data comes). */
	finish(): void {
		this.finishedOnce = true;
		if (this.head && !this.detected) this.settle(true);
		if (this.binary || this.carry === null || this.openLineEmitted) return;
		this.emit(this.carryStart, this.carry, 0, this.carry.length, this.carryLast === 13 && this.carryLen === this.carry.length, this.carryLast === 13, this.bytes - (this.carryLast === 13 ? 1 : 0));
		this.openLineEmitted = true;
	}

	/** Forget everything derived from the bytes (a re-detection rebuilds from `head`). */
	protected abstract resetDerived(): void;
	/**
	 * A line was read: its start offset, whether it ended in CR LF, whether it is a header
	 * (level/time in hLevel/hTime), its bytes `buf[s, e)` (only the first ones for a long line
	 * unless `keepWholeLines`), and the offset where its content ends (before CR LF).
	 */
	protected abstract onLine(start: number, cr: boolean, header: boolean, buf: Buffer, s: number, e: number, end: number): void;
	/** Take back the last line (it was the partial last line and more bytes arrived). */
	protected abstract retractLine(): void;

	private restart(): void {
		const head = this.head ?? [];
		this.provisional = false;
		this.detected = undefined;
		this.fast = null;
		this.links = null;
		this.binary = false;
		this.lineCount = 0;
		this.carry = null;
		this.openLineEmitted = false;
		this.resetDerived();
		this.head = head;
	}

	private settle(atEnd: boolean, keepHead = false, only?: Buffer): void {
		const all = only ?? (this.head !== null && this.head.length === 1 ? this.head[0] : Buffer.concat(this.head ?? []));
		this.binary = looksBinary(all);
		const text = all.toString('latin1', 0, Math.min(all.length, SAMPLE_BYTES));
		const lines = text.split('\n');
		if (!atEnd && lines.length > 1) lines.pop();
		// Colour codes are no part of a header: detection and learning read the text without them.
		const sample = lines.slice(0, SAMPLE_LINES).map((l) => stripAnsi(l.endsWith('\r') ? l.slice(0, -1) : l));
		if (sample.length > 0 && sample[0].startsWith('\xef\xbb\xbf')) sample[0] = sample[0].slice(3);
		this.detect(sample.concat(this.extraSample.map(stripAnsi)));
		const complete = this.headLen >= SAMPLE_BYTES || this.headNewlines >= SAMPLE_LINES;
		const head = this.head;
		this.head = null;
		if ((atEnd || keepHead) && !complete) {
			// Keep the bytes: when more arrive (a file being written), detection runs again on more.
			this.provisional = true;
			this.head = head;
		}
		if (!this.binary) this.scan(all, 0);
	}

	private detect(input: string[]): void {
		this.detectionInput = input;
		if (this.formatOption !== undefined) {
			this.detected = { format: resolveFormat(this.formatOption, input, this.ctx), confidence: 1 };
		} else {
			this.detected = detectFormat(input, this.ctx);
		}
		this.headerBytes = this.detected.format.headerBytes ?? DEFAULT_HEADER_BYTES;
		const f = this.detected.format;
		this.fast = f.readFast ? (f as Required<Pick<LogFormat, 'readFast'>>) : null;
		this.links = isLinked(f) ? new LineLinks(f, this.ctx) : null;
	}

	/** Detection has run on a complete sample (the format will not change any more). */
	get settled(): boolean {
		return this.detected !== undefined && !this.provisional;
	}

	/** Whether the line in `buf[s, e)` is a header of the detected format (after detection). */
	isHeaderLine(buf: Buffer, s: number, e: number): boolean {
		if (e > s && buf[e - 1] === 13) e--;
		return this.detected !== undefined && this.parseHeader(buf, s, Math.min(e, s + this.headerBytes));
	}

	/** The partial last line held (none when the bytes so far end with a newline). */
	takeTail(): ScanTail {
		return { carry: this.carry, carryStart: this.carryStart, carryLen: this.carryLen, carryLast: this.carryLast };
	}

	/**
	 * Continues after another scanner that read the rest of the file from where this one stopped
	 * (at a line start): its byte count, lines (the subclass takes its derived data) and tail.
	 */
	protected adoptRange(end: number, lines: number, tail: ScanTail): void {
		if (this.carry !== null || this.openLineEmitted) throw new Error('adoptRange: the scanner holds a partial line');
		this.bytes = end;
		this.lineCount += lines;
		this.carry = tail.carry;
		this.carryStart = tail.carryStart;
		this.carryLen = tail.carryLen;
		this.carryLast = tail.carryLast;
	}

	private scan(chunk: Buffer, base: number): void {
		let pos = 0;
		const n = chunk.length;
		if (this.carry !== null) {
			const nl = chunk.indexOf(10);
			const cap = this.keepWholeLines ? Infinity : this.headerBytes;
			if (nl < 0) {
				if (this.carry.length < cap) this.carry = Buffer.concat([this.carry, chunk.subarray(0, Math.min(n, cap - this.carry.length))]);
				this.carryLen += n;
				this.carryLast = chunk[n - 1];
				return;
			}
			const take = Math.min(nl, Math.max(0, cap - this.carry.length));
			const line = take > 0 ? Buffer.concat([this.carry, chunk.subarray(0, take)]) : this.carry;
			const last = nl > 0 ? chunk[nl - 1] : this.carryLast;
			const whole = this.carryLen + nl === line.length;
			this.carry = null;
			this.emit(this.carryStart, line, 0, line.length, last === 13 && whole, last === 13, base + nl - (last === 13 ? 1 : 0));
			pos = nl + 1;
		} else if (base === 0 && n > 0) {
			// The first line may start with a BOM: the general path skips it.
			const nl = chunk.indexOf(10);
			if (nl >= 0) {
				this.emit(0, chunk, 0, nl, nl > 0 && chunk[nl - 1] === 13);
				pos = nl + 1;
			}
		}
		pos = this.scanLines(chunk, base, pos);
		this.afterChunk(chunk, pos);
		if (pos < n) {
			const cap = this.keepWholeLines ? n - pos : Math.min(n - pos, this.headerBytes);
			this.carry = Buffer.from(chunk.subarray(pos, pos + cap));
			this.carryStart = base + pos;
			this.carryLen = n - pos;
			this.carryLast = chunk[n - 1];
		}
	}

	/**
	 * The hot loop over the complete lines of `chunk` from `pos`: one memchr per line, the header
	 * read in place from the line's first bytes. Returns where the partial last line starts. (Kept
	 * apart from the once-per-chunk carry handling so the optimiser never sees that code cold.)
	 */
	private scanLines(chunk: Buffer, base: number, pos: number): number {
		const hb = this.headerBytes;
		for (;;) {
			const nl = chunk.indexOf(10, pos);
			if (nl < 0) return pos;
			let e = nl;
			const cr = e > pos && chunk[e - 1] === 13;
			if (cr) e--;
			this.lineCount++;
			const start = base + pos;
			let header = this.parseHeader(chunk, pos, e - pos > hb ? pos + hb : e);
			if (this.links !== null) header = this.linkLine(chunk, pos, e, header);
			this.onLine(start, cr, header, chunk, pos, e, start + (e - pos));
			pos = nl + 1;
		}
	}

	/**
	 * Called once the complete lines of a chunk went to `onLine`, before the caller may reuse the
	 * chunk's memory: subclasses that hold ranges of `buf` copy what they still need here.
	 */
	protected afterChunk(_buf: Buffer, _end: number): void {
		// Nothing is held by default.
	}

	/**
	 * One line: `buf[s, e)` holds its bytes (or its first bytes when it was carried over chunks).
	 * `stripCr` says the bytes end with the CR of a CR LF; `cr` that the line in the file does.
	 */
	private emit(start: number, buf: Buffer, s: number, e: number, stripCr: boolean, cr = stripCr, end = -1): void {
		if (stripCr) e--;
		if (end < 0) end = start + (e - s);
		let ps = s;
		if (start === 0 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) ps += 3;
		const pe = Math.min(e, ps + this.headerBytes);
		let header = this.parseHeader(buf, ps, pe);
		if (this.links !== null) header = this.linkLine(buf, ps, e, header);
		this.lineCount++;
		this.onLine(start, cr, header, buf, s, e, end);
	}

	/** A wrapped log's line: see `LineLinks`. */
	private linkLine(buf: Buffer, s: number, e: number, header: boolean): boolean {
		const links = this.links as LineLinks;
		const d = links.decide(buf, s, e, Math.min(e, s + this.headerBytes), header);
		if (d === LinkDecision.Revised) {
			const r = links.revised as HeaderMatch;
			this.reviseEntry(r.level, r.time);
			return false;
		}
		if (d === LinkDecision.Own) {
			const h = links.own as HeaderMatch;
			this.hLevel = h.level;
			this.hTime = h.time;
			this.hFast = false;
		}
		return d !== LinkDecision.Continuation;
	}

	/**
	 * Whether a record can end with the line `buf[s, e)` (a wrapped log's partial record cannot):
	 * where a range of the file may start after it.
	 */
	endsRecord(buf: Buffer, s: number, e: number): boolean {
		if (this.links === null) return true;
		if (e > s && buf[e - 1] === 13) e--;
		return this.links.endsRecord(buf, s, e);
	}

	/**
	 * The last entry (the one open) has this level and time after all: a record the runtime cut was
	 * read again once whole (see `LineLinks`). Called before any later line.
	 */
	protected reviseEntry(_level: Level, _time: number): void {
		// Scanners that keep nothing per entry have nothing to revise.
	}

	/** Parses a header from a byte range; sets hLevel/hTime. */
	protected parseHeader(buf: Buffer, s: number, e: number): boolean {
		const fast = this.fast;
		if (fast !== null) {
			const r = fast.readFast(buf, s, e);
			if (r !== null) {
				this.hLevel = r.level;
				this.hTime = r.time;
				this.hFast = true;
				return true;
			}
		}
		this.hFast = false;
		const h = this.parseHeaderText(buf, s, e);
		if (h === null) return false;
		this.hLevel = h.level;
		this.hTime = h.time;
		return true;
	}

	/**
	 * The full parse of a header from its first bytes: latin1 (any byte sequence decodes and
	 * offsets stay byte offsets), ANSI escape sequences removed.
	 */
	protected parseHeaderText(buf: Buffer, s: number, e: number): HeaderMatch | null {
		let text = buf.toString('latin1', s, e);
		if (text.indexOf('\x1b') >= 0) text = stripAnsi(text);
		return (this.detected as DetectedFormat).format.parseHeader(text, this.ctx);
	}
}
