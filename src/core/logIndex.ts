import { promises as fsp } from 'node:fs';
import { Level } from './levels';
import { LineScanner, SAMPLE_BYTES, ScanOptions } from './lineScanner';

const TWO32 = 4294967296;
/** Entries per time block: each block stores times as Int32 milliseconds relative to its base. */
const TIME_BLOCK_BITS = 12;
const NO_TIME = -2147483648;
const FAR = -2147483647;

/**
 * A streaming index of a log: line start offsets and entries (start line, level, time) in typed
 * arrays that grow by doubling — about 13 bytes per line when every line is an entry — and no
 * JavaScript string per line. Feed bytes with `append` (any chunking) and call `finish` at the end;
 * appending after `finish` continues the index (follow mode).
 */
export class LogIndex extends LineScanner {
	/** Entries so far. */
	entryCount = 0;
	private lineLow = new Uint32Array(1024);
	/** Line numbers at which the offset crossed each 4 GB boundary (line starts beyond 4 GB). */
	private readonly highLines: number[] = [];
	private crBits = new Uint8Array(128);
	private entryLine = new Uint32Array(256);
	private entryLvl = new Uint8Array(256);
	private timeRel = new Int32Array(256);
	private timeBase = new Float64Array(4);
	/** Times too far from their block's base for Int32 ms. */
	private readonly farTimes = new Map<number, number>();
	private readonly counts = new Float64Array(8);
	private firstTime = NaN;
	/** Where the last line's content ends. */
	private lastEnd = 0;
	private lastTime = NaN;

	constructor(opts: ScanOptions = {}) {
		super(opts);
		this.timeBase.fill(NaN);
	}

