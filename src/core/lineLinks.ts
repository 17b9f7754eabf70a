import { HeaderMatch, LINK_PARTIAL, LogFormat, ParseContext } from './format';

/** A format whose lines link to the line above (a wrapped log, see `LogFormat.link`). */
export type LinkedFormat = LogFormat & Required<Pick<LogFormat, 'link' | 'ownHeader'>>;

export function isLinked(f: LogFormat): f is LinkedFormat {
	return f.link !== undefined && f.ownHeader !== undefined;
}

/** `LineLinks.decide`: the line is no header / a header as parsed / a header read by `own`. */
export const enum LinkDecision {
	Continuation = 0,
	Parsed = 1,
	Own = 2,
	/** Not a header, and it completed a cut record: `revised` holds that record's header. */
	Revised = 3,
}

/**
 * How the physical lines of a wrapped log make entries, for every reader of lines (the scanner,
 * the export assembler) alike: the line after a partial record continues it; a line from another
 * source than the line above starts an entry even when the inner format reads it as a
 * continuation; the first piece of a record the runtime cut starts one when what came before the
 * cut reads as a header. Once a cut record is whole, `revised` holds the header it shows.
 */
export class LineLinks {
	/** `link` of the last line (-1: none or not a wrapper line), and of the line before it (to take one back). */
	private prev = -1;
	private prevBefore = -1;
	/** The pieces (latin1) of a cut record whose first piece started the last entry; null: none open. */
	private cut: string[] | null = null;
	/** With `LinkDecision.Own`: the header read. */
	own: HeaderMatch | null = null;
	/** With `LinkDecision.Revised`: the header of the cut record that became whole (the caller revises the open entry). */
	revised: HeaderMatch | null = null;

	constructor(private readonly format: LinkedFormat, private readonly ctx: ParseContext) {}

	/**
	 * The line `buf[s, e)` (its first bytes up to `pe`), which the format's header parse read as a
	 * header or not.
	 */
	decide(buf: Uint8Array & { toString(enc: 'latin1', s: number, e: number): string }, s: number, e: number, pe: number, header: boolean): LinkDecision {
		const f = this.format;
		const k = f.link(buf, s, e);
		const prev = this.prev;
		this.prevBefore = prev;
		this.prev = k;
		// The common line: whole, from the source of the line above (no cut record is open then).
		if (k === prev && (k & LINK_PARTIAL) === 0 && k >= 0) return header ? LinkDecision.Parsed : LinkDecision.Continuation;
		const same = prev >= 0 && k >= 0 && prev >>> 1 === k >>> 1;
		if (same && (prev & LINK_PARTIAL) !== 0) {
			const cut = this.cut;
			if (cut !== null) {
				cut.push(buf.toString('latin1', s, pe));
				if ((k & LINK_PARTIAL) === 0) {
					this.cut = null;
					this.revised = f.joinedHeader?.(cut, this.ctx) ?? null;
					if (this.revised !== null) return LinkDecision.Revised;
				}
			}
			return LinkDecision.Continuation;
		}
		// A record that never got its last piece (another source came first) is left as its first piece read it.
		this.cut = null;
		let d = header ? LinkDecision.Parsed : LinkDecision.Continuation;
		if (!header && k >= 0) {
			const moved = prev >= 0 && !same;
			if (!moved && (k & LINK_PARTIAL) === 0) return LinkDecision.Continuation;
			this.own = f.ownHeader(buf.toString('latin1', s, pe), this.ctx, moved);
			if (this.own === null) return LinkDecision.Continuation;
			d = LinkDecision.Own;
		}
		if (d !== LinkDecision.Continuation && k >= 0 && (k & LINK_PARTIAL) !== 0 && f.joinedHeader) this.cut = [buf.toString('latin1', s, pe)];
		return d;
	}

	/** Takes the last line back (it was a partial last line and more bytes came). */
	retract(): void {
		this.prev = this.prevBefore;
		this.cut = null;
	}

	/** Whether a record can end with the line `buf[s, e)` (a partial record cannot). */
	endsRecord(buf: Uint8Array, s: number, e: number): boolean {
		const k = this.format.link(buf, s, e);
		return k >= 0 && (k & LINK_PARTIAL) === 0;
	}
}
