// Reading exported entries back: a time range, a level floor and text as an Elasticsearch query,
// paged with search_after over `@timestamp` plus the document id (kept in `event.id`, since `_id`
// cannot be sorted on), and each hit rendered as a log line again.
import type { Client } from '@elastic/elasticsearch';
import { levelTermsAtOrAbove } from './ecs';
import { Level } from '../levels';

/** What to read back. */
export interface LogSearch {
	index: string;
	/** Epoch ms, inclusive. */
	since?: number;
	/** Epoch ms, exclusive. */
	until?: number;
	/** Entries at or above this level (any spelling of the level names). */
	minLevel?: Level;
	/** Words that must all occur (simple_query_string syntax: "phrases", -exclusions, OR with |). */
	query?: string;
	/** At most this many hits (default 10 000). */
	limit?: number;
	/** Hits per request (default 1000). */
	pageSize?: number;
	signal?: AbortSignal;
}

/** One hit. */
export interface LogHit {
	id: string;
	index: string;
	source: Record<string, unknown>;
}

/** The query body (without paging) for a search. */
export function buildQuery(s: LogSearch): Record<string, unknown> {
	const filter: Record<string, unknown>[] = [];
	if (s.since !== undefined || s.until !== undefined) {
		const range: Record<string, unknown> = { format: 'strict_date_optional_time' };
		if (s.since !== undefined) range.gte = new Date(s.since).toISOString();
		if (s.until !== undefined) range.lt = new Date(s.until).toISOString();
		filter.push({ range: { '@timestamp': range } });
	}
	if (s.minLevel !== undefined && s.minLevel !== Level.Unknown) filter.push({ terms: { 'log.level': levelTermsAtOrAbove(s.minLevel) } });
	const must: Record<string, unknown>[] = [];
	if (s.query && s.query.trim()) {
		must.push({ simple_query_string: { query: s.query.trim(), fields: ['message', 'error.type', 'error.message', 'log.logger'], default_operator: 'and' } });
	}
	return { bool: { filter, must } };
}

/** The sort that makes search_after exact: time, then the unique id. */
export const SEARCH_SORT = [
	{ '@timestamp': { order: 'asc', unmapped_type: 'date' } },
	{ 'event.id': { order: 'asc', unmapped_type: 'keyword' } },
] as const;

/** Hits in time order, page by page, until `limit` or the end. */
export async function* searchLogs(client: Client, s: LogSearch): AsyncGenerator<LogHit> {
	const limit = s.limit ?? 10_000;
	const page = Math.max(1, Math.min(s.pageSize ?? 1000, limit));
	const query = buildQuery(s);
	let after: unknown[] | undefined;
	let n = 0;
	while (n < limit) {
		const r = await client.search<Record<string, unknown>>({
			index: s.index,
			size: Math.min(page, limit - n),
			query,
			sort: SEARCH_SORT as unknown as never,
			track_total_hits: false,
			...(after ? { search_after: after as never } : {}),
		}, { signal: s.signal });
		const hits = r.hits.hits;
		for (const h of hits) {
			yield { id: h._id ?? '', index: h._index, source: h._source ?? {} };
			if (++n >= limit) return;
		}
		if (hits.length < Math.min(page, limit - n + hits.length)) return;
		after = hits[hits.length - 1]?.sort as unknown[] | undefined;
		if (!after) return;
	}
}

function get(o: Record<string, unknown>, path: string): unknown {
	if (path in o) return o[path];
	let cur: unknown = o;
	for (const p of path.split('.')) {
		if (cur === null || typeof cur !== 'object') return undefined;
		cur = (cur as Record<string, unknown>)[p];
	}
	return cur;
}

/**
 * A hit as log text: `event.original` as it was in the file, or, for documents written by other
 * shippers without it, `time LEVEL [logger] message` followed by the stack trace.
 */
export function hitToLogText(h: LogHit): string {
	const src = h.source;
	const original = get(src, 'event.original');
	if (typeof original === 'string' && original.length) return original;
	const ts = get(src, '@timestamp');
	const level = get(src, 'log.level');
	const logger = get(src, 'log.logger');
	const message = get(src, 'message');
	let line = `${typeof ts === 'string' ? ts : '-'} ${typeof level === 'string' ? level.toUpperCase() : '-'}`;
	if (typeof logger === 'string') line += ` [${logger}]`;
	line += ` ${typeof message === 'string' ? message : JSON.stringify(src)}`;
	const st = get(src, 'error.stack_trace');
	return typeof st === 'string' && st.length && !line.includes(st) ? `${line}\n${st}` : line;
}
