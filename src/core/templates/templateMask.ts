// Masking of log messages into tokens for template mining: numbers, ids, addresses, paths,
// values of assignments … become `<*>`. Shared by the string path (`maskedTokens`) and the
// byte-level masker (templateBytes.ts), which must agree with it exactly.
export const WILDCARD = '<*>';

const W = WILDCARD;

export function isDigit(c: number): boolean { return c >= 48 && c <= 57; }
function isAlnum(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}
export function isHexish(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 120 || c === 88;
}
/** Brackets and quotes that wrap a value: kept around `<*>` so `[1.2.3.4]` → `[<*>]`. */
export function isOpenPunct(c: number): boolean { return c === 40 || c === 91 || c === 123 || c === 34 || c === 39; }
export function isClosePunct(c: number): boolean {
	return c === 41 || c === 93 || c === 125 || c === 44 || c === 59 || c === 58 || c === 46 || c === 33 || c === 63 || c === 34 || c === 39;
}
/** Characters that separate a name from a value inside one token (`key=v`, `name:v`, `f(v)`, `a[v]`). */
export function isStructural(c: number): boolean {
	return c === 61 || c === 58 || c === 40 || c === 41 || c === 91 || c === 93 || c === 123 || c === 125 || c === 44 || c === 59 || c === 60 || c === 62 || c === 35 || c === 124;
}

/**
 * Whole-value shapes: only hex digits and number punctuation, with at least one decimal digit —
 * numbers, IPv4/IPv6, MACs, UUIDs, hex ids, times, dates, versions.
 */
function isNumberLike(s: string, a: number, b: number): boolean {
	let digit = false;
	for (let i = a; i < b; i++) {
		const c = s.charCodeAt(i);
		if (isDigit(c)) digit = true;
		else if (!(isHexish(c) || c === 46 || c === 58 || c === 45 || c === 95 || c === 43 || c === 44 || c === 47)) return false;
	}
	return digit;
}

/** A value without digits that is still variable by shape: a path, URL or e-mail address. */
function isShapeVariable(s: string, a: number, b: number): boolean {
	const c0 = s.charCodeAt(a);
	if (c0 === 47 && b - a > 1) return true; // /abs/path
	if (c0 === 126 && s.charCodeAt(a + 1) === 47) return true; // ~/path
	let slashes = 0; let at = -1;
	for (let i = a; i < b; i++) {
		const c = s.charCodeAt(i);
		if (c === 92 || (c === 58 && s.charCodeAt(i + 1) === 47 && s.charCodeAt(i + 2) === 47)) return true; // C:\x, scheme://
		if (c === 47) slashes++;
		else if (c === 64) at = i;
	}
	if (slashes >= 2) return true;
	if (slashes === 1 && s.indexOf('.', a) >= a && s.indexOf('.', a) < b && s.charCodeAt(b - 1) !== 47) return true; // pkg/.Class, dir/file.ext
	return at > a && at < b - 3 && s.indexOf('.', at) > at && s.indexOf('.', at) < b - 1;
}

/** `host.example.org:8080` — a dotted name and a port. */
function isHostPort(s: string, a: number, b: number): boolean {
	const colon = s.lastIndexOf(':', b - 1);
	if (colon <= a || colon >= b - 1) return false;
	for (let i = colon + 1; i < b; i++) if (!isDigit(s.charCodeAt(i))) return false;
	let dot = false;
	for (let i = a; i < colon; i++) {
		const c = s.charCodeAt(i);
		if (c === 46) dot = true;
		else if (!isAlnum(c) && c !== 45 && c !== 95) return false;
	}
	return dot;
}

/** Masks one piece (text between structural delimiters): any digit makes the whole piece a value. */
function maskPiece(s: string, a: number, b: number, out: string[]): void {
	if (a >= b) return;
	for (let i = a; i < b; i++) if (isDigit(s.charCodeAt(i))) { out.push(W); return; }
	out.push(isShapeVariable(s, a, b) ? W : s.slice(a, b));
}

/** Masks the text between structural delimiters piece by piece into `out`. */
function maskPieces(tok: string, a: number, b: number, out: string[]): void {
	let p = a;
	for (let i = a; i <= b; i++) {
		if (i === b || isStructural(tok.charCodeAt(i))) {
			maskPiece(tok, p, i, out);
			if (i < b) out.push(tok[i]);
			p = i + 1;
		}
	}
}

