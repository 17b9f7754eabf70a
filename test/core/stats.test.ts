// Statistics: bucket choice, counts per bucket and level checked against what a real CPython
// `logging` producer says it wrote, templates, loggers, the index-only answer, and the
// `loglens stats` / `loglens anomalies` commands.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	chooseBucketMs, computeStats, entryHeadline, normalizeBucketMs, parseBucket, formatBucket, bucketChoices, BUCKET_STEPS, HARD_MAX_BUCKETS, StatsResult,
} from '../../src/core/stats';
import { indexFile } from '../../src/core/index/indexFile';
import { LogIndex } from '../../src/core/index/logIndex';
import { BufferSource, FileSource } from '../../src/core/byteSource';
import { TemplateMiner } from '../../src/core/templates/templates';
import { bundleCli, fixture, runPython, tempDir } from '../testUtil';

const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H;

let tmp: { dir: string; cleanup: () => void };
before(() => { tmp = tempDir('loglens-stats-'); });
after(() => tmp.cleanup());

test('bucket size: the smallest nice step with at most ~2000 buckets; requests round up and are bounded', () => {
	assert.equal(chooseBucketMs(0), S);
	assert.equal(chooseBucketMs(30 * M), S); // 1801 buckets
	assert.equal(chooseBucketMs(H), 5 * S);
	assert.equal(chooseBucketMs(12 * H), 1 * M);
	assert.equal(chooseBucketMs(7 * D), 15 * M); // 5 m would be 2017
	assert.equal(chooseBucketMs(365 * D), 6 * H);
	assert.equal(chooseBucketMs(20 * 365 * D), 7 * D);
	for (const span of [1, 999, 5 * M, 3 * H, 40 * D, 3000 * D]) {
		const b = chooseBucketMs(span);
		assert.ok(Math.floor(span / b) + 1 <= 2000, `${span}: ${b}`);
	}
	assert.equal(normalizeBucketMs(45 * S, D), M, 'rounded up to a step');
	assert.equal(normalizeBucketMs(S, 365 * D), chooseBucketMs(365 * D, HARD_MAX_BUCKETS), 'never more than the hard limit');
	assert.ok(Math.floor((365 * D) / normalizeBucketMs(S, 365 * D)) + 1 <= HARD_MAX_BUCKETS);
	assert.equal(parseBucket('15s'), 15 * S);
	assert.equal(parseBucket('1h'), H);
	assert.equal(parseBucket('250'), 250);
	assert.equal(parseBucket('fast'), undefined);
	assert.equal(parseBucket('0m'), undefined);
	assert.deepEqual(BUCKET_STEPS.slice(0, 9).map(formatBucket), ['1s', '5s', '15s', '1m', '5m', '15m', '1h', '6h', '1d']);
	const choices = bucketChoices(12 * H);
	assert.equal(choices[0], S, '1 s over 12 h is 43 201 buckets: still offered');
	assert.ok(choices.includes(M) && choices.includes(6 * H) && !choices.includes(D), JSON.stringify(choices));
});

/** A real `logging` producer on a fake clock; prints its own record of what it wrote. */
const PRODUCER = String.raw`
import json, logging, random, sys, time
out, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
class Clock(logging.Filter):
    now = 1714550400.0  # 2024-05-01 08:00:00 UTC
    def filter(self, r):
        r.created = self.now; r.msecs = int((self.now % 1) * 1000); return True
clock = Clock()
h = logging.FileHandler(out, 'w', 'utf-8')
f = logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s'); f.converter = time.gmtime
h.setFormatter(f); h.addFilter(clock)
root = logging.getLogger(); root.handlers[:] = [h]; root.setLevel(logging.DEBUG)
names = ['api', 'api.auth', 'db', 'worker']
written = []
t = clock.now
for i in range(3000):
    t += rng.expovariate(1 / 1.7)
    clock.now = t
    lv = rng.choices([10, 20, 30, 40, 50], [30, 50, 12, 7, 1])[0]
    name = rng.choice(names)
    log = logging.getLogger(name)
    if lv == 40 and rng.random() < 0.3:
        try:
            {}['k%d' % i]
        except KeyError:
            log.exception('lookup failed for item %d', i)
    elif lv == 40:
        log.error('request %d failed: status %d', i, rng.choice([500, 502, 503]))
    elif lv == 30:
        log.warning('slow response %d ms from %s', rng.randint(200, 3000), rng.choice(['a.example.org:8443', 'b.example.org:8443']))
    else:
        log.log(lv, 'handled request %d in %d ms', i, rng.randint(1, 90))
    written.append([int(t) * 1000 + int((t % 1) * 1000), logging.getLevelName(lv).lower(), name])
h.close()
print(json.dumps(written))
`;

