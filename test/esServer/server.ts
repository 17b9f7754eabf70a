// A loopback HTTP test double of the small part of the Elasticsearch REST API that Log Lens uses:
// `GET /` (with the `X-Elastic-Product` header the client's product check requires), `_bulk`
// (NDJSON), index templates, `_search` with sort + search_after, `_count`, `_refresh`. It checks
// every request strictly (NDJSON framing, the `_id`, ECS field types, mapped types of a matching
// template) and can inject faults: whole-request statuses, per-item errors, dropped connections.
// It is a test double, not a product feature, and binds to 127.0.0.1 only.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fault applied to the next bulk request (in arrival order). */
export type BulkFault =
	/** Answer the whole request with this status, indexing nothing. */
	| { kind: 'status'; status: number; retryAfter?: string }
	/** Destroy the socket: `before` reading the body, or `after` indexing it (the client never hears back). */
	| { kind: 'drop'; when: 'before' | 'after' }
	/** Refuse every `every`-th item of the request (1-based positions `every`, 2×`every`, …) with this status. */
	| { kind: 'items'; every: number; status: number; type: string; reason: string };

/** Options of the double. */
export interface EsDoubleOptions {
	/** Require these credentials (401 otherwise). */
	apiKey?: string;
	basic?: { username: string; password: string };
	/** Leave out `X-Elastic-Product` (a server that is not Elasticsearch). Default false. */
	notElasticsearch?: boolean;
	/** Refuse documents for good (a mapping error): return the refusal or undefined to accept. */
	reject?(id: string, source: Record<string, unknown>): { status: number; type: string; reason: string } | undefined;
}

interface StoredDoc {
	source: Record<string, unknown>;
	version: number;
}

/** What the double saw: for assertions. */
export interface EsDoubleStats {
	bulkRequests: number;
	/** Index operations received (retries counted again). */
	itemsReceived: number;
	/** Index operations that overwrote an existing document. */
	overwrites: number;
	faultsApplied: string[];
	/** Sizes (bytes) of every bulk body. */
	bulkBytes: number[];
}

export class EsDouble {
	readonly indices = new Map<string, Map<string, StoredDoc>>();
	readonly templates = new Map<string, Record<string, unknown>>();
	/** Every protocol rule a request broke (a test asserts this stays empty). */
	readonly violations: string[] = [];
	readonly faults: BulkFault[] = [];
	readonly stats: EsDoubleStats = { bulkRequests: 0, itemsReceived: 0, overwrites: 0, faultsApplied: [], bulkBytes: [] };
	readonly requests: string[] = [];
	private server: http.Server | undefined;
	url = '';

	constructor(private readonly opts: EsDoubleOptions = {}) {}

	/** Starts listening on 127.0.0.1 (a free port). */
	async start(): Promise<string> {
		this.server = http.createServer((req, res) => this.handle(req, res));
		await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
		const a = this.server.address() as AddressInfo;
		this.url = `http://127.0.0.1:${a.port}`;
		return this.url;
	}

	async close(): Promise<void> {
		const s = this.server;
		if (!s) return;
		this.server = undefined;
		s.closeAllConnections();
		await new Promise<void>((r) => s.close(() => r()));
	}

	/** Documents of an index (sources by id). */
	docs(index: string): Map<string, Record<string, unknown>> {
		const m = new Map<string, Record<string, unknown>>();
		for (const [id, d] of this.indices.get(index) ?? []) m.set(id, d.source);
		return m;
	}

	private violation(msg: string): void {
		this.violations.push(msg);
	}

