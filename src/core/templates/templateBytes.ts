// The template miner's masking (`maskedTokens`) done on a message's bytes, without a string per
// message or per token: the result is the masked token sequence joined with blanks — the key the
// miner looks shapes up by — written into a reusable buffer. It must agree with `maskedTokens`
// exactly, so wherever that is not certain it answers "unsure" and the caller takes the string
// path: non-ASCII bytes (UTF-16 and UTF-8 lengths differ), escape sequences, month and weekday
// names. `maskToken` is ported rule for rule (the differential test in templates.test.ts holds the
// two to the same output on every Loghub message and random tokens).
import { DATE_INITIALS, isClosePunct, isDigit, isHexish, isOpenPunct, isStructural, MONTHS_DAYS, OPEN_W, PAREN_W, UNITS } from './templateMask';

const LT = 60, STAR = 42, GT = 62, QUOTE = 34, SPACE = 32, TAB = 9;

const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a of `b[0, len)` as a signed 32-bit number (what `ByteMasker.keyHash` holds). */
export function fnv1a(b: Uint8Array, len: number): number {
	let h = FNV_BASIS;
	for (let i = 0; i < len; i++) h = Math.imul(h ^ b[i], FNV_PRIME);
	return h | 0;
}

/** FNV-1a of bytes, lower-cased when `lower`. */
function hashBytes(b: Uint8Array, s: number, e: number, lower: boolean): number {
	let h = 0x811c9dc5;
	for (let i = s; i < e; i++) {
		let c = b[i];
		if (lower && c >= 65 && c <= 90) c += 32;
		h = Math.imul(h ^ c, 0x01000193);
	}
	return h >>> 0;
}

function hashSet(words: Iterable<string>): Set<number> {
	const out = new Set<number>();
	for (const w of words) {
		const b = Buffer.from(w.toLowerCase(), 'latin1');
		out.add(hashBytes(b, 0, b.length, false));
	}
	return out;
}

/** Hashes of the date words: a miss proves a token is none (a hit is checked exactly). */
const DATE_HASHES = hashSet(MONTHS_DAYS);
const DATE_INITIAL = new Uint8Array(256);
for (const c of DATE_INITIALS) DATE_INITIAL[c] = 1;

/** The ASCII unit words by hash of their bytes (they are all lowercase). */
const UNIT_WORDS = new Map<number, Uint8Array[]>();
for (const u of UNITS) {
	if (!/^[\x00-\x7f]+$/.test(u)) continue; // the byte path never sees non-ASCII
	const b = Buffer.from(u, 'latin1');
	const h = hashBytes(b, 0, b.length, false);
	const list = UNIT_WORDS.get(h);
	if (list) list.push(b);
	else UNIT_WORDS.set(h, [b]);
}

/** Bytes a unit word can start with (lower-cased), to skip the lookup for most tokens. */
const UNIT_INITIAL = new Uint8Array(256);
for (const u of UNITS) {
	const c = u.charCodeAt(0);
	if (c < 256) {
		UNIT_INITIAL[c] = 1;
		if (c >= 97 && c <= 122) UNIT_INITIAL[c - 32] = 1;
	}
}

/** `b[s, e)` is letters only (month and weekday names are). */
function lettersOnly(b: Uint8Array, s: number, e: number): boolean {
	if (s >= e) return false;
	for (let i = s; i < e; i++) {
		const c = b[i] | 32;
		if (c < 97 || c > 122) return false;
	}
	return true;
}

/** `b[s, e)` (lower-cased first when `lower`) is a unit word. */
function isUnitWord(b: Uint8Array, s: number, e: number, lower: boolean): boolean {
	if (e - s > 7 || UNIT_INITIAL[b[s]] === 0) return false;
	const list = UNIT_WORDS.get(hashBytes(b, s, e, lower));
	if (list === undefined) return false;
	for (const u of list) {
		if (u.length !== e - s) continue;
		let i = 0;
		for (; i < u.length; i++) {
			let c = b[s + i];
			if (lower && c >= 65 && c <= 90) c += 32;
			if (c !== u[i]) break;
		}
		if (i === u.length) return true;
	}
	return false;
}

