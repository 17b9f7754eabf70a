import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { CliError, describeFsError } from './cliError';
import { isStreamedInput, readStreamedInput } from './logInput';

export { CliError, describeFsError };

/** Bytes gathered before they are handed to stdout in one write. */
const OUT_BATCH = 1 << 20;

/**
 * Buffered stdout with backpressure: text and byte ranges are gathered in one big buffer and
 * handed to stdout in one write per batch. Batch buffers are reused once stdout has taken their
 * bytes (fresh memory costs page faults that show on big outputs). A closed pipe
 * (`loglens … | head`) ends the process quietly with status 0, as grep does.
 */
export class Output {
	private buf = Buffer.allocUnsafe(OUT_BATCH);
	private pos = 0;
	/** Full batches (and oversized writes) waiting for `flush`. */
	private queue: Buffer[] = [];
	private queued = 0;
	/** Batch buffers stdout is done with. */
	private free: Buffer[] = [];

	constructor() {
		process.stdout.on('error', (e: NodeJS.ErrnoException) => {
			if (e.code === 'EPIPE') process.exit(0);
			throw e;
		});
	}

	write(s: string | Buffer): void {
		if (typeof s !== 'string') {
			this.writeBytes(s, 0, s.length);
			return;
		}
		// UTF-8 needs at most 3 bytes per UTF-16 unit.
		if (s.length * 3 > this.buf.length - this.pos) {
			this.handOver();
			if (s.length * 3 > this.buf.length) {
				this.enqueue(Buffer.from(s, 'utf8'));
				return;
			}
		}
		this.pos += this.buf.write(s, this.pos, 'utf8');
	}

	/** Appends `b[s, e)` (copied: the caller may reuse `b`). */
	writeBytes(b: Uint8Array, s: number, e: number): void {
		const n = e - s;
		if (n > this.buf.length - this.pos) {
			this.handOver();
			if (n > this.buf.length) {
				this.enqueue(Buffer.from(b.subarray(s, e)));
				return;
			}
		}
		this.buf.set(b.subarray(s, e), this.pos);
		this.pos += n;
	}

	/** Appends one byte. */
	writeByte(c: number): void {
		if (this.pos === this.buf.length) this.handOver();
		this.buf[this.pos++] = c;
	}

	/** Room for `n` more bytes at `reserve(n)`; the caller fills them and calls `commit`. */
	reserve(n: number): { buf: Buffer; pos: number } {
		if (n > this.buf.length - this.pos) {
			this.handOver();
			if (n > this.buf.length) {
				this.buf = Buffer.allocUnsafe(n);
				this.pos = 0;
			}
		}
		return { buf: this.buf, pos: this.pos };
	}

	/** Marks the bytes filled after `reserve` as written (`end` is the new end in the buffer). */
	commit(end: number): void {
		this.pos = end;
	}

	/** Appends a whole buffer without copying it (the caller gives it up). */
	writeChunk(b: Buffer): void {
		this.handOver();
		if (b.length > 0) this.enqueue(b);
	}

	private enqueue(b: Buffer): void {
		this.queue.push(b);
		this.queued += b.length;
	}

	/** Moves the current batch to the queue and continues in a free (or new) buffer. */
	private handOver(): void {
		if (this.pos === 0) return;
		this.enqueue(this.buf.subarray(0, this.pos));
		this.buf = this.free.pop() ?? Buffer.allocUnsafe(OUT_BATCH);
		this.pos = 0;
	}

	/** Hands the gathered bytes to stdout; waits for the pipe to drain when it is full. */
	async flush(): Promise<void> {
		this.handOver();
		if (this.queued === 0) return;
		const parts = this.queue;
		this.queue = [];
		this.queued = 0;
		let ok = true;
		for (const p of parts) ok = process.stdout.write(p) && ok;
		if (!ok) await new Promise<void>((r) => process.stdout.once('drain', r));
		// Files, pipes and terminals are written synchronously on POSIX: when nothing is left
		// buffered in the stream, the batch buffers are ours again.
		if (process.stdout.writableLength === 0) {
			for (const p of parts) if (p.byteOffset === 0 && p.buffer.byteLength === OUT_BATCH && this.free.length < 4) this.free.push(Buffer.from(p.buffer, 0, OUT_BATCH));
		}
	}

	get pending(): number {
		return this.queued + this.pos;
	}
}

/**
 * Reads the input in big chunks: a file (read synchronously: fastest) or stdin for `-`. `onChunk`
 * may return a promise (to flush output) and 'stop' to end early.
 */
export async function readInput(file: string, onChunk: (chunk: Buffer) => void | 'stop' | Promise<void | 'stop'>, chunkSize = 4 * 1024 * 1024): Promise<void> {
	if (file === '-') {
		for await (const chunk of process.stdin) {
			if ((await onChunk(chunk as Buffer)) === 'stop') break;
		}
		return;
	}
	// `.gz` files and `@rotated:PATH` sets stream through their own reader (logInput.ts).
	if (isStreamedInput(file)) return readStreamedInput(file, onChunk, chunkSize);
	checkReadableFile(file);
	let fd: number;
	try {
		fd = openSync(file, 'r');
	} catch (e) {
		throw new CliError(describeFsError(file, e));
	}
	try {
		if (fstatSync(fd).isDirectory()) throw new CliError(`${file}: is a directory`);
		const size = chunkSize;
		const buf = Buffer.allocUnsafe(size);
		for (;;) {
			let n: number;
			try {
				n = readSync(fd, buf, 0, size, null);
			} catch (e) {
				throw new CliError(describeFsError(file, e));
			}
			if (n === 0) break;
			if ((await onChunk(buf.subarray(0, n))) === 'stop') break;
		}
	} finally {
		closeSync(fd);
	}
}

/** Throws a CliError when the path does not exist or is a directory. */
export function checkReadableFile(file: string): void {
	let st;
	try {
		st = statSync(file);
	} catch (e) {
		throw new CliError(describeFsError(file, e));
	}
	if (st.isDirectory()) throw new CliError(`${file}: is a directory`);
}

/** The mtime year of a file (for formats without a year); this year for stdin. */
export function fileYear(file: string): number {
	if (file === '-') return new Date().getFullYear();
	try {
		return statSync(file).mtime.getFullYear();
	} catch {
		return new Date().getFullYear();
	}
}
