// Anomaly signals: the detector on synthetic streams, then measured on logs written by a real
// CPython `logging` producer on a simulated clock (test/fixtures/python/steady_producer.py):
// false alarms per hour on quiet steady traffic, detection rate and delay of injected faults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AnomalyDetector, ObservedEntry, poissonTailLog10, scanAnomalies, Signal, lnGamma } from '../../src/core/anomalies';
import { Level } from '../../src/core/levels';
import { indexFile } from '../../src/core/index/indexFile';
import { FileSource } from '../../src/core/byteSource';
import { fixture, tempDir } from '../testUtil';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** A seeded PRNG (mulberry32) so the synthetic streams are the same on every run. */
function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Merged Poisson streams: [ratePerSecond, templateId, level] until `endMs`. */
function poissonStream(seed: number, kinds: [number, number, Level][], endMs: number, startMs = T0): ObservedEntry[] {
	const r = rng(seed);
	const out: ObservedEntry[] = [];
	for (const [rate, id, level] of kinds) {
		for (let t = startMs - (Math.log(1 - r()) / rate) * 1000; t < endMs; t -= (Math.log(1 - r()) / rate) * 1000) {
			out.push({ time: Math.round(t), level, templateId: id, template: `kind ${id} <*>` });
		}
	}
	return out.sort((a, b) => a.time - b.time);
}

function feed(det: AnomalyDetector, entries: ObservedEntry[]): Signal[] {
	const out: Signal[] = [];
	for (const e of entries) out.push(...det.observe(e));
	return out;
}

test('poisson tail bound: close to the exact tail and never below it', () => {
	for (const [n, lambda] of [[10, 1], [20, 5], [60, 30], [15, 0.5], [200, 120]]) {
		let exact = 0;
		for (let k = n; k < n + 400; k++) exact += Math.exp(k * Math.log(lambda) - lambda - lnGamma(k + 1));
		const bound = poissonTailLog10(n, lambda);
		assert.ok(bound >= Math.log10(exact) - 1e-9, `bound ${bound} ≥ exact ${Math.log10(exact)} (n=${n}, λ=${lambda})`);
		assert.ok(bound - Math.log10(exact) < 0.5, `bound within a factor 3 of the tail (n=${n}, λ=${lambda})`);
	}
	assert.equal(poissonTailLog10(3, 5), 0);
	assert.ok(Math.abs(lnGamma(11) - Math.log(3628800)) < 1e-9);
});

test('new template: after the warm-up, at warning or above by default, any level on request', () => {
	const base = poissonStream(1, [[1, 1, Level.Info], [0.2, 2, Level.Debug]], T0 + 40 * MIN);
	const late = (id: number, level: Level, min: number): ObservedEntry => ({ time: T0 + min * MIN, level, templateId: id, template: `late ${id}`, line: 99 });
	const entries = [...base, late(7, Level.Error, 41), late(8, Level.Info, 42), late(7, Level.Error, 43)].sort((a, b) => a.time - b.time);
	const early = [{ time: T0 + 5 * MIN, level: Level.Error, templateId: 9, template: 'early' }, ...entries].sort((a, b) => a.time - b.time);

	const sig = feed(new AnomalyDetector(), early).filter((s) => s.kind === 'new-template');
	assert.deepEqual(sig.map((s) => s.key), ['template:7'], 'only the late error kind; the early one is in the warm-up, info is below warning');
	assert.equal(sig[0].line, 99);
	assert.equal(sig[0].level, 'error');
	assert.equal(sig[0].time, T0 + 41 * MIN);
	assert.ok(sig[0].score > 3, 'thousands of entries without it make it surprising');

	const any = feed(new AnomalyDetector({ newTemplateMinLevel: null }), early).filter((s) => s.kind === 'new-template');
	assert.deepEqual(any.map((s) => s.key), ['template:7', 'template:8']);
	const noWarmup = feed(new AnomalyDetector({ warmupMs: 0, warmupEntries: 0 }), early).filter((s) => s.kind === 'new-template');
	assert.ok(noWarmup.some((s) => s.key === 'template:9'));
});

