// Indexing a file from disk: the first range in this thread, a big file's later ranges in worker
// threads (parallelRanges.ts), joined into one LogIndex.
import { promises as fsp } from 'node:fs';
import { readRange, scanSetup } from './diskScan';
import { LogIndex } from './logIndex';
import type { ScanOptions } from './lineScanner';
import { defaultWorkerScript, ParallelOptions, ParallelRanges, planRanges } from './parallelRanges';

/** Options for `indexFile`. */
export interface IndexFileOptions extends ScanOptions, ParallelOptions {
	signal?: AbortSignal;
	/** Called after each chunk with bytes read and the file size. */
	onProgress?: (bytesRead: number, total: number) => void;
	/** Read size (default 4 MB). */
	chunkSize?: number;
}

/**
 * Indexes a file with big reads; a big file in parallel ranges (worker threads, see
 * parallelRanges.ts) when the worker script is there. Detection also samples the middle of big
 * files. Throws an `AbortError` when the signal fires.
 */
export async function indexFile(path: string, opts: IndexFileOptions = {}): Promise<LogIndex> {
	const fh = await fsp.open(path, 'r');
	let ranges: ParallelRanges | undefined;
	try {
		const { size, scan } = await scanSetup(fh, path, opts);
		const plan = planRanges(size, opts);
		const script = opts.workerScript ?? defaultWorkerScript();
		// Workers start now: their start-up overlaps the first reads.
		if (plan > 1 && script) ranges = new ParallelRanges(plan, script);
		const ctx = scan.ctx;
		const idx = new LogIndex(scan);
		const chunkSize = opts.chunkSize ?? 4 * 1024 * 1024;
		const read = async (pos: number, len: number) => {
			const b = Buffer.allocUnsafe(len);
			const { bytesRead } = await fh.read(b, 0, len, pos);
			return b.subarray(0, bytesRead);
		};
		let limit = size;
		// Once the format is detected, the later ranges are handed out and this thread stops at the first split.
		let planned = !ranges;
		await readRange(fh, idx, 0, () => limit, {
			chunkSize, signal: opts.signal, reserveFor: { from: 0, to: size },
			onProgress: (n) => opts.onProgress?.(n + (ranges?.bytesDone ?? 0), size),
			afterChunk: async (pos) => {
				if (planned || !ranges || !idx.settled) return;
				planned = true;
				if (idx.binary || idx.encoding !== 'utf-8') {
					// Ranges are cut at UTF-8 header lines: UTF-16 is read in one pass.
					ranges.dispose();
					ranges = undefined;
					return;
				}
				limit = await ranges.start(idx, { path, format: opts.format as string | undefined, ctx, chunkSize }, size, pos, read);
			},
		});
		if (ranges) {
			opts.onProgress?.(limit + ranges.bytesDone, size);
			await ranges.absorbInto(idx, (start, end) => readRange(fh, idx, start, () => end, { chunkSize, signal: opts.signal, onProgress: (n) => opts.onProgress?.(start + n, size) }));
			opts.onProgress?.(idx.bytes, size);
		}
		idx.finish();
		idx.compact();
		return idx;
	} finally {
		ranges?.dispose();
		await fh.close();
	}
}
