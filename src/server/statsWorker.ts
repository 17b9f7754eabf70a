/**
 * Worker thread for the statistics and anomaly scan of big files: indexes the file and reads every
 * entry (templates, loggers), so the language server keeps answering meanwhile.
 */
import { parentPort, workerData } from 'worker_threads';
import { indexFile } from '../core/index/indexFile';
import { FileSource } from '../core/byteSource';
import { computeStats } from '../core/stats';
import { TemplateMiner } from '../core/templates/templates';
import { scanAnomalies } from '../core/anomalies';

export interface StatsWorkerInput { kind: 'stats' | 'anomalies'; path: string; formatId?: string; bucketMs?: number; topN?: number }

async function main(): Promise<void> {
	const input = workerData as StatsWorkerInput;
	const index = await indexFile(input.path, { format: input.formatId });
	const source = new FileSource(input.path);
	source.encoding = index.encoding;
	try {
		const result = input.kind === 'anomalies' ? scanAnomalies(index, source)
			: computeStats(index, source, { bucketMs: input.bucketMs, topN: input.topN, detail: true, templates: new TemplateMiner() });
		parentPort?.postMessage({ result });
	} finally {
		source.close();
	}
}

main().catch((e: unknown) => parentPort?.postMessage({ error: e instanceof Error ? e.message : String(e) }));
