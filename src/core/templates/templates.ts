import { stripAnsi } from '../ansi';
import { withoutServicePrefix } from '../exceptions';
import { ByteMasker, fnv1a } from './templateBytes';
import { isClosePunct, isStructural, maskedTokens, WILDCARD } from './templateMask';

export { maskedTokens, maskToken, WILDCARD } from './templateMask';

const W = WILDCARD;

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

/** A live template as another miner absorbs it (`exportTemplates` → `absorb`). */
export interface MinedTemplate {
	id: number;
	/** The masked tokens (`<*>` for variables); empty for a traceback group. */
	tokens: string[];
	/** A traceback group's text. */
	text?: string;
	count: number;
}

/** Roots scanned per length bucket when a new message shape arrives; bounds the cost on odd logs. */
const MAX_SCAN = 4000;

const FRAME_RE = /^\s*File "([^"]*)", line (\d+), in (\S.*?)\s*$/;
const EXC_RE = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Group|[A-Z]\w*))(?::\s|:$|$)/;

/**
 * Finds the exception type and the raising frame of the last Python traceback in an entry's text,
 * or undefined when the text holds no traceback.
 */
export function tracebackKey(entryText: string): TracebackKey | undefined {
	const lines = withoutServicePrefix(entryText.split(/\r?\n/));
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
	/** Exact masked message → the id it got, so repeated shapes cost one lookup. */
	private readonly shapes = new ShapeCache();
	/** Masks messages given as bytes (`addBytes`) without building strings. */
	private readonly masker = new ByteMasker();
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
		// Colour codes are no part of a message's shape.
		if (message.indexOf('\x1b') >= 0) message = stripAnsi(message);
		return this.addTokens(maskedTokens(message));
	}

	/**
	 * `add` for a message given as UTF-8 bytes `buf[s, e)`: masked straight from the bytes, and a
	 * shape seen before costs no string at all. Same ids as `add` of the decoded text.
	 */
	addBytes(buf: Uint8Array, s: number, e: number): number {
		const m = this.masker;
		if (!m.mask(buf, s, e)) return this.add(Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8'));
		// The masker's memo remembers the shape id of a key it answered before (until the shape cache evicts).
		const k = m.memoEntry;
		let id = k >= 0 ? m.memoShape(k, this.shapes.generation) : -1;
		if (id >= 0) { this.clusters[this.resolve(id)].count++; return id; }
		id = this.shapes.get(m.keyBuf, m.keyStart, m.keyLen, m.keyHash);
		if (id >= 0) this.clusters[this.resolve(id)].count++;
		else id = this.addShape(m.tokens(), m.keyBuf.slice(m.keyStart, m.keyStart + m.keyLen));
		if (k >= 0) m.setMemoShape(k, id, this.shapes.generation);
		return id;
	}

	/** Adds an already masked token sequence (see `maskedTokens`). */
	addTokens(toks: string[]): number {
		const key = Buffer.from(toks.join(' '), 'utf8');
		const hit = this.shapes.get(key, 0, key.length, fnv1a(key, key.length));
		if (hit >= 0) { this.clusters[this.resolve(hit)].count++; return hit; }
		return this.addShape(toks, key);
	}

	/** A masked message whose exact shape is not cached: match it or make a new template. */
	private addShape(toks: string[], key: Uint8Array, count = 1): number {
		if (this.shapes.size >= this.cacheSize) {
			// forget the oldest shapes; they still match their (only more general) templates
			this.shapes.evictOldest(this.cacheSize >> 3);
		}
		let list = this.buckets.get(toks.length);
		if (!list) { list = []; this.buckets.set(toks.length, list); }
		const best = this.match(toks, list);
		if (best) { best.count += count; this.shapes.set(key, best.id); return best.id; }
		const c: Cluster = { id: this.clusters.length, tokens: toks, count, parent: this.clusters.length };
		this.clusters.push(c);
		list.push(c);
		this.shapes.set(key, c.id);
		this.mergeAround(c, list);
		return c.id;
	}

	/** Live templates in the order they were made (for another miner to `absorb`). */
	exportTemplates(): MinedTemplate[] {
		const out: MinedTemplate[] = [];
		for (const c of this.clusters) if (c.parent === c.id) out.push({ id: c.id, tokens: c.tokens.slice(), text: c.text, count: c.count });
		return out;
	}

	/**
	 * Adds a template another miner learned (of another part of the same file), with all its
	 * messages: matched and merged here like a message of that shape. Returns its id here.
	 */
	absorb(t: MinedTemplate): number {
		if (t.text !== undefined) {
			const key = '\u0001' + t.text;
			const hit = this.byTraceback.get(key);
			if (hit !== undefined) { this.clusters[this.resolve(hit)].count += t.count; return hit; }
			const id = this.clusters.length;
			this.clusters.push({ id, tokens: [], count: t.count, parent: id, text: t.text });
			this.byTraceback.set(key, id);
			return id;
		}
		const key = Buffer.from(t.tokens.join(' '), 'utf8');
		const hit = this.shapes.get(key, 0, key.length, fnv1a(key, key.length));
		if (hit >= 0) { this.clusters[this.resolve(hit)].count += t.count; return hit; }
		return this.addShape(t.tokens.slice(), key, t.count);
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

/** One cached shape: its key bytes, the id it got, the next entry with the same hash. */
interface ShapeEntry {
	hash: number;
	key: Uint8Array;
	id: number;
	next: ShapeEntry | null;
}

/**
 * Masked-message keys (UTF-8 bytes of the tokens joined by blanks) → template id, looked up by
 * bytes so the byte-level masker needs no string; forgets its oldest keys first, like a Map.
 */
class ShapeCache {
	private readonly table = new Map<number, ShapeEntry>();
	/** Entries in insertion order from `head`. */
	private order: ShapeEntry[] = [];
	private head = 0;
	size = 0;
	/** Bumped whenever keys are forgotten: an id noted for a key elsewhere is valid only within one generation. */
	generation = 0;

	/** The id of the key `buf[s, s + len)` whose `fnv1a` is `h`; -1 when absent. */
	get(buf: Uint8Array, s: number, len: number, h: number): number {
		for (let x: ShapeEntry | null = this.table.get(h) ?? null; x !== null; x = x.next) {
			const k = x.key;
			if (k.length !== len) continue;
			let i = 0;
			while (i < len && k[i] === buf[s + i]) i++;
			if (i === len) return x.id;
		}
		return -1;
	}

	/** Adds a key that is not present (`key` is kept, not copied). */
	set(key: Uint8Array, id: number, hash = fnv1a(key, key.length)): void {
		const entry: ShapeEntry = { hash, key, id, next: this.table.get(hash) ?? null };
		this.table.set(hash, entry);
		this.order.push(entry);
		this.size++;
	}

	/** Forgets the `n` oldest keys (all of them when `n` < 1, as the Map-based cache did). */
	evictOldest(n: number): void {
		this.generation++;
		let drop = n < 1 ? this.size : n;
		while (drop-- > 0 && this.head < this.order.length) {
			const x = this.order[this.head++];
			let p: ShapeEntry | null = this.table.get(x.hash) ?? null;
			if (p === x) {
				if (x.next === null) this.table.delete(x.hash);
				else this.table.set(x.hash, x.next);
			} else {
				while (p !== null && p.next !== x) p = p.next;
				if (p !== null) p.next = x.next;
			}
			this.size--;
		}
		if (this.head > this.order.length >> 1) {
			this.order = this.order.slice(this.head);
			this.head = 0;
		}
	}
}
