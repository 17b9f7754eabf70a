export const WILDCARD = '<*>';

const W = WILDCARD;

function isDigit(c: number): boolean { return c >= 48 && c <= 57; }
function isAlnum(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}
function isHexish(c: number): boolean {
	return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 120 || c === 88;
}
/** Brackets and quotes that wrap a value: kept around `<*>` so `[1.2.3.4]` → `[<*>]`. */
function isOpenPunct(c: number): boolean { return c === 40 || c === 91 || c === 123 || c === 34 || c === 39; }
function isClosePunct(c: number): boolean {
	return c === 41 || c === 93 || c === 125 || c === 44 || c === 59 || c === 58 || c === 46 || c === 33 || c === 63 || c === 34 || c === 39;
}
/** Characters that separate a name from a value inside one token (`key=v`, `name:v`, `f(v)`, `a[v]`). */
function isStructural(c: number): boolean {
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

const MONTHS_DAYS = new Set(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
	'january', 'february', 'march', 'april', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
	'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
const UNITS = new Set(['b', 'kb', 'mb', 'gb', 'tb', 'kib', 'mib', 'gib', 'tib', 'byte', 'bytes', 'ms', 'msec', 'msecs', 's', 'sec', 'secs',
	'second', 'seconds', 'us', 'µs', 'ns', 'min', 'mins', 'minute', 'minutes', 'h', 'hr', 'hrs', 'hour', 'hours', 'day', 'days', '%',
	'kb/s', 'mb/s', 'gb/s', 'kbps', 'mbps', 'gbps', 'hz', 'khz', 'mhz', 'ghz']);

function bare(t: string): string {
	let a = 0; let b = t.length;
	while (a < b && isOpenPunct(t.charCodeAt(a))) a++;
	while (b > a && isClosePunct(t.charCodeAt(b - 1))) b--;
	return a === 0 && b === t.length ? t : t.slice(a, b);
}

/** First letters of month and weekday names, to skip the set lookup for most words. */
const DATE_INITIALS = new Set([...'JFMASONDTWjfmasondtw'].map((ch) => ch.charCodeAt(0)));

const OPEN_W = '(' + W;
const PAREN_W = '(' + W + ')';

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

/** A template cluster; merged clusters point at the survivor through `parent` (union-find). */
interface Cluster {
	readonly id: number;
	/** Masked tokens; `<*>` or tokens containing `<*>` are variable. */
	tokens: string[];
	count: number;
	parent: number;
	/** Set for traceback groups, whose text is not a token sequence. */
	text?: string;
}

/** Exception type and raising frame of a Python traceback: what groups traceback entries. */
export interface TracebackKey {
	/** `ValueError`, `requests.exceptions.HTTPError`. */
	exceptionType: string;
	/** The last frame before the exception line: `File "app.py", line 12, in parse`. */
	raisingFrame: string;
}

export interface TemplateMinerOptions {
	/**
	 * Share of the positions (constant in either of two clusters) that must stay constant for them
	 * to merge, 0..1. Default 0.5; a different first token always needs 0.75.
	 */
	similarity?: number;
	/** How many clusters differing at one position it takes to call that position variable. Default 3. */
	evidence?: number;
	/** Distinct masked messages remembered for the exact-match fast path. Default 200 000. */
	cacheSize?: number;
}

/** One mined template, as listed by `TemplateMiner.templates()`. */
export interface TemplateInfo { id: number; template: string; count: number; }

/** Roots scanned per length bucket when a new message shape arrives; bounds the cost on odd logs. */
const MAX_SCAN = 4000;

const FRAME_RE = /^\s*File "([^"]*)", line (\d+), in (\S.*?)\s*$/;
const EXC_RE = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Group|[A-Z]\w*))(?::\s|:$|$)/;

/**
 * Finds the exception type and the raising frame of the last Python traceback in an entry's text,
 * or undefined when the text holds no traceback.
 */
export function tracebackKey(entryText: string): TracebackKey | undefined {
	const lines = entryText.split(/\r?\n/);
	let frame: string | undefined;
	let found: TracebackKey | undefined;
	for (const line of lines) {
		const f = FRAME_RE.exec(line);
		if (f) { frame = `File "${f[1]}", line ${f[2]}, in ${f[3]}`; continue; }
		if (frame === undefined || line.length === 0 || line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) continue;
		const e = EXC_RE.exec(line);
		if (e) { found = { exceptionType: e[1], raisingFrame: frame }; frame = undefined; }
	}
	return found;
}