/** Bounds of `bare(t)` (open/close punctuation trimmed) within `b[s, e)`. */
function bareStart(b: Uint8Array, s: number, e: number): number {
	while (s < e && isOpenPunct(b[s])) s++;
	return s;
}
function bareEnd(b: Uint8Array, s: number, e: number): number {
	while (e > s && isClosePunct(b[e - 1])) e--;
	return e;
}

/** Piece kinds of `maskTokenFull`: a range of the token, `<*>`, `"<*>`. */
const RANGE = 0, PW = 1, PQW = 2;

function writeW(out: Uint8Array, o: number): number {
	out[o] = LT;
	out[o + 1] = STAR;
	out[o + 2] = GT;
	return o + 3;
}

/** `tok.slice(0, a) + W + tok.slice(b)`. */
function wrapW(buf: Uint8Array, ts: number, te: number, a: number, b: number, out: Uint8Array, o: number): number {
	for (let k = ts; k < a; k++) out[o++] = buf[k];
	o = writeW(out, o);
	for (let k = b; k < te; k++) out[o++] = buf[k];
	return o;
}

/** First index of byte `c` in `b[s, e)`, -1 when absent. */
function indexOfByte(b: Uint8Array, c: number, s: number, e: number): number {
	for (let i = s; i < e; i++) if (b[i] === c) return i;
	return -1;
}

/** The token holds `://`. */
function hasSchemeSep(b: Uint8Array, s: number, e: number): boolean {
	for (let i = s; i + 2 < e; i++) if (b[i] === 58 && b[i + 1] === 47 && b[i + 2] === 47) return true;
	return false;
}

/** `isNumberLike` on bytes. */
function isNumberLikeB(s: Uint8Array, a: number, b: number): boolean {
	let digit = false;
	for (let i = a; i < b; i++) {
		const c = s[i];
		if (isDigit(c)) digit = true;
		else if (!(isHexish(c) || c === 46 || c === 58 || c === 45 || c === 95 || c === 43 || c === 44 || c === 47)) return false;
	}
	return digit;
}

/** `isHexWord` on bytes. */
function isHexWordB(s: Uint8Array, a: number, b: number): boolean {
	if (b - a < 8) return false;
	for (let i = a; i < b; i++) if (!isHexish(s[i])) return false;
	return true;
}

/** `isShapeVariable` on bytes; the token ends at `te` (its searches run to the token's end). */
function isShapeVariableB(s: Uint8Array, te: number, a: number, b: number): boolean {
	const at1 = (i: number): number => (i < te ? s[i] : -1);
	const c0 = s[a];
	if (c0 === 47 && b - a > 1) return true; // /abs/path
	if (c0 === 126 && at1(a + 1) === 47) return true; // ~/path
	let slashes = 0, at = -1;
	for (let i = a; i < b; i++) {
		const c = s[i];
		if (c === 92 || (c === 58 && at1(i + 1) === 47 && at1(i + 2) === 47)) return true; // C:\x, scheme://
		if (c === 47) slashes++;
		else if (c === 64) at = i;
	}
	if (slashes >= 2) return true;
	const dot = indexOfByte(s, 46, a, te);
	if (slashes === 1 && dot >= a && dot < b && s[b - 1] !== 47) return true; // pkg/.Class, dir/file.ext
	if (!(at > a && at < b - 3)) return false;
	const dot2 = indexOfByte(s, 46, at, te);
	return dot2 > at && dot2 < b - 1;
}

/** `isHostPort` on bytes (`host.example.org:8080`); the token starts at `ts`. */
function isHostPortB(s: Uint8Array, ts: number, a: number, b: number): boolean {
	let colon = -1;
	for (let i = b - 1; i >= ts; i--) {
		if (s[i] === 58) {
			colon = i;
			break;
		}
	}
	if (colon <= a || colon >= b - 1) return false;
	for (let i = colon + 1; i < b; i++) if (!isDigit(s[i])) return false;
	let dot = false;
	for (let i = a; i < colon; i++) {
		const c = s[i];
		if (c === 46) dot = true;
		else if (!isAlnumAscii(c) && c !== 45 && c !== 95) return false;
	}
	return dot;
}