	/** Builds a finished index from text (the editor's small documents) or a whole Buffer. */
	static fromText(text: string | Buffer, opts: ScanOptions = {}): LogIndex {
		const idx = new LogIndex(opts);
		idx.append(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
		idx.finish();
		return idx;
	}

	protected resetDerived(): void {
		this.entryCount = 0;
		this.highLines.length = 0;
		this.farTimes.clear();
		this.counts.fill(0);
		this.timeBase.fill(NaN);
		this.firstTime = this.lastTime = NaN;
		this.lastEnd = 0;
	}

	protected onLine(start: number, cr: boolean, header: boolean, _buf: Buffer, _s: number, _e: number, end: number): void {
		const i = this.lineCount - 1;
		this.lastEnd = end;
		if (i >= this.lineLow.length) this.growLines();
		if (start >= TWO32) {
			const hi = Math.floor(start / TWO32);
			while (this.highLines.length < hi) this.highLines.push(i);
		}
		this.lineLow[i] = start >>> 0;
		if (cr) this.crBits[i >> 3] |= 1 << (i & 7);
		// The header's level and time are read from fields, not passed: a double argument would be
		// boxed on every call.
		if (header) this.addEntry(i, this.hLevel);
		else if (i === 0) {
			this.hTime = NaN;
			this.addEntry(0, Level.Unknown);
		}
	}

	private growLines(): void {
		this.lineLow = grow(this.lineLow);
		this.crBits = grow(this.crBits);
	}

	protected retractLine(): void {
		const i = this.lineCount; // already decremented: the retracted line's number
		this.crBits[i >> 3] &= ~(1 << (i & 7));
		if (i > 0) this.lastEnd = this.rawStart(i) - 1 - (this.crBits[(i - 1) >> 3] & (1 << ((i - 1) & 7)) ? 1 : 0);
		const hi = this.highLines;
		while (hi.length > 0 && hi[hi.length - 1] >= i) hi.pop();
		if (this.entryCount > 0 && this.entryLine[this.entryCount - 1] === i) {
			const e = --this.entryCount;
			this.counts[this.entryLvl[e]]--;
			this.farTimes.delete(e);
			if (e === 0) this.firstTime = NaN;
			this.lastTime = NaN;
			for (let k = e - 1; k >= 0 && Number.isNaN(this.lastTime); k--) this.lastTime = this.entryTime(k);
		}
	}

	/** Adds an entry at `line` with `level` and the time in `hTime`. */
	private addEntry(line: number, level: Level): void {
		const time = this.hTime;
		const e = this.entryCount++;
		if (e >= this.entryLine.length) this.growEntries();
		this.entryLine[e] = line;
		this.entryLvl[e] = level;
		this.counts[level]++;
		// NaN checks as `x !== x`: this runs once per entry.
		if (time !== time) {
			this.timeRel[e] = NO_TIME;
			return;
		}
		const b = e >> TIME_BLOCK_BITS;
		if (b >= this.timeBase.length) this.growTimeBase();
		let base = this.timeBase[b];
		if (base !== base) base = this.timeBase[b] = time;
		const rel = time - base;
		if (rel > FAR && rel < 2147483647 && (rel | 0) === rel) this.timeRel[e] = rel;
		else {
			this.timeRel[e] = FAR;
			this.farTimes.set(e, time);
		}
		if (this.firstTime !== this.firstTime) this.firstTime = time;
		this.lastTime = time;
	}

	private growEntries(): void {
		this.entryLine = grow(this.entryLine);
		this.entryLvl = grow(this.entryLvl);
		this.timeRel = grow(this.timeRel);
	}

	private growTimeBase(): void {
		const nb = new Float64Array(this.timeBase.length * 2).fill(NaN);
		nb.set(this.timeBase);
		this.timeBase = nb;
	}

	/** Pre-sizes the arrays for about this many lines (avoids copies while growing on big files). */
	reserve(lines: number): void {
		const n = Math.ceil(lines);
		if (n <= this.lineLow.length) return;
		const ll = new Uint32Array(n);
		ll.set(this.lineLow.subarray(0, this.lineCount));
		this.lineLow = ll;
		const cb = new Uint8Array((n + 7) >> 3);
		cb.set(this.crBits.subarray(0, Math.min(this.crBits.length, cb.length)));
		this.crBits = cb;
		const el = new Uint32Array(n);
		el.set(this.entryLine.subarray(0, this.entryCount));
		this.entryLine = el;
		const lv = new Uint8Array(n);
		lv.set(this.entryLvl.subarray(0, this.entryCount));
		this.entryLvl = lv;
		const tr = new Int32Array(n);
		tr.set(this.timeRel.subarray(0, this.entryCount));
		this.timeRel = tr;
	}

	/** Byte offset where line `i` (0-based) starts. */
	lineStart(i: number): number {
		if (i >= this.lineCount) return this.bytes;
		return this.rawStart(i);
	}

	private rawStart(i: number): number {
		const low = this.lineLow[i];
		const hl = this.highLines;
		if (hl.length === 0) return low;
		let k = 0;
		while (k < hl.length && hl[k] <= i) k++;
		return k * TWO32 + low;
	}

	/** Byte offset where line `i` ends, excluding its LF / CR LF. */
	lineEnd(i: number): number {
		if (i + 1 >= this.lineCount) return this.lastEnd;
		const next = this.lineStart(i + 1) - 1;
		return this.crBits[i >> 3] & (1 << (i & 7)) ? next - 1 : next;
	}

	entryStartLine(e: number): number {
		return this.entryLine[e];
	}

	entryEndLine(e: number): number {
		return e + 1 < this.entryCount ? this.entryLine[e + 1] - 1 : this.lineCount - 1;
	}

	entryLevel(e: number): Level {
		return this.entryLvl[e] as Level;
	}

	/** Epoch ms of the entry's header time; NaN when it has none. */
	entryTime(e: number): number {
		const r = this.timeRel[e];
		if (r === NO_TIME) return NaN;
		if (r === FAR) return this.farTimes.get(e) ?? NaN;
		return this.timeBase[e >> TIME_BLOCK_BITS] + r;
	}

	/** The entry that contains line `line` (binary search); -1 when there are no entries. */
	entryAtLine(line: number): number {
		let lo = 0, hi = this.entryCount - 1, ans = -1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			if (this.entryLine[mid] <= line) {
				ans = mid;
				lo = mid + 1;
			} else hi = mid - 1;
		}
		return ans;
	}

