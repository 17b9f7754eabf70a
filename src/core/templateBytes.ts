// The template miner's masking (`maskedTokens`) done on a message's bytes, without a string per
// message or per token: the result is the masked token sequence joined with blanks — the key the
// miner looks shapes up by — written into a reusable buffer. It must agree with `maskedTokens`
// exactly, so wherever that is not certain it answers "unsure" and the caller takes the string
// path: non-ASCII bytes (UTF-16 and UTF-8 lengths differ), escape sequences, month and weekday
// names. Tokens that need `maskToken`'s full rules are masked by it once per shape: its result
// depends on which characters are digits, never on which digits they are, so a token with its
// digits replaced by `0` is an exact key for it.
import { bare, DATE_INITIALS, isClosePunct, isDigit, isHexish, isOpenPunct, isStructural, maskToken, MONTHS_DAYS, OPEN_W, PAREN_W, UNITS } from './templateMask';

const LT = 60, STAR = 42, GT = 62, QUOTE = 34, SPACE = 32, TAB = 9;

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

/** Hashes of the unit and date words: a miss proves a token is neither (a hit is checked exactly). */
const UNIT_HASHES = hashSet(UNITS);
const DATE_HASHES = hashSet(MONTHS_DAYS);

/** Bounds of `bare(t)` (open/close punctuation trimmed) within `b[s, e)`. */
function bareStart(b: Uint8Array, s: number, e: number): number {
	while (s < e && isOpenPunct(b[s])) s++;
	return s;
}
function bareEnd(b: Uint8Array, s: number, e: number): number {
	while (e > s && isClosePunct(b[e - 1])) e--;
	return e;
}

/** A token shape already masked by `maskToken`: its digit-normalised bytes and the result. */
interface MemoToken {
	norm: Uint8Array;
	out: Uint8Array;
}

const MAX_MEMO = 50_000;

/**
 * Masks messages given as bytes into `key[0, keyLen)` (the masked tokens joined by blanks) and
 * the token bounds; one instance per miner, reused for every message.
 */
export class ByteMasker {
	/** The key of the last message. */
	key = new Uint8Array(1024);
	keyLen = 0;
	/** Masked tokens before units and repeated `<*>` are merged: `toks[tokS[k], tokE[k])`. */
	private toks = new Uint8Array(1024);
	private tokS = new Int32Array(128);
	private tokE = new Int32Array(128);
	private nTok = 0;
	/** Final token bounds within `key`. */
	private finS = new Int32Array(128);
	private finE = new Int32Array(128);
	private nFin = 0;
	private readonly memo = new Map<number, MemoToken[]>();
	private memoSize = 0;
	private norm = new Uint8Array(256);

	/** Masks `buf[s, e)`; false when only the string path can be sure (the caller falls back). */
	mask(buf: Uint8Array, s: number, e: number): boolean {
		for (let i = s; i < e; i++) {
			const c = buf[i];
			if (c >= 0x80 || c === 27) return false;
		}
		const n = e - s;
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
		return this.join();
	}