	private send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
		const text = body === undefined ? '' : JSON.stringify(body);
		const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
		if (!this.opts.notElasticsearch) h['x-elastic-product'] = 'Elasticsearch';
		res.writeHead(status, h);
		res.end(res.req.method === 'HEAD' ? undefined : text);
	}

	private error(res: http.ServerResponse, status: number, type: string, reason: string, headers: Record<string, string> = {}): void {
		this.send(res, status, { error: { root_cause: [{ type, reason }], type, reason }, status }, headers);
	}

	private authorized(req: http.IncomingMessage): boolean {
		const { apiKey, basic } = this.opts;
		if (!apiKey && !basic) return true;
		const h = req.headers.authorization ?? '';
		if (apiKey && h === `ApiKey ${apiKey}`) return true;
		if (basic && h === `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`) return true;
		return false;
	}

	private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
		const u = new URL(req.url ?? '/', 'http://x');
		const method = req.method ?? 'GET';
		const parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
		this.requests.push(`${method} ${u.pathname}`);
		const isBulk = parts[parts.length - 1] === '_bulk';
		if (isBulk && this.faults[0]?.kind === 'drop' && (this.faults[0] as { when: string }).when === 'before') {
			this.faults.shift();
			this.stats.faultsApplied.push('drop-before');
			req.socket.destroy();
			return;
		}
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			if (!this.authorized(req)) {
				this.error(res, 401, 'security_exception', 'unable to authenticate user [unknown] for REST request [' + u.pathname + ']', { 'www-authenticate': 'Basic realm="security" charset="UTF-8", ApiKey' });
				return;
			}
			try {
				this.route(method, parts, u, body, req, res);
			} catch (e) {
				this.violation(`${method} ${u.pathname}: handler threw ${(e as Error).message}`);
				this.error(res, 500, 'exception', (e as Error).message);
			}
		});
	}

	private json(body: string, what: string): Record<string, unknown> | undefined {
		if (body.trim() === '') return {};
		try {
			const v: unknown = JSON.parse(body);
			if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
		} catch {
			// reported below
		}
		this.violation(`${what}: body is not a JSON object`);
		return undefined;
	}

	private route(method: string, parts: string[], u: URL, body: string, req: http.IncomingMessage, res: http.ServerResponse): void {
		if (parts.length === 0 && (method === 'GET' || method === 'HEAD')) {
			this.send(res, 200, {
				name: 'loopback-double', cluster_name: 'loglens-test', cluster_uuid: 'test-uuid',
				version: { number: '8.19.0', build_flavor: 'default', build_type: 'docker', lucene_version: '9.12.0', minimum_wire_compatibility_version: '7.17.0', minimum_index_compatibility_version: '7.0.0' },
				tagline: 'You Know, for Search',
			});
			return;
		}
		if (parts[0] === '_index_template' && parts.length === 2) {
			const name = parts[1];
			if (method === 'HEAD') return this.send(res, this.templates.has(name) ? 200 : 404, undefined);
			if (method === 'GET') {
				const t = this.templates.get(name);
				if (!t) return this.error(res, 404, 'resource_not_found_exception', `index template matching [${name}] not found`);
				return this.send(res, 200, { index_templates: [{ name, index_template: t }] });
			}
			if (method === 'PUT' || method === 'POST') {
				const t = this.json(body, 'PUT _index_template');
				if (!t) return this.error(res, 400, 'parse_exception', 'request body is required');
				if (!Array.isArray(t.index_patterns) || t.index_patterns.length === 0) {
					this.violation('index template without index_patterns');
					return this.error(res, 400, 'action_request_validation_exception', 'index patterns are missing');
				}
				this.checkMappings((t.template as { mappings?: unknown })?.mappings, 'template');
				this.templates.set(name, t);
				return this.send(res, 200, { acknowledged: true });
			}
		}
		if (parts[parts.length - 1] === '_bulk' && (method === 'POST' || method === 'PUT')) return this.bulk(parts.length === 2 ? parts[0] : undefined, body, req, res);
		if (parts.length === 2 && parts[1] === '_search' && (method === 'POST' || method === 'GET')) return this.search(parts[0], body, res);
		if (parts.length === 2 && parts[1] === '_count' && (method === 'POST' || method === 'GET')) {
			const q = this.json(body, '_count') ?? {};
			const matcher = this.compileQuery(q.query);
			if (!matcher) return this.error(res, 400, 'parsing_exception', 'unsupported query');
			let count = 0;
			for (const [, docs] of this.matchingIndices(parts[0])) for (const d of docs.values()) if (matcher(d.source)) count++;
			return this.send(res, 200, { count, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } });
		}
		if (parts.length === 2 && parts[1] === '_refresh') return this.send(res, 200, { _shards: { total: 1, successful: 1, failed: 0 } });
		if (parts.length === 1 && method === 'DELETE') {
			const had = this.indices.delete(parts[0]);
			return had ? this.send(res, 200, { acknowledged: true }) : this.error(res, 404, 'index_not_found_exception', `no such index [${parts[0]}]`);
		}
		if (parts.length === 1 && method === 'HEAD') return this.send(res, this.indices.has(parts[0]) ? 200 : 404, undefined);
		this.violation(`unsupported request ${method} ${u.pathname}`);
		this.error(res, 400, 'illegal_argument_exception', `the test double does not implement ${method} ${u.pathname}`);
	}

	// ---- bulk ----------------------------------------------------------------------------------

	private bulk(pathIndex: string | undefined, body: string, req: http.IncomingMessage, res: http.ServerResponse): void {
		this.stats.bulkRequests++;
		this.stats.bulkBytes.push(Buffer.byteLength(body));
		const ct = String(req.headers['content-type'] ?? '');
		if (!/ndjson/.test(ct)) this.violation(`_bulk content-type is '${ct}', not NDJSON`);
		if (!body.endsWith('\n')) {
			this.violation('_bulk body does not end with a newline');
			return this.error(res, 400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
		}
		const lines = body.slice(0, -1).split('\n');
		const ops: { index: string; id: string; source: Record<string, unknown> }[] = [];
		for (let i = 0; i < lines.length; i += 2) {
			let action: Record<string, Record<string, unknown>>;
			try {
				action = JSON.parse(lines[i]);
			} catch {
				this.violation(`_bulk line ${i + 1} is not JSON: ${lines[i].slice(0, 80)}`);
				return this.error(res, 400, 'x_content_parse_exception', 'Malformed action/metadata line');
			}
			const keys = Object.keys(action);
			if (keys.length !== 1 || !['index', 'create'].includes(keys[0])) {
				this.violation(`_bulk line ${i + 1}: action must be one 'index' or 'create' key, got ${keys.join(',')}`);
				return this.error(res, 400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}]`);
			}
			const meta = action[keys[0]];
			const id = meta._id;
			const index = (meta._index as string | undefined) ?? pathIndex;
			if (typeof id !== 'string' || id.length === 0 || Buffer.byteLength(id) > 512) this.violation(`_bulk line ${i + 1}: missing or bad _id`);
			if (!index) this.violation(`_bulk line ${i + 1}: no _index`);
			if (i + 1 >= lines.length) {
				this.violation(`_bulk line ${i + 1}: action without a source line`);
				return this.error(res, 400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
			}
			let source: Record<string, unknown>;
			try {
				source = JSON.parse(lines[i + 1]);
			} catch {
				this.violation(`_bulk line ${i + 2}: source is not JSON`);
				return this.error(res, 400, 'x_content_parse_exception', 'Malformed source line');
			}
			if (!source || typeof source !== 'object' || Array.isArray(source)) this.violation(`_bulk line ${i + 2}: source is not an object`);
			for (const p of checkEcs(source, String(id))) this.violation(`_bulk doc ${String(id)}: ${p}`);
			ops.push({ index: String(index), id: String(id), source });
		}
		const fault = this.faults.shift();
		if (fault) this.stats.faultsApplied.push(fault.kind === 'status' ? `status-${fault.status}` : fault.kind === 'drop' ? `drop-${fault.when}` : `items-${fault.status}`);
		if (fault?.kind === 'status') {
			const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
			return this.error(res, fault.status, fault.status === 429 ? 'es_rejected_execution_exception' : 'internal_server_error', `injected ${fault.status}`, headers);
		}
		const items: Record<string, unknown>[] = [];
		let errorsSeen = false;
		ops.forEach((op, k) => {
			this.stats.itemsReceived++;
			let refusal = fault?.kind === 'items' && (k + 1) % fault.every === 0 ? { status: fault.status, type: fault.type, reason: fault.reason } : undefined;
			refusal ??= this.opts.reject?.(op.id, op.source);
			refusal ??= this.mappingError(op.index, op.source);
			if (refusal) {
				errorsSeen = true;
				items.push({ index: { _index: op.index, _id: op.id, status: refusal.status, error: { type: refusal.type, reason: refusal.reason } } });
				return;
			}
			let idx = this.indices.get(op.index);
			if (!idx) this.indices.set(op.index, (idx = new Map()));
			const prev = idx.get(op.id);
			if (prev) this.stats.overwrites++;
			const version = (prev?.version ?? 0) + 1;
			idx.set(op.id, { source: op.source, version });
			items.push({ index: { _index: op.index, _id: op.id, _version: version, result: prev ? 'updated' : 'created', status: prev ? 200 : 201, _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1 } });
		});
		if (fault?.kind === 'drop') {
			// Indexed, but the client never hears back: its retry must overwrite, not duplicate.
			res.socket?.destroy();
			return;
		}
		this.send(res, 200, { took: 1, errors: errorsSeen, items });
	}

	/** Like Elasticsearch: a value that does not fit the mapped type of a matching template is refused. */
	private mappingError(index: string, source: Record<string, unknown>): { status: number; type: string; reason: string } | undefined {
		for (const t of this.templates.values()) {
			const pats = (t.index_patterns as string[]) ?? [];
			if (!pats.some((p) => globMatch(p, index))) continue;
			const props = ((t.template as { mappings?: { properties?: Record<string, unknown> } })?.mappings?.properties) ?? {};
			const bad = typeMismatch(props, source, '');
			if (bad) return { status: 400, type: 'document_parsing_exception', reason: `failed to parse field [${bad}]` };
		}
		return undefined;
	}

	private checkMappings(m: unknown, what: string): void {
		const props = (m as { properties?: Record<string, unknown> })?.properties;
		if (!props) return this.violation(`${what}: mappings without properties`);
		const need: Record<string, string[]> = { '@timestamp': ['date', 'date_nanos'], 'log.level': ['keyword'], message: ['text', 'match_only_text'], 'error.stack_trace': ['wildcard', 'text', 'match_only_text'], 'event.id': ['keyword'] };
		for (const [path, types] of Object.entries(need)) {
			const t = mappedType(props, path);
			if (!t || !types.includes(t)) this.violation(`${what}: ${path} mapped as ${t ?? 'nothing'}, expected ${types.join('|')}`);
		}
	}

	// ---- search --------------------------------------------------------------------------------

	private matchingIndices(expr: string): [string, Map<string, StoredDoc>][] {
		const pats = expr.split(',');
		return [...this.indices].filter(([name]) => pats.some((p) => globMatch(p, name)));
	}

	private search(indexExpr: string, body: string, res: http.ServerResponse): void {
		const q = this.json(body, '_search');
		if (!q) return this.error(res, 400, 'parsing_exception', 'bad body');
		const known = new Set(['query', 'size', 'sort', 'search_after', 'track_total_hits', 'from', '_source']);
		for (const k of Object.keys(q)) if (!known.has(k)) this.violation(`_search: unsupported key ${k}`);
		const matcher = this.compileQuery(q.query);
		if (!matcher) return this.error(res, 400, 'parsing_exception', 'unsupported query');
		const sort = (q.sort as Record<string, { order?: string; unmapped_type?: string }>[] | undefined) ?? [];
		const keys = sort.map((s) => {
			const [field, spec] = Object.entries(s)[0];
			return { field, desc: spec?.order === 'desc' };
		});
		if (q.search_after !== undefined && (!Array.isArray(q.search_after) || q.search_after.length !== keys.length)) {
			this.violation('_search: search_after does not match the sort');
			return this.error(res, 400, 'illegal_argument_exception', 'search_after has a different number of values than the sort');
		}
		if (q.search_after !== undefined && !keys.some((k) => k.field === 'event.id' || k.field === '_shard_doc')) this.violation('_search: search_after without a unique tiebreaker');
		const hits: { index: string; id: string; source: Record<string, unknown>; sort: unknown[] }[] = [];
		for (const [index, docs] of this.matchingIndices(indexExpr)) {
			for (const [id, d] of docs) {
				if (!matcher(d.source)) continue;
				hits.push({ index, id, source: d.source, sort: keys.map((k) => sortValue(d.source, k.field)) });
			}
		}
		const cmp = (a: unknown[], b: unknown[]) => {
			for (let i = 0; i < keys.length; i++) {
				const c = compareValues(a[i], b[i]) * (keys[i].desc ? -1 : 1);
				if (c) return c;
			}
			return 0;
		};
		hits.sort((a, b) => cmp(a.sort, b.sort));
		let start = 0;
		if (Array.isArray(q.search_after)) {
			const after = q.search_after;
			while (start < hits.length && cmp(hits[start].sort, after) <= 0) start++;
		}
		const size = typeof q.size === 'number' ? q.size : 10;
		if (size > 10_000) this.violation('_search: size above index.max_result_window');
		const page = hits.slice(start, start + size);
		this.send(res, 200, {
			took: 1, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
			hits: { max_score: null, hits: page.map((h) => ({ _index: h.index, _id: h.id, _score: null, _source: h.source, sort: h.sort })) },
		});
	}

	/** The supported query subset: match_all, bool with filter/must of range, terms, term, simple_query_string. */
	private compileQuery(q: unknown): ((s: Record<string, unknown>) => boolean) | undefined {
		if (q === undefined) return () => true;
		const o = q as Record<string, unknown>;
		const [kind, spec] = Object.entries(o)[0] ?? [];
		const s = spec as Record<string, unknown>;
		switch (kind) {
			case 'match_all': return () => true;
			case 'bool': {
				const subs: ((x: Record<string, unknown>) => boolean)[] = [];
				for (const [k, v] of Object.entries(s)) {
					if (k !== 'filter' && k !== 'must') {
						this.violation(`query: bool.${k} unsupported`);
						return undefined;
					}
					for (const c of Array.isArray(v) ? v : [v]) {
						const m = this.compileQuery(c);
						if (!m) return undefined;
						subs.push(m);
					}
				}
				return (x) => subs.every((m) => m(x));
			}
			case 'range': {
				const [field, r] = Object.entries(s)[0] as [string, Record<string, string>];
				const bound = (v: string | undefined) => (v === undefined ? undefined : Date.parse(v));
				const gte = bound(r.gte), lt = bound(r.lt), lte = bound(r.lte), gt = bound(r.gt);
				for (const b of [gte, lt, lte, gt]) if (b !== undefined && Number.isNaN(b)) this.violation(`query: range bound not a date`);
				return (x) => {
					const v = getPath(x, field);
					const t = typeof v === 'string' ? Date.parse(v) : NaN;
					if (Number.isNaN(t)) return false;
					return (gte === undefined || t >= gte) && (gt === undefined || t > gt) && (lt === undefined || t < lt) && (lte === undefined || t <= lte);
				};
			}
			case 'terms': {
				const [field, values] = Object.entries(s)[0] as [string, unknown[]];
				if (!Array.isArray(values)) {
					this.violation('query: terms without an array');
					return undefined;
				}
				return (x) => values.includes(getPath(x, field));
			}
			case 'term': {
				const [field, v] = Object.entries(s)[0];
				const want = typeof v === 'object' && v !== null ? (v as { value: unknown }).value : v;
				return (x) => getPath(x, field) === want;
			}
			case 'simple_query_string': {
				const fields = (s.fields as string[]) ?? ['message'];
				if (s.default_operator !== 'and') this.violation('query: simple_query_string without default_operator and');
				const words = String(s.query).toLowerCase().split(/\s+/).filter(Boolean);
				if (words.some((w) => /["|+\-*()~]/.test(w))) this.violation(`query: simple_query_string operators are not implemented by the double: ${String(s.query)}`);
				return (x) => {
					const text = fields.map((f) => getPath(x, f)).filter((v) => typeof v === 'string').join(' ').toLowerCase();
					const tokens = new Set(text.split(/[^\p{L}\p{N}_]+/u));
					return words.every((w) => tokens.has(w));
				};
			}
		}
		this.violation(`query: ${String(kind)} unsupported`);
		return undefined;
	}
}

function globMatch(pattern: string, name: string): boolean {
	const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
	return re.test(name);
}

function getPath(o: Record<string, unknown>, path: string): unknown {
	let cur: unknown = o;
	for (const p of path.split('.')) {
		if (cur === null || typeof cur !== 'object') return undefined;
		cur = (cur as Record<string, unknown>)[p];
	}
	return cur;
}

function sortValue(src: Record<string, unknown>, field: string): unknown {
	const v = getPath(src, field);
	if (field === '@timestamp') return typeof v === 'string' ? Date.parse(v) : null;
	return v ?? null;
}

function compareValues(a: unknown, b: unknown): number {
	if (a === b) return 0;
	if (a === null || a === undefined) return 1; // missing sorts last
	if (b === null || b === undefined) return -1;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	return String(a) < String(b) ? -1 : 1;
}

function mappedType(props: Record<string, unknown>, path: string): string | undefined {
	let cur: Record<string, unknown> | undefined = props;
	const parts = path.split('.');
	for (let i = 0; i < parts.length; i++) {
		const p = cur?.[parts[i]] as { type?: string; properties?: Record<string, unknown> } | undefined;
		if (!p) return undefined;
		if (i === parts.length - 1) return p.type ?? (p.properties ? 'object' : undefined);
		cur = p.properties;
	}
	return undefined;
}

/** The first field whose value does not fit its mapped type (as Elasticsearch would refuse it). */
function typeMismatch(props: Record<string, unknown>, src: Record<string, unknown>, prefix: string): string | undefined {
	for (const [k, v] of Object.entries(src)) {
		const m = props[k] as { type?: string; properties?: Record<string, unknown> } | undefined;
		if (!m || v === null) continue;
		const path = prefix + k;
		if (m.properties) {
			if (typeof v !== 'object' || Array.isArray(v)) return path;
			const bad = typeMismatch(m.properties, v as Record<string, unknown>, path + '.');
			if (bad) return bad;
			continue;
		}
		const values = Array.isArray(v) ? v : [v];
		for (const x of values) {
			switch (m.type) {
				case 'date': if (typeof x !== 'string' || Number.isNaN(Date.parse(x))) return path; break;
				case 'long': if (!Number.isSafeInteger(typeof x === 'string' ? Number(x) : x)) return path; break;
				case 'double': if (typeof x !== 'number' && Number.isNaN(Number(x))) return path; break;
				case 'keyword': case 'text': case 'match_only_text': case 'wildcard': if (typeof x === 'object') return path; break;
			}
		}
	}
	return undefined;
}

const LEVELS = new Set(['trace', 'debug', 'info', 'notice', 'warning', 'error', 'critical']);

/** The ECS shape Log Lens promises for every exported document. */
export function checkEcs(src: Record<string, unknown>, id: string): string[] {
	const p: string[] = [];
	const str = (path: string, required = false) => {
		const v = getPath(src, path);
		if (v === undefined) {
			if (required) p.push(`${path} missing`);
		} else if (typeof v !== 'string') p.push(`${path} is ${typeof v}, not a string`);
	};
	const int = (path: string, required = false) => {
		const v = getPath(src, path);
		if (v === undefined) {
			if (required) p.push(`${path} missing`);
		} else if (!Number.isSafeInteger(v)) p.push(`${path} is not an integer: ${JSON.stringify(v)}`);
	};
	const ts = src['@timestamp'];
	if (typeof ts !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(ts) || Number.isNaN(Date.parse(ts))) p.push(`@timestamp is not an ISO 8601 date: ${JSON.stringify(ts)}`);
	str('message', true);
	str('ecs.version', true);
	int('log.offset', true);
	const level = getPath(src, 'log.level');
	if (level !== undefined && (typeof level !== 'string' || !LEVELS.has(level))) p.push(`log.level is not a canonical level: ${JSON.stringify(level)}`);
	str('log.logger');
	str('log.file.path');
	int('log.origin.file.line');
	str('log.origin.file.name');
	str('log.origin.function');
	const err = getPath(src, 'error');
	if (err !== undefined) {
		str('error.type', true);
		str('error.message', true);
		str('error.stack_trace');
	}
	str('event.original');
	if (getPath(src, 'event.id') !== id) p.push(`event.id ${JSON.stringify(getPath(src, 'event.id'))} differs from _id ${id}`);
	str('host.name');
	int('process.pid');
	int('process.thread.id');
	for (const [k, v] of Object.entries((src.python as Record<string, unknown>) ?? {})) if (typeof v !== 'string' && typeof v !== 'number') p.push(`python.${k} is ${typeof v}`);
	for (const [k, v] of Object.entries((src.labels as Record<string, unknown>) ?? {})) if (typeof v !== 'string') p.push(`labels.${k} is not a string`);
	const tags = src.tags;
	if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) p.push('tags is not an array of strings');
	return p;
}
