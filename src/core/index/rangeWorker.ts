// The worker thread of parallel indexing (bundled as dist/indexWorker.js): indexes one range of a
// file, reading headers with the detection input of the first range, and sends the index back
// (its typed arrays transferred, not copied).
import { promises as fsp } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { CompiledFilter } from '../filter/filter';
import { filteringStream, MemorySink } from '../filter/filterOutput';
import type { FilterJob, MinedRange, RangeJob, RangeMessage, TemplatesJob } from './parallelRanges';
import { IntColumn, miningStream } from '../templates/templateRun';
import { TemplateMiner } from '../templates/templates';
import { readRange } from './diskScan';
import { IndexPart, LogIndex } from './logIndex';

async function indexRange(job: RangeJob, progress: (bytes: number) => void): Promise<IndexPart> {
	const fh = await fsp.open(job.path, 'r');
	try {
		const idx = new LogIndex({ format: job.format, ctx: job.ctx, presample: job.presample, startOffset: job.start });
		await readRange(fh, idx, job.start, () => job.end, { chunkSize: job.chunkSize, onProgress: progress, reserveFor: { from: job.start, to: job.end } });
		return idx.exportPart();
	} finally {
		await fh.close();
	}
}

/** Filters one range (entries whole; it starts at a header line) into memory. */
async function filterRange(job: FilterJob): Promise<Buffer> {
	const sink = new MemorySink();
	const stream = filteringStream(new CompiledFilter(job.spec), sink, job.out, { format: job.format, ctx: job.ctx, presample: job.presample, startOffset: job.start });
	await readJobRange(job, (b) => stream.append(b));
	stream.finish();
	return sink.bytes();
}

/** Reads `[job.start, job.end)` of the file into `append`. */
async function readJobRange(job: RangeJob | FilterJob | TemplatesJob, append: (b: Buffer) => void): Promise<void> {
	const fh = await fsp.open(job.path, 'r');
	try {
		const buf = Buffer.allocUnsafe(job.chunkSize);
		for (let pos = job.start; pos < job.end;) {
			const { bytesRead } = await fh.read(buf, 0, Math.min(job.chunkSize, job.end - pos), pos);
			if (bytesRead === 0) break;
			pos += bytesRead;
			append(buf.subarray(0, bytesRead));
		}
	} finally {
		await fh.close();
	}
}

/** Mines one range's templates (ids resolved to the range's surviving templates). */
async function mineRange(job: TemplatesJob): Promise<MinedRange> {
	const miner = new TemplateMiner();
	const record = job.record ? { starts: new IntColumn(), ends: new IntColumn(), ids: new IntColumn() } : null;
	const stream = miningStream(miner, record, { format: job.format, ctx: job.ctx, presample: job.presample, startOffset: job.start });
	await readJobRange(job, (b) => stream.append(b));
	stream.finish();
	const r: MinedRange = { templates: miner.exportTemplates(), lines: stream.lineCount };
	if (record) {
		const ids = record.ids.data.subarray(0, record.ids.length);
		for (let k = 0; k < ids.length; k++) ids[k] = miner.resolve(ids[k]);
		r.starts = record.starts.data.subarray(0, record.starts.length);
		r.ends = record.ends.data.subarray(0, record.ends.length);
		r.ids = ids;
	}
	return r;
}

parentPort?.on('message', (job: RangeJob | FilterJob | TemplatesJob) => {
	const port = parentPort as NonNullable<typeof parentPort>;
	const send = (m: RangeMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
	if (job.kind === 'templates') {
		mineRange(job).then(
			(mined) => send({ id: job.id, mined }, [mined.starts, mined.ends, mined.ids].filter((a) => a !== undefined).map((a) => (a as Int32Array).buffer as ArrayBuffer)),
			(e: unknown) => send({ id: job.id, error: e instanceof Error ? e.message : String(e) }),
		);
		return;
	}
	if (job.kind === 'filter') {
		filterRange(job).then(
			(out) => send({ id: job.id, out }, [out.buffer as ArrayBuffer]),
			(e: unknown) => send({ id: job.id, error: e instanceof Error ? e.message : String(e) }),
		);
		return;
	}
	indexRange(job, (b) => send({ progress: b })).then(
		(part) => send({ part }, [part.lineLow.buffer, part.crBits.buffer, part.entryLine.buffer, part.entryLvl.buffer, part.timeRel.buffer, part.timeBase.buffer] as ArrayBuffer[]),
		(e: unknown) => send({ error: e instanceof Error ? e.message : String(e) }),
	);
});
