// Parallel indexing of one big file: the calling thread indexes the first range while worker
// threads (dist/indexWorker.js) index the later ones, each range starting at a header line so that
// no entry is cut; the calling index then absorbs the ranges in order. Every header is read by
// itself (no format carries state from line to line), so the result is the same index a single
// pass builds — the tests compare the two.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FilterSpec } from '../filter/filter';
import type { FilterOutputOptions } from '../filter/filterOutput';
import type { ParseContext } from '../format';
import type { MinedTemplate } from '../templates/templates';
import type { IndexPart, LogIndex } from './logIndex';

/** Files smaller than this are indexed by one thread (a worker costs ~30 ms to start). */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
/** How far past a planned split point a header line is looked for. */
const SPLIT_WINDOW = 1024 * 1024;

/** What a worker indexes: `[start, end)` of `path`, with the first range's detection input. */
export interface RangeJob {
	kind?: 'index';
	path: string;
	start: number;
	end: number;
	presample: readonly string[];
	format?: string;
	ctx: ParseContext;
	chunkSize: number;
}

/** What a worker filters (`loglens filter` of one range): the output bytes come back. */
export interface FilterJob extends Omit<RangeJob, 'kind'> {
	kind: 'filter';
	id: number;
	spec: FilterSpec;
	out: FilterOutputOptions;
}

/** What a worker mines (`loglens templates` of one range). */
export interface TemplatesJob extends Omit<RangeJob, 'kind'> {
	kind: 'templates';
	id: number;
	/** Send every entry's lines and template id too (`--jsonl`). */
	record: boolean;
}

/** A range's templates (ids local to the range) and, when asked, its entries' lines and ids. */
export interface MinedRange {
	templates: MinedTemplate[];
	/** Lines in the range. */
	lines: number;
	starts?: Int32Array;
	ends?: Int32Array;
	ids?: Int32Array;
}

/** Messages from a worker. */
export type RangeMessage = { progress: number } | { part: IndexPart } | { error: string; id?: number } | { id: number; out: Uint8Array } | { id: number; mined: MinedRange };

export interface ParallelOptions {
	/** Threads in all, the caller's included (default: the CPUs, at most 4, when there are 3 or more; env LOGLENS_INDEX_THREADS). */
	threads?: number;
	/** The worker script (default: indexWorker.js beside this bundle). */
	workerScript?: string;
	/** Files smaller than this are read by one thread (default `PARALLEL_MIN_BYTES`; env LOGLENS_PARALLEL_MIN_BYTES). */
	parallelMinBytes?: number;
}

/** The worker script beside the running bundle (dist/), or undefined (unbundled tests). */
export function defaultWorkerScript(): string | undefined {
	const p = join(__dirname, 'indexWorker.js');
	return existsSync(p) ? p : undefined;
}

/** The size from which a file is read in parallel ranges (option, else env, else the default). */
export function parallelMinBytes(opts: ParallelOptions): number {
	const env = Number(process.env.LOGLENS_PARALLEL_MIN_BYTES);
	return opts.parallelMinBytes ?? (process.env.LOGLENS_PARALLEL_MIN_BYTES && Number.isFinite(env) ? env : PARALLEL_MIN_BYTES);
}

/** How many ranges a file of `size` bytes is split into (1: index it in one pass). */
export function planRanges(size: number, opts: ParallelOptions & { format?: unknown }): number {
	const min = parallelMinBytes(opts);
	if (size < min || size === 0) return 1;
	if (opts.format !== undefined && typeof opts.format !== 'string') return 1;
	if (!(opts.workerScript ?? defaultWorkerScript())) return 1;
	const env = Number(process.env.LOGLENS_INDEX_THREADS);
	// With 2 CPUs, a second indexing thread competes with the editor (or the shell's other work) and
	// on virtual machines whose CPUs share a core it was measured slower than one pass: parallel
	// ranges start at 3 CPUs.
	const cpus = availableParallelism();
	const threads = opts.threads ?? (Number.isFinite(env) && env >= 1 ? env : cpus >= 3 ? Math.min(4, cpus) : 1);
	return Math.max(1, Math.min(threads, min > 0 ? Math.floor(size / (min / 2)) : threads));
}

/** One later range, indexed by a worker thread (started before its job is known, to hide its start-up). */
class RangeWorker {
	readonly worker: Worker;
	job: RangeJob | undefined;
	bytesDone = 0;
	readonly result: Promise<IndexPart>;
	private settle!: { resolve: (p: IndexPart) => void; reject: (e: Error) => void };

