/**
 * Anomaly signals over a stream of entries, incremental so the same detector serves a static file
 * (fed in order) and a followed one (fed as lines arrive, with `flush(now)` on a timer):
 *
 * - new template: a message kind never seen before, after a warm-up, at warning or above;
 * - rate spike: a template's or a level's count in a sliding window far above its learned
 *   baseline (quasi-Poisson tail test against an EWMA of the per-bin rate and its dispersion);
 * - silence: a message that came at a steady period (learned inter-arrival) stops for k periods.
 *
 * Time is the entries' own clock (log time), never the wall clock, except what `flush` is given.
 */
import { ByteSource } from './byteSource';
import { Level, levelName, LevelName } from './levels';
import { LogIndex } from './index/logIndex';
import { entryHeadline } from './stats';
import { TemplateMiner } from './templates/templates';

/** What a signal is about. */
export type SignalKind = 'new-template' | 'rate-spike' | 'silence';

/** One anomaly signal. */
export interface Signal {
	kind: SignalKind;
	/** Epoch ms (log time) at which it was detected. */
	time: number;
	/** What it is about: `template:<id>` or `level:<name>`. */
	key: string;
	template?: string;
	templateId?: number;
	level?: LevelName;
	/** new-template: 1; rate-spike: entries in the window; silence: ms since it was last seen. */
	observed: number;
	/** new-template: 0; rate-spike: the baseline's entries per window; silence: the usual period, ms. */
	expected: number;
	/**
	 * Strength. rate-spike: −log10 of the tail probability; new-template: log10(entries seen
	 * before + 1) (the rule-of-succession surprise); silence: the gap in usual periods.
	 */
	score: number;
	/** One readable sentence. */
	message: string;
	/** 0-based line of the entry that raised it (none for silences). */
	line?: number;
}

/** One entry as the detector sees it. */
export interface ObservedEntry {
	/** Epoch ms; NaN when the entry has no time (it still counts as a kind, not in rates). */
	time: number;
	level: Level;
	/** A stable id per message kind (a TemplateMiner id, resolved). */
	templateId: number;
	template: string;
	line?: number;
}

/** Tuning of the detector; every field has a default meant for ordinary application logs. */
export interface AnomalyOptions {
	/** Log time before anything counts as new or spiking (default 30 min). */
	warmupMs?: number;
	/** Entries before anything counts as new (default 200). */
	warmupEntries?: number;
	/** Lowest level for new-template signals; null reports new kinds at any level (default warning). */
	newTemplateMinLevel?: Level | null;
	/** Sliding window of the rate test (default 5 min). */
	windowMs?: number;
	/** Bins per window: the baseline learns per bin (default 10). */
	bins?: number;
	/** Half-life of the baseline's EWMA (default 1 h). */
	halfLifeMs?: number;
	/** A key must be known this long before it can spike (default 30 min). */
	minHistoryMs?: number;
	/** Fewest entries in the window for a spike, so 1 → 3 is never one (default 10). */
	minCount?: number;
	/** The window must hold at least this many times the baseline (default 4). */
	minRatio?: number;
	/** Tail probability below which a count is a spike (default 1e-6). */
	pValue?: number;
	/** Rate spikes per level as well as per template (default true). */
	levelSpikes?: boolean;
	/** A regular message is silent after this many usual periods (default 3). */
	silenceFactor?: number;
	/** Arrivals before a message can be called regular (default 10). */
	silenceMinOccurrences?: number;
	/** Largest spread of the inter-arrival (mean absolute deviation / mean) of a regular message (default 0.25). */
	silenceMaxSpread?: number;
	/** Shortest period watched for silence (default 1 s). */
	silenceMinPeriodMs?: number;
}

const DEFAULTS: Required<AnomalyOptions> = {
	warmupMs: 30 * 60_000,
	warmupEntries: 200,
	newTemplateMinLevel: Level.Warning,
	windowMs: 5 * 60_000,
	bins: 10,
	halfLifeMs: 60 * 60_000,
	minHistoryMs: 30 * 60_000,
	minCount: 10,
	minRatio: 4,
	pValue: 1e-6,
	levelSpikes: true,
	silenceFactor: 3,
	silenceMinOccurrences: 10,
	silenceMaxSpread: 0.25,
	silenceMinPeriodMs: 1000,
};