/** Whether message token `x` is an instance of template token `t`. */
function tokenMatches(t: string, x: string): boolean {
	if (t === x || t === W) return true;
	const w = t.indexOf(W);
	if (w < 0 || x.length <= t.length - W.length || t.indexOf(W, w + W.length) >= 0) return false;
	for (let i = 0; i < w; i++) if (t.charCodeAt(i) !== x.charCodeAt(i)) return false;
	for (let i = t.length - 1, j = x.length - 1; i >= w + W.length; i--, j--) if (t.charCodeAt(i) !== x.charCodeAt(j)) return false;
	return true;
}

/** The most specific token covering both: `rhost=a.org` and `rhost=<*>` → `rhost=<*>`; else `<*>`. */
function generalise(a: string, b: string): string {
	if (a === b) return a;
	if (a === W || b === W) return W;
	let p = 0;
	const n = Math.min(a.length, b.length);
	while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
	// cut back to a delimiter so `abc` / `abd` is `<*>`, not `ab<*>`
	while (p > 0 && !isStructural(a.charCodeAt(p - 1)) && a.charCodeAt(p - 1) !== 61) p--;
	let q = 0;
	while (q < n - p && a.charCodeAt(a.length - 1 - q) === b.charCodeAt(b.length - 1 - q)) q++;
	while (q > 0 && !isStructural(a.charCodeAt(a.length - q)) && !isClosePunct(a.charCodeAt(a.length - q))) q--;
	if (p === 0 && q === 0) return W;
	const pre = a.slice(0, p); const suf = a.slice(a.length - q);
	if (pre.indexOf(W) >= 0 || suf.indexOf(W) >= 0) return W;
	return pre + W + suf;
}

/**
 * Online template miner. Each message is masked (numbers, ids, addresses, paths, assignments …
 * become `<*>`), then matched against the templates of the same token count. A message shape that
 * matches none becomes a new template; templates merge as the data shows which positions vary:
 * when enough templates differ at exactly one position, or when one has a variable where another
 * has a constant. Ids never change meaning: a merged id resolves to the survivor (`resolve`).
 */
export class TemplateMiner {
	private readonly clusters: Cluster[] = [];
	/** Exact masked message → the id it got, so repeated shapes cost one map lookup. */
	private readonly byKey = new Map<string, number>();
	private readonly byTraceback = new Map<string, number>();
	/** Live (unmerged) clusters per token count. */
	private readonly buckets = new Map<number, Cluster[]>();
	private readonly evidence: number;
	private readonly minConst: number;
	private readonly cacheSize: number;

	constructor(opts: TemplateMinerOptions = {}) {
		this.evidence = Math.max(2, opts.evidence ?? 3);
		this.minConst = opts.similarity ?? 0.5;
		this.cacheSize = opts.cacheSize ?? 200_000;
	}

	/**
	 * Adds one message (the part after the header) and returns its template id. Entries with a
	 * Python traceback group by exception type and raising frame when `traceback` is given.
	 */
	add(message: string, traceback?: TracebackKey): number {
		if (traceback) return this.addTraceback(traceback);
		return this.addTokens(maskedTokens(message));
	}

	/** Adds an already masked token sequence (see `maskedTokens`). */
	addTokens(toks: string[]): number {
		const key = toks.join(' ');
		const hit = this.byKey.get(key);
		if (hit !== undefined) { this.clusters[this.resolve(hit)].count++; return hit; }
		if (this.byKey.size >= this.cacheSize) {
			// forget the oldest shapes; they still match their (only more general) templates
			let drop = this.cacheSize >> 3;
			for (const k of this.byKey.keys()) { this.byKey.delete(k); if (--drop === 0) break; }
		}
		let list = this.buckets.get(toks.length);
		if (!list) { list = []; this.buckets.set(toks.length, list); }
		const best = this.match(toks, list);
		if (best) { best.count++; this.byKey.set(key, best.id); return best.id; }
		const c: Cluster = { id: this.clusters.length, tokens: toks, count: 1, parent: this.clusters.length };
		this.clusters.push(c);
		list.push(c);
		this.byKey.set(key, c.id);
		this.mergeAround(c, list);
		return c.id;
	}

	/** The live cluster whose template covers `toks` with the most constant tokens. */
	private match(toks: string[], list: Cluster[]): Cluster | undefined {
		let best: Cluster | undefined; let bestConst = -1;
		const from = Math.max(0, list.length - MAX_SCAN);
		for (let j = list.length - 1; j >= from; j--) {
			const c = list[j];
			let ok = true; let nconst = 0;
			for (let i = 0; i < toks.length; i++) {
				const t = c.tokens[i];
				if (t === W) continue;
				if (t !== toks[i] && !tokenMatches(t, toks[i])) { ok = false; break; }
				nconst++;
			}
			if (ok && nconst > bestConst) { best = c; bestConst = nconst; }
		}
		return best;
	}