	constructor(script: string) {
		this.result = new Promise<IndexPart>((resolve, reject) => (this.settle = { resolve, reject }));
		this.result.catch(() => undefined);
		this.worker = new Worker(script);
		this.worker.unref();
		this.worker.on('message', (m: RangeMessage) => {
			if ('progress' in m) this.bytesDone = m.progress;
			else if ('part' in m) this.settle.resolve(revive(m.part));
			else if ('error' in m) this.settle.reject(new Error(m.error));
		});
		this.worker.on('error', (e) => this.settle.reject(e));
		this.worker.on('exit', (code) => this.settle.reject(new Error(`index worker exited (${code})`)));
	}

	run(job: RangeJob): void {
		if (this.job) throw new Error('an index worker takes one range');
		this.job = job;
		this.worker.postMessage(job);
	}
}

/** Structured clone turns the tail's Buffer into a plain Uint8Array: make it a Buffer again. */
function revive(p: IndexPart): IndexPart {
	const c = p.tail.carry as Uint8Array | null;
	if (c && !Buffer.isBuffer(c)) p.tail.carry = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
	return p;
}

/**
 * The later ranges of one file being indexed by workers. Use: `start` once the first range's index
 * has detected the format (it returns where the first range must stop), index up to there, then
 * `absorbInto`.
 */
export class ParallelRanges {
	private readonly workers: RangeWorker[] = [];

	constructor(ranges: number, script: string) {
		for (let i = 1; i < ranges; i++) this.workers.push(new RangeWorker(script));
	}

	/**
	 * Picks the split points (header lines near equal shares of the file, after `from`) and hands
	 * out the jobs; returns where the caller's range ends. `read(pos, len)` reads the file.
	 */
	async start(idx: LogIndex, job: Omit<RangeJob, 'start' | 'end' | 'presample'>, size: number, from: number, read: (pos: number, len: number) => Promise<Buffer>): Promise<number> {
		const n = this.workers.length + 1;
		const splits: number[] = [];
		for (let k = 1; k < n; k++) {
			const at = Math.max(Math.floor((size * k) / n), from, (splits[splits.length - 1] ?? 0) + 1);
			const s = await headerAfter(idx, read, at, size);
			if (s > 0 && s < size && s > (splits[splits.length - 1] ?? from)) splits.push(s);
		}
		// Workers without a range are not needed.
		for (const w of this.workers.splice(splits.length)) void w.worker.terminate();
		splits.forEach((s, i) => this.workers[i].run({ ...job, start: s, end: splits[i + 1] ?? size, presample: idx.detectionInput }));
		return splits[0] ?? size;
	}

	/** Bytes the workers have indexed so far. */
	get bytesDone(): number {
		return this.workers.reduce((s, w) => s + w.bytesDone, 0);
	}

	/**
	 * Appends each worker's range to `idx`, in order; a range whose worker failed is read by
	 * `fallback(start, end)` into `idx` instead (so a failure costs time, never data).
	 */
	async absorbInto(idx: LogIndex, fallback: (start: number, end: number) => Promise<void>): Promise<void> {
		for (const w of this.workers) {
			const job = w.job as RangeJob;
			let part: IndexPart | undefined;
			try {
				part = await w.result;
			} catch {
				part = undefined;
			}
			if (part) {
				idx.absorb(part);
				idx.ranges++;
			} else await fallback(job.start, job.end);
			void w.worker.terminate();
		}
	}

	dispose(): void {
		for (const w of this.workers) void w.worker.terminate();
	}
}

/** Offset of the first header line starting after `at` (within a window), or -1. */
export async function headerAfter(idx: LogIndex, read: (pos: number, len: number) => Promise<Buffer>, at: number, size: number): Promise<number> {
	if (at >= size) return -1;
	const buf = await read(at, Math.min(SPLIT_WINDOW, size - at));
	let s = buf.indexOf(10) + 1;
	if (s <= 0) return -1;
	// `prev`: the line above `s` when it is whole (a wrapped log's partial record must not end a range).
	let prev = -1;
	for (;;) {
		const nl = buf.indexOf(10, s);
		if (nl < 0) return -1;
		if (idx.isHeaderLine(buf, s, nl) && (prev >= 0 ? idx.endsRecord(buf, prev, s - 1) : idx.endsRecord(buf, s, s))) return at + s;
		prev = s;
		s = nl + 1;
	}
}