/** Rate state of one key (a template or a level). */
interface RateKey {
	readonly key: string;
	readonly templateId?: number;
	template?: string;
	level?: Level;
	firstSeen: number;
	/** Counts of the last `bins` bins, the open one at `head`. */
	ring: Float64Array;
	/** Sum of `ring`. */
	inWindow: number;
	/** Bins closed since the key was first seen. */
	age: number;
	/** Bins learned from. */
	seen: number;
	mean: number;
	variance: number;
	/** Window count at or above which the key spikes (Infinity while it cannot). */
	threshold: number;
	/** Set while a spike is reported, to report it once; time it started. */
	alarmSince: number;
}

/** Inter-arrival state of one template, for silences. */
interface ArrivalKey {
	readonly templateId: number;
	template: string;
	level: Level;
	last: number;
	arrivals: number;
	meanIv: number;
	devIv: number;
	silent: boolean;
}

/** An incremental anomaly detector: feed entries in time order with `observe`. */
export class AnomalyDetector {
	private readonly o: Required<AnomalyOptions>;
	private readonly binMs: number;
	private readonly alpha: number;
	private readonly seenTemplates = new Set<number>();
	private readonly rates = new Map<string, RateKey>();
	private readonly arrivals = new Map<number, ArrivalKey>();
	private readonly regular = new Set<ArrivalKey>();
	private entries = 0;
	private firstTime = NaN;
	/** Start of the open bin; NaN until the first timed entry. */
	private binStart = NaN;
	private head = 0;
	private clock = -Infinity;
	private lastSilenceCheck = -Infinity;
	/** When a template of each level last spiked (a level spike right after it is not reported). */
	private readonly lastTemplateSpike = new Map<Level, number>();

	constructor(opts: AnomalyOptions = {}) {
		this.o = { ...DEFAULTS, ...stripUndefined(opts) };
		this.binMs = this.o.windowMs / this.o.bins;
		this.alpha = 1 - Math.pow(2, -this.binMs / this.o.halfLifeMs);
	}

	/** Feeds one entry; returns the signals it (or the time it carries) raised. */
	observe(entry: ObservedEntry): Signal[] {
		const out: Signal[] = [];
		const t = entry.time;
		const timed = t === t;
		if (timed) {
			if (this.firstTime !== this.firstTime) {
				this.firstTime = t;
				this.binStart = Math.floor(t / this.binMs) * this.binMs;
			}
			// time goes forward only: an entry written out of order counts as now
			if (t > this.clock) this.advance(t, out);
		}
		const now = this.clock;
		const warm = this.entries >= this.o.warmupEntries && now - this.firstTime >= this.o.warmupMs;
		this.entries++;

		const id = entry.templateId;
		if (!this.seenTemplates.has(id)) {
			this.seenTemplates.add(id);
			const min = this.o.newTemplateMinLevel;
			if (warm && (min === null || (entry.level !== Level.Unknown && entry.level >= min))) {
				out.push({
					kind: 'new-template', time: timed ? t : now, key: `template:${id}`, template: entry.template, templateId: id,
					level: levelName(entry.level), observed: 1, expected: 0, score: Math.log10(this.entries),
					message: `new ${levelName(entry.level)} message: ${entry.template}`, line: entry.line,
				});
			}
		}
		if (!timed) return out;

		this.count(`template:${id}`, entry, id, out);
		if (this.o.levelSpikes && entry.level !== Level.Unknown) this.count(`level:${levelName(entry.level)}`, entry, undefined, out);
		this.arrive(entry, t);
		return out;
	}

	/** Silence check at a time with no entry (a timer while following, or the end of a file). */
	flush(now: number): Signal[] {
		const out: Signal[] = [];
		if (this.firstTime !== this.firstTime || !(now > this.clock)) {
			this.checkSilence(now, out);
			return out;
		}
		this.advance(now, out);
		return out;
	}

	/** Moves the clock to `t`: closes the bins passed and looks for silences. */
	private advance(t: number, out: Signal[]): void {
		this.clock = t;
		let closes = Math.floor((t - this.binStart) / this.binMs);
		if (closes > 0) {
			// a long gap: beyond a few half-lives of empty bins the baselines are all but zero anyway
			const cap = this.o.bins + Math.ceil((20 * this.o.halfLifeMs) / this.binMs);
			const skipped = Math.max(0, closes - cap);
			closes -= skipped;
			for (let i = 0; i < closes; i++) this.closeBin();
			this.binStart += (closes + skipped) * this.binMs;
		}
		if (t - this.lastSilenceCheck >= 1000) this.checkSilence(t, out);
	}

