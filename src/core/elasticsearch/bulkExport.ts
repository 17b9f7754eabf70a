// Sending ECS documents with the official client's bulk helper: batches by size, per-document
// failures counted (the first reasons kept) while the rest still go in, item-level 429s retried
// by the helper, whole-request 429/5xx and dropped connections retried with backoff by the
// transport (see connection.ts), progress, cancellation, and the acknowledged position for resume.
import type { Client } from '@elastic/elasticsearch';
import type { BulkHelper } from '@elastic/elasticsearch/lib/helpers';
import { EcsDocument } from './ecs';

/** A file as export state identifies it. */
export interface FileRef {
	path?: string;
	dev: number;
	ino: number;
	/** `fileKey` of the file (dev, inode, first line). */
	key: string;
}

/** Where reading resumes once an item (and every item before it) is acknowledged. */
export interface ResumePoint {
	file: FileRef;
	offset: number;
}

/** One document to index. */
export interface ExportItem {
	id: string;
	doc: EcsDocument;
	/** Set by sources that can resume (files): reading restarts here after this item is acknowledged. */
	resume?: ResumePoint;
	/** Bytes of the source consumed up to this item (for progress). */
	sourceBytes?: number;
}

/** A document Elasticsearch refused. */
export interface DocumentError {
	id: string;
	status: number;
	type: string;
	reason: string;
}

/** Live numbers while exporting. */
export interface ExportProgress {
	/** Documents handed to the bulk helper. */
	sent: number;
	indexed: number;
	failed: number;
	sourceBytes: number;
}

/** The outcome of an export. */
export interface ExportSummary extends ExportProgress {
	/** Document-retries the helper made after item-level 429s. */
	retried: number;
	/** Bytes of NDJSON sent (action and source lines). */
	bytes: number;
	ms: number;
	docsPerSecond: number;
	/** The first refused documents, with their reasons. */
	firstErrors: DocumentError[];
	/** Refusals per error type. */
	errorCounts: Record<string, number>;
	aborted: boolean;
	/** A failure that ended the export early (connection lost for good, 401, …). */
	error?: unknown;
}

/** Options of `bulkExport`. */
export interface BulkExportOptions {
	index: string;
	/** Send a batch once it holds this many bytes (default 5 MB). */
	flushBytes?: number;
	/**
	 * For continuous sources (follow mode): send what arrived once this long has passed since the
	 * first unsent document, one request at a time (documents of one id stay in send order).
	 */
	flushIntervalMs?: number;
	/** Bulk requests in flight when `flushIntervalMs` is not set (default 3). */
	concurrency?: number;
	/** Item-level 429 retries of the helper (default 5) and the wait between them (default 1 s). */
	itemRetries?: number;
	itemRetryWaitMs?: number;
	signal?: AbortSignal;
	onProgress?(p: ExportProgress): void;
	progressIntervalMs?: number;
	/**
	 * Called in order as the prefix of acknowledged documents grows: reading may resume at the
	 * point given. A document refused for a transient reason (429, 5xx) stops the prefix, so a
	 * later run sends it again; one refused for good (a mapping error) does not.
	 */
	onAcknowledged?(at: ResumePoint): void;
	/** How many refusals to keep with their reasons (default 5). */
	keepErrors?: number;
	/** Make the documents searchable right away when done (`_refresh`). */
	refresh?: boolean;
}

interface Tracked {
	resume?: ResumePoint;
	state: 0 | 1 | 2; // pending, done, blocked
}

