/**
 * Statistics of a log: entries over time per level, error rate, top message templates with
 * sparklines, top loggers, span and rate. A pure function over a LogIndex and its bytes: the
 * language server runs it and sends only these aggregates to the statistics webview, so a
 * two-million-entry log costs the client a few thousand numbers.
 */
import { ByteSource } from './byteSource';
import { readEntry } from './entryReader';
import { Level, LEVEL_NAMES, LevelName } from './levels';
import { LogIndex } from './index/logIndex';
import { tracebackKey, TracebackKey } from './templates/templates';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bucket sizes offered for the time axis, smallest first: round steps a reader recognises. */
export const BUCKET_STEPS: readonly number[] = [
	SECOND, 5 * SECOND, 15 * SECOND, MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 6 * HOUR, DAY, 7 * DAY, 30 * DAY,
];

/** Default target for the number of time buckets (a chart wider than this gains nothing). */
export const DEFAULT_MAX_BUCKETS = 2000;
/** A requested bucket size never yields more buckets than this (a 1 s step over a year would be 31 M). */
export const HARD_MAX_BUCKETS = 50_000;

/** Template lookups the statistics need: the miner of `templates/templates.ts`, or the server's copy of it. */
export interface TemplateLookup {
	/** The surviving id after merges. */
	resolve(id: number): number;
	/** Template text, `<*>` marking variables. */
	template(id: number): string;
}

/** A miner the statistics may feed (TemplateMiner implements it). */
export interface TemplateMinerLike extends TemplateLookup {
	add(message: string, traceback?: TracebackKey): number;
}

/** Options of `computeStats`. */
export interface StatsOptions {
	/** Bucket size in ms; rounded up to a step of BUCKET_STEPS. Chosen automatically when absent. */
	bucketMs?: number;
	/** Target bucket count for the automatic choice (default 2000). */
	maxBuckets?: number;
	/** Templates and loggers listed (default 10). */
	topN?: number;
	/** Points per template sparkline (default 40). */
	sparkPoints?: number;
	/**
	 * Template source. With a miner (`add`) every entry's message is mined here; with `templateOf`
	 * the ids are taken from it and this only names them.
	 */
	templates?: TemplateMinerLike | TemplateLookup;
	/** Template id of entry `e`, when the caller already mined the log (the server's column). */
	templateOf?: (e: number) => number;
	/**
	 * Read the entries' text for loggers and templates (default true). False keeps to the index:
	 * levels and times only, no I/O — the fast first answer for a huge log.
	 */
	detail?: boolean;
	/** Polled every few thousand entries; returning true abandons the work (`cancelled` is set). */
	shouldStop?: () => boolean;
}

/** One time bucket: its start (epoch ms) and entries per level (only levels the log has). */
export interface StatsBucket {
	t: number;
	counts: Partial<Record<LevelName, number>>;
}

/** A frequent template with its count and a coarse sparkline over the log's span. */
export interface TopTemplate {
	id: number;
	template: string;
	count: number;
	/** Entries of this template in `sparkPoints` equal slices of the span. */
	spark: number[];
	/** Highest level seen with it (its name). */
	level: LevelName;
}

/** The aggregate answer: everything the statistics view and `loglens stats --json` show. */
export interface StatsResult {
	/** First and last entry time (ISO), null when no entry has a time. */
	span: { first: string | null; last: string | null };
	entries: number;
	/** Entries that have a time (only these are in the buckets). */
	timedEntries: number;
	/** Entries per second over the span; null when the span is empty. */
	entriesPerSecond: number | null;
	/** Bucket size used, ms; 0 when there are no timed entries. */
	bucketMs: number;
	/** The size the automatic choice would take (the view's "auto"). */
	autoBucketMs: number;
	/** Sizes worth offering in a picker for this span (each gives 2 … HARD_MAX_BUCKETS buckets). */
	bucketChoices: number[];
	/** Levels present in the log, severity order (the stacking order). */
	levels: LevelName[];
	/** Entries per level over the whole log. */
	levelTotals: Partial<Record<LevelName, number>>;
	buckets: StatsBucket[];
	/** Share of error-or-worse entries per bucket (0..1); null for an empty bucket. */
	errorRate: (number | null)[];
	topTemplates: TopTemplate[];
	/** Distinct templates (0 when templates were not computed). */
	templateCount: number;
	topLoggers: { logger: string; count: number }[];
	/** Whether entries were read (loggers, templates); false for the index-only answer. */
	detail: boolean;
	/** `shouldStop` ended the work early: the figures are partial. */
	cancelled?: boolean;
}