	/**
	 * Ends the open bin and slides the window by one bin. The baseline learns the bin that leaves
	 * the window, so it is always the history before the window it is tested against: the first
	 * minutes of a burst cannot raise the bar the burst has to clear.
	 */
	private closeBin(): void {
		const next = (this.head + 1) % this.o.bins;
		for (const k of this.rates.values()) {
			k.age++;
			const x = k.ring[next];
			// a reported spike does not teach the baseline, unless it lasts a half-life (then it is the new normal)
			if (k.age >= this.o.bins && (k.alarmSince !== k.alarmSince || this.clock - k.alarmSince > this.o.halfLifeMs)) {
				k.seen++;
				const a = Math.max(this.alpha, 1 / k.seen);
				const d = x - k.mean;
				k.mean += a * d;
				k.variance = (1 - a) * (k.variance + a * d * d);
			}
			k.inWindow -= x;
			k.ring[next] = 0;
			if (k.alarmSince === k.alarmSince && k.inWindow < k.threshold / 2) k.alarmSince = NaN;
			k.threshold = this.thresholdOf(k);
		}
		this.head = next;
	}

	/** The smallest window count that is a spike for this key's baseline. */
	private thresholdOf(k: RateKey): number {
		if (this.clock - k.firstSeen < this.o.minHistoryMs || this.clock - this.firstTime < this.o.warmupMs) return Infinity;
		const expected = k.mean * this.o.bins;
		// overdispersion (bursty keys): scale the Poisson test by variance/mean, never below 1
		const phi = k.mean > 0 ? Math.max(1, k.variance / k.mean) : 1;
		let n = Math.max(this.o.minCount, Math.ceil(this.o.minRatio * expected), Math.floor(expected + 4 * Math.sqrt(phi * expected)));
		while (poissonTailLog10(n / phi, expected / phi) > Math.log10(this.o.pValue)) n++;
		return n;
	}

	private count(key: string, entry: ObservedEntry, templateId: number | undefined, out: Signal[]): void {
		let k = this.rates.get(key);
		if (!k) {
			k = { key, templateId, firstSeen: this.clock, ring: new Float64Array(this.o.bins), inWindow: 0, age: 0, seen: 0, mean: 0, variance: 0, threshold: Infinity, alarmSince: NaN };
			this.rates.set(key, k);
		}
		k.template = entry.template;
		k.level = entry.level;
		k.ring[this.head]++;
		k.inWindow++;
		if (k.inWindow < k.threshold || k.alarmSince === k.alarmSince) return;
		k.alarmSince = this.clock;
		if (templateId === undefined) {
			// a template of this level already spiked: the level's spike is the same incident
			const lvl = entry.level;
			if ((this.lastTemplateSpike.get(lvl) ?? -Infinity) >= this.clock - this.o.windowMs) return;
		} else this.lastTemplateSpike.set(entry.level, this.clock);
		const expected = k.mean * this.o.bins;
		const phi = k.mean > 0 ? Math.max(1, k.variance / k.mean) : 1;
		const what = templateId === undefined ? `${key.slice(6)} entries` : `"${entry.template}"`;
		out.push({
			kind: 'rate-spike', time: this.clock, key, template: templateId === undefined ? undefined : entry.template, templateId,
			level: templateId === undefined ? (key.slice(6) as LevelName) : levelName(entry.level),
			observed: k.inWindow, expected: round(expected), score: round(-poissonTailLog10(k.inWindow / phi, expected / phi)),
			message: `rate spike: ${k.inWindow} ${what} in ${fmtMs(this.o.windowMs)} (usually ${round(expected)})`, line: entry.line,
		});
	}