function produce(seed: number): { path: string; written: [number, string, string][] } {
	const path = join(tmp.dir, `p${seed}.log`);
	const written = JSON.parse(runPython(PRODUCER, [path, String(seed)])) as [number, string, string][];
	return { path, written };
}

async function statsOf(path: string, opts: Parameters<typeof computeStats>[2] = {}): Promise<StatsResult> {
	const idx = await indexFile(path);
	const src = new FileSource(path);
	try {
		return computeStats(idx, src, opts);
	} finally {
		src.close();
	}
}

test('buckets, error rate, loggers and span match what the Python producer wrote', async () => {
	const { path, written } = produce(7);
	for (const bucket of [undefined, 5 * M]) {
		const s = await statsOf(path, { bucketMs: bucket, templates: new TemplateMiner() });
		const b = s.bucketMs;
		assert.equal(b, bucket ?? chooseBucketMs(written[written.length - 1][0] - written[0][0]));
		assert.equal(s.entries, written.length);
		assert.equal(s.timedEntries, written.length);
		// python's own record, bucketed the same way (levels named as the engine names them)
		const want = new Map<number, Record<string, number>>();
		for (const [t, lv] of written) {
			const k = Math.floor(t / b) * b;
			const name = lv === 'warning' ? 'warning' : lv;
			const c = want.get(k) ?? {};
			c[name] = (c[name] ?? 0) + 1;
			want.set(k, c);
		}
		assert.equal(s.buckets[0].t, Math.floor(written[0][0] / b) * b);
		for (let i = 1; i < s.buckets.length; i++) assert.equal(s.buckets[i].t - s.buckets[i - 1].t, b, 'contiguous, empty buckets included');
		for (const bk of s.buckets) {
			const w = want.get(bk.t) ?? {};
			for (const l of s.levels) assert.equal(bk.counts[l], w[l] ?? 0, `bucket ${new Date(bk.t).toISOString()} ${l}`);
		}
		for (let i = 0; i < s.buckets.length; i++) {
			const c = s.buckets[i].counts;
			const all = Object.values(c).reduce((x, y) => x + (y ?? 0), 0);
			assert.equal(s.errorRate[i], all ? ((c.error ?? 0) + (c.critical ?? 0)) / all : null);
		}
		assert.deepEqual(s.levels, ['debug', 'info', 'warning', 'error', 'critical']);
		assert.equal(s.span.first, new Date(written[0][0]).toISOString());
		assert.equal(s.span.last, new Date(written[written.length - 1][0]).toISOString());
		const spanS = (written[written.length - 1][0] - written[0][0]) / 1000;
		assert.ok(Math.abs(s.entriesPerSecond! - written.length / spanS) < 1e-9);
		const byLogger = new Map<string, number>();
		for (const [, , n] of written) byLogger.set(n, (byLogger.get(n) ?? 0) + 1);
		assert.deepEqual(Object.fromEntries(s.topLoggers.map((g) => [g.logger, g.count])), Object.fromEntries(byLogger));
	}
});