function isAlnumAscii(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Longest message the memo keeps (longer ones are rarer and costlier to compare). */
const MEMO_MAX_MESSAGE = 256;
const MEMO_SLOT_BITS = 17;
/** Entries before the memo starts over (half the slots: probes stay short). */
const MEMO_MAX_ENTRIES = 1 << (MEMO_SLOT_BITS - 1);

/**
 * Masked keys of messages seen before, found by the message's bytes with every digit read as `0`.
 * Masking reads digits only by class (digit, hex-ish, alphanumeric) and never copies one into a
 * key, so two messages that differ only in their digits mask to the same key: a log's messages
 * repeat that way (`query took 16.91 ms`, `query took 43.55 ms`), and a hit costs one hashing
 * pass and one compare instead of tokenizing. Keys holding a digit are not kept.
 */
class MaskMemo {
	/** Slot → entry + 1 (0: empty), open addressing by the message hash. */
	private readonly slots = new Int32Array(1 << MEMO_SLOT_BITS);
	private count = 0;
	private hash = new Int32Array(1024);
	private msgOff = new Int32Array(1024);
	private msgLen = new Int32Array(1024);
	keyOff = new Int32Array(1024);
	keyLen = new Int32Array(1024);
	keyHash = new Int32Array(1024);
	finOff = new Int32Array(1024);
	finCount = new Int32Array(1024);
	/** The miner's shape id for the entry's key, valid while the miner's shape cache is at `shapeGen`. */
	shape = new Int32Array(1024);
	shapeGen = new Int32Array(1024);
	/** The message of the last `find`, normalised, as whole words (its tail bytes are read again). */
	private norm = new Int32Array(MEMO_MAX_MESSAGE >> 2);
	/** Normalised messages (each at a multiple of 4) and their keys, back to back. */
	bytes = new Uint8Array(1 << 16);
	private words = new Int32Array(this.bytes.buffer);
	private used = 0;
	/** Token bounds within each key (start, end pairs). */
	fins = new Int32Array(1 << 12);
	private finsUsed = 0;
	/**
	 * Hashes of messages missed once (by slot): an entry is kept only when its message comes back,
	 * so messages made unique by an id (`task sync[606fd94e]`) cost no store and push nothing out.
	 */
	private readonly seenOnce = new Int32Array(1 << MEMO_SLOT_BITS);
	/** Hash and slot of the last `find` miss, for `store`. */
	private lastHash = 0;
	private lastSlot = 0;
	/** A view of the buffer last searched, for reading it four bytes at a time. */
	private dvBuf: Uint8Array | null = null;
	private dv = new DataView(new ArrayBuffer(8));

	/** The entry of a message equal to `buf[s, e)` but for digits; -1 on a miss (then `store` may follow). */
	find(buf: Uint8Array, s: number, e: number): number {
		if (buf !== this.dvBuf) {
			this.dvBuf = buf;
			this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
		}
		const dv = this.dv;
		const n = e - s;
		let h = FNV_BASIS ^ n;
		let i = s;
		const norm = this.norm;
		for (let w = 0, w4 = s + (n & ~3); i < w4; i += 4, w++) {
			const x = normWord(dv.getInt32(i, true));
			norm[w] = x;
			h = Math.imul(h ^ x, FNV_PRIME);
		}
		for (; i < e; i++) h = Math.imul(h ^ normByte(buf[i]), FNV_PRIME);
		h ^= h >>> 15;
		const mask = this.slots.length - 1;
		let slot = h & mask;
		for (;;) {
			const v = this.slots[slot];
			if (v === 0) break;
			const k = v - 1;
			if (this.hash[k] === h && this.msgLen[k] === n && this.sameMessage(k, buf, s, e)) return k;
			slot = (slot + 1) & mask;
		}
		this.lastHash = h;
		this.lastSlot = slot;
		return -1;
	}

	private sameMessage(k: number, buf: Uint8Array, s: number, e: number): boolean {
		const words = this.words, b = this.bytes, norm = this.norm;
		const nw = (e - s) >> 2;
		const w0 = this.msgOff[k] >> 2;
		for (let w = 0; w < nw; w++) if (words[w0 + w] !== norm[w]) return false;
		for (let i = s + nw * 4, o = (w0 + nw) << 2; i < e; i++, o++) if (b[o] !== normByte(buf[i])) return false;
		return true;
	}

	/** Keeps the key of the message the last `find` missed, if that message (up to digits) was missed before; its entry or -1. */
	store(buf: Uint8Array, s: number, e: number, key: Uint8Array, keyLen: number, keyHash: number, finS: Int32Array, finE: Int32Array, nFin: number): number {
		const h = this.lastHash;
		const seen = (h >>> 7) & (this.seenOnce.length - 1);
		if (this.seenOnce[seen] !== h) {
			this.seenOnce[seen] = h;
			return -1;
		}
		for (let i = 0; i < keyLen; i++) if (key[i] >= 48 && key[i] <= 57) return -1;
		if (this.count >= MEMO_MAX_ENTRIES) {
			// Start over: the shapes that matter come back at once.
			this.slots.fill(0);
			this.count = this.used = this.finsUsed = 0;
			this.find(buf, s, e);
		}
		const n = e - s;
		const need = this.used + n + 3 + keyLen;
		if (need > this.bytes.length) {
			this.bytes = growTo(this.bytes, need);
			this.words = new Int32Array(this.bytes.buffer);
		}
		if (this.finsUsed + 2 * nFin > this.fins.length) this.fins = growTo(this.fins, this.finsUsed + 2 * nFin);
		const k = this.count++;
		if (k >= this.hash.length) {
			this.hash = growTo(this.hash, k + 1);
			this.msgOff = growTo(this.msgOff, k + 1);
			this.msgLen = growTo(this.msgLen, k + 1);
			this.keyOff = growTo(this.keyOff, k + 1);
			this.keyLen = growTo(this.keyLen, k + 1);
			this.keyHash = growTo(this.keyHash, k + 1);
			this.finOff = growTo(this.finOff, k + 1);
			this.finCount = growTo(this.finCount, k + 1);
			this.shape = growTo(this.shape, k + 1);
			this.shapeGen = growTo(this.shapeGen, k + 1);
		}
		this.shape[k] = -1;
		const b = this.bytes;
		let o = (this.used + 3) & ~3;
		this.msgOff[k] = o;
		this.msgLen[k] = n;
		const nw = n >> 2, words = this.words, norm = this.norm;
		for (let w = 0, w0 = o >> 2; w < nw; w++) words[w0 + w] = norm[w];
		o += nw * 4;
		for (let i = s + nw * 4; i < e; i++) b[o++] = normByte(buf[i]);
		this.keyOff[k] = o;
		this.keyLen[k] = keyLen;
		for (let i = 0; i < keyLen; i++) b[o++] = key[i];
		this.used = o;
		this.keyHash[k] = keyHash;
		this.finOff[k] = this.finsUsed;
		this.finCount[k] = nFin;
		for (let t = 0; t < nFin; t++) {
			this.fins[this.finsUsed++] = finS[t];
			this.fins[this.finsUsed++] = finE[t];
		}
		this.hash[k] = this.lastHash;
		this.slots[this.lastSlot] = k + 1;
		return k;
	}
}

/** A byte with a digit read as `0`. */
function normByte(c: number): number {
	return c >= 48 && c <= 57 ? 48 : c;
}

/** Four bytes (little-endian) with every digit read as `0`, without a branch per byte. */
function normWord(w: number): number {
	const x = w ^ 0x30303030; // a digit becomes 0..9, nothing else does
	// High bit of each byte of x that is below 10 (the low seven bits plus 118 stay within the byte).
	const lt = ~(((x & 0x7f7f7f7f) + 0x76767676) | x) & 0x80808080;
	const m = (lt >>> 7) * 0xff;
	return (w & ~m) | (0x30303030 & m);
}

/** A copy of `a` with room for at least `n` items (doubling). */
function growTo<T extends Uint8Array | Int32Array>(a: T, n: number): T {
	let len = a.length * 2;
	while (len < n) len *= 2;
	const b = new (a.constructor as new (n: number) => T)(len);
	b.set(a);
	return b;
}

/**
 * Masks messages given as bytes into `key[0, keyLen)` (the masked tokens joined by blanks) and
 * the token bounds; one instance per miner, reused for every message.
 */
export class ByteMasker {
	/** The key of the last message: `keyBuf[keyStart, keyStart + keyLen)`. */
	keyBuf: Uint8Array;
	keyStart = 0;
	keyLen = 0;
	/** Where keys are written (`keyBuf` unless the memo answered). */
	private key = new Uint8Array(1024);
	/** The memo entry that answered the last message (its token bounds), or -1. */
	private memoHit = -1;
	/** The memo entry of the last message (answered by it or just kept in it), or -1: see `memoShape`. */
	memoEntry = -1;
	/** FNV-1a of the key (`fnv1a`), computed while it was written. */
	keyHash = 0;
	/** Masked tokens before units and repeated `<*>` are merged: `toks[tokS[k], tokE[k])`. */
	private toks = new Uint8Array(1024);
	private tokS = new Int32Array(128);
	private tokE = new Int32Array(128);
	private nTok = 0;
	/** Final token bounds within `key`. */
	private finS = new Int32Array(128);
	private finE = new Int32Array(128);
	private nFin = 0;
	/** Pieces of the token being masked (kind, range): see `maskTokenFull`. */
	private pk = new Uint8Array(64);
	private ps = new Int32Array(64);
	private pe = new Int32Array(64);
	private np = 0;

	/** Keys of messages masked before, by their bytes with every digit read as `0`. */
	private readonly memo = new MaskMemo();

	constructor() {
		this.keyBuf = this.key;
	}

	/** Masks `buf[s, e)`; false when only the string path can be sure (the caller falls back). */
	mask(buf: Uint8Array, s: number, e: number): boolean {
		const n = e - s;
		const memo = this.memo;
		const slot = n <= MEMO_MAX_MESSAGE ? memo.find(buf, s, e) : -2;
		this.memoEntry = -1;
		if (slot >= 0) {
			this.restore(slot);
			this.memoEntry = slot;
			return true;
		}
		// A masked token is at most 3 bytes per input byte (`1` → `<*>`), plus blanks.
		if (this.toks.length < 3 * n + 16) this.toks = new Uint8Array(3 * n + 16);
		if (this.key.length < 4 * n + 16) this.key = new Uint8Array(4 * n + 16);
		if (this.tokS.length < (n >> 1) + 2) {
			const m = (n >> 1) + 2;
			this.tokS = new Int32Array(m);
			this.tokE = new Int32Array(m);
			this.finS = new Int32Array(m);
			this.finE = new Int32Array(m);
		}
		if (!this.tokenize(buf, s, e)) return false;
		this.join();
		if (slot === -1) this.memoEntry = memo.store(buf, s, e, this.key, this.keyLen, this.keyHash, this.finS, this.finE, this.nFin);
		return true;
	}

	/**
	 * The shape id a caller noted for memo entry `k`'s key (`setMemoShape`) while its shape cache is
	 * still at `generation`; -1 when none.
	 */
	memoShape(k: number, generation: number): number {
		const m = this.memo;
		return m.shapeGen[k] === generation ? m.shape[k] : -1;
	}

	/** Notes the shape id the caller's cache (at `generation`) holds for memo entry `k`'s key. */
	setMemoShape(k: number, id: number, generation: number): void {
		this.memo.shape[k] = id;
		this.memo.shapeGen[k] = generation;
	}

	/** The key of a message masked before (`MaskMemo` entry `k`) becomes the last message's key. */
	private restore(k: number): void {
		const m = this.memo;
		this.keyBuf = m.bytes;
		this.keyStart = m.keyOff[k];
		this.keyLen = m.keyLen[k];
		this.keyHash = m.keyHash[k];
		this.memoHit = k;
	}

	/** The final tokens of the last message as strings (only for a shape the miner has not seen). */
	tokens(): string[] {
		const out: string[] = [];
		const k = Buffer.from(this.keyBuf.buffer, this.keyBuf.byteOffset + this.keyStart, this.keyLen);
		const h = this.memoHit;
		if (h >= 0) {
			const m = this.memo, fo = m.finOff[h];
			for (let t = 0; t < m.finCount[h]; t++) out.push(k.toString('latin1', m.fins[fo + 2 * t], m.fins[fo + 2 * t + 1]));
		} else for (let t = 0; t < this.nFin; t++) out.push(k.toString('latin1', this.finS[t], this.finE[t]));
		return out;
	}

	/** `maskedTokens`' first loop: split on blanks (a quoted value with blanks is one token), mask each. */
	private tokenize(buf: Uint8Array, s: number, e: number): boolean {
		const out = this.toks;
		let o = 0;
		let nt = 0;
		let i = s;
		while (i < e) {
			let c = buf[i];
			if (c === SPACE || c === TAB) {
				i++;
				continue;
			}
			const start = i;
			const ts = o;
			let quotes = 0, letters = 0, digits = 0;
			// Copied as it is read: a plain word (the common token) needs nothing more.
			while (i < e) {
				c = buf[i];
				if (c === SPACE || c === TAB) break;
				if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
				else if (c >= 48 && c <= 57) digits++;
				else if (c === QUOTE) quotes++;
				else if (c >= 0x80 || c === 27) return false;
				out[o++] = c;
				i++;
			}
			if (quotes % 2 === 1) {
				let close = i;
				while (close < e && buf[close] !== QUOTE) close++;
				if (close < e && close - i < 400) {
					i = close + 1;
					while (i < e && buf[i] !== SPACE && buf[i] !== TAB) i++;
				}
				for (let k = start; k < i; k++) if (buf[k] >= 0x80 || buf[k] === 27) return false;
			}
			if (letters !== i - start) {
				o = ts;
				if (digits === i - start) {
					out[o++] = LT;
					out[o++] = STAR;
					out[o++] = GT;
				} else o = this.maskToken(buf, start, i, o);
			}
			// Month and weekday names make the string path join dates: leave those messages to it.
			const len = o - ts;
			if (len >= 3 && len <= 10 && DATE_INITIAL[out[ts]] === 1) {
				const bs = bareStart(out, ts, o), be = bareEnd(out, bs, o);
				if (lettersOnly(out, bs, be) && DATE_HASHES.has(hashBytes(out, bs, be, true)) && MONTHS_DAYS.has(Buffer.from(out.subarray(bs, be)).toString('latin1').toLowerCase())) return false;
			}
			this.tokS[nt] = ts;
			this.tokE[nt] = o;
			nt++;
		}
		this.nTok = nt;
		return true;
	}

	/** `maskToken` on `buf[ts, te)` written at `out[o]`; returns the new end. */
	private maskToken(buf: Uint8Array, ts: number, te: number, o: number): number {
		const out = this.toks;
		let a = ts, b = te;
		while (a < b && isOpenPunct(buf[a])) a++;
		while (b > a && isClosePunct(buf[b - 1])) b--;
		if (a < b) {
			// The same first pass as `maskToken`: the common shapes are decided here.
			let digit = false, inner = false, special = false, hexish = true, numeric = true, assign = false;
			let eq = -1;
			for (let i = a; i < b; i++) {
				const c = buf[i];
				if (isDigit(c)) digit = true;
				else if (isStructural(c)) {
					inner = true;
					if (c === 61 && !assign) {
						assign = true;
						eq = i;
					}
				} else if (c === 47 || c === 92 || c === 64 || c === 32) special = true;
				if (hexish && !isHexish(c)) {
					hexish = false;
					if (!(c === 46 || c === 58 || c === 45 || c === 95 || c === 43 || c === 44 || c === 47)) numeric = false;
				}
			}
			if (!digit && !special && !assign && !(hexish && b - a >= 8)) {
				for (let k = ts; k < te; k++) out[o++] = buf[k];
				return o;
			}
			if (digit && ((!inner && !special) || numeric)) {
				for (let k = ts; k < a; k++) out[o++] = buf[k];
				out[o++] = LT;
				out[o++] = STAR;
				out[o++] = GT;
				for (let k = b; k < te; k++) out[o++] = buf[k];
				return o;
			}
			// `=` past `b` is impossible (the trimmed tail is closing punctuation): the first one is known.
			return this.maskTokenFull(buf, ts, te, a, b, o, eq);
		}
		return this.maskTokenFull(buf, ts, te, a, b, o, -1);
	}

	/**
	 * The rest of `maskToken` (after its first pass), piece by piece: the pieces go to a list
	 * (`<*>`, `"<*>`, or a range of the token) that is then joined as `maskToken` joins its `out`.
	 */
	private maskTokenFull(buf: Uint8Array, ts: number, te: number, a: number, b: number, o: number, eq: number): number {
		const out = this.toks;
		if (a >= b) {
			// an empty bracket pair is an empty value: `()` reads like `(host)`
			if (te - ts === 2 && isOpenPunct(buf[ts]) && buf[ts + 1] !== buf[ts] - 1) {
				out[o++] = buf[ts];
				o = writeW(out, o);
				out[o++] = buf[ts + 1];
				return o;
			}
			for (let k = ts; k < te; k++) out[o++] = buf[k];
			return o;
		}
		let lead = a;
		while (lead < b && (buf[lead] === 60 || buf[lead] === 62 || buf[lead] === 126)) lead++; // <1, ~5
		const assigns = eq > a && eq < b && !hasSchemeSep(buf, ts, te);
		if (isNumberLikeB(buf, lead, b) || isHexWordB(buf, a, b) || isHostPortB(buf, ts, a, b)
			|| (!assigns && (isShapeVariableB(buf, te, a, b) || indexOfByte(buf, SPACE, ts, te) >= 0))) {
			return wrapW(buf, ts, te, a, b, out, o);
		}
		this.np = 0;
		if (a > ts) this.piece(RANGE, ts, a);
		if (assigns) this.assignments(buf, te, a, b);
		else {
			this.pieces(buf, te, a, b);
			// `0|com.example|-1|null|0`: mostly values, so one value
			let pieces = 0, vars = 0, named = false;
			for (let k = 0; k < this.np; k++) {
				const kind = this.pk[k];
				if (kind === PW) {
					vars++;
					pieces++;
				} else if (kind === RANGE && this.pe[k] - this.ps[k] === 1 && isStructural(buf[this.ps[k]])) {
					const c = buf[this.ps[k]];
					if (c === 58 || c === 61) named = true;
				} else pieces++;
			}
			if (!named && pieces > 2 && vars * 2 > pieces) return wrapW(buf, ts, te, a, b, out, o);
		}
		if (b < te) this.piece(RANGE, b, te);
		// `<*>.<*>` or `<*>:<*>` is one value
		const o0 = o;
		for (let k = 0; k < this.np; k++) {
			const kind = this.pk[k];
			if (kind === PW && k >= 2 && this.pk[k - 2] === PW && this.pk[k - 1] === RANGE && this.pe[k - 1] - this.ps[k - 1] === 1) {
				const sep = buf[this.ps[k - 1]];
				if (!isOpenPunct(sep) && o - o0 >= 4 && out[o - 1] === sep && out[o - 2] === GT && out[o - 3] === STAR && out[o - 4] === LT) {
					o--;
					continue;
				}
			}
			if (kind === PW) o = writeW(out, o);
			else if (kind === PQW) {
				out[o++] = QUOTE;
				o = writeW(out, o);
			} else for (let j = this.ps[k]; j < this.pe[k]; j++) out[o++] = buf[j];
		}
		return o;
	}

	private piece(kind: number, s: number, e: number): void {
		const k = this.np++;
		if (k >= this.pk.length) {
			const n = this.pk.length * 2;
			const pk = new Uint8Array(n), ps = new Int32Array(n), pe = new Int32Array(n);
			pk.set(this.pk);
			ps.set(this.ps);
			pe.set(this.pe);
			this.pk = pk;
			this.ps = ps;
			this.pe = pe;
		}
		this.pk[k] = kind;
		this.ps[k] = s;
		this.pe[k] = e;
	}

	/** `maskPieces`: the text between structural delimiters, piece by piece. */
	private pieces(buf: Uint8Array, te: number, a: number, b: number): void {
		let p = a;
		for (let i = a; i <= b; i++) {
			if (i === b || isStructural(buf[i])) {
				this.maskPiece(buf, te, p, i);
				if (i < b) this.piece(RANGE, i, i + 1);
				p = i + 1;
			}
		}
	}

	/** `maskPiece`: any digit makes the whole piece a value; so does a path-like shape. */
	private maskPiece(buf: Uint8Array, te: number, a: number, b: number): void {
		if (a >= b) return;
		for (let i = a; i < b; i++) {
			if (isDigit(buf[i])) {
				this.piece(PW, 0, 0);
				return;
			}
		}
		if (isShapeVariableB(buf, te, a, b)) this.piece(PW, 0, 0);
		else this.piece(RANGE, a, b);
	}

	/** `maskAssignments`: every non-empty value of `a=1,b=x;c=` is a variable. */
	private assignments(buf: Uint8Array, te: number, a: number, b: number): void {
		let seg = a;
		for (let i = a; i <= b; i++) {
			const c = i < b ? buf[i] : 0;
			if (i < b && c !== 44 && c !== 59 && c !== 38) continue;
			const eq = indexOfByte(buf, 61, seg, te);
			if (eq > seg && eq < i) {
				this.pieces(buf, te, seg, eq);
				this.piece(RANGE, eq, eq + 1);
				if (eq + 1 < i) this.piece(buf[eq + 1] === QUOTE && i === b && b < te && buf[b] === QUOTE ? PQW : PW, 0, 0);
			} else this.pieces(buf, te, seg, i);
			if (i < b) this.piece(RANGE, i, i + 1);
			seg = i + 1;
		}
	}

	/**
	 * `maskedTokens`' second loop: a unit after a value joins it (`12 KB,` → `<*>,`), a bracketed
	 * restatement of a quantity goes, repeated `<*>` collapse; the result joined with blanks.
	 */
	private join(): boolean {
		const t = this.toks, key = this.key;
		let kl = 0, nf = 0;
		let quantity = false;
		// FNV-1a of the key, as it is written (the miner's cache looks keys up by it).
		let h = FNV_BASIS;
		for (let k = 0; k < this.nTok; k++) {
			const s = this.tokS[k], e = this.tokE[k];
			const len = e - s;
			// The previous output token: ends with `<*>`, or is exactly `<*>`.
			let prevEndsW = false, prevIsW = false;
			if (nf > 0) {
				const ps = this.finS[nf - 1], pe = this.finE[nf - 1];
				prevEndsW = pe - ps >= 3 && key[pe - 3] === LT && key[pe - 2] === STAR && key[pe - 1] === GT;
				prevIsW = prevEndsW && pe - ps === 3;
			}
			if (len <= 8 && prevEndsW) {
				// `maskedTokens`: the token, or its bare core in any case, is a unit; what follows
				// the unit in the token (`,` of `KB,`) stays.
				let from = -1;
				if (isUnitWord(t, s, e, false)) from = e;
				else {
					const cs = bareStart(t, s, e), ce = bareEnd(t, cs, e);
					if (ce > cs && isUnitWord(t, cs, ce, true)) from = ce;
				}
				if (from >= 0) {
					for (let j = from; j < e; j++) {
						const c = t[j];
						key[kl++] = c;
						h = Math.imul(h ^ c, FNV_PRIME);
					}
					this.finE[nf - 1] = kl;
					quantity = true;
					continue;
				}
			}
			if (quantity && prevIsW && equals(t, s, e, OPEN_W)) {
				// `3 bytes (3 KB)`: the bracketed restatement of a quantity is part of it.
				if (k + 1 < this.nTok) {
					const ns = this.tokS[k + 1], ne = this.tokE[k + 1];
					const cs = bareStart(t, ns, ne);
					if (ne > ns && t[ne - 1] === 41 && isUnitWord(t, cs, bareEnd(t, cs, ne), true)) {
						k++;
						quantity = false;
						continue;
					}
				}
			}
			if (quantity && prevIsW && equals(t, s, e, PAREN_W)) {
				quantity = false;
				continue;
			}
			quantity = false;
			if (prevIsW && len === 3 && t[s] === LT && t[s + 1] === STAR && t[s + 2] === GT) continue;
			if (nf > 0) {
				key[kl++] = SPACE;
				h = Math.imul(h ^ SPACE, FNV_PRIME);
			}
			this.finS[nf] = kl;
			for (let j = s; j < e; j++) {
				const c = t[j];
				key[kl++] = c;
				h = Math.imul(h ^ c, FNV_PRIME);
			}
			this.finE[nf] = kl;
			nf++;
		}
		this.keyBuf = key;
		this.keyStart = 0;
		this.keyLen = kl;
		this.keyHash = h | 0;
		this.memoHit = -1;
		this.nFin = nf;
		return true;
	}

}

function equals(b: Uint8Array, s: number, e: number, text: string): boolean {
	if (e - s !== text.length) return false;
	for (let i = 0; i < text.length; i++) if (b[s + i] !== text.charCodeAt(i)) return false;
	return true;
}
