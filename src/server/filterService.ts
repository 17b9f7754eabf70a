/**
 * Runs a protocol FilterSpec over a document's index: level/time checks straight from the index,
 * text/logger/field checks on the entry's bytes (re2js, linear time), entries kept whole. The
 * result text is capped at `maxEntries`; counts cover every match.
 */
import { SETTING_DEFAULTS } from '../shared/settings';
import { CancellationToken, ResponseError, ErrorCodes } from 'vscode-languageserver/node';
import { CompiledFilter, FilterError } from '../core/filter/filter';
import { compileUserFilter } from '../core/filter/userFilter';
import { readEntry } from '../core/entryReader';
import { FilterResult, FilterSpec } from '../shared/protocol';
import { countsFromArray, type LogDoc } from './logStore';
import { describeFilter } from '../shared/describeFilter';

/** Reference time for `HH:MM` bounds: the log's first day (relative bounds count back from now). */
function refTimeOf(doc: LogDoc): number {
	const first = doc.index.timeRange().first;
	return Number.isFinite(first) ? first : Date.now();
}

/** Entry numbers passing every filter part; `onMatch` returns false to stop early. */
export function forEachMatch(doc: LogDoc, spec: FilterSpec, onMatch: (e: number) => boolean | void, token?: CancellationToken, templateOf?: (e: number) => number): void {
	let filters: CompiledFilter[];
	try {
		filters = compileUserFilter(spec, refTimeOf(doc));
	} catch (e) {
		if (e instanceof FilterError) throw new ResponseError(ErrorCodes.InvalidParams, e.message);
		throw e;
	}
	const needsDetail = filters.some((f) => f.needsDetail);
	const ix = doc.index;
	const tid = spec.templateId;
	for (let e = 0; e < ix.entryCount; e++) {
		if ((e & 0xfff) === 0 && token?.isCancellationRequested) return;
		const level = ix.entryLevel(e), time = ix.entryTime(e);
		if (!filters.every((f) => f.passesIndex(level, time))) continue;
		if (tid !== undefined && (!templateOf || templateOf(e) !== tid)) continue;
		if (needsDetail) {
			const d = readEntry(ix, doc.source, e, { maxTextBytes: 64 << 20 });
			const text = d.text ?? d.message;
			if (!filters.every((f) => f.passesDetail(d, text))) continue;
		}
		if (onMatch(e) === false) return;
	}
}

export function runFilter(doc: LogDoc, spec: FilterSpec, maxEntries = SETTING_DEFAULTS['filter.maxEntries'], token?: CancellationToken, templateOf?: (e: number) => number, maxBytes = Infinity): FilterResult {
	const ix = doc.index;
	const parts: string[] = [];
	const lineMap: number[] = [];
	const counts = new Array<number>(8).fill(0);
	let matched = 0, shown = 0, bytes = 0, full = false;
	forEachMatch(doc, spec, (e) => {
		matched++;
		counts[ix.entryLevel(e)]++;
		if (full || shown >= maxEntries) return;
		const s = ix.entryStartLine(e), end = ix.entryEndLine(e);
		const from = ix.lineStart(s), to = ix.lineEnd(end);
		if (shown > 0 && bytes + (to - from) + 1 > maxBytes) {
			full = true;
			return;
		}
		const text = doc.source.read(from, to - from).toString('utf8').replace(/\r\n/g, '\n');
		parts.push(text);
		bytes += to - from + 1;
		shown++;
		for (let l = s; l <= end; l++) lineMap.push(l);
	}, token, templateOf);
	return {
		text: parts.join('\n'),
		lineMap,
		matchedEntries: matched,
		totalEntries: ix.entryCount,
		levels: countsFromArray(counts),
		truncated: matched > shown,
		shownEntries: shown,
		description: describeFilter(spec),
	};
}


