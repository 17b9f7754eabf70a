// Groups lines into entries from any byte offset of a file, for export. The index and the entry
// stream both begin at byte 0 and only close an entry when the next header arrives; a follow
// export resumes in the middle of a file and must also hand over the entry still being written
// (provisionally: it is sent again, with the same id, once it is complete). Header decisions are
// made exactly as the line scanner makes them — the same format object, the same latin1 decode
// of the line's first `headerBytes` bytes, `readFast` first — so entry boundaries, and with them
// document ids, agree with the rest of the engine.
import { hasNamedFields } from './ecs';
import { EntryDetail, detailFromLines, splitEntryLines } from '../entryReader';
import { EntryStream } from '../entryStream';
import { LogFormat, ParseContext } from '../format';
import { Level } from '../levels';
import { isLinked, LineLinks, LinkDecision } from '../lineLinks';
import { SAMPLE_BYTES, SAMPLE_LINES, ScanOptions } from '../index/lineScanner';
import { defaultParseContext } from '../timestamp';

/** One entry as assembled from the bytes. */
export interface AssembledEntry {
	/** Byte offset of its first line. */
	startOffset: number;
	/** Where its last line's content ends (before CR LF / LF). */
	endOffset: number;
	/** Offset just after its last newline: where reading resumes. */
	nextOffset: number;
	level: Level;
	time: number;
	/** False when the entry may still grow (handed over by `flushOpen`). */
	final: boolean;
	/** Lines beyond `maxEntryBytes` were dropped (the offsets still cover them). */
	truncated: boolean;
	detail: EntryDetail;
	/** The format's field names are the producer's own (see `hasNamedFields`). */
	namedFields: boolean;
}

/** Options for `EntryAssembler`. */
export interface AssemblerOptions {
	/** A resolved format (from `detectFormatFromHead`); without it the format is detected from the first lines fed. */
	format?: LogFormat;
	/** Used for lazy detection: a format id or object the user forced. */
	formatOption?: ScanOptions['format'];
	ctx?: ParseContext;
	/** Byte offset of the first byte that will be fed. */
	baseOffset?: number;
	/** Bytes of an entry kept for its text; later lines are dropped (default 1 MiB). */
	maxEntryBytes?: number;
	onEntry(e: AssembledEntry): void;
}

const DEFAULT_HEADER_BYTES = 4096;

/**
 * Detects the format from the head of a file the way the entry stream does (the same sample, the
 * same rules). `complete` says the buffer is the whole file.
 */
export function detectFormatFromHead(head: Buffer, complete: boolean, opts: ScanOptions = {}): { format: LogFormat; ctx: ParseContext } {
	const s = new EntryStream(() => 'stop', opts);
	s.append(head.subarray(0, SAMPLE_BYTES));
	if (complete || head.length < SAMPLE_BYTES) s.finish();
	return { format: s.format.format, ctx: s.parseContext };
}

interface OpenEntry {
	startOffset: number;
	endOffset: number;
	nextOffset: number;
	level: Level;
	time: number;
	lines: Buffer[];
	bytes: number;
	truncated: boolean;
	/** Size when last handed over provisionally (-1: never). */
	flushedAt: number;
}

/** Splits fed bytes into lines and lines into entries; see the file comment. */
export class EntryAssembler {
	private format: LogFormat | undefined;
	private ctx: ParseContext;
	private headerBytes = DEFAULT_HEADER_BYTES;
	private offset: number;
	private carry: Buffer | null = null;
	private open: OpenEntry | null = null;
	/** Lines waiting for lazy detection: [offset, bytes incl. newline]. */
	private pending: [number, Buffer][] | null = null;
	private pendingBytes = 0;
	private readonly maxEntryBytes: number;
	/** A wrapped log's line links (see `LineLinks`), as the scanner makes them. */
	private links: LineLinks | null = null;

	constructor(private readonly opts: AssemblerOptions) {
		this.format = opts.format;
		this.ctx = opts.ctx ?? defaultParseContext();
		this.offset = opts.baseOffset ?? 0;
		this.maxEntryBytes = opts.maxEntryBytes ?? 1 << 20;
		if (this.format) this.useFormat(this.format);
		else this.pending = [];
	}

	/** The format in use (undefined while lazy detection waits for lines). */
	get currentFormat(): LogFormat | undefined {
		return this.format;
	}

	/** Offset of the next byte expected. */
	get position(): number {
		return this.offset;
	}

	/** Feeds the next bytes (any chunking); complete lines are processed, a partial one waits. */
	push(chunk: Buffer): void {
		const start = this.offset;
		this.offset += chunk.length;
		let pos = 0;
		if (this.carry) {
			const nl = chunk.indexOf(10);
			if (nl < 0) {
				this.carry = Buffer.concat([this.carry, chunk]);
				return;
			}
			const c = this.carry;
			this.carry = null;
			this.line(start - c.length, Buffer.concat([c, chunk.subarray(0, nl + 1)]));
			pos = nl + 1;
		}
		for (;;) {
			const nl = chunk.indexOf(10, pos);
			if (nl < 0) break;
			this.line(start + pos, chunk.subarray(pos, nl + 1));
			pos = nl + 1;
		}
		if (pos < chunk.length) this.carry = Buffer.from(chunk.subarray(pos));
	}

