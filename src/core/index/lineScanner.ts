import { stripAnsi } from '../ansi';
import { DetectedFormat, HeaderMatch, LogFormat, ParseContext } from '../format';
import { isLinked, LineLinks, LinkDecision } from '../lineLinks';
import { detectFormat, resolveFormat } from '../formatRegistry';
import { plainFormat } from '../formats/plain';
import { Level } from '../levels';
import { defaultParseContext } from '../timestamp';
import { bomEncoding, decodeText, looksBinary, skipNuls, TextEncoding } from '../textEncoding';

export { looksBinary };

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
	/** NULs the partial line starts with that `carry` does not hold. */
	carrySkip?: number;
}

/** Detection waits for this much of the file (or its end). */
export const SAMPLE_BYTES = 256 * 1024;
export const SAMPLE_LINES = 1000;
const DEFAULT_HEADER_BYTES = 4096;
/**
 * Detection waits for SAMPLE_BYTES of text; NUL runs do not count, so the sample of a log whose
 * head is a hole of zeros is its first lines of text. Past this many bytes it runs on what it has.
 */
const HEAD_MAX = 64 * 1024 * 1024;
/** Of a hole of zeros the data starts with, the bytes a scanner that keeps lines whole keeps. */
const HOLE_KEPT = 1 << 20;

/**
 * The single pass over log bytes both the index and the entry stream are built on: waits for a
 * sample to detect the format (and binary files), splits lines on LF (dropping a CR before it),
 * holds a partial last line until its newline or `finish()`, and parses each line's header from a
 * latin1 decode of its first bytes only, so multi-megabyte lines and invalid UTF-8 cost nothing and
 * byte offsets stay exact. A header is read after the NUL run a line may start with (a hole of
 * zeros is part of its line). A log with a UTF-16 BOM is split on the code unit LF at even offsets
 * and each line's first bytes are re-encoded as UTF-8 for the header: subclasses get UTF-8 line
 * bytes and offsets in the file (see textEncoding.ts).
 */
export abstract class LineScanner {
	/** Bytes appended so far. */
	bytes = 0;
	/** Most of the file's first bytes are not text (see `looksBinary`); nothing is indexed. */
	binary = false;
	/** The file's encoding: UTF-16 when it starts with that byte-order mark (known once detection ran). */
	encoding: TextEncoding = 'utf-8';
	/** Bytes of a newline (and of a CR) in the file's encoding: 2 in UTF-16. */
	protected nlWidth = 1;
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
	/** Bytes of the sample that are not NUL (what completes it). */
	private headText = 0;
	private headNewlines = 0;
	/**
	 * The data so far began with this many NULs, not kept in `head` (a copytruncate hole may be
	 * gigabytes): they start the first line. Where lines are kept whole, the first line keeps the
	 * first HOLE_KEPT of them (its offsets stay the file's).
	 */
	private headNuls = 0;
	/** Detection ran on an incomplete sample at `finish()`; more data re-runs it from `head`. */
	private provisional = false;
	/**
	 * The partial last line: its first bytes (after the NULs it starts with, `carrySkip` of them,
	 * unless lines are kept whole), where it starts, its full length, its last byte.
	 */
	private carry: Buffer | null = null;
	private carryStart = 0;
	private carryLen = 0;
	private carryLast = -1;
	private carrySkip = 0;
	/** Memory `carry` is a view of (room to grow: a line of gigabytes is not copied at every chunk). */
	private carryStore: Buffer | null = null;
	/** UTF-16: the last byte of the data when it ended in the middle of a code unit. */
	private oddByte = -1;
	/** UTF-16: the partial last line ends with a CR code unit. */
	private carryCr = false;
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
			if (this.headLen === 0 && chunk[0] === 0) {
				// The data so far is a hole of zeros: count it, keep nothing.
				const k = skipNuls(chunk, 0, chunk.length);
				this.headNuls += k;
				if (k === chunk.length) {
					if (this.finishedOnce) this.settle(false, true);
					return;
				}
				chunk = chunk.subarray(k);
			}
			this.headLen += chunk.length;
			this.headText += chunk.indexOf(0) < 0 ? chunk.length : countText(chunk);
			for (let i = chunk.indexOf(10); i >= 0 && this.headNewlines < SAMPLE_LINES; i = chunk.indexOf(10, i + 1)) this.headNewlines++;
			const complete = this.sampleComplete();
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