test('rate spike: a burst far above the baseline is one signal; 1 → 3 of a rare kind is none', () => {
	const quiet = poissonStream(2, [[1, 1, Level.Info], [1 / 60, 2, Level.Warning]], T0 + 3 * 60 * MIN);
	// 3 of the rare warning within a minute: far above its rate, but too few to mean anything
	const trio = [0, 10, 20].map((s) => ({ time: T0 + 120 * MIN + s * 1000, level: Level.Warning, templateId: 2, template: 'kind 2 <*>' }));
	const s1 = feed(new AnomalyDetector(), [...quiet, ...trio].sort((a, b) => a.time - b.time));
	assert.deepEqual(s1, [], 'no signal on steady traffic plus a trio');

	// the warning at 20× its rate for ten minutes from 2:30
	const burst = poissonStream(3, [[20 / 60, 2, Level.Warning]], T0 + 160 * MIN, T0 + 150 * MIN);
	const s2 = feed(new AnomalyDetector(), [...quiet, ...burst].sort((a, b) => a.time - b.time));
	const spikes = s2.filter((s) => s.kind === 'rate-spike');
	assert.ok(spikes.some((s) => s.key === 'template:2'), JSON.stringify(s2));
	assert.equal(spikes.filter((s) => s.key === 'template:2').length, 1, 'reported once per burst');
	const sp = spikes.find((s) => s.key === 'template:2')!;
	assert.ok(sp.time >= T0 + 150 * MIN && sp.time < T0 + 156 * MIN, `found within minutes (${(sp.time - T0 - 150 * MIN) / 1000} s)`);
	assert.ok(sp.observed >= 10 && sp.observed >= 4 * sp.expected, JSON.stringify(sp));
	assert.ok(sp.score >= 6);
	assert.match(sp.message, /^rate spike: \d+ "kind 2 <\*>" in 5m \(usually [\d.]+\)$/);
});

test('silence: a heartbeat that stops is reported after k periods, through traffic or flush()', () => {
	const r = rng(4);
	const beats: ObservedEntry[] = [];
	for (let t = T0; t < T0 + 60 * MIN; t += 30_000 + (r() - 0.5) * 2000) beats.push({ time: Math.round(t), level: Level.Info, templateId: 5, template: 'heartbeat ok seq=<*>' });
	const other = poissonStream(5, [[0.5, 1, Level.Info]], T0 + 70 * MIN);
	const s = feed(new AnomalyDetector(), [...beats, ...other].sort((a, b) => a.time - b.time));
	const sil = s.filter((x) => x.kind === 'silence');
	assert.equal(sil.length, 1, JSON.stringify(s));
	const lastBeat = beats[beats.length - 1].time;
	assert.ok(sil[0].time > lastBeat + 85_000 && sil[0].time < lastBeat + 100_000, `after about 3 periods: ${(sil[0].time - lastBeat) / 1000} s`);
	assert.ok(Math.abs(sil[0].expected - 30_000) < 1500);
	assert.equal(sil[0].key, 'template:5');

	// no other traffic: only flush(now) can tell
	const det = new AnomalyDetector();
	assert.deepEqual(feed(det, beats), []);
	assert.deepEqual(det.flush(lastBeat + 60_000), []);
	const f = det.flush(lastBeat + 120_000);
	assert.equal(f.length, 1);
	assert.equal(f[0].kind, 'silence');
	assert.deepEqual(det.flush(lastBeat + 300_000), [], 'reported once');
	// Poisson traffic has no period: it never goes "silent"
	const pois = poissonStream(6, [[1 / 30, 1, Level.Info], [2, 2, Level.Debug]], T0 + 6 * 60 * MIN);
	assert.deepEqual(feed(new AnomalyDetector(), pois).filter((x) => x.kind === 'silence'), []);
});

// ---- measured on logs from a real CPython logging producer ----

interface Job { seed: number; hours: number; fault: string; fault_at?: number; out: string }
interface Produced { out: string; lines: number; fault: string; fault_time: number | null }

function produce(jobs: Job[]): Produced[] {
	const r = spawnSync('python3', [fixture('python', 'steady_producer.py'), JSON.stringify(jobs)], { encoding: 'utf8', maxBuffer: 1 << 26 });
	if (r.status !== 0) throw new Error(`steady_producer.py failed: ${r.stderr}`);
	return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Produced);
}