	/**
	 * Hands over the open entry as it is now (not final), when it changed since the last hand-over.
	 * Lines still waiting for format detection are detected on what there is.
	 */
	flushOpen(): void {
		if (this.pending) this.settle();
		const o = this.open;
		if (!o || o.flushedAt === o.bytes) return;
		o.flushedAt = o.bytes;
		this.opts.onEntry(this.build(o, false));
	}

	/** End of the data: a partial last line becomes a line, the open entry is handed over as final. */
	end(): void {
		if (this.carry) {
			const c = this.carry;
			this.carry = null;
			this.line(this.offset - c.length, c);
		}
		if (this.pending) this.settle();
		this.close();
	}

	private line(start: number, bytes: Buffer): void {
		if (this.pending) {
			this.pending.push([start, Buffer.from(bytes)]);
			this.pendingBytes += bytes.length;
			if (this.pending.length >= SAMPLE_LINES || this.pendingBytes >= SAMPLE_BYTES) this.settle();
			return;
		}
		let e = bytes.length;
		const hasNl = e > 0 && bytes[e - 1] === 10;
		if (hasNl) e--;
		if (e > 0 && bytes[e - 1] === 13) e--;
		let ps = 0;
		if (start === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) ps = 3;
		const fmt = this.format as LogFormat;
		const pe = Math.min(e, ps + this.headerBytes);
		let header: { level: Level; time: number } | null = fmt.readFast ? fmt.readFast(bytes, ps, pe) : null;
		if (!header) {
			const h = fmt.parseHeader(bytes.toString('latin1', ps, pe), this.ctx);
			if (h) header = { level: h.level, time: h.time };
		}
		if (this.links !== null) {
			const d = this.links.decide(bytes, ps, e, pe, header !== null);
			const r = this.links.revised;
			if (d === LinkDecision.Revised && r !== null && this.open) {
				this.open.level = r.level;
				this.open.time = r.time;
			}
			if (d === LinkDecision.Continuation || d === LinkDecision.Revised) header = null;
			else if (d === LinkDecision.Own && this.links.own) header = { level: this.links.own.level, time: this.links.own.time };
		}
		const endOffset = start + e;
		const nextOffset = start + bytes.length;
		const content = bytes.subarray(0, e);
		if (header || !this.open) {
			this.close();
			this.open = { startOffset: start, endOffset, nextOffset, level: header?.level ?? Level.Unknown, time: header?.time ?? NaN, lines: [Buffer.from(content)], bytes: content.length, truncated: false, flushedAt: -1 };
			return;
		}
		const o = this.open;
		o.endOffset = endOffset;
		o.nextOffset = nextOffset;
		if (o.bytes + content.length + 1 > this.maxEntryBytes) o.truncated = true;
		else o.lines.push(Buffer.from(content));
		o.bytes += content.length + 1;
	}

	private useFormat(f: LogFormat): void {
		this.format = f;
		this.headerBytes = f.headerBytes ?? DEFAULT_HEADER_BYTES;
		this.links = isLinked(f) ? new LineLinks(f, this.ctx) : null;
	}

	private settle(): void {
		const lines = this.pending ?? [];
		this.pending = null;
		if (!this.format) {
			const head = Buffer.concat(lines.map((l) => l[1]));
			const d = detectFormatFromHead(head, true, { format: this.opts.formatOption, ctx: this.ctx });
			this.useFormat(d.format);
		}
		for (const [start, bytes] of lines) this.line(start, bytes);
	}

	private close(): void {
		const o = this.open;
		this.open = null;
		if (o) this.opts.onEntry(this.build(o, true));
	}

	private build(o: OpenEntry, final: boolean): AssembledEntry {
		const nl = Buffer.from('\n');
		const parts: Buffer[] = [];
		o.lines.forEach((l, i) => {
			if (i > 0) parts.push(nl);
			parts.push(l);
		});
		const lines = splitEntryLines(Buffer.concat(parts).toString(this.format?.latin1Entries ? 'latin1' : 'utf8'));
		if (o.startOffset === 0 && lines[0]?.charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);
		const detail = detailFromLines(this.format as LogFormat, this.ctx, lines,
			{ line: 0, endLine: lines.length - 1, startOffset: o.startOffset, endOffset: o.endOffset, level: o.level, time: o.time }, true);
		return { startOffset: o.startOffset, endOffset: o.endOffset, nextOffset: o.nextOffset, level: o.level, time: o.time, final, truncated: o.truncated, detail, namedFields: hasNamedFields(this.format as LogFormat) };
	}
}
