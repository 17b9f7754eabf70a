// Reading a log file from disk for the scanners (`indexFile`, `tallyFile`, the range workers):
// double-buffered range reads and the set-up both scans start from (size, year, detection sample).
import type { promises as fsp } from 'node:fs';
import type { ParseContext } from '../format';
import { LineScanner, SAMPLE_BYTES, ScanOptions } from './lineScanner';
import { bomEncoding, TextEncoding, toUtf8 } from '../textEncoding';

/** How `readRange` reads. */
export interface ReadRangeOptions {
	chunkSize: number;
	signal?: AbortSignal;
	/** After each chunk: bytes of this range read so far. */
	onProgress?: (bytesInRange: number) => void;
	/** After each chunk (awaited): may move the limit. */
	afterChunk?: (pos: number) => Promise<void>;
	/**
	 * The index will end up holding the bytes `[from, to)`: once 1,000 lines are read, its arrays
	 * are sized for the whole span (no copies while they grow). Unset: they grow as needed.
	 */
	reserveFor?: { from: number; to: number };
}

/**
 * Appends `[start, limit())` of the file to `idx` with two buffers (the next read runs while the
 * current chunk is scanned); the limit is read again after every chunk.
 */
export async function readRange(fh: fsp.FileHandle, idx: LineScanner & { reserve?(lines: number): void }, start: number, limit: () => number, o: ReadRangeOptions): Promise<void> {
	let reserve = o.reserveFor && o.reserveFor.to - o.reserveFor.from >= 8 * 1024 * 1024 ? o.reserveFor : undefined;
	const bufs = [Buffer.allocUnsafe(o.chunkSize), Buffer.allocUnsafe(o.chunkSize)];
	let pos = start, which = 0;
	let pending: Promise<{ bytesRead: number }> | null = fh.read(bufs[0], 0, Math.min(o.chunkSize, limit() - pos), pos);
	while (pending) {
		if (o.signal?.aborted) {
			await pending.catch(() => undefined);
			throw Object.assign(new Error('indexing aborted'), { name: 'AbortError' });
		}
		const { bytesRead: got } = await pending;
		// The limit may have moved below what the last read asked for.
		const bytesRead = Math.min(got, Math.max(0, limit() - pos));
		if (bytesRead === 0) break;
		const cur = bufs[which];
		pos += bytesRead;
		which ^= 1;
		const next = Math.min(o.chunkSize, limit() - pos);
		pending = next > 0 ? fh.read(bufs[which], 0, next, pos) : null;
		idx.append(cur.subarray(0, bytesRead));
		if (o.afterChunk) await o.afterChunk(pos);
		if (reserve && idx.lineCount > 1000) {
			idx.reserve?.(((reserve.to - reserve.from) / (pos - reserve.from)) * idx.lineCount * 1.05);
			reserve = undefined;
		}
		o.onProgress?.(pos - start);
	}
	await pending?.catch(() => undefined);
}

/**
 * What scanning a file from disk starts from, for `indexFile` and `tallyFile` alike (so both read
 * headers the same way): its size, the year from its modification time, and for a big file more
 * detection input from its middle. A directory is refused.
 */
export async function scanSetup(fh: fsp.FileHandle, path: string, opts: ScanOptions): Promise<{ size: number; scan: ScanOptions & { ctx: ParseContext } }> {
	const st = await fh.stat();
	if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
	let extraSample = opts.extraSample;
	if (!extraSample && st.size > 4 * SAMPLE_BYTES) {
		const head = Buffer.alloc(4);
		const { bytesRead } = await fh.read(head, 0, 4, 0);
		extraSample = await middleSample(fh, st.size, bomEncoding(head.subarray(0, bytesRead)));
	}
	return { size: st.size, scan: { ...opts, ctx: opts.ctx ?? { year: st.mtime.getFullYear() }, extraSample } };
}

/**
 * Up to 64 KB of whole lines from the middle of the file (more detection input for big files), as
 * the scanner reads a sample: latin1 of the lines' UTF-8 bytes.
 */
async function middleSample(fh: fsp.FileHandle, size: number, encoding: TextEncoding): Promise<string[]> {
	const len = 64 * 1024;
	const buf = Buffer.alloc(len);
	// UTF-16: from a code unit boundary.
	const { bytesRead } = await fh.read(buf, 0, len, encoding === 'utf-8' ? Math.floor(size / 2) : Math.floor(size / 4) * 2);
	const lines = toUtf8(buf.subarray(0, bytesRead), encoding).toString('latin1').split('\n');
	return lines.slice(1, -1).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