/** `a=1,b=x;c=` → `a=<*>,b=<*>;c=`: every non-empty value of an assignment is a variable. */
function maskAssignments(tok: string, a: number, b: number, out: string[]): void {
	let seg = a;
	for (let i = a; i <= b; i++) {
		const c = i < b ? tok.charCodeAt(i) : 0;
		if (i < b && c !== 44 && c !== 59 && c !== 38) continue;
		const eq = tok.indexOf('=', seg);
		if (eq > seg && eq < i) {
			maskPieces(tok, seg, eq, out);
			out.push('=');
			if (eq + 1 < i) out.push(tok.charCodeAt(eq + 1) === 34 && i === b && b < tok.length && tok.charCodeAt(b) === 34 ? '"' + W : W);
		} else maskPieces(tok, seg, i, out);
		if (i < b) out.push(tok[i]);
		seg = i + 1;
	}
}

function isHexWord(s: string, a: number, b: number): boolean {
	if (b - a < 8) return false;
	for (let i = a; i < b; i++) if (!isHexish(s.charCodeAt(i))) return false;
	return true;
}

/** Masks one whitespace-separated token: `uid=0` → `uid=<*>`, `[10.0.0.1]` → `[<*>]`, `ok` → `ok`. */
export function maskToken(tok: string): string {
	let a = 0; let b = tok.length;
	while (a < b && isOpenPunct(tok.charCodeAt(a))) a++;
	while (b > a && isClosePunct(tok.charCodeAt(b - 1))) b--;
	if (a >= b) {
		// an empty bracket pair is an empty value: `()` reads like `(host)`
		if (tok.length === 2 && isOpenPunct(tok.charCodeAt(0)) && tok.charCodeAt(1) !== tok.charCodeAt(0) - 1) return tok[0] + W + tok[1];
		return tok;
	}
	// one pass to send the common shapes down short paths
	let digit = false; let inner = false; let special = false; let hexish = true; let numeric = true; let assign = false;
	for (let i = a; i < b; i++) {
		const c = tok.charCodeAt(i);
		if (isDigit(c)) digit = true;
		else if (isStructural(c)) { inner = true; if (c === 61) assign = true; }
		else if (c === 47 || c === 92 || c === 64 || c === 32) special = true;
		if (hexish && !isHexish(c)) {
			hexish = false;
			if (!(c === 46 || c === 58 || c === 45 || c === 95 || c === 43 || c === 44 || c === 47)) numeric = false;
		}
	}
	if (!digit && !special && !assign && !(hexish && b - a >= 8)) return tok;
	if (digit && ((!inner && !special) || numeric)) return a === 0 && b === tok.length ? W : tok.slice(0, a) + W + tok.slice(b);
	let lead = a;
	while (lead < b && (tok.charCodeAt(lead) === 60 || tok.charCodeAt(lead) === 62 || tok.charCodeAt(lead) === 126)) lead++; // <1, ~5
	const eq = tok.indexOf('=', a);
	const assigns = eq > a && eq < b && tok.indexOf('://') < 0;
	if (isNumberLike(tok, lead, b) || isHexWord(tok, a, b) || isHostPort(tok, a, b)
		|| (!assigns && (isShapeVariable(tok, a, b) || tok.indexOf(' ') >= 0))) {
		return a === 0 && b === tok.length ? W : tok.slice(0, a) + W + tok.slice(b);
	}
	const out: string[] = [];
	if (a > 0) out.push(tok.slice(0, a));
	if (assigns) maskAssignments(tok, a, b, out);
	else {
		maskPieces(tok, a, b, out);
		// `0|com.example|-1|null|0`: mostly values, so one value
		let pieces = 0; let vars = 0; let named = false;
		for (const o of out) {
			if (o === W) { vars++; pieces++; } else if (o.length === 1 && isStructural(o.charCodeAt(0))) { if (o === ':' || o === '=') named = true; } else pieces++;
		}
		if (!named && pieces > 2 && vars * 2 > pieces) return (a > 0 ? tok.slice(0, a) : '') + W + tok.slice(b);
	}
	if (b < tok.length) out.push(tok.slice(b));
	// `<*>.<*>` or `<*>:<*>` is one value
	let r = '';
	for (let k = 0; k < out.length; k++) {
		if (out[k] === W && k >= 2 && out[k - 2] === W && out[k - 1].length === 1 && !isOpenPunct(out[k - 1].charCodeAt(0)) && r.endsWith(W + out[k - 1])) {
			r = r.slice(0, r.length - 1);
			continue;
		}
		r += out[k];
	}
	return r;
}

