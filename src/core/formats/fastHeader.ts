import { LogFormat, ParseContext } from '../format';
import { Level } from '../levels';
import { parseTimestampAt } from '../timestamp';
import { fieldLevel, HeaderField, LevelStyle } from './headerFields';

/** What a byte-level header reader found: level and time (index needs nothing else). */
export interface FastResult {
	level: Level;
	time: number;
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
	/** Cached date+minute prefix and its epoch ms (for second 0, fraction 0). */
	private readonly key: Uint8Array;
	private keyValid = false;
	private keyBase = 0;
	private readonly res: FastResult = { level: Level.Unknown, time: NaN };
	/** Field texts already classified (level words and the odd non-level), as bytes. */
	private readonly seen: { bytes: Uint8Array; bracket: boolean; level: Level }[] = [];

	private constructor(template: string, private readonly secPos: number, private readonly fracPos: number, private readonly fracLen: number, private readonly levelField: number, private readonly style: LevelStyle, private readonly ctx: ParseContext) {
		this.tpl = Buffer.from(template, 'latin1');
		this.key = new Uint8Array(secPos);
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
				if (line.charCodeAt(end) !== 93) return null;
				end++;
			}
			if (line.charCodeAt(end) !== 32) return null;
			const t = line.slice(0, end + 1).replace(/\d/g, 'd');
			if (template === null) template = t;
			else if (t !== template) return null;
			seen++;
		}
		if (template === null || seen < 2) return null;
		const m = /dd:dd:(dd)(?:[.,:](d+))?\]? $/.exec(template);
		if (!m) return null;
		const secPos = m.index + 6;
		const fracLen = m[2] ? m[2].length : 0;
		const fracPos = fracLen > 0 ? secPos + 3 : -1;
		const reader = new FastHeaderReader(template, secPos, fracPos, fracLen, levelField, style, ctx);
		// Only trusted when it agrees with the full parser on the sample.
		for (const line of lines) {
			const buf = Buffer.from(line, 'latin1');
			const r = reader.read(buf, 0, buf.length);
			if (r === null) continue;
			const h = format.parseHeader(line, ctx);
			if (!h || h.level !== r.level || !(h.time === r.time || (Number.isNaN(h.time) && Number.isNaN(r.time)))) return null;
		}
		return reader;
	}

	/** Level and time of the header in `buf[s, e)`, or null when unsure (or not a header of this shape). */
	read(buf: Uint8Array, s: number, e: number): FastResult | null {
		const tpl = this.tpl;
		const n = tpl.length;
		if (e - s < n) return null;
		const secPos = this.secPos;
		const key = this.key;
		// Same date-and-minute as the last header: those bytes are already known to fit the template.
		let same = this.keyValid;
		if (same) {
			for (let i = 0; i < secPos; i++) {
				if (key[i] !== buf[s + i]) {
					same = false;
					break;
				}
			}
		}
		for (let i = same ? secPos : 0; i < n; i++) {
			const t = tpl[i], b = buf[s + i];
			if (t === 100 /* d */) {
				if (b < 48 || b > 57) return null;
			} else if (t !== b) return null;
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
		if (!same) {
			const text = Buffer.from(buf.buffer, buf.byteOffset + s, n + 8 < e - s ? n + 8 : e - s).toString('latin1');
			const ts = parseTimestampAt(text, text.charCodeAt(0) === 91 ? 1 : 0, this.ctx);
			if (!ts || Number.isNaN(ts.time) || sec > 59) return null;
			this.keyBase = ts.time - sec * 1000 - frac;
			for (let i = 0; i < secPos; i++) key[i] = buf[s + i];
			this.keyValid = true;
		}
		const level = this.levelAt(buf, s + n, e);
		if (level === Level.Unknown) return null;
		this.res.level = level;
		this.res.time = this.keyBase + sec * 1000 + frac;
		return this.res;
	}

	/** The same field split as `splitFields`, on bytes, up to the learned level field. */
	private levelAt(buf: Uint8Array, pos: number, e: number): Level {
		let i = pos;
		let count = 0;
		let prevEnd = -1;
		for (;;) {
			for (;;) {
				const c = buf[i];
				if (i >= e) break;
				if (c === 32 || c === 9 || c === 124) i++;
				else if (c === 45 && (i + 1 >= e || buf[i + 1] === 32) && (i === 0 || buf[i - 1] === 32)) i++;
				else if (c === 44 && count === 0 && i === pos) i++;
				else break;
			}
			if (i >= e) return Level.Unknown;
			const start = i;
			const open = buf[i];
			let innerStart = i, innerEnd = i, bracket = false;
			const close = open === 91 ? 93 : open === 40 ? 41 : open === 60 ? 62 : open === 123 ? 125 : 0;
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
				while (i < e) {
					const c = buf[i];
					if (c === 32 || c === 9 || c === 124) break;
					i++;
				}
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
			if (count === this.levelField) {
				while (innerEnd > innerStart && (buf[innerEnd - 1] === 32 || buf[innerEnd - 1] === 9)) innerEnd--;
				while (innerStart < innerEnd && (buf[innerStart] === 32 || buf[innerStart] === 9)) innerStart++;
				const len = innerEnd - innerStart;
				if (len > 16) return Level.Unknown;
				// Level words repeat: compare with the ones already seen before decoding anything.
				const seen = this.seen;
				for (let k = 0; k < seen.length; k++) {
					const c = seen[k];
					if (c.bracket !== bracket || c.bytes.length !== len) continue;
					let eq = true;
					for (let j = 0; j < len; j++) {
						if (c.bytes[j] !== buf[innerStart + j]) {
							eq = false;
							break;
						}
					}
					if (eq) return c.level;
				}
				const inner = Buffer.from(buf.buffer, buf.byteOffset + innerStart, len).toString('latin1');
				const f: HeaderField = { start, end: i, inner, bracket, colon, dash: false, pipe: false };
				const level = fieldLevel(f, this.style, true);
				if (seen.length < 64) seen.push({ bytes: Uint8Array.from(buf.subarray(innerStart, innerEnd)), bracket, level });
				return level;
			}
			if (i === prevEnd) return Level.Unknown;
			prevEnd = i;
			count++;
		}
	}
}