	/** The final tokens of the last message as strings (only for a shape the miner has not seen). */
	tokens(): string[] {
		const out: string[] = [];
		const k = Buffer.from(this.key.buffer, this.key.byteOffset, this.keyLen);
		for (let t = 0; t < this.nFin; t++) out.push(k.toString('latin1', this.finS[t], this.finE[t]));
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
			let quotes = 0, letters = 0, digits = 0;
			while (i < e) {
				c = buf[i];
				if (c === SPACE || c === TAB) break;
				if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
				else if (c >= 48 && c <= 57) digits++;
				else if (c === QUOTE) quotes++;
				i++;
			}
			if (quotes % 2 === 1) {
				let close = i;
				while (close < e && buf[close] !== QUOTE) close++;
				if (close < e && close - i < 400) {
					i = close + 1;
					while (i < e && buf[i] !== SPACE && buf[i] !== TAB) i++;
				}
			}
			const ts = o;
			if (letters === i - start) {
				for (let k = start; k < i; k++) out[o++] = buf[k];
			} else if (digits === i - start) {
				out[o++] = LT;
				out[o++] = STAR;
				out[o++] = GT;
			} else o = this.maskToken(buf, start, i, o);
			// Month and weekday names make the string path join dates: leave those messages to it.
			const len = o - ts;
			if (len >= 3 && len <= 10 && DATE_INITIALS.has(out[ts])) {
				const bs = bareStart(out, ts, o), be = bareEnd(out, bs, o);
				if (DATE_HASHES.has(hashBytes(out, bs, be, true)) && MONTHS_DAYS.has(Buffer.from(out.subarray(bs, be)).toString('latin1').toLowerCase())) return false;
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
			for (let i = a; i < b; i++) {
				const c = buf[i];
				if (isDigit(c)) digit = true;
				else if (isStructural(c)) {
					inner = true;
					if (c === 61) assign = true;
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
		}
		// The full rules, once per digit-normalised shape.
		const n = te - ts;
		if (this.norm.length < n) this.norm = new Uint8Array(n * 2);
		const norm = this.norm;
		for (let k = 0; k < n; k++) {
			const c = buf[ts + k];
			norm[k] = c >= 48 && c <= 57 ? 48 : c;
		}
		const h = hashBytes(norm, 0, n, false);
		let list = this.memo.get(h);
		if (list !== undefined) {
			for (const m of list) {
				if (m.norm.length !== n) continue;
				let k = 0;
				while (k < n && m.norm[k] === norm[k]) k++;
				if (k < n) continue;
				out.set(m.out, o);
				return o + m.out.length;
			}
		}
		const masked = Buffer.from(maskToken(Buffer.from(norm.subarray(0, n)).toString('latin1')), 'latin1');
		if (this.memoSize < MAX_MEMO) {
			if (list === undefined) this.memo.set(h, (list = []));
			list.push({ norm: Uint8Array.from(norm.subarray(0, n)), out: masked });
			this.memoSize++;
		}
		out.set(masked, o);
		return o + masked.length;
	}

	/**
	 * `maskedTokens`' second loop: a unit after a value joins it (`12 KB,` → `<*>,`), a bracketed
	 * restatement of a quantity goes, repeated `<*>` collapse; the result joined with blanks.
	 */
	private join(): boolean {
		const t = this.toks, key = this.key;
		let kl = 0, nf = 0;
		let quantity = false;
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
				const suffix = this.unitSuffix(t, s, e);
				if (suffix !== null) {
					for (let j = 0; j < suffix.length; j++) key[kl++] = suffix.charCodeAt(j);
					this.finE[nf - 1] = kl;
					quantity = true;
					continue;
				}
			}
			if (quantity && prevIsW && equals(t, s, e, OPEN_W)) {
				// `3 bytes (3 KB)`: the bracketed restatement of a quantity is part of it.
				if (k + 1 < this.nTok) {
					const ns = this.tokS[k + 1], ne = this.tokE[k + 1];
					if (ne > ns && t[ne - 1] === 41 && this.isUnit(t, bareStart(t, ns, ne), bareEnd(t, bareStart(t, ns, ne), ne))) {
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
			if (nf > 0) key[kl++] = SPACE;
			this.finS[nf] = kl;
			for (let j = s; j < e; j++) key[kl++] = t[j];
			this.finE[nf] = kl;
			nf++;
		}
		this.keyLen = kl;
		this.nFin = nf;
		return true;
	}

	/** Lower-cased `b[s, e)` is a unit word (exact, after a hash pre-check). */
	private isUnit(b: Uint8Array, s: number, e: number): boolean {
		if (!UNIT_HASHES.has(hashBytes(b, s, e, true))) return false;
		return UNITS.has(Buffer.from(b.subarray(s, e)).toString('latin1').toLowerCase());
	}

	/**
	 * When token `b[s, e)` is a unit (as `maskedTokens` decides: the token, or its bare core, in
	 * any case), the text that follows the unit in it (`,` of `KB,`); else null.
	 */
	private unitSuffix(b: Uint8Array, s: number, e: number): string | null {
		const cs = bareStart(b, s, e), ce = bareEnd(b, cs, e);
		if (!UNIT_HASHES.has(hashBytes(b, s, e, true)) && !UNIT_HASHES.has(hashBytes(b, cs, ce, true))) return null;
		const t = Buffer.from(b.subarray(s, e)).toString('latin1');
		const core = UNITS.has(t) ? t : bare(t);
		if (!UNITS.has(core) && !UNITS.has(core.toLowerCase())) return null;
		return t.slice(t.indexOf(core) + core.length);
	}
}

function equals(b: Uint8Array, s: number, e: number, text: string): boolean {
	if (e - s !== text.length) return false;
	for (let i = 0; i < text.length; i++) if (b[s + i] !== text.charCodeAt(i)) return false;
	return true;
}
