// Followed lines to entries: a header line and the continuation lines after it (a traceback) are one
// entry. A followed file never ends, so an entry is only known to be complete when the next header
// arrives; callers that cannot wait (a live view, the CLI) close the open entry after a quiet spell
// with `closeOpen()`, and continuation lines arriving after that are handed over as `late` lines.
import { DetectedFormat, HeaderMatch, LogFormat, ParseContext } from '../format';
import { detectFormat, resolveFormat } from '../formatRegistry';
import { Level } from '../levels';
import { defaultParseContext } from '../timestamp';

/** One entry as it grows. `lines` are the entry's lines as bytes, without newlines (a CR before LF dropped). */
export interface FollowedEntry {
	/** 0-based, in arrival order. */
	readonly index: number;
	/** Parsed header; null when the entry starts with continuation lines (the file's middle). */
	readonly header: HeaderMatch | null;
	readonly level: Level;
	/** Epoch ms, NaN when the header has none. */
	readonly time: number;
	/** The lines kept so far (all of them while `retain` is true). */
	readonly lines: Buffer[];
	/**
	 * Keep later lines in `lines`. A handler that has decided what to do with the entry sets it to
	 * false (and may empty `lines`), so a huge entry does not grow in memory; handlers still see every line.
	 */
	retain: boolean;
	/** Set once `onEntryClosed` ran for it. */
	closed: boolean;
}

/** Callbacks of a `FollowEntryAssembler`. */
export interface FollowEntryHandlers {
	/** A header (or an orphan continuation line) opened an entry; its first line is in `lines`. */
	onEntryStart?(entry: FollowedEntry): void;
	/** A continuation line was added to the open entry (already pushed to `lines`). */
	onEntryLine?(entry: FollowedEntry, line: Buffer): void;
	/** The entry is complete: the next header arrived, or `closeOpen()` was called. */
	onEntryClosed?(entry: FollowedEntry): void;
	/** A continuation line arrived for an entry that had been closed by `closeOpen()`. */
	onLateLine?(entry: FollowedEntry, line: Buffer): void;
}

/** Options of `FollowEntryAssembler`. */
export interface FollowEntryOptions {
	/** A format (or registry id) instead of detection. */
	format?: LogFormat | string;
	ctx?: ParseContext;
	/** Lines to detect the format from before any line arrives (e.g. the file's first lines). */
	sample?: readonly string[];
}

/** Detection is repeated while the sample is small, at these sample sizes. */
const REDETECT_AT = [20, 100, 500];
const MAX_SAMPLE = 500;
/** Bytes of a line decoded to parse its header. */
const HEADER_BYTES = 8192;

/** Groups followed lines into entries with the engine's format detection. */
export class FollowEntryAssembler {
	private detected: DetectedFormat | undefined;
	private readonly ctx: ParseContext;
	private readonly sample: string[];
	private open: FollowedEntry | null = null;
	/** The entry `closeOpen()` closed, still receiving continuation lines as late lines. */
	private lastClosed: FollowedEntry | null = null;
	private count = 0;
	private carry: Buffer | null = null;

	constructor(private readonly handlers: FollowEntryHandlers, private readonly opts: FollowEntryOptions = {}) {
		this.ctx = opts.ctx ?? defaultParseContext();
		this.sample = (opts.sample ?? []).filter((l) => l.length > 0).slice(0, MAX_SAMPLE);
		if (opts.format !== undefined || this.sample.length > 0) this.detect();
	}

	/** The format lines are read with (plain until there is something to detect from). */
	get format(): LogFormat | undefined {
		return this.detected?.format;
	}

	/** Feeds bytes of the followed file (complete lines; a trailing piece without newline is held). */
	push(data: Buffer): void {
		let buf = data;
		if (this.carry) {
			buf = Buffer.concat([this.carry, data]);
			this.carry = null;
		}
		let pos = 0;
		for (;;) {
			const nl = buf.indexOf(10, pos);
			if (nl < 0) break;
			const end = nl > pos && buf[nl - 1] === 13 ? nl - 1 : nl;
			this.line(Buffer.from(buf.subarray(pos, end)));
			pos = nl + 1;
		}
		if (pos < buf.length) this.carry = Buffer.from(buf.subarray(pos));
	}

	/** Takes a held partial line as complete (the input ended without a last newline). */
	flushPartial(): void {
		const c = this.carry;
		this.carry = null;
		if (c) this.line(c.length && c[c.length - 1] === 13 ? c.subarray(0, c.length - 1) : c);
	}

	/** Forgets a held partial line (the file was truncated or replaced). */
	dropPartial(): void {
		this.carry = null;
	}

	/** Closes the open entry now (the file has been quiet); later continuation lines arrive as late lines. */
	closeOpen(): void {
		const e = this.open;
		if (!e) return;
		this.open = null;
		e.closed = true;
		this.lastClosed = e;
		this.handlers.onEntryClosed?.(e);
	}

	/** True while an entry is open (not yet known to be complete). */
	get hasOpenEntry(): boolean {
		return this.open !== null;
	}

	private line(bytes: Buffer): void {
		const text = bytes.toString('utf8', 0, Math.min(bytes.length, HEADER_BYTES));
		if (!this.detected || this.sample.length < MAX_SAMPLE) {
			// Few lines seen yet: detect (or tune a given format) again as the sample grows.
			if (text.length > 0) this.sample.push(text);
			if (!this.detected || (text.length > 0 && REDETECT_AT.includes(this.sample.length))) this.detect();
		}
		let header: HeaderMatch | null = null;
		try {
			header = this.detected!.format.parseHeader(text, this.ctx);
		} catch {
			// A format that throws on a line does not recognise it as a header.
		}
		if (header || (!this.open && !this.lastClosed)) {
			const prev = this.open;
			if (prev) {
				this.open = null;
				prev.closed = true;
				this.handlers.onEntryClosed?.(prev);
			}
			this.lastClosed = null;
			const e: FollowedEntry = { index: this.count++, header, level: header?.level ?? Level.Unknown, time: header?.time ?? NaN, lines: [bytes], retain: true, closed: false };
			this.open = e;
			this.handlers.onEntryStart?.(e);
			return;
		}
		if (this.open) {
			if (this.open.retain) this.open.lines.push(bytes);
			this.handlers.onEntryLine?.(this.open, bytes);
			return;
		}
		const late = this.lastClosed!;
		if (late.retain) late.lines.push(bytes);
		this.handlers.onLateLine?.(late, bytes);
	}

	private detect(): void {
		if (this.opts.format !== undefined) {
			this.detected = { format: resolveFormat(this.opts.format, this.sample, this.ctx), confidence: 1 };
			return;
		}
		this.detected = detectFormat(this.sample, this.ctx);
	}
}