/** The smallest step of BUCKET_STEPS (then whole multiples of 30 days) giving at most `maxBuckets`. */
export function chooseBucketMs(spanMs: number, maxBuckets = DEFAULT_MAX_BUCKETS): number {
	const span = Math.max(0, spanMs);
	for (const s of BUCKET_STEPS) if (Math.floor(span / s) + 1 <= maxBuckets) return s;
	const month = BUCKET_STEPS[BUCKET_STEPS.length - 1];
	return Math.ceil(span / month / Math.max(1, maxBuckets - 1)) * month;
}

/** Rounds a requested size up to a step, never below what HARD_MAX_BUCKETS allows for the span. */
export function normalizeBucketMs(requested: number, spanMs: number): number {
	const floor = chooseBucketMs(spanMs, HARD_MAX_BUCKETS);
	const step = BUCKET_STEPS.find((s) => s >= requested) ?? chooseBucketMs(requested, 1);
	return Math.max(step, floor);
}

/** Parses `15s`, `5m`, `1h`, `1d`, `7d`, or a plain number of ms. */
export function parseBucket(text: string): number | undefined {
	const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h|d|w)?\s*$/i.exec(text);
	if (!m) return undefined;
	const unit = { ms: 1, s: SECOND, m: MINUTE, min: MINUTE, h: HOUR, d: DAY, w: 7 * DAY }[(m[2] ?? 'ms').toLowerCase() as 'ms'];
	const v = +m[1] * unit;
	return v > 0 ? v : undefined;
}

/** `1s`, `15m`, `6h`, `1d`, `100ms`: the short label of a bucket size. */
export function formatBucket(ms: number): string {
	if (ms % DAY === 0) return `${ms / DAY}d`;
	if (ms % HOUR === 0) return `${ms / HOUR}h`;
	if (ms % MINUTE === 0) return `${ms / MINUTE}m`;
	if (ms % SECOND === 0) return `${ms / SECOND}s`;
	return `${ms}ms`;
}

/** What the statistics read of one entry: its message, logger and traceback key. */
export interface EntryHeadline {
	message: string;
	logger?: string;
	traceback?: TracebackKey;
}

/**
 * The message and logger of entry `e`. Single-line entries parse only their header line (the full
 * detail costs far more); multi-line ones are read whole for a Python traceback's key.
 */
