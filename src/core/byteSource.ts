import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { TextEncoding, toUtf8 } from './textEncoding';

/**
 * Random access to a log's bytes: a file on disk or a Buffer in memory. Offsets are the file's (as
 * the index holds them); what `read` returns is UTF-8 — the file's bytes, or for a UTF-16 log
 * (`encoding`, set from the index) the range decoded and re-encoded, so every reader of lines
 * decodes UTF-8 whatever the file's encoding.
 */
export interface ByteSource {
	/** Current size in bytes. */
	readonly size: number;
	/** Up to `length` bytes from `offset` (shorter at the end), as UTF-8. */
	read(offset: number, length: number): Buffer;
}

/** A Buffer as a ByteSource (editor documents, stdin read whole, tests). */
export class BufferSource implements ByteSource {
	/** The encoding of the bytes (`LineScanner.encoding`): UTF-16 ranges are decoded by `read`. */
	encoding: TextEncoding = 'utf-8';
	constructor(private readonly buf: Buffer) {}
	get size(): number {
		return this.buf.length;
	}
	read(offset: number, length: number): Buffer {
		return toUtf8(this.readBytes(offset, length), this.encoding);
	}
	/** The bytes as they are in the buffer. */
	readBytes(offset: number, length: number): Buffer {
		return this.buf.subarray(offset, Math.min(this.buf.length, offset + length));
	}
}

/**
 * A file read with `fs.readSync`. Reads are served from a cached window (default 1 MB), so walking
 * entries in order costs one system call per window, not one per entry.
 */
export class FileSource implements ByteSource {
	private fd: number;
	private window: Buffer = Buffer.alloc(0);
	private windowStart = 0;

	/** The file's encoding (`LineScanner.encoding`): UTF-16 ranges are decoded by `read`. */
	encoding: TextEncoding = 'utf-8';

	constructor(readonly path: string, private readonly windowSize = 1 << 20) {
		this.fd = openSync(path, 'r');
	}

	get size(): number {
		return fstatSync(this.fd).size;
	}

	read(offset: number, length: number): Buffer {
		return toUtf8(this.readBytes(offset, length), this.encoding);
	}

	/** The bytes as they are in the file (what the index is fed). */
	readBytes(offset: number, length: number): Buffer {
		if (offset >= this.windowStart && offset + length <= this.windowStart + this.window.length) {
			return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
		}
		if (length > this.windowSize / 2) return this.readDirect(offset, length);
		const buf = Buffer.allocUnsafe(this.windowSize);
		const n = readSync(this.fd, buf, 0, this.windowSize, offset);
		this.window = buf.subarray(0, n);
		this.windowStart = offset;
		return this.window.subarray(0, Math.min(n, length));
	}

	private readDirect(offset: number, length: number): Buffer {
		const buf = Buffer.allocUnsafe(length);
		let got = 0;
		while (got < length) {
			const n = readSync(this.fd, buf, got, length - got, offset + got);
			if (n === 0) break;
			got += n;
		}
		return buf.subarray(0, got);
	}

	/** Drops the cached window (the file changed on disk). */
	invalidate(): void {
		this.window = Buffer.alloc(0);
	}

	close(): void {
		if (this.fd >= 0) closeSync(this.fd);
		this.fd = -1;
	}
}
