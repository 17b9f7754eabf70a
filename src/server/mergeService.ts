/**
 * Merged tabs: several logs, or a rotated set (`.gz` members decompressed by streaming), as one
 * time-ordered text built by the engine's k-way merge, with a map back to each line's file.
 */
import { mergeToText, mergedLineSource, MergedText, MergeInput } from '../core/merge';
import { liveFileOf } from '../core/rotatedSet';
import type { MergeInfo, MergeParams } from '../shared/protocol';

const merges = new Map<string, MergedText>();
let next = 1;

export async function merge(p: MergeParams): Promise<MergeInfo> {
	const inputs: MergeInput[] = p.rotated ? [{ path: await liveFileOf(p.paths[0]), rotated: true }] : p.paths;
	const m = await mergeToText(inputs, { maxEntries: p.maxEntries ?? 500_000 });
	const id = `m${next++}`;
	merges.set(id, m);
	return { id, files: m.files.map((f) => ({ path: f.path, label: f.label })), entries: m.entryLine.length, truncated: m.truncated };
}

export function mergeContent(id: string): { text: string; entryLines: number[]; entryFiles: number[] } {
	const m = merges.get(id);
	if (!m) return { text: '', entryLines: [], entryFiles: [] };
	const entryLines = Array.from(m.entryLine);
	return { text: m.text, entryLines, entryFiles: entryLines.map((l) => m.lineFile[l]) };
}

export function mergeSource(id: string, line: number): { file: string; line: number } | null {
	const m = merges.get(id);
	const s = m && mergedLineSource(m, line);
	return s ? { file: s.file, line: s.line } : null;
}

export function dropMerge(id: string): void {
	merges.delete(id);
}