	/** Entries per level, indexed by `Level` (8 slots, `Level.Unknown` last). */
	levelCounts(): number[] {
		return Array.from(this.counts);
	}

	/** Time of the first / last entry that has one (NaN when none). */
	timeRange(): { first: number; last: number } {
		return { first: this.firstTime, last: this.lastTime };
	}

	/** Bytes held by the index arrays (capacity, not just what is used). */
	memoryBytes(): number {
		return this.lineLow.byteLength + this.crBits.byteLength + this.entryLine.byteLength + this.entryLvl.byteLength + this.timeRel.byteLength + this.timeBase.byteLength + this.farTimes.size * 16;
	}

	/** Shrinks the arrays to what is used (after the last append of a big file). */
	compact(): void {
		if (this.lineLow.length <= this.lineCount * 1.25 + 1024) return;
		this.lineLow = this.lineLow.slice(0, Math.max(this.lineCount, 1));
		this.crBits = this.crBits.slice(0, (Math.max(this.lineCount, 1) + 7) >> 3);
		const n = Math.max(this.entryCount, 1);
		this.entryLine = this.entryLine.slice(0, n);
		this.entryLvl = this.entryLvl.slice(0, n);
		this.timeRel = this.timeRel.slice(0, n);
	}
}

function grow<T extends Uint32Array | Uint8Array | Int32Array>(a: T): T {
	const b = new (a.constructor as new (n: number) => T)(a.length * 2);
	b.set(a);
	return b;
}

/** Options for `indexFile`. */
export interface IndexFileOptions extends ScanOptions {
	signal?: AbortSignal;
	/** Called after each chunk with bytes read and the file size. */
	onProgress?: (bytesRead: number, total: number) => void;
	/** Read size (default 4 MB). */
	chunkSize?: number;
}

/**
 * Indexes a file in one pass with big reads. Detection also samples the middle of big files.
 * Throws an `AbortError` when the signal fires.
 */
export async function indexFile(path: string, opts: IndexFileOptions = {}): Promise<LogIndex> {
	const fh = await fsp.open(path, 'r');
	try {
		const st = await fh.stat();
		if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
		const size = st.size;
		let extraSample = opts.extraSample;
		if (!extraSample && size > 4 * SAMPLE_BYTES) extraSample = await middleSample(fh, size);
		const ctx = opts.ctx ?? { year: st.mtime.getFullYear() };
		const idx = new LogIndex({ ...opts, ctx, extraSample });
		let reserved = size < 8 * 1024 * 1024;
		const chunkSize = opts.chunkSize ?? 4 * 1024 * 1024;
		// Two buffers: the next read runs while the current chunk is scanned.
		const bufs = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
		let pos = 0;
		let which = 0;
		let pending = fh.read(bufs[0], 0, chunkSize, 0);
		for (;;) {
			if (opts.signal?.aborted) throw Object.assign(new Error('indexing aborted'), { name: 'AbortError' });
			const { bytesRead } = await pending;
			if (bytesRead === 0) break;
			const cur = bufs[which];
			pos += bytesRead;
			which ^= 1;
			pending = fh.read(bufs[which], 0, chunkSize, pos);
			idx.append(cur.subarray(0, bytesRead));
			if (!reserved && idx.lineCount > 1000) {
				reserved = true;
				idx.reserve((size / pos) * idx.lineCount * 1.05);
			}
			opts.onProgress?.(pos, size);
		}
		await pending.catch(() => undefined);
		idx.finish();
		idx.compact();
		return idx;
	} finally {
		await fh.close();
	}
}

/** Up to 64 KB of whole lines from the middle of the file. */
async function middleSample(fh: fsp.FileHandle, size: number): Promise<string[]> {
	const len = 64 * 1024;
	const buf = Buffer.alloc(len);
	const { bytesRead } = await fh.read(buf, 0, len, Math.floor(size / 2));
	const lines = buf.toString('latin1', 0, bytesRead).split('\n');
	return lines.slice(1, -1).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