async function signalsOf(path: string): Promise<Signal[]> {
	const idx = await indexFile(path);
	const src = new FileSource(path);
	try {
		return scanAnomalies(idx, src);
	} finally {
		src.close();
	}
}

/** Whether a signal is the injected fault showing. */
function matches(fault: string, s: Signal): boolean {
	if (fault === 'exception') return s.kind === 'new-template' && /KeyError/.test(s.template ?? '');
	if (fault === 'burst') return s.kind === 'rate-spike' && (s.key === 'level:warning' || /^slow query/.test(s.template ?? ''));
	if (fault === 'heartbeat-stop') return s.kind === 'silence' && /^heartbeat ok/.test(s.template ?? '');
	return false;
}

const RUNS = Number(process.env.LOGLENS_ANOMALY_RUNS ?? 20);
const QUIET_RUNS = Number(process.env.LOGLENS_ANOMALY_QUIET_RUNS ?? 4);

test(`measured on a real Python producer: ${QUIET_RUNS}×12 h quiet, ${RUNS} runs per fault`, async () => {
	const tmp = tempDir('loglens-anomaly-');
	try {
		const jobs: Job[] = [];
		for (let i = 0; i < QUIET_RUNS; i++) jobs.push({ seed: 1000 + i, hours: 12, fault: 'none', out: join(tmp.dir, `quiet-${i}.log`) });
		for (const fault of ['exception', 'burst', 'heartbeat-stop']) {
			// the fault lands between 1.5 h and 2 h, after the warm-up; the log goes on past the 15-minute burst
			for (let i = 0; i < RUNS; i++) jobs.push({ seed: 2000 + i, hours: 2.5, fault, fault_at: 1.5 + (0.5 * i) / RUNS, out: join(tmp.dir, `${fault}-${i}.log`) });
		}
		const produced = produce(jobs);
		let quietHours = 0, quietAlarms = 0, quietLines = 0;
		const byKind: Record<string, number> = {};
		const faults: Record<string, { found: number; delays: number[]; other: number; hours: number }> = {};
		for (const p of produced) {
			const sig = await signalsOf(p.out);
			if (p.fault === 'none') {
				quietHours += 12;
				quietLines += p.lines;
				quietAlarms += sig.length;
				for (const s of sig) byKind[s.kind] = (byKind[s.kind] ?? 0) + 1;
				continue;
			}
			const f = (faults[p.fault] ??= { found: 0, delays: [], other: 0, hours: 0 });
			const ft = p.fault_time! * 1000;
			const hit = sig.find((s) => matches(p.fault, s) && s.time >= ft);
			if (hit) {
				f.found++;
				f.delays.push((hit.time - ft) / 1000);
			}
			f.other += sig.filter((s) => !matches(p.fault, s) && !(p.fault === 'exception' && s.time === ft)).length;
			f.hours += 2.5;
		}
		const rate = quietAlarms / quietHours;
		const lines = [`quiet: ${quietAlarms} signals in ${quietHours} simulated hours (${quietLines} lines) = ${rate.toFixed(3)} false alarms/hour ${JSON.stringify(byKind)}`];
		for (const [fault, f] of Object.entries(faults)) {
			const d = f.delays.sort((a, b) => a - b);
			const med = d.length ? d[Math.floor(d.length / 2)] : NaN;
			lines.push(`${fault}: detected ${f.found}/${RUNS}, delay median ${med.toFixed(1)} s, max ${(d[d.length - 1] ?? NaN).toFixed(1)} s; other signals ${f.other} in ${f.hours} h`);
		}
		console.log(lines.map((l) => `# ${l}`).join('\n'));
		assert.ok(rate <= 0.1, `false alarms per hour ${rate}`);
		for (const fault of ['exception', 'burst', 'heartbeat-stop']) {
			assert.ok(faults[fault].found >= Math.ceil(RUNS * 0.95), `${fault}: ${faults[fault].found}/${RUNS}`);
		}
		assert.ok(Math.max(...faults['heartbeat-stop'].delays) <= 150, 'a stopped heartbeat is reported within 150 s');
		assert.ok(Math.max(...faults.exception.delays) <= 1, 'a new exception type is reported at once');
		assert.ok(Math.max(...faults.burst.delays) <= 600, 'a 10× burst is reported within 10 minutes');
	} finally {
		tmp.cleanup();
	}
});
