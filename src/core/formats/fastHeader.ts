import { LogFormat, ParseContext } from '../format';
import { Level } from '../levels';
import { parseTimestampAt } from '../timestamp';
import { fieldLevel, HeaderField, LevelStyle } from './headerFields';

/** What a byte-level header reader found: level and time (index needs nothing else). */
export interface FastResult {
	level: Level;
	time: number;
}

/** Byte classes of the field split (`splitFields` on bytes): one table load per byte. */
const SEP = 1; // blank, tab, `|`
const DASH = 2;
const COMMA = 3;
const CLASS = new Uint8Array(256);
CLASS[32] = CLASS[9] = CLASS[124] = SEP;
CLASS[45] = DASH;
CLASS[44] = COMMA;
/** Closing bracket of an opening one (0: not an opening bracket). */
const CLOSE_OF = new Uint8Array(256);
CLOSE_OF[91] = 93;
CLOSE_OF[40] = 41;
CLOSE_OF[60] = 62;
CLOSE_OF[123] = 125;

/** Slots of the level-field cache. */
const MEMO_BITS = 7;
/** Runs kept per slot. */
const MEMO_WAYS = 8;

/** A run of bytes after the timestamp, up to two bytes past the level field, and what it held. */
interface MemoEntry {
	/** The run's whole 4-byte words, then its remaining bytes. */
	words: Int32Array;
	tail: Uint8Array;
	len: number;
	/** Where the level field ends, from the run's start. */
	lvOff: number;
	level: Level;
}

/**
 * A byte-level reader for the common case of a text-header log: every header starts with a
 * timestamp of one fixed shape (`2024-01-02 10:11:12,345`) and has its level in a learned field.
 * It reads bytes without decoding the line, reuses the parse of the timestamp's date-and-minute
 * prefix while it repeats, and answers "unsure" for anything unusual so the full parser decides.
 * It is only used when it agrees with the full parser on every sample line.
 */
export class FastHeaderReader {
	private readonly tpl: Uint8Array;
	/** Positions at and after the seconds: those that must be digits, and literal bytes with their values. */
	private readonly tailDigits: Int32Array;
	private readonly tailLitPos: Int32Array;
	private readonly tailLitVal: Uint8Array;
	/** Cached date+minute prefix and its epoch ms (for second 0, fraction 0). */
	private readonly key: Uint8Array;
	private readonly keyWords: Int32Array;
	/** A DataView of the buffer last read, for the word compares. */
	private dvBuf: Uint8Array | null = null;
	private dv = new DataView(new ArrayBuffer(8));
	private keyValid = false;
	private keyBase = 0;
	private readonly res: FastResult = { level: Level.Unknown, time: NaN };
	/** Level-field texts already classified (level words and the odd non-level), as bytes. */
	private readonly seenBytes: Uint8Array[] = [];
	private readonly seenBracket: boolean[] = [];
	private readonly seenLevel: Level[] = [];
	/** Where the level field of the last successful `read` ended (after a trailing `:`). */
	private lvEnd = 0;
	/** Runs of header bytes after the timestamp already split, by a hash of their first 8 bytes. */
	private readonly memo: MemoEntry[][] = Array.from({ length: 1 << MEMO_BITS }, () => []);
	private memoVictim = 0;
	/** `messageStart` agreed with the full parser on the sample (else it always answers -1). */
	private msOk = false;
	/** The timestamp opened a bracket that the level field closes (Celery: `[time: LEVEL/Process]`). */
	private inBracket = false;

	private constructor(template: string, private readonly secPos: number, private readonly fracPos: number, private readonly fracLen: number, private readonly levelField: number, private readonly style: LevelStyle, private readonly ctx: ParseContext) {
		this.tpl = Buffer.from(template, 'latin1');
		this.key = new Uint8Array(secPos);
		this.keyWords = new Int32Array(secPos >> 2);
		const digits: number[] = [], litPos: number[] = [], litVal: number[] = [];
		for (let i = secPos; i < this.tpl.length; i++) {
			if (this.tpl[i] === 100 /* d */) digits.push(i);
			else {
				litPos.push(i);
				litVal.push(this.tpl[i]);
			}
		}
		this.tailDigits = Int32Array.from(digits);
		this.tailLitPos = Int32Array.from(litPos);
		this.tailLitVal = Uint8Array.from(litVal);
	}

