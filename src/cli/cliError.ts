// The CLI's user-facing failure and file-system error text, apart from cliIo.ts so that the input
// readers (logInput.ts) and cliIo.ts can both use them without importing each other.

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