	private sampleComplete(): boolean {
		return this.headText >= SAMPLE_BYTES || this.headNewlines >= SAMPLE_LINES || this.headLen >= HEAD_MAX;
	}

	/** The end of the data: the partial last line becomes a line (taken back if more data comes). */
	finish(): void {
		this.finishedOnce = true;
		if (this.head && !this.detected) this.settle(true);
		if (this.binary || this.openLineEmitted) return;
		if (this.nlWidth === 2) {
			if (this.carry === null && this.oddByte < 0) return;
			// A last byte that is half a code unit belongs to the last line (it decodes to U+FFFD).
			const raw = this.oddByte < 0 ? this.carry ?? EMPTY : Buffer.concat([this.carry ?? EMPTY, Buffer.of(this.oddByte)]);
			const len = (this.carry === null ? 0 : this.carryLen) + (this.oddByte < 0 ? 0 : 1);
			const start = this.carry === null ? this.bytes - 1 : this.carryStart;
			const cr = this.oddByte < 0 && this.carryCr;
			this.emitWide(start, raw, raw.length === len && cr, cr, this.bytes - (cr ? 2 : 0));
			this.openLineEmitted = true;
			return;
		}
		if (this.carry === null) return;
		this.emit(this.carryStart, this.carry, 0, this.carry.length, this.carryLast === 13 && this.carryLen === this.carry.length + this.carrySkip, this.carryLast === 13, this.bytes - (this.carryLast === 13 ? 1 : 0));
		// The emitted line may be held: growing the carry after more data must not write into it.
		this.carryStore = null;
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
		this.carryStore = null;
		this.carrySkip = 0;
		this.oddByte = -1;
		this.openLineEmitted = false;
		this.resetDerived();
		this.head = head;
	}

	private settle(atEnd: boolean, keepHead = false, only?: Buffer): void {
		const all = only ?? (this.head !== null && this.head.length === 1 ? this.head[0] : Buffer.concat(this.head ?? []));
		this.encoding = this.headNuls > 0 ? 'utf-8' : bomEncoding(all);
		this.nlWidth = this.encoding === 'utf-8' ? 1 : 2;
		// A hole of zeros the data starts with says nothing about the rest.
		this.binary = this.nlWidth === 1 && looksBinary(all.subarray(skipNuls(all, 0, all.length)));
		// The sample as the header parser sees lines: latin1 of their UTF-8 bytes, without NUL runs.
		const text = this.nlWidth === 1 ? textSample(all)
			: Buffer.from(decodeText(all.subarray(0, Math.min(all.length, 2 * SAMPLE_BYTES)), this.encoding), 'utf8').toString('latin1');
		const lines = text.split('\n');
		if (!atEnd && lines.length > 1) lines.pop();
		// Colour codes and NUL runs are no part of a header: detection and learning read the text without them.
		const sample = lines.slice(0, SAMPLE_LINES).map((l) => stripAnsi(stripNuls(l.endsWith('\r') ? l.slice(0, -1) : l)));
		if (sample.length > 0 && sample[0].startsWith('\xef\xbb\xbf')) sample[0] = sample[0].slice(3);
		this.detect(sample.concat(this.extraSample.map((l) => stripAnsi(stripNuls(l)))));
		const complete = this.sampleComplete();
		const head = this.head;
		this.head = null;
		if ((atEnd || keepHead) && !complete) {
			// Keep the bytes: when more arrive (a file being written), detection runs again on more.
			this.provisional = true;
			this.head = head;
		}
		if (this.binary) return;
		if (this.headNuls > 0) {
			// The hole the data began with starts the first line.
			const kept = this.keepWholeLines ? Math.min(this.headNuls, HOLE_KEPT) : 0;
			this.carry = kept > 0 ? Buffer.alloc(kept) : EMPTY;
			this.carryStore = null;
			this.carryStart = 0;
			this.carryLen = this.headNuls;
			this.carrySkip = this.headNuls - kept;
			this.carryLast = 0;
		}
		this.scan(all, this.headNuls);
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
		return { carry: this.carry, carryStart: this.carryStart, carryLen: this.carryLen, carryLast: this.carryLast, carrySkip: this.carrySkip };
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
		this.carrySkip = tail.carrySkip ?? 0;
		this.carryStore = null;
	}

