// The acknowledged position of an export, kept between runs (the CLI's --state FILE; the
// extension keeps the same object in workspaceState).
import { renameSync, readFileSync, writeFileSync } from 'node:fs';
import { ResumePoint } from './bulkExport';
import { ExportState } from './exportSources';

/** Builds the state object for an acknowledged point. */
export function stateAt(index: string, at: ResumePoint): ExportState {
	return { version: 1, index, file: at.file, offset: at.offset, updated: new Date().toISOString() };
}

/** Whether a parsed value is a state this version wrote (for `index`, when given). */
export function isExportState(v: unknown, index?: string): v is ExportState {
	const s = v as ExportState;
	return !!s && s.version === 1 && typeof s.offset === 'number' && typeof s.file?.key === 'string' && (index === undefined || s.index === index);
}

/** Reads a state file; undefined when missing, unreadable, or for another index. */
export function readStateFile(path: string, index: string): ExportState | undefined {
	try {
		const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
		return isExportState(v, index) ? v : undefined;
	} catch {
		return undefined;
	}
}

/** Writes a state file atomically (a crash never leaves half a file). */
export function writeStateFile(path: string, state: ExportState): void {
	const tmp = `${path}.tmp-${process.pid}`;
	writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
	renameSync(tmp, path);
}

/**
 * Saves at most every `everyMs` while acknowledgements stream in, and always on `flush`, so a
 * busy export does not write the state file thousands of times a second.
 */
export class ThrottledStateWriter {
	private pending: ExportState | undefined;
	private last = 0;

	constructor(private readonly save: (s: ExportState) => void | Promise<void>, private readonly everyMs = 1000) {}

	update(s: ExportState): void {
		this.pending = s;
		if (Date.now() - this.last >= this.everyMs) void this.flush();
	}

	async flush(): Promise<void> {
		const s = this.pending;
		this.pending = undefined;
		if (!s) return;
		this.last = Date.now();
		await this.save(s);
	}
}