	/**
	 * Builds a reader from sample header lines, or null when their timestamps do not share one
	 * shape with seconds (then the full parser is used for every line).
	 */
	static learn(lines: readonly string[], levelField: number, style: LevelStyle, ctx: ParseContext, format: LogFormat): FastHeaderReader | null {
		if (levelField < 0) return null;
		let template: string | null = null;
		let seen = 0;
		for (const line of lines) {
			const start = line.charCodeAt(0) === 91 ? 1 : 0;
			const ts = parseTimestampAt(line, start, ctx);
			if (!ts) continue;
			let end = ts.end;
			if (start === 1) {
				// `[time] …`, or Celery's `[time: LEVEL/Process] …` (the rest of the bracket is the first field)
				if (line.charCodeAt(end) === 58) end++;
				else if (line.charCodeAt(end) !== 93) return null;
				else end++;
			}
			if (line.charCodeAt(end) !== 32) return null;
			const t = line.slice(0, end + 1).replace(/\d/g, 'd');
			if (template === null) template = t;
			else if (t !== template) return null;
			seen++;
		}
		if (template === null || seen < 2) return null;
		const m = /dd:dd:(dd)(?:[.,:](d+))?(\]|:)? $/.exec(template);
		if (!m) return null;
		const inBracket = m[3] === ':';
		if (inBracket && levelField !== 0) return null;
		const secPos = m.index + 6;
		const fracLen = m[2] ? m[2].length : 0;
		const fracPos = fracLen > 0 ? secPos + 3 : -1;
		const reader = new FastHeaderReader(template, secPos, fracPos, fracLen, levelField, style, ctx);
		reader.inBracket = inBracket;
		// Only trusted when it agrees with the full parser on the sample; message starts likewise.
		let msAgree = true, msSeen = 0;
		for (const line of lines) {
			const buf = Buffer.from(line, 'latin1');
			const r = reader.read(buf, 0, buf.length);
			if (r === null) continue;
			const h = format.parseHeader(line, ctx);
			if (!h || h.level !== r.level || !(h.time === r.time || (Number.isNaN(h.time) && Number.isNaN(r.time)))) return null;
			const ms = reader.messageStartAfterRead(buf, buf.length);
			if (ms < 0) continue;
			msSeen++;
			if (ms !== h.messageStart || h.message !== undefined || h.messageEnd !== undefined) msAgree = false;
		}
		reader.msOk = msAgree && msSeen > 0;
		return reader;
	}

	/** Level and time of the header in `buf[s, e)`, or null when unsure (or not a header of this shape). */
	read(buf: Uint8Array, s: number, e: number): FastResult | null {
		const tpl = this.tpl;
		const n = tpl.length;
		if (e - s < n) return null;
		const secPos = this.secPos;
		const key = this.key;
		// Same date-and-minute as the last header (compared four bytes at a time, from the minute
		// back, where lines differ first): those bytes are already known to fit the template.
		if (buf !== this.dvBuf) {
			this.dvBuf = buf;
			this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
		}
		const dv = this.dv;
		let same = this.keyValid;
		if (same) {
			const words = this.keyWords;
			for (let i = secPos - 1; i >= words.length * 4; i--) {
				if (key[i] !== buf[s + i]) {
					same = false;
					break;
				}
			}
			if (same) {
				for (let w = words.length - 1; w >= 0; w--) {
					if (dv.getInt32(s + w * 4, true) !== words[w]) {
						same = false;
						break;
					}
				}
			}
		}
		if (same) {
			const dg = this.tailDigits;
			for (let k = 0; k < dg.length; k++) {
				const b = buf[s + dg[k]];
				if (b < 48 || b > 57) return null;
			}
			const lp = this.tailLitPos, lv = this.tailLitVal;
			for (let k = 0; k < lp.length; k++) if (buf[s + lp[k]] !== lv[k]) return null;
		} else {
			for (let i = 0; i < n; i++) {
				const t = tpl[i], b = buf[s + i];
				if (t === 100 /* d */) {
					if (b < 48 || b > 57) return null;
				} else if (t !== b) return null;
			}
		}
		// The full parser would read a zone or AM/PM after the time: leave those lines to it.
		const nx = buf[s + n];
		if (nx === 43 || nx === 45) {
			const d = buf[s + n + 1];
			if (d >= 48 && d <= 57) return null;
		} else if (nx === 90 || nx === 85 || nx === 71 || nx === 65 || nx === 80 || nx === 97 || nx === 112) return null;
		const sec = (buf[s + secPos] - 48) * 10 + (buf[s + secPos + 1] - 48);
		let frac = 0;
		if (this.fracLen > 0) {
			const p = s + this.fracPos;
			const k = this.fracLen;
			frac = k >= 3 ? (buf[p] - 48) * 100 + (buf[p + 1] - 48) * 10 + (buf[p + 2] - 48) : k === 2 ? (buf[p] - 48) * 100 + (buf[p + 1] - 48) * 10 : (buf[p] - 48) * 100;
		}
		if (!same && !this.rekey(buf, s, e, sec, frac)) return null;
		const level = this.levelMemo(buf, dv, s + n, e);
		if (level === Level.Unknown) return null;
		this.res.level = level;
		this.res.time = this.keyBase + sec * 1000 + frac;
		return this.res;
	}

	/** A new date-and-minute: parse it once with the full timestamp parser. */
	private rekey(buf: Uint8Array, s: number, e: number, sec: number, frac: number): boolean {
		const n = this.tpl.length;
		const text = Buffer.from(buf.buffer, buf.byteOffset + s, n + 8 < e - s ? n + 8 : e - s).toString('latin1');
		const ts = parseTimestampAt(text, text.charCodeAt(0) === 91 ? 1 : 0, this.ctx);
		if (!ts || Number.isNaN(ts.time) || sec > 59) return false;
		this.keyBase = ts.time - sec * 1000 - frac;
		for (let i = 0; i < this.secPos; i++) this.key[i] = buf[s + i];
		const kv = new DataView(this.key.buffer);
		for (let w = 0; w < this.keyWords.length; w++) this.keyWords[w] = kv.getInt32(w * 4, true);
		this.keyValid = true;
		return true;
	}

	/**
	 * Where the message starts in the line `buf[.., e)` whose header the last `read` accepted, as
	 * the full parser would say (`HeaderMatch.messageStart`, a byte offset into `buf`); -1 when the
	 * words after the level could be read as more header fields (a `[thread]`, a `logger:`, a pid,
	 * a ` - ` or `|` separator) — then only the full parser knows.
	 */
	messageStart(buf: Uint8Array, e: number): number {
		return this.msOk ? this.messageStartAfterRead(buf, e) : -1;
	}

	private messageStartAfterRead(buf: Uint8Array, e: number): number {
		// The separators after the level field, as `splitFields` skips them.
		let j = this.lvEnd;
		while (j < e) {
			const k = CLASS[buf[j]];
			if (k === SEP || (k === DASH && (j + 1 >= e || buf[j + 1] === 32) && buf[j - 1] === 32)) j++;
			else break;
		}
		if (j >= e) return -1;
		// The first word must be plain: no bracket group, no `word:`, not all digits, no `|` or
		// ` - ` after it — else the full parser may read it as a thread, logger or pid.
		const c0 = buf[j];
		if (CLASS[c0] !== 0 || CLOSE_OF[c0] !== 0 || c0 >= 0x80) return -1;
		let k = j, digits = true;
		while (k < e) {
			const c = buf[k];
			if (CLASS[c] === SEP) break;
			if (c < 48 || c > 57) digits = false;
			k++;
		}
		if (digits || buf[k - 1] === 58 /* : */ || (k < e && buf[k] !== 32)) return -1;
		while (k < e && buf[k] === 32) k++;
		if (k < e && (buf[k] === 124 || (buf[k] === 45 && (k + 1 >= e || buf[k + 1] === 32)))) return -1;
		return j;
	}

	/**
	 * `levelAt` through a small cache keyed by the first bytes after the timestamp: the bytes up
	 * to just past the level field (`- app.db - INFO -`) repeat from line to line, and comparing
	 * them a word at a time is cheaper than splitting fields. The cached run includes the two bytes
	 * after the level field, as far as the split ever looks ahead, so a hit is exact.
	 */
	private levelMemo(buf: Uint8Array, dv: DataView, p: number, e: number): Level {
		if (e - p < 8) return this.levelAt(buf, p, e);
		const w0 = dv.getInt32(p, true), w1 = dv.getInt32(p + 4, true);
		const slot = Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1), 0x85ebca6b) >>> (32 - MEMO_BITS);
		// A slot holds the runs that share their first 8 bytes (one logger at several levels).
		const bucket = this.memo[slot];
		const avail = e - p;
		for (let k = 0; k < bucket.length; k++) {
			const m = bucket[k];
			if (m.len > avail) continue;
			const words = m.words;
			let w = 2; // the first two words are the slot's key, compared below only on a hash collision
			if (words[0] !== w0 || words[1] !== w1) continue;
			while (w < words.length && dv.getInt32(p + w * 4, true) === words[w]) w++;
			if (w < words.length) continue;
			const tail = m.tail, t0 = p + words.length * 4;
			let j = 0;
			while (j < tail.length && buf[t0 + j] === tail[j]) j++;
			if (j < tail.length) continue;
			this.lvEnd = p + m.lvOff;
			return m.level;
		}
		const level = this.levelAt(buf, p, e);
		const len = this.lvEnd + 2 - p;
		if (len <= avail && len >= 8 && len <= 256) {
			const words = new Int32Array(len >> 2);
			for (let w = 0; w < words.length; w++) words[w] = dv.getInt32(p + w * 4, true);
			const entry: MemoEntry = { words, tail: Uint8Array.from(buf.subarray(p + words.length * 4, p + len)), len, lvOff: this.lvEnd - p, level };
			if (bucket.length < MEMO_WAYS) bucket.push(entry);
			else bucket[this.memoVictim++ % MEMO_WAYS] = entry;
		}
		return level;
	}

	/** The same field split as `splitFields`, on bytes, up to the learned level field. */
	private levelAt(buf: Uint8Array, pos: number, e: number): Level {
		if (this.inBracket) {
			// The level field is the rest of the bracket the timestamp opened (as `fieldsAfter` reads it).
			let close = pos;
			const limit = Math.min(e, pos + 78);
			while (close < limit && buf[close] !== 93) close++;
			if (close >= limit || close === pos) return Level.Unknown;
			this.lvEnd = close + 1;
			return this.classify(buf, pos - 2, close + 1, pos, close, true, false);
		}
		let i = pos;
		let count = 0;
		let prevEnd = -1;
		const want = this.levelField;
		for (;;) {
			// Separators: blanks, `|`, a lone `-` between blanks, a `,` right after the timestamp.
			while (i < e) {
				const k = CLASS[buf[i]];
				if (k === 0) break;
				if (k === SEP) i++;
				else if (k === DASH && (i + 1 >= e || buf[i + 1] === 32) && buf[i - 1] === 32) i++;
				else if (k === COMMA && count === 0 && i === pos) i++;
				else break;
			}
			if (i >= e) return Level.Unknown;
			const start = i;
			const open = buf[i];
			let innerStart = i, innerEnd = i, bracket = false;
			const close = CLOSE_OF[open];
			if (close !== 0) {
				let depth = 0, j = i;
				const limit = Math.min(e, i + 120);
				for (; j < limit; j++) {
					const cj = buf[j];
					if (cj === open) depth++;
					else if (cj === close && --depth === 0) break;
				}
				const after = j + 1 < e ? buf[j + 1] : 32;
				const after2 = j + 2 < e ? buf[j + 2] : 32;
				if (j < limit && (after === 32 || after === 9 || after === 124 || (after === 58 && (after2 === 32 || after2 === 9)))) {
					bracket = true;
					innerStart = i + 1;
					innerEnd = j;
					i = j + 1;
				}
			}
			if (!bracket) {
				while (i < e && CLASS[buf[i]] !== SEP) i++;
				innerStart = start;
				innerEnd = i;
			}
			let colon = false;
			if (bracket && buf[i] === 58) {
				colon = true;
				i++;
			} else if (!bracket && innerEnd > innerStart && buf[innerEnd - 1] === 58) {
				colon = true;
				innerEnd--;
			}
			if (count === want) {
				this.lvEnd = i;
				return this.classify(buf, start, i, innerStart, innerEnd, bracket, colon);
			}
			if (i === prevEnd) return Level.Unknown;
			prevEnd = i;
			count++;
		}
	}

	/** The level the learned level field names; remembered per distinct text, so decoded once. */
	private classify(buf: Uint8Array, start: number, end: number, innerStart: number, innerEnd: number, bracket: boolean, colon: boolean): Level {
		while (innerEnd > innerStart && (buf[innerEnd - 1] === 32 || buf[innerEnd - 1] === 9)) innerEnd--;
		while (innerStart < innerEnd && (buf[innerStart] === 32 || buf[innerStart] === 9)) innerStart++;
		const len = innerEnd - innerStart;
		// (a bracketed field may name the level in one of its segments: `[WARNING/MainProcess]`)
		if (len > (bracket ? 48 : 16)) return Level.Unknown;
		const seen = this.seenBytes;
		for (let k = 0; k < seen.length; k++) {
			const c = seen[k];
			if (c.length !== len || this.seenBracket[k] !== bracket) continue;
			let j = 0;
			while (j < len && c[j] === buf[innerStart + j]) j++;
			if (j === len) return this.seenLevel[k];
		}
		const inner = Buffer.from(buf.buffer, buf.byteOffset + innerStart, len).toString('latin1');
		const f: HeaderField = { start, end, inner, bracket, colon, dash: false, pipe: false };
		const level = fieldLevel(f, this.style, true);
		if (seen.length < 64) {
			seen.push(Uint8Array.from(buf.subarray(innerStart, innerEnd)));
			this.seenBracket.push(bracket);
			this.seenLevel.push(level);
		}
		return level;
	}
}
