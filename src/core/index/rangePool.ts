// A big file's `loglens filter` and `loglens templates` in parallel: the file is cut into ranges
// at header lines (no entry is split), worker threads (dist/indexWorker.js) work on the ranges, and
// their results are consumed strictly in file order. Memory stays bounded whatever the file size:
// ranges are at most RANGE_MAX bytes and only a few are in flight ahead of the one consumed.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { CompiledFilter, FilterSpec } from '../filter/filter';
import type { FilterOutputOptions } from '../filter/filterOutput';
import { EntryTemplates } from '../templates/templateRun';
import { TemplateMiner } from '../templates/templates';
import type { LogFormat, ParseContext } from '../format';
import { isGzipPath } from '../gzipSource';
import { defaultWorkerScript, FilterJob, headerAfter, MinedRange, ParallelOptions, parallelMinBytes, planRanges, RangeMessage, TemplatesJob } from './parallelRanges';
import { LogIndex } from './logIndex';
import { SAMPLE_BYTES } from './lineScanner';

/** Ranges are about size / threads, within these bounds (memory: a range's output is held until written). */
const RANGE_MIN = 8 * 1024 * 1024;
const RANGE_MAX = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;

/** Where the ordered outputs go: whole buffers handed over, and a flush that waits for the pipe. */
export interface OrderedSink {
	writeChunk(b: Buffer): void;
	flush(): Promise<void>;
}

/** A regular file cut into ranges for workers: the detection input and the next range on demand. */
interface FileRanges {
	threads: number;
	script: string;
	presample: readonly string[];
	nextRange(): Promise<[number, number] | null>;
	close(): void;
}

/**
 * Plans parallel work on `path`, or undefined when it is not worth it or not suitable — small,
 * not a regular file, gzip, binary, no worker script — and the caller reads it in one pass.
 */
async function planFile(path: string, format: string | undefined, ctx: ParseContext, opts: ParallelOptions): Promise<FileRanges | undefined> {
	if (path === '-' || isGzipPath(path)) return undefined;
	let size: number;
	try {
		const st = statSync(path);
		if (!st.isFile()) return undefined;
		size = st.size;
	} catch {
		return undefined;
	}
	const threads = planRanges(size, { ...opts, format });
	const script = opts.workerScript ?? defaultWorkerScript();
	if (threads < 2 || !script) return undefined;
	const fd = openSync(path, 'r');
	const read = async (pos: number, len: number) => {
		const b = Buffer.allocUnsafe(len);
		return b.subarray(0, readSync(fd, b, 0, len, pos));
	};
	// Detection exactly as the one-pass stream does it: on the file's first bytes.
	const probe = new LogIndex({ format, ctx });
	probe.append(await read(0, Math.min(size, SAMPLE_BYTES)));
	if (!probe.settled || probe.binary || probe.encoding !== 'utf-8') {
		closeSync(fd);
		return undefined;
	}
	// A multiple of the threads, so that they finish together.
	const n = threads * Math.ceil(size / (threads * RANGE_MAX));
	const target = Math.max(Math.min(RANGE_MIN, parallelMinBytes(opts)), Math.ceil(size / n));
	let next = 0;
	return {
		threads, script, presample: probe.detectionInput,
		async nextRange() {
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
		},
		close: () => closeSync(fd),
	};
}

/**
 * Filters `path` in parallel ranges into `sink`, in file order, and resolves true; resolves false
 * (having written nothing) when the file is read in one pass instead (see `planFile`).
 */
