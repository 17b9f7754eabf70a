// `loglens filter` of a big file in parallel: the file is cut into ranges at header lines (no
// entry is split), worker threads filter the ranges, and the outputs are written strictly in file
// order. Memory stays bounded whatever the file size: ranges are at most RANGE_MAX bytes and only a
// few are in flight ahead of the one being written.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CompiledFilter, FilterSpec } from './filter';
import type { FilterOutputOptions } from './filterOutput';
import type { ParseContext } from './format';
import { isGzipPath } from './gzipSource';
import { defaultWorkerScript, FilterJob, headerAfter, ParallelOptions, planRanges, RangeMessage } from './indexWorkers';
import { LogIndex } from './logIndex';
import { SAMPLE_BYTES } from './lineScanner';

/** Ranges are about size / threads, within these bounds (memory: a range's output is held until written). */
const RANGE_MIN = Math.min(8 * 1024 * 1024, Number(process.env.LOGLENS_PARALLEL_MIN_BYTES) || Infinity);
const RANGE_MAX = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;

/** Where the ordered outputs go: whole buffers handed over, and a flush that waits for the pipe. */
export interface OrderedSink {
	writeChunk(b: Buffer): void;
	flush(): Promise<void>;
}

/**
 * Filters `path` in parallel ranges into `sink` and resolves true; resolves false (having written
 * nothing) when the file is not worth it or not suitable — small, not a regular file, gzip,
 * binary, or no worker script — and the caller streams it in one pass instead.
 */
export async function filterInParallel(path: string, spec: FilterSpec, out: FilterOutputOptions, format: string | undefined, ctx: ParseContext, sink: OrderedSink, opts: ParallelOptions = {}): Promise<boolean> {
	if (path === '-' || isGzipPath(path)) return false;
	let size: number;
	try {
		const st = statSync(path);
		if (!st.isFile()) return false;
		size = st.size;
	} catch {
		return false;
	}
	const threads = planRanges(size, { ...opts, format });
	const script = opts.workerScript ?? defaultWorkerScript();
	if (threads < 2 || !script) return false;
	new CompiledFilter(spec); // a bad pattern fails here, before any work
	const fd = openSync(path, 'r');
	try {
		const read = async (pos: number, len: number) => {
			const b = Buffer.allocUnsafe(len);
			return b.subarray(0, readSync(fd, b, 0, len, pos));
		};
		// Detection exactly as the one-pass stream does it: on the file's first bytes.
		const probe = new LogIndex({ format, ctx });
		probe.append(await read(0, Math.min(size, SAMPLE_BYTES)));
		if (!probe.settled || probe.binary) return false;
		const target = Math.min(RANGE_MAX, Math.max(RANGE_MIN, Math.ceil(size / threads)));
		let next = 0;
		/** The next range `[start, end)`, cut at a header line; null at the end. */
		const nextRange = async (): Promise<[number, number] | null> => {
			if (next >= size) return null;
			const start = next;
			let end = size;
			for (let at = start + target; at < size; at += target) {
				const h = await headerAfter(probe, read, at, size);
				if (h > start) {
					end = h;
					break;
				}
			}
			next = end;
			return [start, end];
		};
		await runPool(threads, script, nextRange, (id, start, end): FilterJob => ({ kind: 'filter', id, path, start, end, presample: probe.detectionInput, format, ctx, chunkSize: CHUNK, spec, out }), sink);
		return true;
	} finally {
		closeSync(fd);
	}
}

/** Runs the ranges on `threads` workers, at most 2 per worker ahead of the one written next. */
async function runPool(threads: number, script: string, nextRange: () => Promise<[number, number] | null>, job: (id: number, start: number, end: number) => FilterJob, sink: OrderedSink): Promise<void> {
	const workers: Worker[] = [];
	const done = new Map<number, Buffer>();
	let failure: Error | undefined;
	// A wake-up that arrives while the loop is busy is kept, not lost.
	let wake: (() => void) | undefined;
	let woken = false;
	const notify = () => {
		woken = true;
		const w = wake;
		wake = undefined;
		w?.();
	};
	const idle: Worker[] = [];
	try {
		for (let i = 0; i < threads; i++) {
			const w = new Worker(script);
			w.on('message', (m: RangeMessage) => {
				if ('out' in m) {
					done.set(m.id, Buffer.from(m.out.buffer, m.out.byteOffset, m.out.byteLength));
					idle.push(w);
				} else if ('error' in m) failure = new Error(m.error);
				notify();
			});
			w.on('error', (e) => {
				failure = e;
				notify();
			});
			workers.push(w);
			idle.push(w);
		}
		let issued = 0, written = 0, last = -1;
		for (;;) {
			if (failure) throw failure;
			// Hand out ranges to idle workers, staying a bounded distance ahead of the writer.
			while (last < 0 && idle.length > 0 && issued - written < threads * 2) {
				const r = await nextRange();
				if (!r) {
					last = issued;
					break;
				}
				(idle.pop() as Worker).postMessage(job(issued++, r[0], r[1]));
			}
			// Write what is ready, in order.
			while (done.has(written)) {
				sink.writeChunk(done.get(written) as Buffer);
				done.delete(written++);
				await sink.flush();
			}
			if (last >= 0 && written === last) return;
			if (last < 0 && idle.length > 0 && issued - written < threads * 2) continue;
			if (!woken) await new Promise<void>((r) => (wake = r));
			woken = false;
		}
	} finally {
		for (const w of workers) void w.terminate();
	}
}
