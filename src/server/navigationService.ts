/** Next/previous entry of a kind, nearest entry to a time, and the ranges of error entries' bodies. */
import { Level, parseLevelName } from '../core/levels';
import { parseTimeBound } from '../core/filter/filter';
import { NavigateParams, NavigateResult, LevelName } from '../shared/protocol';
import type { LogDoc } from './logStore';

function matcher(kind: NavigateParams['kind']): (level: Level) => boolean {
	switch (kind) {
		case 'error': return (l) => l === Level.Error || l === Level.Critical;
		case 'warning': return (l) => l >= Level.Warning && l <= Level.Critical;
		default: return () => true;
	}
}

export function navigate(doc: LogDoc, p: NavigateParams): NavigateResult {
	const ix = doc.index;
	const n = ix.entryCount;
	const none: NavigateResult = { line: null, endLine: null, wrapped: false };
	if (!n) return none;
	const ok = matcher(p.kind);
	const at = (e: number): NavigateResult => ({ line: ix.entryStartLine(e), endLine: ix.entryEndLine(e), wrapped: false });
	// The entry holding the cursor; lines before the first header count as "before entry 0".
	const cur = Math.max(-1, ix.entryAtLine(p.line));
	if (p.direction === 'next') {
		for (let e = cur + 1; e < n; e++) if (ok(ix.entryLevel(e))) return at(e);
		for (let e = 0; e <= Math.min(cur, n - 1); e++) if (ok(ix.entryLevel(e))) return { ...at(e), wrapped: true };
		return none;
	}
	// Previous: the cursor inside an entry's body goes to that entry's header first.
	const startCur = cur >= 0 && p.line > ix.entryStartLine(cur) ? cur : cur - 1;
	for (let e = startCur; e >= 0; e--) if (ok(ix.entryLevel(e))) return at(e);
	for (let e = n - 1; e > startCur; e--) if (ok(ix.entryLevel(e))) return { ...at(e), wrapped: true };
	return none;
}

/** The entry whose time is nearest to `query` (ISO, `HH:MM[:SS]` on the log's own days, relative). */
export function gotoTime(doc: LogDoc, query: string): { line: number | null; time: string | null; error?: string } {
	const ix = doc.index;
	const ref = ix.timeRange().first;
	let t = NaN;
	try {
		// `HH:MM:SS` means that time on the log's first day; relative times count back from now.
		t = parseTimeBound(query, Number.isFinite(ref) ? ref : Date.now());
	} catch {
		// reported below
	}
	if (!Number.isFinite(t)) return { line: null, time: null, error: `"${query}" is not a time (try 14:03:22 or 2024-05-01T14:03:22)` };
	let best = -1, bestD = Infinity;
	for (let e = 0; e < ix.entryCount; e++) {
		const et = ix.entryTime(e);
		if (!Number.isFinite(et)) continue;
		const d = Math.abs(et - t);
		if (d < bestD) { bestD = d; best = e; }
	}
	if (best < 0) return { line: null, time: null, error: 'this log has no timestamps' };
	return { line: ix.entryStartLine(best), time: new Date(ix.entryTime(best)).toISOString() };
}

/** Continuation-line ranges [first, last, level] of multi-line entries at or above `minLevel`. */
export function entryRanges(doc: LogDoc, minLevel: LevelName): { ranges: [number, number, LevelName][] } {
	const ix = doc.index;
	const min = parseLevelName(minLevel) ?? Level.Error;
	const ranges: [number, number, LevelName][] = [];
	for (let e = 0; e < ix.entryCount && ranges.length < 100_000; e++) {
		const l = ix.entryLevel(e);
		if (l < min || l === Level.Unknown) continue;
		const s = ix.entryStartLine(e), end = ix.entryEndLine(e);
		if (end > s) ranges.push([s + 1, end, l === Level.Critical ? 'critical' : l === Level.Error ? 'error' : 'warning']);
	}
	return { ranges };
}
