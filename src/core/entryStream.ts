import { EntryDetail, detailFromLines, splitEntryLines } from './entryReader';
import { Level } from './levels';
import { LineScanner, ScanOptions } from './lineScanner';

/** One complete entry from an `EntryStream`: its place, header level/time and raw bytes. */
export interface StreamedEntry {
	/** 0-based entry number, first and last line. */
	index: number;
	line: number;
	endLine: number;
	startOffset: number;
	endOffset: number;
	level: Level;
	time: number;
	/** The entry's bytes: its lines, without their newlines. */
	lines: Buffer[];
}

/**
 * Entries in one pass with nothing kept but the current entry — for the CLI on huge files and
 * stdin (constant memory). Entries are handed to `onEntry` once the next header (or the end)
 * closes them.
 */
export class EntryStream extends LineScanner {
	entryCount = 0;
	private cur: StreamedEntry | null = null;
	private stopped = false;

	constructor(private readonly onEntry: (e: StreamedEntry, stream: EntryStream) => void | 'stop', opts: ScanOptions = {}) {
		super(opts);
		this.keepWholeLines = true;
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
	detail(e: StreamedEntry, withText = false): EntryDetail {
		const lines = e.lines.length === 1 ? [e.lines[0].toString('utf8')] : splitEntryLines(Buffer.concat(joinLines(e.lines)).toString('utf8'));
		return detailFromLines(this.format.format, this.parseContext, lines, { line: e.line, endLine: e.endLine, startOffset: e.startOffset, endOffset: e.endOffset, level: e.level, time: e.time }, withText);
	}

	/** The entry's text: lines joined with LF (CRs already dropped), decoded as UTF-8. */
	text(e: StreamedEntry): string {
		if (e.lines.length === 1) return e.lines[0].toString('utf8');
		return Buffer.concat(joinLines(e.lines)).toString('utf8');
	}

	protected resetDerived(): void {
		this.entryCount = 0;
		this.cur = null;
	}

	protected retractLine(): void {
		// Only happens when appending after finish(); the stream is done by then.
	}

	protected onLine(start: number, _cr: boolean, header: boolean, buf: Buffer, s: number, e: number, end: number): void {
		if (this.stopped) return;
		const i = this.lineCount - 1;
		const bytes = Buffer.from(buf.subarray(s, e));
		if (header || this.cur === null) {
			this.flush();
			this.cur = { index: this.entryCount++, line: i, endLine: i, startOffset: start, endOffset: end, level: header ? this.hLevel : Level.Unknown, time: header ? this.hTime : NaN, lines: [bytes] };
		} else {
			this.cur.endLine = i;
			this.cur.endOffset = end;
			this.cur.lines.push(bytes);
		}
	}

	private flush(): void {
		const c = this.cur;
		this.cur = null;
		if (c && !this.stopped && this.onEntry(c, this) === 'stop') this.stopped = true;
	}
}

function joinLines(lines: Buffer[]): Buffer[] {
	const nl = Buffer.from('\n');
	const out: Buffer[] = [];
	for (let i = 0; i < lines.length; i++) {
		if (i > 0) out.push(nl);
		out.push(lines[i]);
	}
	return out;
}