	private scan(chunk: Buffer, base: number): void {
		const n = chunk.length;
		if (n === 0) return;
		if (this.nlWidth === 2) {
			this.scanWide(chunk, base);
			return;
		}
		let pos = 0;
		if (this.carry !== null) {
			const nl = chunk.indexOf(10);
			const cap = this.keepWholeLines ? Infinity : this.headerBytes;
			// A partial line of NULs only: the header it may hold starts after them.
			let from = 0;
			if (this.carry.length === 0 && this.carryLen === this.carrySkip && !this.keepWholeLines) {
				from = skipNuls(chunk, 0, nl < 0 ? n : nl);
				this.carrySkip += from;
			}
			const take = Math.min((nl < 0 ? n : nl) - from, Math.max(0, cap - this.carry.length));
			if (take > 0) this.growCarry(chunk, from, from + take);
			if (nl < 0) {
				this.carryLen += n;
				this.carryLast = chunk[n - 1];
				return;
			}
			const line = this.carry;
			const last = nl > 0 ? chunk[nl - 1] : this.carryLast;
			const whole = this.carrySkip + line.length === this.carryLen + nl;
			this.carry = null;
			// The line may be held by the subclass: the next carry gets memory of its own.
			this.carryStore = null;
			this.carrySkip = 0;
			this.emit(this.carryStart, line, 0, line.length, last === 13 && whole, last === 13, base + nl - (last === 13 ? 1 : 0));
			pos = nl + 1;
		} else if (base === 0) {
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
			let from = pos;
			if (!this.keepWholeLines) {
				// The carry holds the bytes a header is read from: after a BOM and a NUL run.
				if (base + pos === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) from = 3;
				if (chunk[from] === 0) from = skipNuls(chunk, from, n);
			}
			const cap = this.keepWholeLines ? n - pos : Math.min(n - from, this.headerBytes);
			this.carry = Buffer.from(chunk.subarray(from, from + cap));
			this.carryStore = null;
			this.carrySkip = from - pos;
			this.carryStart = base + pos;
			this.carryLen = n - pos;
			this.carryLast = chunk[n - 1];
		}
	}

	/** Appends `chunk[s, e)` to the carry, doubling its memory as needed (amortised linear). */
	private growCarry(chunk: Buffer, s: number, e: number): void {
		const c = this.carry as Buffer;
		const len = c.length + e - s;
		let store = this.carryStore;
		if (store === null || len > store.length) {
			store = Buffer.allocUnsafe(Math.max(len, 2 * c.length, 4096));
			c.copy(store, 0);
			this.carryStore = store;
		}
		chunk.copy(store, c.length, s, e);
		this.carry = store.subarray(0, len);
	}

	/**
	 * The hot loop over the complete lines of `chunk` from `pos`: one memchr per line, the header
	 * read in place from the line's first bytes (after a NUL run it starts with). Returns where the
	 * partial last line starts. (Kept apart from the once-per-chunk carry handling so the optimiser
	 * never sees that code cold.)
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
			let hs = pos;
			if (chunk[hs] === 0) hs = skipNuls(chunk, hs, e);
			let header = this.parseHeader(chunk, hs, e - hs > hb ? hs + hb : e);
			if (this.links !== null) header = this.linkLine(chunk, pos, e, header);
			this.onLine(start, cr, header, chunk, pos, e, start + (e - pos));
			pos = nl + 1;
		}
	}

	/**
	 * `scan` for UTF-16 (`nlWidth` 2): lines end at the code unit LF at an even offset; each line's
	 * bytes (its first ones unless lines are kept whole) are re-encoded as UTF-8 for the header and
	 * `onLine`, while offsets stay the file's. Chunks are cut to whole code units (an odd last byte
	 * waits for the next chunk).
	 */
	private scanWide(chunk: Buffer, base: number): void {
		if (this.oddByte >= 0) {
			chunk = Buffer.concat([Buffer.of(this.oddByte), chunk]);
			base--;
			this.oddByte = -1;
		}
		let n = chunk.length;
		if (n & 1) this.oddByte = chunk[--n];
		const le = this.encoding === 'utf-16le';
		const cap = this.keepWholeLines ? Infinity : 2 * this.headerBytes;
		let pos = 0;
		for (;;) {
			const nl = wideNewline(chunk, pos, n, le);
			if (nl < 0) break;
			let raw: Buffer, start: number, whole: boolean, cr: boolean;
			if (this.carry !== null) {
				cr = nl > 0 ? isWideCr(chunk, nl - 2, le) : this.carryCr;
				const take = Math.min(nl, Math.max(0, cap - this.carry.length));
				if (take > 0) this.growCarry(chunk, 0, take);
				raw = this.carry;
				whole = this.carryLen + nl === raw.length;
				start = this.carryStart;
				this.carry = null;
				this.carryStore = null;
			} else {
				cr = nl > pos && isWideCr(chunk, nl - 2, le);
				raw = chunk.subarray(pos, nl - pos > cap ? pos + cap : nl);
				whole = raw.length === nl - pos;
				start = base + pos;
			}
			this.emitWide(start, raw, cr && whole, cr, base + nl - (cr ? 2 : 0));
			pos = nl + 2;
		}
		this.afterChunk(chunk, pos);
		if (pos >= n) return;
		if (this.carry !== null) {
			const take = Math.min(n, Math.max(0, cap - this.carry.length));
			if (take > 0) this.growCarry(chunk, 0, take);
			this.carryLen += n;
		} else {
			this.carry = Buffer.from(chunk.subarray(pos, pos + Math.min(n - pos, cap)));
			this.carryStore = null;
			this.carryStart = base + pos;
			this.carryLen = n - pos;
		}
		this.carryCr = n - pos >= 2 ? isWideCr(chunk, n - 2, le) : false;
	}

