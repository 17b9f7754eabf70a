import { Level } from '../levels';
import { LineScanner, ScanOptions, ScanTail } from './lineScanner';

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
	/** Ranges read in parallel to build this index (1: one pass). */
	ranges = 1;
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
		else if (i === 0 && !this.continuation) {
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
		const w = this.nlWidth;
		if (i > 0) this.lastEnd = this.rawStart(i) - w - (this.crBits[(i - 1) >> 3] & (1 << ((i - 1) & 7)) ? w : 0);
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

	protected override reviseEntry(level: Level, time: number): void {
		const e = this.entryCount - 1;
		if (e < 0) return;
		this.counts[this.entryLvl[e]]--;
		this.entryLvl[e] = level;
		this.counts[level]++;
		const old = this.entryTime(e);
		if (Object.is(old, time)) return;
		this.farTimes.delete(e);
		// The first and last times: this entry is the last; whether it was the first timed one, look back.
		let before = NaN;
		for (let k = e - 1; k >= 0 && before !== before; k--) before = this.entryTime(k);
		if (before !== before) this.firstTime = NaN;
		this.lastTime = before;
		if (before === before && this.firstTime !== this.firstTime) this.firstTime = before;
		this.setTime(e, time);
	}

	/** Adds an entry at `line` with `level` and the time in `hTime`. */
	private addEntry(line: number, level: Level): void {
		const e = this.entryCount++;
		if (e >= this.entryLine.length) this.growEntries();
		this.entryLine[e] = line;
		this.entryLvl[e] = level;
		this.counts[level]++;
		this.setTime(e, this.hTime);
	}

	/** Stores entry `e`'s time (NaN: none) and tracks the first and last time. */
	private setTime(e: number, time: number): void {
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

	/**
	 * What this index of a later range of a file holds, to hand (transferably: typed arrays) to the
	 * index of the range before it — see `absorb`. The range must end at a line start or the file's
	 * end; `finish` is not called (the partial last line travels as the tail).
	 */
	exportPart(): IndexPart {
		const farTimes: [number, number][] = [...this.farTimes];
		return {
			end: this.bytes, lineCount: this.lineCount, entryCount: this.entryCount, lastEnd: this.lastEnd,
			lineLow: this.lineLow, highLines: [...this.highLines], crBits: this.crBits, entryLine: this.entryLine,
			entryLvl: this.entryLvl, timeRel: this.timeRel, timeBase: this.timeBase, farTimes,
			counts: Array.from(this.counts), tail: this.takeTail(),
		};
	}

	/**
	 * Appends the index of the range that follows this one (built by another thread from the same
	 * detection input): afterwards this index is as if it had read those bytes itself, and appends
	 * continue from there. This index must end at a line start (no partial line held).
	 */
	absorb(p: IndexPart): void {
		const L0 = this.lineCount, E0 = this.entryCount;
		this.adoptRange(p.end, p.lineCount, p.tail);
		this.ensure(this.lineCount, E0 + p.entryCount);
		this.lineLow.set(p.lineLow.subarray(0, p.lineCount), L0);
		for (let k = this.highLines.length; k < p.highLines.length; k++) this.highLines.push(p.highLines[k] + L0);
		for (let j = 0; j < (p.lineCount + 7) >> 3; j++) {
			const byte = p.crBits[j];
			if (byte === 0) continue;
			for (let b = 0; b < 8; b++) {
				if (!(byte & (1 << b))) continue;
				const i = L0 + j * 8 + b;
				this.crBits[i >> 3] |= 1 << (i & 7);
			}
		}
		const far = new Map(p.farTimes);
		for (let e = 0; e < p.entryCount; e++) {
			this.entryLine[E0 + e] = p.entryLine[e] + L0;
			const r = p.timeRel[e];
			this.setTime(E0 + e, r === NO_TIME ? NaN : r === FAR ? (far.get(e) ?? NaN) : p.timeBase[e >> TIME_BLOCK_BITS] + r);
		}
		this.entryLvl.set(p.entryLvl.subarray(0, p.entryCount), E0);
		for (let l = 0; l < 8; l++) this.counts[l] += p.counts[l];
		this.entryCount = E0 + p.entryCount;
		if (p.lineCount > 0) this.lastEnd = p.lastEnd;
	}

	/** Grows the arrays to hold at least this many lines and entries. */
	private ensure(lines: number, entries: number): void {
		if (lines > this.lineLow.length) {
			const ll = new Uint32Array(lines);
			ll.set(this.lineLow);
			this.lineLow = ll;
		}
		if (((lines + 7) >> 3) > this.crBits.length) {
			const cb = new Uint8Array((lines + 7) >> 3);
			cb.set(this.crBits);
			this.crBits = cb;
		}
		if (entries > this.entryLine.length) {
			const el = new Uint32Array(entries);
			el.set(this.entryLine);
			this.entryLine = el;
			const lv = new Uint8Array(entries);
			lv.set(this.entryLvl);
			this.entryLvl = lv;
			const tr = new Int32Array(entries);
			tr.set(this.timeRel);
			this.timeRel = tr;
		}
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

	/** Byte offset where line `i` ends, excluding its LF / CR LF (code units of 2 bytes in UTF-16). */
	lineEnd(i: number): number {
		if (i + 1 >= this.lineCount) return this.lastEnd;
		const w = this.nlWidth;
		const next = this.lineStart(i + 1) - w;
		return this.crBits[i >> 3] & (1 << (i & 7)) ? next - w : next;
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

/** The index of a later range of a file, as `exportPart` hands it over (structured-clonable). */
export interface IndexPart {
	end: number;
	lineCount: number;
	entryCount: number;
	lastEnd: number;
	lineLow: Uint32Array;
	highLines: number[];
	crBits: Uint8Array;
	entryLine: Uint32Array;
	entryLvl: Uint8Array;
	timeRel: Int32Array;
	timeBase: Float64Array;
	farTimes: [number, number][];
	counts: number[];
	tail: ScanTail;
}

function grow<T extends Uint32Array | Uint8Array | Int32Array>(a: T): T {
	const b = new (a.constructor as new (n: number) => T)(a.length * 2);
	b.set(a);
	return b;
}
