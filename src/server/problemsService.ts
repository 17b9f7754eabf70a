/**
 * The Problems tree's data: entries at or above a level, grouped by level and message template.
 * Templates are mined online (TemplateMiner) as the index grows, so following a log keeps the tree
 * current without re-reading the file. Counts, first and last times are kept here per template id
 * (after merges), not taken from the miner, so a re-mined last entry (it grew a traceback) is
 * never counted twice.
 */
import { TemplateMiner, tracebackKey } from '../core/templates/templates';
import { readEntry } from '../core/entryReader';
import { Level, levelName, parseLevelName } from '../core/levels';
import { LevelName, ProblemsResult, OccurrencesParams, OccurrencesResult, ProblemTemplate } from '../shared/protocol';
import type { LogDoc } from './logStore';

interface Model {
	index: LogDoc['index'];
	minLevel: Level;
	miner: TemplateMiner;
	/** Raw template id per entry (-1: below the level floor or not mined yet). */
	ids: Int32Array;
	/** Entries mined so far; the last of them is re-mined when it grows. */
	mined: number;
	lastEndLine: number;
}

const models = new WeakMap<LogDoc, Model>();

function model(doc: LogDoc, minLevel: Level): Model {
	let m = models.get(doc);
	if (!m || m.index !== doc.index || m.minLevel !== minLevel) {
		m = { index: doc.index, minLevel, miner: new TemplateMiner(), ids: new Int32Array(Math.max(1024, doc.index.entryCount)).fill(-1), mined: 0, lastEndLine: -1 };
		models.set(doc, m);
	}
	update(doc, m);
	return m;
}

/** The message an entry is grouped by: the header's message, or exception type + raising frame. */
function mine(doc: LogDoc, m: Model, e: number): number {
	const ix = doc.index;
	const multi = ix.entryEndLine(e) > ix.entryStartLine(e);
	const d = readEntry(ix, doc.source, e, { maxTextBytes: multi ? 1 << 20 : 0 });
	const tb = multi && d.text ? tracebackKey(d.text) : undefined;
	return m.miner.add(d.message, tb);
}

function update(doc: LogDoc, m: Model): void {
	const ix = doc.index;
	const n = ix.entryCount;
	if (m.ids.length < n) {
		const grown = new Int32Array(Math.max(n, m.ids.length * 2)).fill(-1);
		grown.set(m.ids);
		m.ids = grown;
	}
	// The previous last entry may have grown continuation lines since: mine it again.
	let from = m.mined;
	if (from > 0 && ix.entryEndLine(from - 1) !== m.lastEndLine) from--;
	for (let e = from; e < n; e++) {
		const l = ix.entryLevel(e);
		m.ids[e] = l >= m.minLevel && l !== Level.Unknown ? mine(doc, m, e) : -1;
	}
	m.mined = n;
	m.lastEndLine = n ? ix.entryEndLine(n - 1) : -1;
}

/** The template id (after merges) of an entry, or -1. */
export function templateOf(doc: LogDoc, minLevel: LevelName = 'warning'): (e: number) => number {
	const m = model(doc, parseLevelName(minLevel) ?? Level.Warning);
	return (e) => (m.ids[e] >= 0 ? m.miner.resolve(m.ids[e]) : -1);
}

export function problems(doc: LogDoc, minLevelName: LevelName): ProblemsResult {
	const min = parseLevelName(minLevelName) ?? Level.Warning;
	const m = model(doc, min);
	const ix = doc.index;
	const byLevel = new Map<Level, Map<number, ProblemTemplate>>();
	const levelCount = new Map<Level, number>();
	for (let e = 0; e < ix.entryCount; e++) {
		const raw = m.ids[e];
		if (raw < 0) continue;
		const l = ix.entryLevel(e);
		const id = m.miner.resolve(raw);
		levelCount.set(l, (levelCount.get(l) ?? 0) + 1);
		let groups = byLevel.get(l);
		if (!groups) byLevel.set(l, (groups = new Map()));
		let g = groups.get(id);
		const t = ix.entryTime(e);
		if (!g) groups.set(id, (g = { id, template: m.miner.template(id), count: 0, first: null, last: null, firstLine: ix.entryStartLine(e) }));
		g.count++;
		if (Number.isFinite(t)) {
			const iso = new Date(t).toISOString();
			if (g.first === null || iso < g.first) g.first = iso;
			if (g.last === null || iso > g.last) g.last = iso;
		}
	}
	const levels = [...byLevel.keys()].sort((a, b) => b - a).map((l) => ({
		level: levelName(l) as LevelName,
		count: levelCount.get(l) ?? 0,
		templates: [...byLevel.get(l)!.values()].sort((a, b) => b.count - a.count || a.firstLine - b.firstLine),
	}));
	return { uri: doc.uri, minLevel: levelName(min) as LevelName, levels, entries: ix.entryCount };
}

export function occurrences(doc: LogDoc, p: OccurrencesParams): OccurrencesResult {
	const min = parseLevelName(p.minLevel) ?? Level.Warning;
	const m = model(doc, min);
	const ix = doc.index;
	const wantLevel = p.level ? parseLevelName(p.level) : undefined;
	const items: OccurrencesResult['items'] = [];
	let total = 0;
	for (let e = 0; e < ix.entryCount; e++) {
		const raw = m.ids[e];
		if (raw < 0) continue;
		if (wantLevel !== undefined && ix.entryLevel(e) !== wantLevel) continue;
		if (p.templateId !== undefined && m.miner.resolve(raw) !== p.templateId) continue;
		total++;
		if (total <= p.offset || items.length >= p.limit) continue;
		const d = readEntry(ix, doc.source, e, { maxTextBytes: 0 });
		const t = ix.entryTime(e);
		items.push({ line: d.line, endLine: d.endLine, level: levelName(d.level) as LevelName, time: Number.isFinite(t) ? new Date(t).toISOString() : null, message: d.exception ? `${d.message} — ${d.exception.type}: ${d.exception.message}` : d.message });
	}
	return { total, items };
}
