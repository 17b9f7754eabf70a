// Followed lines to entries: a header line and the continuation lines after it (a traceback) are one
// entry. A followed file never ends, so an entry is only known to be complete when the next header
// arrives; callers that cannot wait (a live view, the CLI) close the open entry after a quiet spell
// with `closeOpen()`, and continuation lines arriving after that are handed over as `late` lines.
//
// A wrapped log (Kubernetes CRI, Docker json-file, journald JSON, kubectl --prefix; see
// formats/wrappers.ts) is read as static reading reads it, through the same `LineLinks`: the inner
// log's headers start entries, a line from another stream, pod or process never continues an
// entry of the one above, and levels are the inner log's. The pieces of a record the runtime cut
// (CRI `P`, a Docker chunk without `\n`, journald `line-max`) are held until its last piece arrives
// and read as one record, so the entry they start has the whole record's level and time before
// any handler sees it. Holding is bounded: `closeOpen()` (a quiet spell), another source's line,
// or MAX_HELD_BYTES releases the pieces as they are.
import { DetectedFormat, HeaderMatch, LINK_PARTIAL, LogFormat, ParseContext } from '../format';
import { detectFormat, resolveFormat } from '../formatRegistry';
import { Level } from '../levels';
import { isLinked, LineLinks, LinkDecision } from '../lineLinks';
import { stripAnsi } from '../ansi';
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
/** Bytes of a line kept in the detection sample (a Docker or journald line is JSON: it must be whole to be read). */
const SAMPLE_LINE_BYTES = 64 * 1024;
/** The pieces of a cut record are released as they are past this many bytes (a record without end). */
const MAX_HELD_BYTES = 4 << 20;

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
	/** A wrapped log's line links, as static reading makes them (null: the format is not a wrapper). */
	private links: LineLinks | null = null;
	/** The pieces of a cut record waiting for its last piece, and their `link` (see the file comment). */
	private held: Buffer[] | null = null;
	private heldLink = -1;
	private heldBytes = 0;
	private heldBom = 0;
	/** Lines seen: a UTF-8 byte-order mark is skipped on the first. */
	private lines = 0;

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

	/**
	 * Closes the open entry now (the file has been quiet); later continuation lines arrive as late
	 * lines. Pieces of a cut record still held are taken as they are first.
	 */
	closeOpen(): void {
		this.releaseHeld();
		const e = this.open;
		if (!e) return;
		this.open = null;
		e.closed = true;
		this.lastClosed = e;
		this.handlers.onEntryClosed?.(e);
	}

	/** True while an entry is open (not yet known to be complete) or pieces of a cut record are held. */
	get hasOpenEntry(): boolean {
		return this.open !== null || this.held !== null;
	}

	/** True while pieces of a cut record wait for their last piece (`closeOpen()` releases them). */
	get holding(): boolean {
		return this.held !== null;
	}

	private line(bytes: Buffer): void {
		const bom = this.lines++ === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
		if (!this.detected || this.sample.length < MAX_SAMPLE) {
			// Few lines seen yet: detect (or tune a given format) again as the sample grows.
			const text = bytes.toString('utf8', bom, Math.min(bytes.length, SAMPLE_LINE_BYTES));
			if (text.length > 0) this.sample.push(text);
			if (!this.detected || (text.length > 0 && REDETECT_AT.includes(this.sample.length))) this.detect();
		}
		const links = this.links;
		if (links === null) {
			this.apply(bytes, this.parse(bytes, bom));
			return;
		}
		const k = this.detected!.format.link!(bytes, bom, bytes.length);
		if (this.held !== null) {
			if (k >= 0 && k >>> 1 === this.heldLink >>> 1) {
				this.held.push(bytes);
				this.heldBytes += bytes.length;
				if ((k & LINK_PARTIAL) === 0 || this.heldBytes > MAX_HELD_BYTES) this.releaseHeld();
				return;
			}
			// Another source came first: the cut record is read as its pieces so far read it (as static reading does).
			this.releaseHeld();
		}
		if (k >= 0 && (k & LINK_PARTIAL) !== 0) {
			this.held = [bytes];
			this.heldLink = k;
			this.heldBytes = bytes.length;
			this.heldBom = bom;
			return;
		}
		this.apply(bytes, this.linked(links, bytes, bom).header);
	}

	/** The header of a line (null: a continuation line) as the detected format reads it. */
	private parse(bytes: Buffer, s: number): HeaderMatch | null {
		const f = this.detected!.format;
		// A wrapped log's header is read from its bytes as latin1, as the line scanner reads it (offsets stay byte offsets).
		const linked = this.links !== null;
		let text = bytes.toString(linked ? 'latin1' : 'utf8', s, Math.min(bytes.length, s + (linked ? Math.max(HEADER_BYTES, f.headerBytes ?? 0) : HEADER_BYTES)));
		if (linked && text.indexOf('\x1b') >= 0) text = stripAnsi(text);
		try {
			return f.parseHeader(text, this.ctx);
		} catch {
			// A format that throws on a line does not recognise it as a header.
			return null;
		}
	}

	/** A wrapped log's line through `LineLinks`: its header, and the header of the cut record it completed. */
	private linked(links: LineLinks, bytes: Buffer, s: number): { header: HeaderMatch | null; revised: HeaderMatch | null } {
		const header = this.parse(bytes, s);
		const e = bytes.length;
		const d = links.decide(bytes, s, e, Math.min(e, s + Math.max(HEADER_BYTES, this.detected!.format.headerBytes ?? 0)), header !== null);
		if (d === LinkDecision.Revised) return { header: null, revised: links.revised };
		if (d === LinkDecision.Own) return { header: links.own, revised: null };
		return { header: d === LinkDecision.Parsed ? header : null, revised: null };
	}

	/**
	 * Reads the held pieces of a cut record: when the last one completed it, the entry its first
	 * piece starts gets the whole record's header (the line scanner revises it the same way).
	 */
	private releaseHeld(): void {
		const held = this.held;
		if (held === null) return;
		this.held = null;
		// A log that starts with a cut record: its first piece alone is no sample of the inner log (a
		// JSON object cut short); detect again now that the record is whole.
		if (this.opts.format === undefined && this.sample.length < REDETECT_AT[0]) this.detect();
		const links = this.links;
		if (links === null) {
			for (const l of held) this.apply(l, null);
			return;
		}
		const read = held.map((l, i) => this.linked(links, l, i === 0 ? this.heldBom : 0));
		const revised = read[read.length - 1].revised;
		if (revised !== null && read[0].header !== null) read[0].header = revised;
		for (let i = 0; i < held.length; i++) this.apply(held[i], read[i].header);
	}

	/** Adds a line to the entries: `header` starts one, else it continues the open (or last closed) one. */
	private apply(bytes: Buffer, header: HeaderMatch | null): void {
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
		const before = this.detected?.format;
		this.detected = this.opts.format !== undefined
			? { format: resolveFormat(this.opts.format, this.sample, this.ctx), confidence: 1 }
			: detectFormat(this.sample, this.ctx);
		const f = this.detected.format;
		// The same wrapped format read again on a larger sample keeps its links (a cut record may be open).
		if (before === undefined || before.id !== f.id) {
			this.releaseHeld();
			this.links = isLinked(f) ? new LineLinks(f, this.ctx) : null;
		}
	}
}
