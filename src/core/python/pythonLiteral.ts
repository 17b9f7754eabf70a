// Enough of Python's expression syntax to read logging configurations out of source files without
// running them: a tokenizer that knows Python's string literals, an expression parser, and a
// best-effort evaluator for literals, module-level names and the usual path-building calls
// (`os.path.join(BASE_DIR, 'logs')`, `BASE_DIR / 'app.log'`). Anything else evaluates to an
// `Unresolved` marker carrying its source text.

/** A value the evaluator could not work out statically; `source` is the expression's text. */
export class Unresolved {
	constructor(readonly source: string) {}
}

/** A pathlib.Path-like value (kept apart from str so `/` can join it). */
export class PyPath {
	constructor(readonly path: string) {}
}

/** What evaluation yields: plain JS values for Python literals, or markers. */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue } | PyPath | Unresolved;

/** A token of Python source. */
export interface PyToken {
	kind: 'str' | 'num' | 'name' | 'op' | 'newline' | 'eof';
	/** Decoded string value, number text, name or operator. */
	value: string;
	start: number;
	end: number;
	/** String prefix letters, lower case (`r`, `f`, `rb`, …). */
	prefix?: string;
	/** True for the first token of a logical line that starts at column 0. */
	atLineStart?: boolean;
	/** Indentation (columns) of the logical line a line-starting token begins. */
	indent?: number;
}

