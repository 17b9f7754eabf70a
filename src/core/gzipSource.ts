// Reading a log file front to back in chunks, decompressing gzip on the fly: rotated archives
// (`app.log.2.gz`) are read like any other log, without a temporary file and without holding the
// decompressed text in memory. The file is opened first and read through its descriptor, so a
// rename or delete while it is read (log rotation) does not change which bytes are read.
import { promises as fsp } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** A log file opened for streaming. */
export interface OpenedLog {
	readonly path: string;
	readonly handle: fsp.FileHandle;
	/** The bytes start with the gzip magic number (the extension does not decide). */
	readonly compressed: boolean;
	readonly dev: number;
	readonly ino: number;
}

/** Options for reading chunks. */
export interface ChunkReadOptions {
	/** Bytes per chunk handed out (default 512 KiB). */
	chunkSize?: number;
	signal?: AbortSignal;
}

const DEFAULT_CHUNK = 512 * 1024;

/** True when a path names a gzip file by its extension (`app.log.2.gz`). */
export function isGzipPath(path: string): boolean {
	return /\.gz$/i.test(path);
}

/** Opens a log for streaming; the caller closes `handle`. Throws the file system's error (ENOENT, EISDIR …). */
export async function openLog(path: string): Promise<OpenedLog> {
	const handle = await fsp.open(path, 'r');
	try {
		const st = await handle.stat();
		if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
		const magic = Buffer.alloc(2);
		const { bytesRead } = await handle.read(magic, 0, 2, 0);
		return { path, handle, compressed: bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b, dev: st.dev, ino: st.ino };
	} catch (e) {
		await handle.close();
		throw e;
	}
}

/**
 * The log's (decompressed) bytes in order. A chunk is only valid until the next one is requested
 * (plain files reuse one buffer). Reading is pulled by the consumer, so a slow consumer holds at
 * most a chunk or two in memory. A damaged or truncated gzip file throws an error naming the file,
 * after the bytes that could be decompressed.
 */
export async function* logChunks(log: OpenedLog, opts: ChunkReadOptions = {}): AsyncGenerator<Buffer> {
	const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
	if (!log.compressed) {
		const buf = Buffer.allocUnsafe(chunkSize);
		let pos = 0;
		for (;;) {
			throwIfAborted(opts.signal);
			const { bytesRead } = await log.handle.read(buf, 0, chunkSize, pos);
			if (bytesRead === 0) return;
			pos += bytesRead;
			yield buf.subarray(0, bytesRead);
		}
	}
	// autoClose: false — the handle belongs to the caller; the stream must not close it.
	const raw = log.handle.createReadStream({ start: 0, highWaterMark: 256 * 1024, autoClose: false, emitClose: false });
	// Several gzip members one after another (`cat a.gz b.gz`) decompress as one stream, as gzip -d does.
	const gunzip = createGunzip({ chunkSize: Math.min(chunkSize, 1 << 20) });
	const out = pipeline(raw, gunzip, () => undefined);
	try {
		for await (const chunk of out) {
			throwIfAborted(opts.signal);
			yield chunk as Buffer;
		}
	} catch (e) {
		if ((e as Error).name === 'AbortError') throw e;
		throw Object.assign(new Error(`${log.path}: cannot decompress (${(e as Error).message})`), { code: (e as NodeJS.ErrnoException).code ?? 'EGZIP' });
	} finally {
		out.destroy();
		raw.destroy();
	}
}

/** Reads a whole (possibly gzip-compressed) file into memory — for small files only (tests, the editor's small documents). */
export async function readLogFile(path: string): Promise<Buffer> {
	const log = await openLog(path);
	try {
		const parts: Buffer[] = [];
		for await (const c of logChunks(log)) parts.push(Buffer.from(c));
		return Buffer.concat(parts);
	} finally {
		await log.handle.close();
	}
}

function throwIfAborted(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw Object.assign(new Error('reading aborted'), { name: 'AbortError' });
}