test('top templates: counts, level, sparkline over the span; traceback entries group by exception', async () => {
	const { path, written } = produce(11);
	const s = await statsOf(path, { templates: new TemplateMiner(), topN: 20, sparkPoints: 24 });
	const byText = new Map(s.topTemplates.map((t) => [t.template, t]));
	const handled = [...byText.values()].filter((t) => t.template.startsWith('handled request'));
	assert.equal(handled.reduce((a, t) => a + t.count, 0), written.filter((w) => ['debug', 'info', 'critical'].includes(w[1])).length);
	const slow = byText.get('slow response <*> from <*>');
	assert.ok(slow, [...byText.keys()].join(' | '));
	assert.equal(slow.count, written.filter((w) => w[1] === 'warning').length);
	assert.equal(slow.level, 'warning');
	assert.equal(slow.spark.length, 24);
	assert.equal(slow.spark.reduce((a, b) => a + b, 0), slow.count);
	const tb = [...byText.values()].find((t) => t.template.startsWith('KeyError'));
	assert.ok(tb, 'the traceback entries are one KeyError template');
	assert.equal(tb.level, 'error');
	const failed = byText.get('request <*> failed: status <*>');
	assert.ok(failed);
	assert.equal(tb.count + failed.count, written.filter((w) => w[1] === 'error').length);
	assert.equal(s.topTemplates.reduce((a, t) => a + t.count, 0), written.length, 'every entry in some template (all listed)');
	for (let i = 1; i < s.topTemplates.length; i++) assert.ok(s.topTemplates[i - 1].count >= s.topTemplates[i].count);
	assert.equal(s.templateCount, s.topTemplates.length);
});

test('ids from the caller (templateOf) give the same templates; detail: false keeps to the index', async () => {
	const path = fixture('workspace', 'app.log');
	const idx = await indexFile(path);
	const src = new FileSource(path);
	try {
		const mined = computeStats(idx, src, { templates: new TemplateMiner() });
		// the server's way: a column of ids mined once, named through a lookup (no `add`)
		const miner = new TemplateMiner();
		const col: number[] = [];
		for (let e = 0; e < idx.entryCount; e++) {
			const h = entryHeadline(idx, src, e);
			col.push(miner.add(h.message, h.traceback));
		}
		const lookup = { resolve: (id: number) => miner.resolve(id), template: (id: number) => miner.template(id) };
		const viaColumn = computeStats(idx, src, { templates: lookup, templateOf: (e) => col[e] });
		assert.deepEqual(viaColumn.topTemplates, mined.topTemplates);
		assert.ok(mined.topTemplates.length >= 5);
		const fast = computeStats(idx, src, { detail: false });
		assert.deepEqual(fast.buckets, mined.buckets);
		assert.deepEqual(fast.errorRate, mined.errorRate);
		assert.deepEqual(fast.topTemplates, []);
		assert.deepEqual(fast.topLoggers, []);
		assert.equal(fast.detail, false);
		assert.equal(mined.detail, true);
		assert.deepEqual(mined.levelTotals, { debug: 46, info: 97, warning: 25, error: 20, critical: 2 });
		assert.deepEqual(mined.topLoggers.map((g) => g.logger), ['app.http', 'app.db', 'app']);
	} finally {
		src.close();
	}
});

test('entries without a time, times out of order, an empty log, and cancellation', () => {
	const text = [
		'no header here at all',
		'2024-05-01 10:00:05,000 INFO [a] five',
		'2024-05-01 10:00:01,000 ERROR [a] one (written late)',
		'2024-05-01 10:00:09,000 WARNING [b] nine',
		'',
	].join('\n');
	const idx = LogIndex.fromText(text);
	const s = computeStats(idx, new BufferSource(Buffer.from(text)), { templates: new TemplateMiner() });
	assert.equal(s.entries, 4);
	assert.equal(s.timedEntries, 3);
	assert.equal(s.bucketMs, S);
	assert.equal(s.buckets.length, 9, '10:00:01 … 10:00:09');
	assert.equal(s.buckets[0].counts.error, 1);
	assert.equal(s.errorRate[0], 1);
	assert.equal(s.errorRate[1], null);
	assert.equal(Date.parse(s.span.last!) - Date.parse(s.span.first!), 8 * S, 'span from the earliest to the latest time');

	const empty = computeStats(LogIndex.fromText(''), new BufferSource(Buffer.alloc(0)));
	assert.equal(empty.entries, 0);
	assert.equal(empty.bucketMs, 0);
	assert.deepEqual(empty.buckets, []);
	assert.equal(empty.entriesPerSecond, null);
	assert.deepEqual(empty.span, { first: null, last: null });

	let polls = 0;
	const stopped = computeStats(idx, new BufferSource(Buffer.from(text)), { shouldStop: () => ++polls > 0 });
	assert.equal(stopped.cancelled, true);
});

