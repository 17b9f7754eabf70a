import { stripAnsi } from './ansi';
import { EntryDetail, detailFromLines, ReadEntryOptions, splitEntryLines } from './entryReader';
import { DetectedFormat } from './format';
import { Level } from './levels';
import { LineScanner, ScanOptions } from './index/lineScanner';

const LF = 10;
const CR = 13;

/** One complete entry from an `EntryStream`: its place, header level/time and raw bytes. */
export class StreamedEntry {
	/** 0-based entry number, first and last line. */
	index = 0;
	line = 0;
	endLine = 0;
	startOffset = 0;
	endOffset = 0;
	level: Level = Level.Unknown;
	time = NaN;
	/**
	 * Where the entry's bytes are: `src[srcStart, srcEnd)` — as in the file, from its first byte to
	 * the end of its last line (without that line's newline), inner newlines, CRs and escape
	 * sequences included. `bytes` is the same range as a Buffer of its own.
	 */
	src: Buffer = EMPTY;
	srcStart = 0;
	srcEnd = 0;
	private view: Buffer | null = null;
	/** Some line of the entry ends with CR LF (so `bytes` holds CRs that `lines` drops). */
	crlf = false;
	/**
	 * Where the first line's message starts in `bytes`, when the stream was asked for message
	 * starts and the format's fast path knew it; else -1 (parse the header to find it).
	 */
	messageStart = -1;
	private split: Buffer[] | null = null;

	/** The entry's bytes (see `src`). */
	get bytes(): Buffer {
		if (this.view === null) this.view = this.srcStart === 0 && this.srcEnd === this.src.length ? this.src : this.src.subarray(this.srcStart, this.srcEnd);
		return this.view;
	}

	/** The entry's lines without their newlines (CR before LF dropped). */
	get lines(): Buffer[] {
		if (this.split === null) this.split = splitLines(this.bytes);
		return this.split;
	}

	/** The entry's bytes are now `src[s, e)`. */
	reset(src: Buffer, s: number, e: number): void {
		this.src = src;
		this.srcStart = s;
		this.srcEnd = e;
		this.view = null;
		this.split = null;
	}
}

const EMPTY = Buffer.alloc(0);

/** `buf` split on LF, a CR before each LF dropped (views, no copies). */
function splitLines(buf: Buffer): Buffer[] {
	const out: Buffer[] = [];
	let p = 0;
	for (;;) {
		const nl = buf.indexOf(LF, p);
		if (nl < 0) break;
		out.push(buf.subarray(p, nl > p && buf[nl - 1] === CR ? nl - 1 : nl));
		p = nl + 1;
	}
	out.push(buf.subarray(p));
	return out;
}

/** Options of an `EntryStream`. */
export interface EntryStreamOptions extends ScanOptions {
	/**
	 * Hand each entry over only for the duration of the callback: the same `StreamedEntry` object
	 * is reused and `bytes` may be a view of the chunk just appended, so nothing is copied for
	 * entries that lie within one chunk. For consumers that look at each entry once (the CLI).
	 */
	transient?: boolean;
	/** Fill `StreamedEntry.messageStart` where the format's byte-level fast path knows it. */
	messageStarts?: boolean;
}

/**
 * Entries in one pass with nothing kept but the current entry — for the CLI on huge files and
 * stdin (constant memory). Entries are handed to `onEntry` once the next header (or the end)
 * closes them. An entry's bytes are one range of the appended data (copied only when an entry
 * spans chunks, or once per entry unless `transient`).
 */
export class EntryStream extends LineScanner {
	entryCount = 0;
	private stopped = false;
	private readonly transient: boolean;
	private readonly messageStarts: boolean;
	/** The open entry (null: none yet); reused when transient. */
	private cur: StreamedEntry | null = null;
	private spare: StreamedEntry | null = null;
	/** The open entry's bytes still inside the current chunk: `liveBuf[liveS, liveE)`. */
	private liveBuf: Buffer | null = null;
	private liveS = 0;
	private liveE = 0;
	/** Earlier bytes of the open entry (copied out of chunks), with the newlines between them. */
	private parts: Buffer[] = [];
	/** The open entry's last line ended with CR LF (kept between pieces, as in the file). */
	private lastCr = false;

	constructor(private readonly onEntry: (e: StreamedEntry, stream: EntryStream) => void | 'stop', opts: EntryStreamOptions = {}) {
		super(opts);
		this.keepWholeLines = true;
		this.transient = opts.transient === true;
		this.messageStarts = opts.messageStarts === true;
	}