export async function filterInParallel(path: string, spec: FilterSpec, out: FilterOutputOptions, format: LogFormat | string | undefined, ctx: ParseContext, sink: OrderedSink, opts: ParallelOptions = {}): Promise<boolean> {
	new CompiledFilter(spec); // a bad pattern fails here, before any work
	// A compiled format (a user's format string or regex) is not sent to workers: one pass.
	if (typeof format === 'object') return false;
	const plan = await planFile(path, format, ctx, opts);
	if (!plan) return false;
	try {
		await runPool(plan, (id, start, end): FilterJob => ({ kind: 'filter', id, path, start, end, presample: plan.presample, format, ctx, chunkSize: CHUNK, spec, out }), async (m) => {
			if (!('out' in m)) return;
			sink.writeChunk(Buffer.from(m.out.buffer, m.out.byteOffset, m.out.byteLength));
			await sink.flush();
		});
		return true;
	} finally {
		plan.close();
	}
}

/**
 * Mines the templates of `path` in parallel ranges: each worker mines its range, and the ranges'
 * templates are absorbed in file order into one miner (so a template's id is that of its first
 * range). With `record`, every entry's lines and its id in the returned miner. Undefined when the
 * file is read in one pass instead (see `planFile`).
 */
export async function templatesInParallel(path: string, format: LogFormat | string | undefined, ctx: ParseContext, record: EntryTemplates | null, opts: ParallelOptions = {}): Promise<TemplateMiner | undefined> {
	// A compiled format (a user's format string or regex) is not sent to workers: one pass.
	if (typeof format === 'object') return undefined;
	const plan = await planFile(path, format, ctx, opts);
	if (!plan) return undefined;
	const miner = new TemplateMiner();
	let lineBase = 0;
	try {
		await runPool(plan, (id, start, end): TemplatesJob => ({ kind: 'templates', id, path, start, end, presample: plan.presample, format, ctx, chunkSize: CHUNK, record: record !== null }), async (m) => {
			if (!('mined' in m)) return;
			const r: MinedRange = m.mined;
			const ids = new Map<number, number>();
			for (const t of r.templates) ids.set(t.id, miner.absorb(t));
			if (record && r.starts && r.ends && r.ids) {
				for (let k = 0; k < r.starts.length; k++) {
					record.starts.push(r.starts[k] + lineBase);
					record.ends.push(r.ends[k] + lineBase);
					record.ids.push(ids.get(r.ids[k]) as number);
				}
			}
			lineBase += r.lines;
		});
		return miner;
	} finally {
		plan.close();
	}
}

/**
 * Runs the ranges on the plan's workers, at most 2 per worker ahead of the one consumed next, and
 * hands each worker's answer to `consume` in file order.
 */
async function runPool(plan: FileRanges, job: (id: number, start: number, end: number) => object, consume: (m: RangeMessage) => Promise<void>): Promise<void> {
	const threads = plan.threads;
	const workers: Worker[] = [];
	const done = new Map<number, RangeMessage>();
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
			const w = new Worker(plan.script);
			w.on('message', (m: RangeMessage) => {
				if ('error' in m) failure = new Error(m.error);
				else if ('id' in m) {
					done.set(m.id, m);
					idle.push(w);
				}
				notify();
			});
			w.on('error', (e) => {
				failure = e;
				notify();
			});
			workers.push(w);
			idle.push(w);
		}
		let issued = 0, consumed = 0, last = -1;
		for (;;) {
			if (failure) throw failure;
			// Hand out ranges to idle workers, staying a bounded distance ahead of the consumer.
			while (last < 0 && idle.length > 0 && issued - consumed < threads * 2) {
				const r = await plan.nextRange();
				if (!r) {
					last = issued;
					break;
				}
				(idle.pop() as Worker).postMessage(job(issued++, r[0], r[1]));
			}
			// Consume what is ready, in order.
			while (done.has(consumed)) {
				const m = done.get(consumed) as RangeMessage;
				done.delete(consumed++);
				await consume(m);
			}
			if (last >= 0 && consumed === last) return;
			if (last < 0 && idle.length > 0 && issued - consumed < threads * 2) continue;
			if (!woken) await new Promise<void>((r) => (wake = r));
			woken = false;
		}
	} finally {
		for (const w of workers) void w.terminate();
	}
}