/** Indexes every item (`index` op with its `_id`: repeating an export overwrites, never duplicates). */
export async function bulkExport(client: Client, items: AsyncIterable<ExportItem> | Iterable<ExportItem>, opts: BulkExportOptions): Promise<ExportSummary> {
	const t0 = Date.now();
	const keep = opts.keepErrors ?? 5;
	const firstErrors: DocumentError[] = [];
	const errorCounts: Record<string, number> = {};
	const tracking = opts.onAcknowledged !== undefined;
	// Acknowledgement order: documents complete out of order (concurrent batches, retries), the
	// resume point only moves over a finished prefix.
	const queue: Tracked[] = [];
	let head = 0;
	let blocked = false;
	const bySeq = new Map<string, Tracked[]>();
	let sent = 0;
	let sourceBytes = 0;

	const advance = () => {
		let last: ResumePoint | undefined;
		while (!blocked && head < queue.length && queue[head].state !== 0) {
			if (queue[head].state === 2) {
				blocked = true;
				break;
			}
			last = queue[head].resume ?? last;
			head++;
		}
		if (head > 4096 && head * 2 > queue.length) {
			queue.splice(0, head);
			head = 0;
		}
		if (last) opts.onAcknowledged?.(last);
	};
	const complete = (id: string | undefined, state: 1 | 2) => {
		if (!tracking || id === undefined) return;
		const list = bySeq.get(id);
		const t = list?.shift();
		if (!t) return;
		if (list!.length === 0) bySeq.delete(id);
		t.state = state;
		advance();
	};

	async function* source(): AsyncGenerator<ExportItem> {
		for await (const it of items) {
			if (opts.signal?.aborted) return;
			sent++;
			if (it.sourceBytes !== undefined) sourceBytes = it.sourceBytes;
			if (tracking) {
				const t: Tracked = { resume: it.resume, state: 0 };
				queue.push(t);
				const list = bySeq.get(it.id);
				if (list) list.push(t);
				else bySeq.set(it.id, [t]);
			}
			yield it;
		}
	}

	// The helper's own flush timer is never used: when it fires while a request is in flight, it
	// waits on the helper's one-slot semaphore next to the datasource loop, and one of the two
	// batches is never sent. Time-based flushing (follow mode) instead runs one helper per batch.
	const total = { successful: 0, failed: 0, retry: 0, bytes: 0 };
	let current: BulkHelper<ExportItem> | undefined;
	const runHelper = async (datasource: AsyncIterable<ExportItem> | ExportItem[], concurrency: number) => {
		const helper = client.helpers.bulk<ExportItem>({
			datasource: datasource as ExportItem[],
			onDocument: (it) => [{ index: { _index: opts.index, _id: it.id } }, it.doc],
			flushBytes: opts.flushBytes ?? 5_000_000,
			flushInterval: NEVER,
			concurrency,
			retries: opts.itemRetries ?? 5,
			wait: opts.itemRetryWaitMs ?? 1000,
			onDrop: (d) => {
				const op = d.operation as { index?: { _id?: string } };
				const id = op.index?._id ?? '';
				const type = d.error?.type ?? (d.status === 429 ? 'too_many_requests' : `status_${d.status}`);
				errorCounts[type] = (errorCounts[type] ?? 0) + 1;
				if (firstErrors.length < keep) firstErrors.push({ id, status: d.status, type, reason: d.error?.reason ?? (d.status === 429 ? 'still rejected after the retries' : '') });
				complete(id, d.status === 429 || d.status >= 500 ? 2 : 1);
			},
			// onSuccess costs a parse per document: only when acknowledgements are tracked.
			onSuccess: tracking ? (d) => complete((d.result as { index?: { _id?: string } }).index?._id, 1) : undefined,
		}, { signal: opts.signal });
		current = helper;
		try {
			await helper;
		} finally {
			const st = helper.stats;
			total.successful += st.successful;
			total.failed += st.failed;
			total.retry += st.retry;
			total.bytes += st.bytes;
			current = undefined;
		}
	};

	// Not `() => helper.abort()`: abort returns the helper, a thenable, and EventTarget would treat
	// its rejection (the aborted request) as an unhandled error of the listener.
	const onAbort = () => {
		void current?.abort();
	};
	opts.signal?.addEventListener('abort', onAbort);
	const snapshot = (): ExportProgress => ({ sent, indexed: total.successful + (current?.stats.successful ?? 0), failed: total.failed + (current?.stats.failed ?? 0), sourceBytes });
	const timer = opts.onProgress ? setInterval(() => opts.onProgress?.(snapshot()), opts.progressIntervalMs ?? 250) : undefined;
	let error: unknown;
	try {
		if (opts.flushIntervalMs === undefined) await runHelper(source(), opts.concurrency ?? 3);
		else {
			for await (const batch of batches(source(), opts.flushBytes ?? 5_000_000, opts.flushIntervalMs)) {
				if (opts.signal?.aborted) break;
				await runHelper(batch, 1);
			}
		}
		if (opts.refresh && !opts.signal?.aborted) await client.indices.refresh({ index: opts.index }, { signal: opts.signal });
	} catch (e) {
		if (!opts.signal?.aborted) error = e;
	} finally {
		if (timer) clearInterval(timer);
		opts.signal?.removeEventListener('abort', onAbort);
	}
	const ms = Date.now() - t0;
	const summary: ExportSummary = {
		sent, indexed: total.successful, failed: total.failed, sourceBytes, retried: total.retry, bytes: total.bytes, ms,
		docsPerSecond: ms > 0 ? Math.round((total.successful * 1000) / ms) : total.successful,
		firstErrors, errorCounts, aborted: opts.signal?.aborted === true,
	};
	if (error !== undefined) summary.error = error;
	opts.onProgress?.(snapshot());
	return summary;
}