	/** `onEntry` returned 'stop': the caller wants no more entries. */
	get isStopped(): boolean {
		return this.stopped;
	}

	override finish(): void {
		super.finish();
		this.flush();
	}

	/** Reads the full detail (logger, message, exception, text) of a streamed entry. */
	detail(e: StreamedEntry, withText = false, opts: Pick<ReadEntryOptions, 'raw'> = {}): EntryDetail {
		const enc = this.format.format.latin1Entries ? 'latin1' : 'utf8';
		const lines = e.endLine === e.line ? [e.bytes.toString(enc)] : splitEntryLines(e.bytes.toString(enc));
		return detailFromLines(this.format.format, this.parseContext, lines, { line: e.line, endLine: e.endLine, startOffset: e.startOffset, endOffset: e.endOffset, level: e.level, time: e.time }, withText, opts.raw === true);
	}

	/** The entry's text: lines joined with LF (CRs dropped), decoded as UTF-8, ANSI escapes removed unless `raw`. */
	text(e: StreamedEntry, raw = false): string {
		let t = e.bytes.toString('utf8');
		if (e.crlf) t = splitEntryLines(t).join('\n');
		return raw ? t : stripAnsi(t);
	}

	protected resetDerived(): void {
		this.entryCount = 0;
		this.cur = null;
		this.liveBuf = null;
		this.parts = [];
	}

	protected override reviseEntry(level: Level, time: number): void {
		if (this.cur === null) return;
		this.cur.level = level;
		this.cur.time = time;
	}

	protected retractLine(): void {
		// Only happens when appending after finish(); the stream is done by then.
	}

	protected onLine(start: number, cr: boolean, header: boolean, buf: Buffer, s: number, e: number, end: number): void {
		if (this.stopped) return;
		const i = this.lineCount - 1;
		let c = this.cur;
		if (header || c === null) {
			if (c !== null) this.flush();
			c = this.spare ?? new StreamedEntry();
			this.spare = null;
			c.index = this.entryCount++;
			c.line = c.endLine = i;
			c.startOffset = start;
			c.endOffset = end;
			c.level = header ? this.hLevel : Level.Unknown;
			c.time = header ? this.hTime : NaN;
			c.crlf = cr;
			c.messageStart = -1;
			if (header && this.hFast && this.messageStarts) {
				const f = this.detected as DetectedFormat;
				const ms = f.format.messageStartFast ? f.format.messageStartFast(buf, e) : -1;
				if (ms >= 0) c.messageStart = ms - s;
			}
			this.cur = c;
			this.liveBuf = buf;
			this.liveS = s;
			this.liveE = e;
			this.lastCr = cr;
			return;
		}
		c.endLine = i;
		c.endOffset = end;
		if (cr) c.crlf = true;
		if (buf === this.liveBuf && s > this.liveE) {
			// The next line of the same chunk: the range grows over the newline between them.
			this.liveE = e;
		} else {
			if (this.liveBuf !== null) this.parts.push(Buffer.from(this.liveBuf.subarray(this.liveS, this.liveE)));
			this.parts.push(this.lastCr ? CRLF_BYTES : LF_BYTES);
			this.liveBuf = buf;
			this.liveS = s;
			this.liveE = e;
		}
		this.lastCr = cr;
	}

	protected override afterChunk(buf: Buffer, _end: number): void {
		// The chunk's memory may be reused by the caller: keep a copy of the open entry's bytes.
		if (this.cur !== null && this.liveBuf === buf) {
			this.parts.push(Buffer.from(buf.subarray(this.liveS, this.liveE)));
			this.liveBuf = null;
		}
	}

	private flush(): void {
		const c = this.cur;
		if (c === null) return;
		this.cur = null;
		const lb = this.liveBuf;
		if (this.parts.length === 0) {
			if (lb === null) c.reset(EMPTY, 0, 0);
			else if (this.transient) c.reset(lb, this.liveS, this.liveE);
			else {
				const own = Buffer.from(lb.subarray(this.liveS, this.liveE));
				c.reset(own, 0, own.length);
			}
		} else {
			if (lb !== null) this.parts.push(lb.subarray(this.liveS, this.liveE));
			const own = Buffer.concat(this.parts);
			this.parts = [];
			c.reset(own, 0, own.length);
		}
		this.liveBuf = null;
		if (!this.stopped && this.onEntry(c, this) === 'stop') this.stopped = true;
		if (this.transient) this.spare = c;
	}
}

const LF_BYTES = Buffer.from('\n');
const CRLF_BYTES = Buffer.from('\r\n');