export const MONTHS_DAYS = new Set(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
	'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
	'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
export const UNITS = new Set(['b', 'kb', 'mb', 'gb', 'tb', 'kib', 'mib', 'gib', 'tib', 'byte', 'bytes', 'ms', 'msec', 'msecs', 's', 'sec', 'secs',
	'second', 'seconds', 'us', 'µs', 'ns', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hrs', 'hour', 'hours', 'day', 'days', '%',
	'kb/s', 'mb/s', 'gb/s', 'kbps', 'mbps', 'gbps', 'hz', 'khz', 'mhz', 'ghz']);

export function bare(t: string): string {
	let a = 0; let b = t.length;
	while (a < b && isOpenPunct(t.charCodeAt(a))) a++;
	while (b > a && isClosePunct(t.charCodeAt(b - 1))) b--;
	return a === 0 && b === t.length ? t : t.slice(a, b);
}

/** First letters of month and weekday names, to skip the set lookup for most words. */
export const DATE_INITIALS = new Set([...'JFMASONDTWjfmasondtw'].map((ch) => ch.charCodeAt(0)));

export const OPEN_W = '(' + W;
export const PAREN_W = '(' + W + ')';

/** Splits a message on blanks, masks each token, then joins multi-token values (dates, `12 KB`). */
export function maskedTokens(message: string): string[] {
	const toks: string[] = [];
	let i = 0; const n = message.length;
	let dateWords = false;
	while (i < n) {
		let c = message.charCodeAt(i);
		if (c === 32 || c === 9) { i++; continue; }
		const start = i;
		let quotes = 0; let letters = 0; let digits = 0;
		while (i < n) {
			c = message.charCodeAt(i);
			if (c === 32 || c === 9) break;
			if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
			else if (c >= 48 && c <= 57) digits++;
			else if (c === 34) quotes++;
			i++;
		}
		if (quotes % 2 === 1) {
			// a double-quoted value with blanks inside is one token
			const close = message.indexOf('"', i);
			if (close > 0 && close - i < 400) {
				i = close + 1;
				while (i < n) { c = message.charCodeAt(i); if (c === 32 || c === 9) break; i++; }
			}
		}
		// a plain word or a plain number needs no closer look
		const t = letters === i - start ? message.slice(start, i) : digits === i - start ? W : maskToken(message.slice(start, i));
		if (!dateWords && t.length >= 3 && t.length <= 10 && DATE_INITIALS.has(t.charCodeAt(0)) && MONTHS_DAYS.has(bare(t).toLowerCase())) dateWords = true;
		toks.push(t);
	}
	if (dateWords) {
		// weekday and month names next to numbers are parts of a date
		for (let pass = 0; pass < 2; pass++) {
			for (let k = 0; k < toks.length; k++) {
				const t = toks[k];
				if (t.length < 3 || t.length > 10) continue;
				const core = bare(t);
				if (MONTHS_DAYS.has(core.toLowerCase())
					&& ((k > 0 && bare(toks[k - 1]) === W) || (k + 1 < toks.length && bare(toks[k + 1]) === W))) toks[k] = t.replace(core, W);
			}
		}
	}
	const out: string[] = [];
	let quantity = false;
	for (let k = 0; k < toks.length; k++) {
		const t = toks[k];
		const prev = out.length ? out[out.length - 1] : '';
		if (t.length <= 8 && prev.endsWith(W)) {
			const core = UNITS.has(t) ? t : bare(t);
			if (UNITS.has(core) || UNITS.has(core.toLowerCase())) {
				// `12 KB,` is one value `<*>,`
				out[out.length - 1] = prev + t.slice(t.indexOf(core) + core.length);
				quantity = true;
				continue;
			}
		}
		if (quantity && prev === W && t === OPEN_W) {
			// `3 bytes (3 KB)`: the bracketed restatement of a quantity is part of it
			const next = k + 1 < toks.length ? toks[k + 1] : '';
			if (next.endsWith(')') && UNITS.has(bare(next).toLowerCase())) { k++; quantity = false; continue; }
		}
		if (quantity && prev === W && t === PAREN_W) { quantity = false; continue; }
		quantity = false;
		if (t === W && prev === W) continue;
		out.push(t);
	}
	return out;
}