	private arrive(entry: ObservedEntry, t: number): void {
		const id = entry.templateId;
		const a = this.arrivals.get(id);
		if (!a) {
			this.arrivals.set(id, { templateId: id, template: entry.template, level: entry.level, last: t, arrivals: 1, meanIv: 0, devIv: 0, silent: false });
			return;
		}
		a.template = entry.template;
		if (a.silent) {
			// back after a reported silence: the gap is not a period; learn afresh from here
			a.silent = false;
			a.last = t;
			return;
		}
		const iv = t - a.last;
		a.last = t;
		a.arrivals++;
		const w = Math.max(0.1, 1 / (a.arrivals - 1));
		const d = iv - a.meanIv;
		a.meanIv += w * d;
		a.devIv += w * (Math.abs(d) - a.devIv);
		const isRegular = a.arrivals >= this.o.silenceMinOccurrences && a.meanIv >= this.o.silenceMinPeriodMs && a.devIv <= this.o.silenceMaxSpread * a.meanIv;
		if (isRegular) this.regular.add(a);
		else this.regular.delete(a);
	}

	private checkSilence(now: number, out: Signal[]): void {
		this.lastSilenceCheck = now;
		for (const a of this.regular) {
			const gap = now - a.last;
			const limit = Math.max(this.o.silenceFactor * a.meanIv, a.meanIv + 8 * a.devIv);
			if (a.silent || gap <= limit) continue;
			a.silent = true;
			this.regular.delete(a);
			out.push({
				kind: 'silence', time: now, key: `template:${a.templateId}`, template: a.template, templateId: a.templateId, level: levelName(a.level),
				observed: gap, expected: round(a.meanIv), score: round(gap / a.meanIv),
				message: `silence: "${a.template}" usually every ${fmtMs(a.meanIv)}, not seen for ${fmtMs(gap)}`,
			});
			a.arrivals = 1;
			a.meanIv = a.devIv = 0;
		}
	}
}

/** Options of `scanAnomalies`: the detector's plus an optional miner (a fresh one by default). */
export interface ScanAnomaliesOptions extends AnomalyOptions {
	templates?: TemplateMiner;
	/** Polled every few thousand entries; true stops the scan. */
	shouldStop?: () => boolean;
}

/** Runs a detector over an indexed log in entry order, then checks for silence at its last time. */
export function scanAnomalies(index: LogIndex, source: ByteSource, opts: ScanAnomaliesOptions = {}): Signal[] {
	const miner = opts.templates ?? new TemplateMiner();
	const det = new AnomalyDetector(opts);
	const out: Signal[] = [];
	let last = NaN;
	for (let e = 0; e < index.entryCount; e++) {
		if ((e & 0xfff) === 0 && opts.shouldStop?.()) break;
		const h = entryHeadline(index, source, e);
		const id = miner.resolve(miner.add(h.message, h.traceback));
		const time = index.entryTime(e);
		if (time === time) last = time;
		for (const s of det.observe({ time, level: index.entryLevel(e), templateId: id, template: miner.template(id), line: index.entryStartLine(e) })) out.push(s);
	}
	if (last === last) for (const s of det.flush(last)) out.push(s);
	return out;
}

/**
 * log10 of P(X ≥ n) for X ~ Poisson(λ), for n > λ: the bound pmf(n)·(n+1)/(n+1−λ), which is at
 * least the tail (so the test errs towards silence). Non-integer n (the dispersion-scaled counts)
 * goes through the gamma function. 0 when n ≤ λ.
 */
export function poissonTailLog10(n: number, lambda: number): number {
	if (n <= lambda) return 0;
	if (lambda <= 0) return -Infinity;
	const lnPmf = n * Math.log(lambda) - lambda - lnGamma(n + 1);
	const ln = lnPmf + Math.log((n + 1) / (n + 1 - lambda));
	return Math.min(0, ln / Math.LN10);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9). */
export function lnGamma(x: number): number {
	if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
	const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
		12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
	x -= 1;
	let a = c[0];
	const t = x + 7.5;
	for (let i = 1; i < 9; i++) a += c[i] / (x + i);
	return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

function round(v: number): number {
	return Math.round(v * 100) / 100;
}

/** `30s`, `5m`, `1.5h`: a duration for messages. */
export function fmtMs(ms: number): string {
	if (ms < 1000) return `${Math.round(ms)}ms`;
	if (ms < 60_000) return `${round(ms / 1000)}s`;
	if (ms < 3_600_000) return `${round(ms / 60_000)}m`;
	return `${round(ms / 3_600_000)}h`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
	const r: Partial<T> = {};
	for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
	return r;
}