// ---- the commands, as users run them ----

let cli = '';
function loglens(args: string[]) {
	if (!cli) cli = bundleCli(tmp.dir);
	const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
	return { code: r.status, out: r.stdout, err: r.stderr };
}

test('loglens stats: --json shape and figures, text report, bad options', () => {
	const { path, written } = produce(3);
	const r = loglens(['stats', path, '--json', '--bucket', '15m']);
	assert.equal(r.code, 0, r.err);
	const j = JSON.parse(r.out) as Record<string, unknown> & { buckets: { t: number; counts: Record<string, number> }[]; topTemplates: { id: number; template: string; count: number; spark: number[] }[] };
	assert.deepEqual(Object.keys(j), ['file', 'span', 'entries', 'entriesPerSecond', 'bucketMs', 'buckets', 'errorRate', 'topTemplates', 'topLoggers']);
	assert.equal(j.bucketMs, 15 * M);
	assert.equal(j.entries, written.length);
	assert.equal(j.buckets.reduce((a, b) => a + Object.values(b.counts).reduce((x, y) => x + y, 0), 0), written.length);
	assert.equal((j.errorRate as unknown[]).length, j.buckets.length);
	assert.ok(j.topTemplates.length > 0 && j.topTemplates.length <= 10);
	assert.deepEqual(Object.keys(j.topTemplates[0]), ['id', 'template', 'count', 'spark']);
	const text = loglens(['stats', path]);
	assert.equal(text.code, 0, text.err);
	assert.match(text.out, /^entries {3}3000$/m);
	assert.match(text.out, /^rate {6}[\d.]+ entries\/s$/m);
	assert.match(text.out, /^top templates \(\d+ in all\)$/m);
	assert.match(text.out, /slow response <\*> from <\*>/);
	assert.match(text.out, /^top loggers\n\s*\d+ {2}(api|api\.auth|db|worker)$/m);
	const bad = loglens(['stats', path, '--bucket', 'soon']);
	assert.equal(bad.code, 2);
	assert.match(bad.err, /bad --bucket 'soon'/);
	assert.equal(loglens(['stats', join(tmp.dir, 'missing.log')]).code, 2);
});

test('loglens anomalies: a burst injected into a real producer\'s log, as text and --jsonl', () => {
	const path = join(tmp.dir, 'burst.log');
	const jobs = [{ seed: 5, hours: 2.5, fault: 'burst', fault_at: 1.6, out: path }];
	const r0 = spawnSync('python3', [fixture('python', 'steady_producer.py'), JSON.stringify(jobs)], { encoding: 'utf8' });
	assert.equal(r0.status, 0, r0.stderr);
	const faultTime = (JSON.parse(r0.stdout) as { fault_time: number }).fault_time * 1000;
	const r = loglens(['anomalies', path, '--jsonl']);
	assert.equal(r.code, 0, r.err);
	const sig = r.out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; time: string; template?: string; line: number; observed: number; expected: number });
	const spike = sig.find((s) => s.kind === 'rate-spike' && /^slow query/.test(s.template ?? ''));
	assert.ok(spike, r.out);
	const t = Date.parse(spike.time);
	assert.ok(t >= faultTime && t < faultTime + 10 * M, `${spike.time}`);
	const lines = readFileSync(path, 'utf8').split('\n');
	assert.match(lines[spike.line - 1], / - WARNING - slow query/, 'line is 1-based and points at the entry');
	const text = loglens(['anomalies', path]);
	assert.match(text.out, /^\S+Z {2}rate-spike {4}line \d+ {2}rate spike: \d+ "slow query: <\*> on table <\*> \(threshold <\*>\)" in 5m \(usually [\d.]+\)$/m);
	writeFileSync(join(tmp.dir, 'calm.log'), '2024-05-01 10:00:00,000 INFO [a] hello\n');
	assert.match(loglens(['anomalies', join(tmp.dir, 'calm.log')]).out, /^no anomalies found$/m);
});