export function entryHeadline(index: LogIndex, source: ByteSource, e: number): EntryHeadline {
	const first = index.entryStartLine(e);
	if (index.entryEndLine(e) !== first) {
		const d = readEntry(index, source, e);
		const tb = d.exception && d.text !== undefined ? tracebackKey(d.text) : undefined;
		return { message: d.message, logger: d.logger, traceback: tb };
	}
	const start = index.lineStart(first);
	let line = source.read(start, index.lineEnd(first) - start).toString('utf8');
	if (first === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
	const h = index.format.format.parseHeader(line, index.parseContext);
	if (!h) return { message: line };
	return { message: h.message ?? line.slice(h.messageStart, h.messageEnd ?? line.length), logger: h.logger };
}

const ERROR_OR_WORSE = (l: Level) => l === Level.Error || l === Level.Critical;

/** Computes the statistics of an indexed log. Synchronous; cancel through `shouldStop`. */
export function computeStats(index: LogIndex, source: ByteSource, opts: StatsOptions = {}): StatsResult {
	const n = index.entryCount;
	const topN = opts.topN ?? 10;
	const sparkPoints = Math.max(1, opts.sparkPoints ?? 40);
	const stop = opts.shouldStop;
	let cancelled = false;

	// Pass 1, index only: span (times need not be sorted: merged or clock-skewed logs).
	let lo = Infinity, hi = -Infinity, timed = 0;
	const totals = new Float64Array(8);
	for (let e = 0; e < n; e++) {
		totals[index.entryLevel(e)]++;
		const t = index.entryTime(e);
		if (t !== t) continue; // NaN
		timed++;
		if (t < lo) lo = t;
		if (t > hi) hi = t;
	}
	const spanMs = timed ? hi - lo : 0;
	const autoBucketMs = timed ? chooseBucketMs(spanMs, opts.maxBuckets ?? DEFAULT_MAX_BUCKETS) : 0;
	const bucketMs = !timed ? 0 : opts.bucketMs !== undefined && opts.bucketMs > 0 ? normalizeBucketMs(opts.bucketMs, spanMs) : autoBucketMs;
	const base = timed ? Math.floor(lo / bucketMs) * bucketMs : 0;
	const nb = timed ? Math.floor((hi - base) / bucketMs) + 1 : 0;
	const grid = new Float64Array(nb * 8);
	const sparkMs = timed ? Math.max(1, (spanMs + 1) / sparkPoints) : 1;

	const detail = opts.detail !== false;
	const miner = opts.templates && 'add' in opts.templates ? opts.templates : undefined;
	const lookup = opts.templates;
	const templateOf = opts.templateOf;
	const mining = lookup !== undefined && (templateOf !== undefined || miner !== undefined);
	/** Per raw template id: count, max level, spark counts. */
	const tplCount = new Map<number, { count: number; level: number; spark: Float64Array }>();
	const loggers = new Map<string, number>();

	for (let e = 0; e < n; e++) {
		if ((e & 0xfff) === 0 && stop?.()) { cancelled = true; break; }
		const lv = index.entryLevel(e);
		const t = index.entryTime(e);
		if (t === t) grid[Math.floor((t - base) / bucketMs) * 8 + lv]++;
		if (!detail) continue;
		// the logger needs the header line even when the template ids are given
		const h = entryHeadline(index, source, e);
		if (h.logger) loggers.set(h.logger, (loggers.get(h.logger) ?? 0) + 1);
		let id = -1;
		if (templateOf) id = templateOf(e);
		else if (miner) id = miner.add(h.message, h.traceback);
		if (id < 0 || !mining) continue;
		let c = tplCount.get(id);
		if (!c) tplCount.set(id, (c = { count: 0, level: -1, spark: new Float64Array(sparkPoints) }));
		c.count++;
		if (lv !== Level.Unknown && lv > c.level) c.level = lv;
		if (t === t) c.spark[Math.min(sparkPoints - 1, Math.floor((t - lo) / sparkMs))]++;
	}

	const present: Level[] = [];
	for (let l = 0; l < 8; l++) if (totals[l] > 0) present.push(l as Level);
	const levelTotals: StatsResult['levelTotals'] = {};
	for (const l of present) levelTotals[LEVEL_NAMES[l]] = totals[l];
	const buckets: StatsBucket[] = new Array(nb);
	const errorRate: (number | null)[] = new Array(nb);
	for (let b = 0; b < nb; b++) {
		const counts: StatsBucket['counts'] = {};
		let all = 0, bad = 0;
		for (const l of present) {
			const v = grid[b * 8 + l];
			counts[LEVEL_NAMES[l]] = v;
			all += v;
			if (ERROR_OR_WORSE(l)) bad += v;
		}
		buckets[b] = { t: base + b * bucketMs, counts };
		errorRate[b] = all ? bad / all : null;
	}

	// Merged ids add up under their survivor.
	const merged = new Map<number, { count: number; level: number; spark: Float64Array }>();
	if (lookup) {
		for (const [id, c] of tplCount) {
			const root = lookup.resolve(id);
			const m = merged.get(root);
			if (!m) merged.set(root, { count: c.count, level: c.level, spark: Float64Array.from(c.spark) });
			else {
				m.count += c.count;
				m.level = Math.max(m.level, c.level);
				for (let i = 0; i < sparkPoints; i++) m.spark[i] += c.spark[i];
			}
		}
	}
	const topTemplates: TopTemplate[] = [...merged.entries()]
		.sort((a, b) => b[1].count - a[1].count || a[0] - b[0])
		.slice(0, topN)
		.map(([id, c]) => ({ id, template: lookup!.template(id), count: c.count, spark: Array.from(c.spark), level: LEVEL_NAMES[c.level < 0 ? Level.Unknown : c.level] }));
	const topLoggers = [...loggers.entries()]
		.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
		.slice(0, topN)
		.map(([logger, count]) => ({ logger, count }));

	const iso = (t: number): string | null => (Number.isFinite(t) ? new Date(t).toISOString() : null);
	const result: StatsResult = {
		span: { first: timed ? iso(lo) : null, last: timed ? iso(hi) : null },
		entries: n,
		timedEntries: timed,
		entriesPerSecond: timed && spanMs > 0 ? n / (spanMs / 1000) : null,
		bucketMs,
		autoBucketMs,
		bucketChoices: timed ? bucketChoices(spanMs) : [],
		levels: present.map((l) => LEVEL_NAMES[l]),
		levelTotals,
		buckets,
		errorRate,
		topTemplates,
		templateCount: merged.size,
		topLoggers,
		detail,
	};
	if (cancelled) result.cancelled = true;
	return result;
}

/** Steps that give between 2 and HARD_MAX_BUCKETS buckets over the span (at least the smallest fit). */
export function bucketChoices(spanMs: number): number[] {
	const min = chooseBucketMs(spanMs, HARD_MAX_BUCKETS);
	const out = BUCKET_STEPS.filter((s) => s >= min && (s === min || spanMs / s >= 1));
	return out.length ? out : [min];
}
