/**
 * Elasticsearch export and search, in the language server (the extension host only shows UI).
 * Each request carries where to connect and the credentials the client read from SecretStorage;
 * they are used for that request, or for the life of one continuous export, and never stored.
 * Entries are read with the format the editor uses for the file (formatSettings.ts) and a
 * filtered tab's filter; the CLI's `export`/`es-search` run the same core code.
 *
 * server.ts imports this module on the first Elasticsearch request, so neither the server's start
 * nor the extension host ever loads the Elasticsearch client (dist/elastic.js).
 */
import { URI } from 'vscode-uri';
import { CancellationToken, ResponseError } from 'vscode-languageserver/node';
import type { Client } from '@elastic/elasticsearch';
import { CompiledFilter, parseFilterLevel, parseTimeBound } from '../core/filter/filter';
import { bulkExport, ExportItem, ExportProgress, ExportSummary, formatSummary } from '../core/elasticsearch/bulkExport';
import { createEsClient, describeEsError, EsServerInfo, testConnection } from '../core/elasticsearch/connection';
import { ExportState, fileItems, followItems, planResume, textItems } from '../core/elasticsearch/exportSources';
import { isExportState, stateAt, ThrottledStateWriter } from '../core/elasticsearch/exportState';
import { ensureIndexTemplate, TemplateState } from '../core/elasticsearch/indexTemplate';
import { hitToLogText, LogSearch, searchLogs } from '../core/elasticsearch/search';
import { compileUserFilter } from '../core/filter/userFilter';
import { decodeFilterQuery, FILTER_SCHEME } from '../shared/schemes';
import type { EsConnectionParams, ExportOutcome, ExportParams, ExportResult, SearchParams } from '../shared/protocol';
import { formatFor } from './formatSettings';

/** What the service tells the client. */
export interface EsEvents {
	progress(p: ExportProgress & { id: string; totalBytes?: number }): void;
	state(id: string, state: ExportState): void;
	ended(id: string, outcome: ExportOutcome): void;
	searchProgress(id: string, read: number): void;
}

interface ContinuousExport {
	stop: AbortController;
	cancel: AbortController;
	done: Promise<ExportOutcome>;
}

function where(c: EsConnectionParams): string {
	return c.url || 'Elastic Cloud';
}

/** A client for one request or job; a bad URL or CA file is the user's to fix. */
function connect(c: EsConnectionParams): Client {
	if (!c.url && !c.cloudId) throw new ResponseError(1, 'set logLens.elasticsearch.url (or cloudId) first');
	try {
		return createEsClient({ url: c.url || undefined, cloudId: c.cloudId || undefined, caFile: c.caFile || undefined, credentials: c.credentials });
	} catch (e) {
		throw new ResponseError(1, describeEsError(e));
	}
}

/** Runs `fn` with a client for `c`, closing it after; failures become a ResponseError with the described reason. */
async function withClient<T>(c: EsConnectionParams, fn: (client: Client) => Promise<T>): Promise<T> {
	const client = connect(c);
	try {
		return await fn(client);
	} catch (e) {
		if (e instanceof ResponseError) throw e;
		throw new ResponseError(1, describeEsError(e, where(c)));
	} finally {
		await client.close();
	}
}

function outcome(s: ExportSummary, index: string, c: EsConnectionParams): ExportOutcome {
	const { error, ...rest } = s;
	const out: ExportOutcome = { ...rest, text: formatSummary(s, index) };
	if (error !== undefined) out.error = describeEsError(error, where(c));
	return out;
}

/** The file (or text) an export reads and the filter of a filtered tab. */
function exportSource(p: ExportParams): { path?: string; filters?: CompiledFilter[] } {
	let uri = p.uri;
	let filters: CompiledFilter[] | undefined;
	const parsed = /^[a-z][\w+.-]+:/i.test(uri) && !/^[a-z]:[\\/]/i.test(uri) ? URI.parse(uri) : URI.file(uri);
	let source = parsed;
	if (parsed.scheme === FILTER_SCHEME) {
		const st = decodeFilterQuery(parsed.query);
		if (!st) throw new ResponseError(1, `not a filtered tab: ${uri}`);
		const compiled = compileUserFilter(st.filter, Date.now());
		filters = compiled.length ? compiled : undefined;
		uri = st.source;
		source = URI.parse(uri);
	}
	return { path: source.scheme === 'file' ? source.fsPath : undefined, filters };
}

export class ElasticsearchService {
	private readonly follows = new Map<string, ContinuousExport>();

	constructor(private readonly events: EsEvents) {}

	testConnection(c: EsConnectionParams): Promise<EsServerInfo> {
		return withClient(c, testConnection);
	}

	template(c: EsConnectionParams, index: string, create: boolean): Promise<TemplateState> {
		return withClient(c, (client) => ensureIndexTemplate(client, index, create));
	}

