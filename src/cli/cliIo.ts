import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { isStreamedInput, readStreamedInput } from './logInput';

/** A user-facing failure: printed as one `loglens: …` line, exit code 2. */
export class CliError extends Error {}

/** Reason text for file-system errors, without a stack. */
export function describeFsError(path: string, e: unknown): string {
	const code = (e as NodeJS.ErrnoException)?.code;
	if (code === 'ENOENT') return `${path}: no such file`;
	if (code === 'EISDIR') return `${path}: is a directory`;
	if (code === 'EACCES' || code === 'EPERM') return `${path}: permission denied`;
	return `${path}: ${(e as Error)?.message ?? String(e)}`;
}

/**
 * Buffered stdout with backpressure. A closed pipe (`loglens … | head`) ends the process quietly
 * with status 0, as grep does.
 */
export class Output {
	private parts: (string | Buffer)[] = [];
	private size = 0;

	constructor() {
		process.stdout.on('error', (e: NodeJS.ErrnoException) => {
			if (e.code === 'EPIPE') process.exit(0);
			throw e;
		});
	}

	write(s: string | Buffer): void {
		this.parts.push(s);
		this.size += s.length;
	}

	/** Hands the buffered text to stdout; waits for the pipe to drain when it is full. */
	async flush(): Promise<void> {
		if (this.size === 0) return;
		const text = this.parts.every((p) => typeof p === 'string') ? this.parts.join('') : Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
		this.parts = [];
		this.size = 0;
		if (!process.stdout.write(text)) await new Promise<void>((r) => process.stdout.once('drain', r));
	}

	get pending(): number {
		return this.size;
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