	/** One UTF-16 line: its bytes `raw` (all or the first ones), re-encoded as UTF-8 for `onLine`. */
	private emitWide(start: number, raw: Buffer, stripCr: boolean, cr: boolean, end: number): void {
		const u = Buffer.from(decodeText(stripCr ? raw.subarray(0, raw.length - 2) : raw, this.encoding), 'utf8');
		let ps = 0;
		if (start === 0 && u[0] === 0xef && u[1] === 0xbb && u[2] === 0xbf) ps = 3;
		if (u[ps] === 0) ps = skipNuls(u, ps, u.length);
		let header = this.parseHeader(u, ps, Math.min(u.length, ps + this.headerBytes));
		if (this.links !== null) header = this.linkLine(u, ps, u.length, header);
		this.lineCount++;
		this.onLine(start, cr, header, u, 0, u.length, end);
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
		if (buf[ps] === 0) ps = skipNuls(buf, ps, e);
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

const EMPTY = Buffer.alloc(0);

/** Bytes of `buf` that are not NUL. */
function countText(buf: Buffer): number {
	let z = 0;
	for (let i = buf.indexOf(0); i >= 0; i = buf.indexOf(0, i)) {
		const j = skipNuls(buf, i, buf.length);
		z += j - i;
		i = j;
	}
	return buf.length - z;
}

/** The first SAMPLE_BYTES of `buf` that are not NUL, as latin1. */
function textSample(buf: Buffer): string {
	if (buf.indexOf(0) < 0) return buf.toString('latin1', 0, Math.min(buf.length, SAMPLE_BYTES));
	const out = Buffer.allocUnsafe(Math.min(buf.length, SAMPLE_BYTES));
	let k = 0;
	for (let i = 0; i < buf.length && k < out.length;) {
		let z = buf.indexOf(0, i);
		if (z < 0) z = buf.length;
		const n = Math.min(z - i, out.length - k);
		buf.copy(out, k, i, i + n);
		k += n;
		i = skipNuls(buf, z, buf.length);
	}
	return out.toString('latin1', 0, k);
}

/** A line without the NUL runs in it (detection input). */
function stripNuls(l: string): string {
	return l.indexOf('\0') < 0 ? l : l.replace(/\0+/g, '');
}

/** Offset in `chunk` (even, below `n`) of the next LF code unit from `pos`; -1 when none. */
function wideNewline(chunk: Buffer, pos: number, n: number, le: boolean): number {
	for (let i = chunk.indexOf(10, pos); i >= 0 && i < n; i = chunk.indexOf(10, i + 1)) {
		if (le) {
			if ((i & 1) === 0 && i + 1 < n && chunk[i + 1] === 0) return i;
		} else if ((i & 1) === 1 && chunk[i - 1] === 0) return i - 1;
	}
	return -1;
}

/** The code unit at `k` (even) is CR. */
function isWideCr(chunk: Buffer, k: number, le: boolean): boolean {
	return le ? chunk[k] === 13 && chunk[k + 1] === 0 : chunk[k] === 0 && chunk[k + 1] === 13;
}
