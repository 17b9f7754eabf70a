/** Folding ranges (one per multi-line entry) and the outline (time buckets holding warnings and errors). */
import { FoldingRange, DocumentSymbol, SymbolKind } from 'vscode-languageserver/node';
import { Level, levelName } from '../core/levels';
import { readEntry } from '../core/entryReader';
import type { LogDoc } from './logStore';

/** VS Code shows at most 5,000 folding regions by default; more is wasted work. */
const MAX_FOLDS = 5000;
const MAX_SYMBOLS = 2000;

export function foldingRanges(doc: LogDoc): FoldingRange[] {
	const ix = doc.index;
	const out: FoldingRange[] = [];
	for (let e = 0; e < ix.entryCount && out.length < MAX_FOLDS; e++) {
		const s = ix.entryStartLine(e), end = ix.entryEndLine(e);
		if (end > s) out.push({ startLine: s, endLine: end, kind: 'region' });
	}
	return out;
}

const BUCKETS_MS = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000];

/**
 * The outline: the log's time span cut into buckets (about 50 at most), each named by its start
 * time with its error/warning counts, holding those warning-or-worse entries as children. Logs
 * without timestamps list the warning-or-worse entries directly.
 */
export function documentSymbols(doc: LogDoc): DocumentSymbol[] {
	const ix = doc.index;
	const { first, last } = ix.timeRange();
	let budget = MAX_SYMBOLS;
	const entrySymbol = (e: number): DocumentSymbol => {
		const d = readEntry(ix, doc.source, e);
		const s = ix.entryStartLine(e), end = ix.entryEndLine(e);
		const range = { start: { line: s, character: 0 }, end: { line: end, character: 0 } };
		const name = `${levelName(ix.entryLevel(e)).toUpperCase()} ${d.exception ? `${d.exception.type}: ${d.exception.message}` : d.message}`.slice(0, 200) || '(empty)';
		return { name, detail: d.logger ?? '', kind: ix.entryLevel(e) >= Level.Error ? SymbolKind.Event : SymbolKind.Key, range, selectionRange: { start: range.start, end: range.start } };
	};
	const notable = (e: number) => { const l = ix.entryLevel(e); return l >= Level.Warning && l <= Level.Critical; };
	if (!Number.isFinite(first) || !Number.isFinite(last)) {
		const out: DocumentSymbol[] = [];
		for (let e = 0; e < ix.entryCount && budget-- > 0; e++) if (notable(e)) out.push(entrySymbol(e));
		return out;
	}
	const span = Math.max(1, last - first);
	const size = BUCKETS_MS.find((b) => span / b <= 50) ?? 7 * 86_400_000;
	const buckets = new Map<number, { start: number; end: number; errors: number; warnings: number; entries: number; children: DocumentSymbol[] }>();
	for (let e = 0; e < ix.entryCount; e++) {
		const t = ix.entryTime(e);
		if (!Number.isFinite(t)) continue;
		const k = Math.floor(t / size) * size;
		let b = buckets.get(k);
		if (!b) buckets.set(k, (b = { start: ix.entryStartLine(e), end: ix.entryEndLine(e), errors: 0, warnings: 0, entries: 0, children: [] }));
		b.end = Math.max(b.end, ix.entryEndLine(e));
		b.entries++;
		const l = ix.entryLevel(e);
		if (l === Level.Error || l === Level.Critical) b.errors++;
		else if (l === Level.Warning) b.warnings++;
		if (notable(e) && budget > 0) { budget--; b.children.push(entrySymbol(e)); }
	}
	return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([k, b]) => {
		const range = { start: { line: b.start, character: 0 }, end: { line: b.end, character: 0 } };
		const label = new Date(k).toISOString().replace('T', ' ').slice(0, size >= 86_400_000 ? 10 : 16);
		return { name: label, detail: `${b.entries} entries · ${b.errors} errors · ${b.warnings} warnings`, kind: SymbolKind.Namespace, range, selectionRange: { start: range.start, end: range.start }, children: b.children };
	});
}
