/**
 * Statistics for the statistics view: counts per time bucket straight from the index (fast, any
 * size), and with `detail` the top templates and loggers, which read every entry — in a worker
 * thread for big files so the server stays responsive.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { URI } from 'vscode-uri';
import { CancellationToken } from 'vscode-languageserver/node';
import { computeStats, StatsResult } from '../core/stats';
import { scanAnomalies, Signal } from '../core/anomalies';
import { TemplateMiner } from '../core/templates/templates';
import { getFormat } from '../core/formatRegistry';
import type { StatsParams } from '../shared/protocol';
import { isFileUri, type LogDoc } from './logStore';
import type { StatsWorkerInput } from './statsWorker';

/** Above this many entries the detailed pass runs in a worker. */
const WORKER_ENTRIES = 200_000;

export function stats(doc: LogDoc, p: StatsParams, token: CancellationToken): StatsResult | Promise<StatsResult> {
	const detail = p.detail !== false;
	if (!detail || doc.index.entryCount < WORKER_ENTRIES || !isFileUri(doc.uri) || doc.state !== 'ready') {
		return computeStats(doc.index, doc.source, { bucketMs: p.bucketMs, topN: p.topN, detail, templates: new TemplateMiner(), shouldStop: () => token.isCancellationRequested });
	}
	return inWorker<StatsResult>(doc, { kind: 'stats', bucketMs: p.bucketMs, topN: p.topN }, token);
}

/** Anomaly signals of a whole document (new message kinds, rate spikes, silences). */
export function anomalies(doc: LogDoc, token: CancellationToken): Signal[] | Promise<Signal[]> {
	if (doc.index.entryCount < WORKER_ENTRIES || !isFileUri(doc.uri) || doc.state !== 'ready') {
		return scanAnomalies(doc.index, doc.source, { shouldStop: () => token.isCancellationRequested });
	}
	return inWorker<Signal[]>(doc, { kind: 'anomalies' }, token);
}

function inWorker<R>(doc: LogDoc, opts: Pick<StatsWorkerInput, 'kind' | 'bucketMs' | 'topN'>, token: CancellationToken): Promise<R> {
	const formatId = doc.index.format.format.id;
	const input: StatsWorkerInput = { ...opts, path: URI.parse(doc.uri).fsPath, formatId: getFormat(formatId) ? formatId : undefined };
	return new Promise((resolve, reject) => {
		const w = new Worker(path.join(__dirname, 'statsWorker.js'), { workerData: input });
		const sub = token.onCancellationRequested(() => void w.terminate());
		w.once('message', (m: { result?: R; error?: string }) => {
			sub.dispose();
			void w.terminate();
			if (m.result) resolve(m.result);
			else reject(new Error(m.error ?? 'statistics failed'));
		});
		w.once('error', (e) => { sub.dispose(); reject(e); });
	});
}