	async export(p: ExportParams, token: CancellationToken): Promise<ExportResult> {
		const src = exportSource(p);
		if (p.text === undefined && !src.path) throw new ResponseError(1, `cannot read ${p.uri} for export`);
		const format = src.path ? formatFor(src.path) : undefined;
		if (p.follow) {
			if (!src.path || p.text !== undefined) throw new ResponseError(1, 'only a file on disk can be exported continuously');
			return this.startFollow(p, src.path, format, src.filters);
		}
		const cancel = new AbortController();
		const sub = token.onCancellationRequested(() => cancel.abort());
		let total = 0;
		const items: AsyncIterable<ExportItem> | Iterable<ExportItem> = p.text === undefined
			? fileItems(src.path!, { format, filter: src.filters, signal: cancel.signal, onRead: (_b, t) => (total = t) })
			: textItems(Buffer.from(p.text, 'utf8'), { format, filter: src.filters, filePath: src.path });
		if (p.text !== undefined) total = Buffer.byteLength(p.text);
		try {
			const summary = await withClient(p.connection, (client) => bulkExport(client, items, {
				index: p.index, signal: cancel.signal, refresh: p.refresh ?? true,
				onProgress: (pr) => this.events.progress({ ...pr, id: p.id, totalBytes: total || undefined }),
			}));
			return outcome(summary, p.index, p.connection);
		} finally {
			sub.dispose();
		}
	}

	private startFollow(p: ExportParams, file: string, format: ReturnType<typeof formatFor>, filter: CompiledFilter[] | undefined): { following: string } {
		if (this.follows.has(p.id)) return { following: p.id };
		const client = connect(p.connection);
		const state = isExportState(p.state, p.index) ? p.state : undefined;
		const writer = new ThrottledStateWriter((s: ExportState) => this.events.state(p.id, s));
		const job: ContinuousExport = { stop: new AbortController(), cancel: new AbortController(), done: Promise.resolve({} as ExportOutcome) };
		job.done = (async () => {
			try {
				const plan = await planResume(file, state);
				const items = followItems(file, { format, filter, plan, stop: job.stop.signal, signal: job.cancel.signal });
				const s = await bulkExport(client, items, {
					index: p.index, concurrency: 1, flushIntervalMs: 1000, signal: job.cancel.signal,
					onAcknowledged: (at) => writer.update(stateAt(p.index, at)),
					onProgress: (pr) => this.events.progress({ ...pr, id: p.id }),
				});
				return outcome(s, p.index, p.connection);
			} catch (e) {
				const empty: ExportSummary = { sent: 0, indexed: 0, failed: 0, sourceBytes: 0, retried: 0, bytes: 0, ms: 0, docsPerSecond: 0, firstErrors: [], errorCounts: {}, aborted: true, error: e };
				return outcome(empty, p.index, p.connection);
			} finally {
				await writer.flush();
				await client.close();
			}
		})();
		this.follows.set(p.id, job);
		void job.done.then((o) => {
			this.follows.delete(p.id);
			this.events.ended(p.id, o);
		});
		return { following: p.id };
	}

	/** Stops continuous exports; resolves with their outcomes once what was read is sent. */
	stop(ids: readonly string[]): Promise<ExportOutcome[]> {
		const jobs = ids.map((id) => this.follows.get(id)).filter((j): j is ContinuousExport => j !== undefined);
		for (const j of jobs) j.stop.abort();
		return Promise.all(jobs.map((j) => j.done));
	}

	/** Stops every continuous export (the server is shutting down). */
	async stopAll(): Promise<void> {
		await this.stop([...this.follows.keys()]);
	}

	async search(p: SearchParams, token: CancellationToken): Promise<{ lines: string[] }> {
		const search: LogSearch = { index: p.index, query: p.query || undefined, limit: p.limit };
		try {
			if (p.since) search.since = parseTimeBound(p.since);
			if (p.until) search.until = parseTimeBound(p.until);
			if (p.minLevel) search.minLevel = parseFilterLevel(p.minLevel);
		} catch (e) {
			throw new ResponseError(1, (e as Error).message);
		}
		const cancel = new AbortController();
		const sub = token.onCancellationRequested(() => cancel.abort());
		const lines: string[] = [];
		try {
			await withClient(p.connection, async (client) => {
				try {
					for await (const h of searchLogs(client, { ...search, signal: cancel.signal })) {
						lines.push(hitToLogText(h));
						if (lines.length % 1000 === 0) this.events.searchProgress(p.id, lines.length);
					}
				} catch (e) {
					// Cancelled: what was read so far.
					if (!(cancel.signal.aborted && e instanceof Error && /abort/i.test(e.name + e.message))) throw e;
				}
			});
		} finally {
			sub.dispose();
		}
		return { lines };
	}
}
