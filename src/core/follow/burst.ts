// When a followed log arrives faster than anyone reads it, its tab does lighter work (no grammar,
// no folding/outline/entry marks/Problems tree per change) until the burst ends, and then all of it
// once. This decides when that is, from the lines read and the clock alone (pure, no timers: the
// caller asks again after `recheckMs`).
//
// A burst begins when `linesPerSecond` is reached over the last `windowMs` by reads spread over at
// least MIN_SPAN_MS: one write of many lines (a long stack trace, a batch) is not a burst, a steady
// stream is, and it is seen within tens of milliseconds, before the tab has done much per change.
// It ends when the average over `quietMs` drops below a quarter of the rate (a quiet spell).
//
// A tab on a log that is being written when it opens (a file modified within `quietMs`, a command
// that has just started) starts in a burst and keeps it only if the rate holds `probeMs` after its
// first lines (or ends it when none come within `quietMs`): it costs a slow log half a second
// without colours, and saves a fast one from switching everything on for its first lines and off
// again (measured with test/host/followBurst.test.ts: the tab's first second was 2–3× slower than a
// plain-text tab's because of that switch; deciding before the first lines came made it happen).

export interface BurstOptions {
	/** From this many lines per second; 0 or less: never a burst. */
	linesPerSecond: number;
	/** The rate is measured over this window to begin a burst. Default 500 ms. */
	windowMs?: number;
	/** A burst ends when the average over this long is below a quarter of the rate. Default 2000 ms. */
	quietMs?: number;
	/** Start in a burst and decide after this long (the source is being written). */
	probeMs?: number;
}

/** A burst ends after this long below a quarter of its rate (or without lines). */
export const BURST_QUIET_MS = 2000;
/** A tab that opens on a log being written decides after this long. */
export const BURST_PROBE_MS = 500;
const WINDOW_MS = 500;
/** The reads that begin a burst span at least this long (one big write is not a burst). */
const MIN_SPAN_MS = 50;

export class BurstDetector {
	private readonly reads: [number, number][] = [];
	private on: boolean;
	/** While probing: decide at `until` (set by the first lines), or end at `deadline` when none came. */
	private probe: { until?: number; deadline: number } | null;
	private readonly windowMs: number;
	private readonly quietMs: number;
	/** Bursts begun, the opening probe included when it held. */
	count = 0;

	constructor(private readonly opts: BurstOptions, now: number) {
		this.windowMs = opts.windowMs ?? WINDOW_MS;
		this.quietMs = opts.quietMs ?? BURST_QUIET_MS;
		this.on = opts.linesPerSecond > 0 && opts.probeMs !== undefined && opts.probeMs > 0;
		this.probe = this.on ? { deadline: now + this.quietMs } : null;
	}

	/** True while in a burst (or still probing). */
	get active(): boolean {
		return this.on;
	}

	/** True while the opening probe has not decided yet. */
	get probing(): boolean {
		return this.probe !== null;
	}

	/** `lines` were read at `now`; returns whether the log is in a burst. */
	add(now: number, lines: number): boolean {
		if (this.opts.linesPerSecond <= 0) return false;
		if (lines > 0) {
			this.reads.push([now, lines]);
			if (this.probe && this.probe.until === undefined) this.probe.until = now + this.opts.probeMs!;
		}
		return this.check(now);
	}

	/** The state at `now` (a burst ends and a probe decides without new lines too). */
	check(now: number): boolean {
		const rate = this.opts.linesPerSecond;
		if (rate <= 0) return false;
		const keep = Math.max(this.windowMs, this.quietMs);
		let drop = 0;
		while (drop < this.reads.length && this.reads[drop][0] <= now - keep) drop++;
		if (drop) this.reads.splice(0, drop);
		if (this.probe) {
			const { until, deadline } = this.probe;
			if (until === undefined ? now < deadline : now < until) return true;
			this.probe = null;
			this.on = until !== undefined && this.begins(now, rate, false);
			if (this.on) this.count++;
			return this.on;
		}
		if (!this.on) {
			if (this.begins(now, rate, true)) {
				this.on = true;
				this.count++;
			}
		} else if (this.linesSince(now - this.quietMs) < (rate / 4) * (this.quietMs / 1000)) this.on = false;
		return this.on;
	}

	/** How soon to call `check` again while nothing is read (undefined: not needed). */
	recheckMs(now: number): number | undefined {
		if (this.probe) return Math.max(0, (this.probe.until ?? this.probe.deadline) - now);
		return this.on ? 250 : undefined;
	}

	private begins(now: number, rate: number, spread: boolean): boolean {
		const from = now - this.windowMs;
		let lines = 0;
		let first = Infinity;
		let last = -Infinity;
		for (const [t, n] of this.reads) {
			if (t <= from) continue;
			lines += n;
			first = Math.min(first, t);
			last = Math.max(last, t);
		}
		return lines >= rate * (this.windowMs / 1000) && (!spread || last - first >= MIN_SPAN_MS);
	}

	private linesSince(from: number): number {
		let n = 0;
		for (const [t, k] of this.reads) if (t > from) n += k;
		return n;
	}
}