const OPS3 = ['**=', '//=', '>>=', '<<=', '...'];
const OPS2 = ['**', '//', '==', '!=', '<=', '>=', '->', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', ':=', '<<', '>>'];

function decodeEscapes(s: string): string {
	return s.replace(/\\(?:(\n)|([\\'"abfnrtv])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{1,3})|N\{[^}]*\})/g,
		(all, nl: string | undefined, c: string | undefined, x: string | undefined, u: string | undefined, U: string | undefined, o: string | undefined) => {
			if (nl) return '';
			if (c) return ({ a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' } as Record<string, string>)[c] ?? c;
			const hex = x ?? u ?? U;
			if (hex) return String.fromCodePoint(parseInt(hex, 16));
			if (o) return String.fromCharCode(parseInt(o, 8));
			return all;
		});
}

/** Tokenizes Python source (comments dropped, newlines inside brackets joined). */
export function tokenizePython(src: string): PyToken[] {
	const out: PyToken[] = [];
	let i = 0;
	let depth = 0;
	let lineStart = true;
	let indent = 0;
	const n = src.length;
	while (i < n) {
		if (lineStart && depth === 0) {
			// Measure indentation of the new logical line.
			let j = i;
			let col = 0;
			while (j < n && (src[j] === ' ' || src[j] === '\t')) {
				col += src[j] === '\t' ? 8 - (col % 8) : 1;
				j++;
			}
			if (j < n && src[j] !== '\n' && src[j] !== '\r' && src[j] !== '#') indent = col;
			i = j;
			if (i >= n) break;
		}
		const c = src[i]!;
		if (c === '#') {
			while (i < n && src[i] !== '\n') i++;
			continue;
		}
		if (c === '\n' || c === '\r') {
			if (depth === 0 && out.length && out[out.length - 1]!.kind !== 'newline') out.push({ kind: 'newline', value: '\n', start: i, end: i + 1 });
			i++;
			lineStart = true;
			continue;
		}
		if (c === ' ' || c === '\t' || c === '\f') {
			i++;
			continue;
		}
		if (c === '\\' && (src[i + 1] === '\n' || src[i + 1] === '\r')) {
			i += src[i + 1] === '\r' && src[i + 2] === '\n' ? 3 : 2;
			continue;
		}
		const first = lineStart && depth === 0;
		lineStart = false;
		const push = (t: PyToken): void => {
			if (first) {
				t.atLineStart = indent === 0;
				t.indent = indent;
			}
			out.push(t);
		};
		// Strings, with optional prefix letters.
		const sm = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
		if (sm && /^(?:|[rR]|[bB]|[uU]|[fF]|[rR][bBfF]|[bBfF][rR])$/.test(sm[1]!)) {
			const prefix = sm[1]!.toLowerCase();
			const q = sm[2]!;
			let j = i + sm[0].length;
			const raw = prefix.includes('r');
			let body = '';
			while (j < n) {
				if (src.startsWith(q, j)) break;
				if (src[j] === '\\' && j + 1 < n) {
					body += src[j]! + src[j + 1]!;
					j += 2;
					continue;
				}
				if (q.length === 1 && src[j] === '\n') break;
				body += src[j]!;
				j++;
			}
			const end = Math.min(n, j + q.length);
			push({ kind: 'str', value: raw ? body : decodeEscapes(body), start: i, end, prefix });
			i = end;
			continue;
		}
		const num = /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?[jJ]?)/.exec(src.slice(i, i + 64));
		if (num && /\d/.test(num[0])) {
			push({ kind: 'num', value: num[0], start: i, end: i + num[0].length });
			i += num[0].length;
			continue;
		}
		const name = /^[A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*/.exec(src.slice(i, i + 256));
		if (name) {
			push({ kind: 'name', value: name[0], start: i, end: i + name[0].length });
			i += name[0].length;
			continue;
		}
		const three = src.slice(i, i + 3);
		const two = src.slice(i, i + 2);
		const op = OPS3.includes(three) ? three : OPS2.includes(two) ? two : c;
		if ('([{'.includes(op)) depth++;
		else if (')]}'.includes(op)) depth = Math.max(0, depth - 1);
		push({ kind: 'op', value: op, start: i, end: i + op.length });
		i += op.length;
	}
	out.push({ kind: 'eof', value: '', start: n, end: n });
	return out;
}

/** Expression tree of the subset we read. */
export type PyNode =
	| { k: 'str'; v: string; fstring: boolean; start: number; end: number }
	| { k: 'num'; v: number; start: number; end: number }
	| { k: 'const'; v: boolean | null; start: number; end: number }
	| { k: 'name'; id: string; start: number; end: number }
	| { k: 'attr'; obj: PyNode; name: string; start: number; end: number }
	| { k: 'call'; func: PyNode; args: PyNode[]; kwargs: [string, PyNode][]; start: number; end: number }
	| { k: 'sub'; obj: PyNode; index: PyNode; start: number; end: number }
	| { k: 'dict'; entries: ([PyNode, PyNode] | PyNode)[]; start: number; end: number }
	| { k: 'list' | 'tuple' | 'set'; items: PyNode[]; start: number; end: number }
	| { k: 'bin'; op: string; l: PyNode; r: PyNode; start: number; end: number }
	| { k: 'unary'; op: string; v: PyNode; start: number; end: number }
	| { k: 'other'; start: number; end: number };

const BINARY: Record<string, number> = {
	'or': 1, 'and': 2, '==': 4, '!=': 4, '<': 4, '>': 4, '<=': 4, '>=': 4, 'in': 4, 'is': 4,
	'|': 5, '^': 6, '&': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '//': 10, '%': 10, '@': 10, '**': 12,
};

/** Recursive-descent parser over tokens; `pos` moves as it reads. */
export class PyParser {
	pos: number;
	constructor(readonly src: string, readonly toks: PyToken[], pos = 0) {
		this.pos = pos;
	}

	private peek(o = 0): PyToken {
		return this.toks[Math.min(this.pos + o, this.toks.length - 1)]!;
	}

	private isOp(v: string, o = 0): boolean {
		const t = this.peek(o);
		return t.kind === 'op' && t.value === v;
	}

	/** Skips to the end of the current expression (a `,` or closer at depth 0), for what we can't read. */
	private skipExpr(start: number): PyNode {
		let depth = 0;
		while (this.peek().kind !== 'eof') {
			const t = this.peek();
			if (t.kind === 'newline' && depth === 0) break;
			if (t.kind === 'op') {
				if ('([{'.includes(t.value)) depth++;
				else if (')]}'.includes(t.value)) {
					if (depth === 0) break;
					depth--;
				} else if ((t.value === ',' || t.value === ':') && depth === 0) break;
			}
			this.pos++;
		}
		return { k: 'other', start, end: this.toks[this.pos - 1]?.end ?? start };
	}

	/** Parses one expression (no bare tuples; `x if c else y` and lambdas become `other`). */
	expr(): PyNode {
		const start = this.peek().start;
		if (this.peek().kind === 'name' && this.peek().value === 'lambda') return this.skipExpr(start);
		const e = this.binary(0);
		if (this.peek().kind === 'name' && this.peek().value === 'if') return this.skipExpr(start);
		return e;
	}

	private binary(minPrec: number): PyNode {
		let left = this.unary();
		for (;;) {
			const t = this.peek();
			let op = t.kind === 'op' || (t.kind === 'name' && ['or', 'and', 'in', 'is'].includes(t.value)) ? t.value : '';
			if (t.kind === 'name' && t.value === 'not' && this.peek(1).value === 'in') op = 'in';
			const prec = BINARY[op];
			if (prec === undefined || prec <= minPrec - (op === '**' ? 1 : 0) || prec < minPrec) break;
			this.pos += t.value === 'not' ? 2 : 1;
			const right = this.binary(op === '**' ? prec : prec + 1);
			left = { k: 'bin', op, l: left, r: right, start: left.start, end: right.end };
		}
		return left;
	}

	private unary(): PyNode {
		const t = this.peek();
		if ((t.kind === 'op' && (t.value === '-' || t.value === '+' || t.value === '~')) || (t.kind === 'name' && t.value === 'not')) {
			this.pos++;
			const v = this.unary();
			return { k: 'unary', op: t.value, v, start: t.start, end: v.end };
		}
		return this.postfix(this.atom());
	}

	private postfix(node: PyNode): PyNode {
		for (;;) {
			if (this.isOp('.') && this.peek(1).kind === 'name') {
				const name = this.peek(1);
				this.pos += 2;
				node = { k: 'attr', obj: node, name: name.value, start: node.start, end: name.end };
			} else if (this.isOp('(')) {
				node = this.callArgs(node);
			} else if (this.isOp('[')) {
				this.pos++;
				const index = this.expr();
				while (!this.isOp(']') && this.peek().kind !== 'eof') this.pos++;
				const end = this.peek().end;
				this.pos++;
				node = { k: 'sub', obj: node, index, start: node.start, end };
			} else return node;
		}
	}

	/** Reads `( … )` after `func`, positional and keyword arguments. */
	callArgs(func: PyNode): PyNode {
		this.pos++; // (
		const args: PyNode[] = [];
		const kwargs: [string, PyNode][] = [];
		while (!this.isOp(')') && this.peek().kind !== 'eof') {
			if (this.peek().kind === 'name' && this.isOp('=', 1)) {
				const key = this.peek().value;
				this.pos += 2;
				kwargs.push([key, this.expr()]);
			} else if (this.isOp('*') || this.isOp('**')) {
				const star = this.peek();
				this.pos++;
				const v = this.expr();
				kwargs.push([star.value, v]);
			} else {
				const e = this.expr();
				// A generator expression argument: not something we evaluate.
				if (this.peek().kind === 'name' && this.peek().value === 'for') args.push(this.skipExpr(e.start));
				else args.push(e);
			}
			if (this.isOp(',')) this.pos++;
			else if (!this.isOp(')')) {
				this.skipExpr(this.peek().start);
				if (this.isOp(',')) this.pos++;
			}
		}
		const end = this.peek().end;
		this.pos++;
		return { k: 'call', func, args, kwargs, start: func.start, end };
	}

	private atom(): PyNode {
		const t = this.peek();
		if (t.kind === 'str') {
			// Implicit concatenation of adjacent literals; plain parts next to an f-string get their
			// braces doubled so the whole reads as one f-string template.
			const parts: { v: string; f: boolean }[] = [];
			let end = t.end;
			while (this.peek().kind === 'str') {
				const s = this.peek();
				parts.push({ v: s.value, f: (s.prefix ?? '').includes('f') });
				end = s.end;
				this.pos++;
			}
			const fstring = parts.some((p) => p.f);
			const v = parts.map((p) => (fstring && !p.f ? p.v.replace(/[{}]/g, '$&$&') : p.v)).join('');
			return { k: 'str', v, fstring, start: t.start, end };
		}
		if (t.kind === 'num') {
			this.pos++;
			const text = t.value.replace(/_/g, '');
			const v = /^0[xob]/i.test(text) ? Number(text) : parseFloat(text);
			return { k: 'num', v, start: t.start, end: t.end };
		}
		if (t.kind === 'name') {
			this.pos++;
			if (t.value === 'True' || t.value === 'False') return { k: 'const', v: t.value === 'True', start: t.start, end: t.end };
			if (t.value === 'None') return { k: 'const', v: null, start: t.start, end: t.end };
			return { k: 'name', id: t.value, start: t.start, end: t.end };
		}
		if (t.kind === 'op' && (t.value === '(' || t.value === '[' || t.value === '{')) return this.display(t);
		return this.skipExpr(t.start);
	}

	/** `( … )`, `[ … ]`, `{ … }`: tuples, lists, sets and dicts (comprehensions become `other`). */
	private display(open: PyToken): PyNode {
		const close = open.value === '(' ? ')' : open.value === '[' ? ']' : '}';
		this.pos++;
		const items: PyNode[] = [];
		const entries: ([PyNode, PyNode] | PyNode)[] = [];
		let isDict = false;
		let sawComma = false;
		let comprehension = false;
		while (!this.isOp(close) && this.peek().kind !== 'eof') {
			if (open.value === '{' && this.isOp('**')) {
				this.pos++;
				entries.push(this.expr());
				isDict = true;
			} else {
				const key = this.isOp('*') ? (this.pos++, this.expr()) : this.expr();
				if (open.value === '{' && this.isOp(':')) {
					this.pos++;
					entries.push([key, this.expr()]);
					isDict = true;
				} else items.push(key);
			}
			if (this.peek().kind === 'name' && this.peek().value === 'for') {
				comprehension = true;
				this.skipExpr(this.peek().start);
			}
			if (this.isOp(',')) {
				sawComma = true;
				this.pos++;
			} else if (!this.isOp(close)) {
				// Something we do not model (a walrus, slices, …): skip it.
				this.pos++;
			}
		}
		const end = this.peek().end;
		this.pos++;
		const start = open.start;
		if (comprehension) return { k: 'other', start, end };
		if (open.value === '{') return isDict || items.length === 0 ? { k: 'dict', entries, start, end } : { k: 'set', items, start, end };
		if (open.value === '[') return { k: 'list', items, start, end };
		if (items.length === 1 && !sawComma) return { ...items[0]!, start, end } as PyNode;
		return { k: 'tuple', items, start, end };
	}
}

/** Parses one expression from source text (e.g. an INI `args=` value). */
export function parsePythonExpression(src: string): PyNode {
	return new PyParser(src, tokenizePython(src)).expr();
}

/** A top-level `NAME = expr` (or annotated `NAME: T = expr`) assignment. */
export interface PyAssignment {
	name: string;
	node: PyNode;
	/** Offset of the statement in the source. */
	start: number;
	/** Indentation of the statement (0 = module level). */
	indent: number;
}

/** Every simple `NAME = expr` assignment in the source, in order. */
export function findAssignments(src: string, toks: PyToken[]): PyAssignment[] {
	const out: PyAssignment[] = [];
	for (let i = 0; i < toks.length; i++) {
		const t = toks[i]!;
		if (t.kind !== 'name' || t.indent === undefined) continue;
		let j = i + 1;
		if (toks[j]?.kind === 'op' && toks[j]!.value === ':') {
			// Annotation: skip to `=` on the same line.
			while (j < toks.length && toks[j]!.kind !== 'newline' && !(toks[j]!.kind === 'op' && toks[j]!.value === '=')) j++;
		}
		if (toks[j]?.kind !== 'op' || toks[j]!.value !== '=') continue;
		const p = new PyParser(src, toks, j + 1);
		out.push({ name: t.value, node: p.expr(), start: t.start, indent: t.indent });
	}
	return out;
}

/** Names available to the evaluator: assignments seen so far, plus `__file__`. */
export interface PyScope {
	/** Source text (for `Unresolved.source`). */
	src: string;
	/** Path of the file (for `__file__`), `/`-separated. */
	file: string;
	/** Latest assignment node for a name at a given offset (before `at`). */
	lookup(name: string, at: number): PyNode | undefined;
}

/** Builds a scope from a file's assignments (the last one before the use wins). */
export function scopeOf(src: string, file: string, assignments: PyAssignment[]): PyScope {
	const byName = new Map<string, PyAssignment[]>();
	for (const a of assignments) {
		const list = byName.get(a.name) ?? [];
		list.push(a);
		byName.set(a.name, list);
	}
	return {
		src,
		file,
		lookup(name, at) {
			const list = byName.get(name);
			if (!list) return undefined;
			let best: PyAssignment | undefined;
			for (const a of list) if (a.start < at) best = a;
			return (best ?? list[0])?.node;
		},
	};
}

function dirname(p: string): string {
	const i = p.replace(/\/+$/, '').lastIndexOf('/');
	return i < 0 ? '.' : i === 0 ? '/' : p.slice(0, i);
}

function joinPath(a: string, b: string): string {
	if (b.startsWith('/') || /^[A-Za-z]:[\\/]/.test(b)) return b;
	if (!a || a === '.') return b;
	return a.endsWith('/') ? a + b : a + '/' + b;
}

function dotted(n: PyNode): string | undefined {
	if (n.k === 'name') return n.id;
	if (n.k === 'attr') {
		const o = dotted(n.obj);
		return o === undefined ? undefined : o + '.' + n.name;
	}
	return undefined;
}

/** The dotted name a call's function is (`logging.config.dictConfig`), if it is one. */
export function calleeName(n: PyNode): string | undefined {
	return n.k === 'call' ? dotted(n.func) : undefined;
}

function asText(v: PyValue): string | undefined {
	if (typeof v === 'string') return v;
	if (v instanceof PyPath) return v.path;
	if (typeof v === 'number') return String(v);
	return undefined;
}

/** `'%s/%s' % (a, b)`: the common `%s`/`%d`/`%(name)s` cases. */
function percentFormat(fmt: string, arg: PyValue): PyValue {
	const args = Array.isArray(arg) ? arg : [arg];
	let k = 0;
	let bad = false;
	const out = fmt.replace(/%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdirf%])/g, (all, key: string | undefined, conv: string) => {
		if (conv === '%') return '%';
		const v = key !== undefined && arg && typeof arg === 'object' && !Array.isArray(arg) && !(arg instanceof PyPath) && !(arg instanceof Unresolved) ? arg[key] : args[k++];
		const t = v === undefined ? undefined : asText(v);
		if (t === undefined) {
			bad = true;
			return all;
		}
		return t;
	});
	return bad ? new Unresolved(fmt) : out;
}

/**
 * Evaluates a node to a value: literals, names bound in `scope`, `__file__`, and a handful of
 * path helpers (`os.path.join/dirname/abspath/realpath/expanduser`, `Path(...)`, `.parent`,
 * `.resolve()`, `/`), `str()`, `os.environ.get`/`os.getenv` defaults, `+` and `%` on strings,
 * and f-strings whose pieces resolve. Everything else is `Unresolved`.
 */
export function evaluate(node: PyNode, scope: PyScope, depth = 0): PyValue {
	const un = (): Unresolved => new Unresolved(scope.src.slice(node.start, node.end));
	if (depth > 40) return un();
	const ev = (n: PyNode): PyValue => evaluate(n, scope, depth + 1);
	switch (node.k) {
		case 'str': return node.fstring ? fstring(node.v, node, scope, depth) : node.v;
		case 'num': return node.v;
		case 'const': return node.v;
		case 'list': case 'tuple': case 'set': return node.items.map(ev);
		case 'dict': {
			const out: { [key: string]: PyValue } = {};
			for (const e of node.entries) {
				if (Array.isArray(e)) {
					const k = ev(e[0]);
					const key = typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean' ? String(k) : k === null ? 'None' : undefined;
					if (key !== undefined) out[key] = ev(e[1]);
				} else {
					const spread = ev(e);
					if (spread && typeof spread === 'object' && !Array.isArray(spread) && !(spread instanceof PyPath) && !(spread instanceof Unresolved)) Object.assign(out, spread);
				}
			}
			return out;
		}
		case 'name': {
			if (node.id === '__file__') return scope.file;
			const bound = scope.lookup(node.id, node.start);
			if (!bound || bound === node) return un();
			const v = evaluate(bound, scope, depth + 1);
			return v instanceof Unresolved ? un() : v;
		}
		case 'unary': {
			const v = ev(node.v);
			if (typeof v === 'number' && node.op === '-') return -v;
			if (typeof v === 'number' && node.op === '+') return v;
			return un();
		}
		case 'bin': {
			const l = ev(node.l);
			const r = ev(node.r);
			if (node.op === '/' && (l instanceof PyPath || (typeof l === 'string' && r instanceof PyPath))) {
				const rt = asText(r);
				return rt === undefined ? un() : new PyPath(joinPath(asText(l)!, rt));
			}
			if (typeof l === 'number' && typeof r === 'number') {
				switch (node.op) {
					case '+': return l + r;
					case '-': return l - r;
					case '*': return l * r;
					case '/': return l / r;
					case '//': return Math.floor(l / r);
					case '**': return l ** r;
					case '%': return l % r;
				}
			}
			if (node.op === '+' && typeof l === 'string' && typeof r === 'string') return l + r;
			if (node.op === '%' && typeof l === 'string' && !(r instanceof Unresolved)) return percentFormat(l, r);
			return un();
		}
		case 'attr': {
			const o = ev(node.obj);
			if (o instanceof PyPath) {
				if (node.name === 'parent') return new PyPath(dirname(o.path));
				if (node.name === 'name') return o.path.slice(o.path.lastIndexOf('/') + 1);
			}
			return un();
		}
		case 'call': return evaluateCall(node, scope, depth, un);
		default: return un();
	}
}

function evaluateCall(node: Extract<PyNode, { k: 'call' }>, scope: PyScope, depth: number, un: () => Unresolved): PyValue {
	const ev = (n: PyNode): PyValue => evaluate(n, scope, depth + 1);
	const args = node.args.map(ev);
	const texts = args.map(asText);
	const allText = texts.every((t) => t !== undefined);
	const name = dotted(node.func) ?? '';
	const short = name.replace(/^(?:os\.path|posixpath|pathlib|os)\./, '');
	switch (short) {
		case 'join':
			if (name.endsWith('path.join') && allText && texts.length) return texts.slice(1).reduce<string>((a, b) => joinPath(a, b!), texts[0]!);
			break;
		case 'dirname': if (allText && texts.length === 1) return dirname(texts[0]!); break;
		case 'abspath': case 'realpath': case 'normpath': case 'expanduser': case 'str': case 'fspath':
			if (allText && texts.length === 1) return texts[0]!;
			break;
		case 'Path': case 'PurePath': case 'PosixPath':
			if (allText) return new PyPath(texts.length ? texts.reduce<string>((a, b) => joinPath(a, b!), '') : '.');
			break;
		case 'getenv': case 'environ.get':
			// The environment is unknown; the default is what a developer's run usually sees.
			if (args.length >= 2 && !(args[1] instanceof Unresolved)) return args[1]!;
			break;
	}
	if (node.func.k === 'attr') {
		const recv = ev(node.func.obj);
		const m = node.func.name;
		if (recv instanceof PyPath && ['resolve', 'absolute', 'expanduser'].includes(m)) return recv;
		if (recv instanceof PyPath && m === 'joinpath' && allText) return new PyPath(texts.reduce<string>((a, b) => joinPath(a, b!), recv.path));
		if (typeof recv === 'string' && m === 'format' && node.kwargs.length === 0) {
			let k = 0;
			let bad = false;
			const out = recv.replace(/\{\{|\}\}|\{(\d*)\}/g, (all, idx: string | undefined) => {
				if (all === '{{') return '{';
				if (all === '}}') return '}';
				const t = texts[idx ? +idx : k++];
				if (t === undefined) bad = true;
				return t ?? all;
			});
			if (!bad) return out;
		}
	}
	return un();
}

/** Evaluates an f-string whose replacement fields are simple expressions we can resolve. */
function fstring(template: string, node: PyNode, scope: PyScope, depth: number): PyValue {
	let bad = false;
	const out = template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (all, inner: string | undefined) => {
		if (all === '{{') return '{';
		if (all === '}}') return '}';
		const exprText = inner!.replace(/(?:![rsa])?(?::[^:]*)?$/, '');
		const v = evaluate(parsePythonExpression(exprText), { ...scope, src: exprText, lookup: (n) => scope.lookup(n, node.start) }, depth + 1);
		const t = asText(v);
		if (t === undefined) bad = true;
		return t ?? all;
	});
	return bad ? new Unresolved(scope.src.slice(node.start, node.end)) : out;
}

/** Turns an evaluated value into plain JSON-like data (paths become strings). */
export function toPlain(v: PyValue): PyValue {
	if (v instanceof PyPath) return v.path;
	if (Array.isArray(v)) return v.map(toPlain);
	if (v && typeof v === 'object' && !(v instanceof Unresolved)) {
		const out: { [key: string]: PyValue } = {};
		for (const [k, x] of Object.entries(v)) out[k] = toPlain(x);
		return out;
	}
	return v;
}