/** setTimeout's maximum: the helper's flush timer never fires. */
const NEVER = 2 ** 31 - 1;
const TIMEOUT = Symbol('timeout');

/** Rough NDJSON size of an item, for batching without serializing twice. */
function approxBytes(it: ExportItem): number {
	return 2 * (it.doc.event.original?.length ?? it.doc.message.length) + 400;
}

/**
 * Groups a (slow, continuous) source into batches: a batch closes at `flushBytes` or `intervalMs`
 * after its first item, whichever comes first, so trickling records are sent promptly.
 */
async function* batches(source: AsyncIterator<ExportItem>, flushBytes: number, intervalMs: number): AsyncGenerator<ExportItem[]> {
	let pending: Promise<IteratorResult<ExportItem>> | undefined;
	for (;;) {
		const batch: ExportItem[] = [];
		let bytes = 0;
		let deadline = Infinity;
		let done = false;
		for (;;) {
			pending ??= source.next();
			let r: IteratorResult<ExportItem> | typeof TIMEOUT;
			if (deadline === Infinity) r = await pending;
			else {
				let t: NodeJS.Timeout | undefined;
				r = await Promise.race([pending, new Promise<typeof TIMEOUT>((res) => (t = setTimeout(() => res(TIMEOUT), Math.max(0, deadline - Date.now()))))]);
				clearTimeout(t);
			}
			if (r === TIMEOUT) break;
			pending = undefined;
			if (r.done) {
				done = true;
				break;
			}
			batch.push(r.value);
			bytes += approxBytes(r.value);
			if (deadline === Infinity) deadline = Date.now() + intervalMs;
			if (bytes >= flushBytes) break;
		}
		if (batch.length) yield batch;
		if (done) return;
	}
}

/** One paragraph for people: counts, speed, and the first refusals. */
export function formatSummary(s: ExportSummary, index: string): string {
	const parts = [`${s.indexed.toLocaleString('en-US')} of ${s.sent.toLocaleString('en-US')} entries indexed into '${index}' in ${(s.ms / 1000).toFixed(1)} s (${s.docsPerSecond.toLocaleString('en-US')}/s)`];
	if (s.failed) {
		const kinds = Object.entries(s.errorCounts).map(([k, n]) => `${n} ${k}`).join(', ');
		parts.push(`${s.failed.toLocaleString('en-US')} refused (${kinds})`);
		for (const e of s.firstErrors) parts.push(`  ${e.id}: ${e.status} ${e.type}: ${e.reason}`);
	}
	if (s.retried) parts.push(`${s.retried.toLocaleString('en-US')} document retries after 429`);
	if (s.aborted) parts.push('cancelled before the end: run the export again to finish (documents are overwritten, never duplicated)');
	return parts.join('\n');
}