	private addTraceback(tb: TracebackKey): number {
		const key = tb.exceptionType + '\u0000' + tb.raisingFrame;
		const hit = this.byTraceback.get(key);
		if (hit !== undefined) { this.clusters[this.resolve(hit)].count++; return hit; }
		const id = this.clusters.length;
		this.clusters.push({ id, tokens: [], count: 1, parent: id, text: `${tb.exceptionType} <*> (raised at ${tb.raisingFrame})` });
		this.byTraceback.set(key, id);
		return id;
	}

	/** Merges `c` with live clusters of its bucket that the data shows to be the same template. */
	private mergeAround(c: Cluster, list: Cluster[]): void {
		for (;;) {
			const n = c.tokens.length;
			let group: Cluster[] = [];
			const byPos = new Map<number, Cluster[]>();
			const from = Math.max(0, list.length - MAX_SCAN);
			for (let j = from; j < list.length; j++) {
				const o = list[j];
				if (o === c) continue;
				let diff = -1; let ndiff = 0;
				for (let i = 0; i < n; i++) {
					const a = c.tokens[i]; const b = o.tokens[i];
					if (a === b || a === W || b === W || tokenMatches(a, b) || tokenMatches(b, a)) continue;
					diff = i;
					if (++ndiff > 1) break;
				}
				if (ndiff === 0) group.push(o);
				else if (ndiff === 1) { let l = byPos.get(diff); if (!l) { l = []; byPos.set(diff, l); } l.push(o); }
			}
			// enough distinct values at one position make it a variable
			for (const l of byPos.values()) if (l.length + 1 >= this.evidence) group = group.concat(l);
			group = group.filter((o) => {
				const [k, m] = constAfter(c, o);
				// a different first word usually names a different event, so it needs more agreement
				const need = c.tokens[0] !== o.tokens[0] ? 0.75 : this.minConst;
				return k >= 2 && k >= need * m;
			});
			if (group.length === 0) return;
			for (const o of group) this.union(c, o);
			let w = 0;
			for (let j = 0; j < list.length; j++) if (list[j].parent === list[j].id) list[w++] = list[j];
			list.length = w;
			c = this.clusters[this.resolve(c.id)];
		}
	}

	private union(a: Cluster, b: Cluster): void {
		const ra = this.clusters[this.resolve(a.id)]; const rb = this.clusters[this.resolve(b.id)];
		if (ra === rb) return;
		// the older id survives, so the ids users saw first stay the canonical ones
		const [keep, gone] = ra.id < rb.id ? [ra, rb] : [rb, ra];
		for (let i = 0; i < keep.tokens.length; i++) keep.tokens[i] = generalise(keep.tokens[i], gone.tokens[i]);
		keep.count += gone.count;
		gone.parent = keep.id;
	}

	/** The surviving id for `id` after merges (itself when it was never merged). */
	resolve(id: number): number {
		let c = this.clusters[id];
		if (!c) throw new RangeError(`unknown template id ${id}`);
		while (c.parent !== c.id) {
			const up = this.clusters[c.parent];
			if (up.parent !== up.id) c.parent = up.parent; // path halving
			c = up;
		}
		return c.id;
	}

	/** The current template text of `id`, `<*>` marking variables. */
	template(id: number): string {
		const c = this.clusters[this.resolve(id)];
		return c.text ?? c.tokens.join(' ');
	}

	/** Messages added under `id` and every id merged with it. */
	count(id: number): number { return this.clusters[this.resolve(id)].count; }

	/** Live templates, most frequent first (ties: older first). */
	templates(): TemplateInfo[] {
		const out: TemplateInfo[] = [];
		for (const c of this.clusters) if (c.parent === c.id) out.push({ id: c.id, template: c.text ?? c.tokens.join(' '), count: c.count });
		return out.sort((x, y) => y.count - x.count || x.id - y.id);
	}
}

/** Constant positions kept by merging a and b, and positions constant in either (both-variable ones say nothing). */
function constAfter(a: Cluster, b: Cluster): [number, number] {
	let k = 0; let m = 0;
	for (let i = 0; i < a.tokens.length; i++) {
		const x = a.tokens[i]; const y = b.tokens[i];
		if (x === W && y === W) continue;
		m++;
		if (x === y) k++;
	}
	return [k, m];
}
