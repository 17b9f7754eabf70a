// Inputs that are more than one plain file: `.gz` archives (decompressed as they stream) and
// `@rotated:PATH`, a log with its rotated predecessors read oldest first as one file. `readInput`
// hands these here, so every command that streams its input accepts them.
import { isGzipPath } from '../core/gzipSource';
import { findRotatedSet, openFileSet, readRotatedSet, SetChunk } from '../core/rotatedSet';
import { CliError, describeFsError } from './cliError';

/** `@rotated:app.log` names app.log's rotated set. */
export const ROTATED_PREFIX = '@rotated:';

/** Help text for the input forms (for commands' --help). */
export const INPUT_FORMS_HELP = `FILE may be a .gz file (decompressed as it is read) or @rotated:PATH — PATH and its rotated
predecessors (PATH.1 … PATH.N, PATH.2024-05-01, PATH-20240501, also .gz), oldest first, as one log.`;

/** True when `file` needs `readStreamedInput` rather than a plain read. */
export function isStreamedInput(file: string): boolean {
	return file.startsWith(ROTATED_PREFIX) || isGzipPath(file);
}

/** The path in `@rotated:PATH`, or undefined for other inputs. */
export function rotatedPath(file: string): string | undefined {
	return file.startsWith(ROTATED_PREFIX) ? file.slice(ROTATED_PREFIX.length) : undefined;
}

/** `readInput` for `.gz` files and rotated sets: the same contract (chunks in order, 'stop' ends early). */
export async function readStreamedInput(file: string, onChunk: (chunk: Buffer) => void | 'stop' | Promise<void | 'stop'>, chunkSize: number): Promise<void> {
	const rotated = rotatedPath(file);
	let chunks: AsyncGenerator<SetChunk>;
	if (rotated !== undefined) {
		if (rotated === '') throw new CliError(`${ROTATED_PREFIX} needs a path, e.g. ${ROTATED_PREFIX}app.log`);
		chunks = readRotatedSet(rotated, { chunkSize });
	} else {
		let set;
		try {
			set = await openFileSet([{ path: file, compressed: true, order: 0, live: true }]);
		} catch (e) {
			throw new CliError(describeFsError(file, e));
		}
		chunks = closingChunks(set.chunks({ chunkSize }), () => set.close());
	}
	let any = false;
	try {
		for await (const c of chunks) {
			any = true;
			if ((await onChunk(c.data)) === 'stop') break;
		}
	} catch (e) {
		if (e instanceof CliError) throw e;
		const code = (e as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'EPERM') throw new CliError(describeFsError(rotated ?? file, e));
		if (code !== undefined) throw new CliError((e as Error).message);
		throw e;
	}
	if (!any && rotated !== undefined) {
		// An empty set is usually a typo in the path: say so instead of printing nothing.
		if ((await findRotatedSet(rotated)).length === 0) throw new CliError(`${rotated}: no such file, nor rotated copies of it`);
	}
}

async function* closingChunks(chunks: AsyncGenerator<SetChunk>, close: () => Promise<void>): AsyncGenerator<SetChunk> {
	try {
		yield* chunks;
	} finally {
		await close();
	}
}
