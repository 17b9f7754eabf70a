// Follow mode against real CPython `logging` producers: each scenario writes ≥30,000 numbered
// records at 10,000 records/s through a real handler (plain, size and time rotation, watched +
// external mv, copytruncate, delete + recreate, created late, polling only) and checks that the
// follower delivered every record once, in order, and how late.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, renameSync, readFileSync } from 'node:fs';
import { copyFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { FileFollower, FollowOptions } from '../../src/core/follow/follow';
import { fixture, tempDir, waitFor } from '../testUtil';

const PRODUCER = fixture('python', 'log_producer.py');
const RATE = 10000;
/**
 * Latency bounds asserted for event-driven scenarios. The target is p99 < 100 ms, met on a quiet
 * machine (see the printed table); the asserted p99 bound leaves headroom for a shared, overloaded
 * 2-core machine. The median bound still tells change events from the 250 ms polling fallback.
 */
const WATCH_P99_BOUND_MS = Number(process.env.LOGLENS_FOLLOW_P99_MS ?? 400);
const WATCH_P50_BOUND_MS = 50;

interface Row {
	scenario: string;
	written: number;
	received: number;
	lost: number;
	excused: number;
	duplicated: number;
	outOfOrder: number;
	p50: number;
	p99: number;
	notes: string;
}
const rows: Row[] = [];

after(() => {
	const head = ['scenario', 'written', 'received', 'lost', 'dup', 'order', 'p50 ms', 'p99 ms', 'notes'];
	const body = rows.map((r) => [r.scenario, String(r.written), String(r.received), r.excused ? `${r.lost} (+${r.excused} in copytruncate window)` : String(r.lost), String(r.duplicated), String(r.outOfOrder), r.p50.toFixed(1), r.p99.toFixed(1), r.notes]);
	const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
	const fmt = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
	console.log(['', fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)].join('\n'));
});

function nowMs(): number {
	return performance.timeOrigin + performance.now();
}


interface ProducerResult {
	written: number;
	rollovers: number;
	recreated: number;
	seconds: number;
}

function runPy(script: string, args: string[]): { done: Promise<string> } {
	const p = spawn('python3', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	p.stdout.on('data', (d: Buffer) => (out += d.toString()));
	p.stderr.on('data', (d: Buffer) => (err += d.toString()));
	const done = new Promise<string>((resolve, reject) => {
		p.on('error', reject);
		p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`python3 ${script} exited ${code}: ${err}`))));
	});
	return { done };
}

/** What the follower delivered, parsed as it arrives. */
class Receiver {
	seqs: number[] = [];
	latencies: number[] = [];
	lastSeq = -1;
	outOfOrder = 0;
	seen = new Set<number>();
	tsBySeq = new Map<number, number>();
	contextLines: string[] = [];
	events: Record<'rotated' | 'recovered' | 'late' | 'truncated' | 'missing' | 'created', number> = { rotated: 0, recovered: 0, late: 0, truncated: 0, missing: 0, created: 0 };
	errors: Error[] = [];

	attach(f: FileFollower): void {
		const re = /seq=(\d+) ts=(\d+\.\d+)/g;
		f.on('lines', (ev) => {
			const now = nowMs();
			const text = ev.data.toString('utf8');
			if (ev.context) {
				this.contextLines.push(...text.split('\n').filter((l) => l.length > 0));
				return;
			}
			for (const m of text.matchAll(re)) {
				const seq = Number(m[1]);
				this.latencies.push(now - Number(m[2]) * 1000);
				if (seq < this.lastSeq) this.outOfOrder++;
				this.lastSeq = seq;
				this.seqs.push(seq);
				this.seen.add(seq);
			}
		});
		f.on('rotated', (e) => {
			this.events.rotated++;
			if (e.recovered) this.events.recovered++;
		});
		f.on('recovered', () => this.events.late++);
		f.on('truncated', () => this.events.truncated++);
		f.on('missing', () => this.events.missing++);
		f.on('created', () => this.events.created++);
		f.on('error', (e) => this.errors.push(e));
	}
}

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Scenario {
	name: string;
	producer: string[];
	count: number;
	follow?: FollowOptions;
	/** Write this before following starts (the file then exists and is followed from its end). */
	preexisting?: string;
	/** Runs while the producer writes (external mv, copytruncate …). */
	during?: (ctx: { path: string; dir: string; rx: Receiver }) => Promise<void>;
	/** Builds, once the producer is done, the test for records the follower may legitimately miss (copytruncate's own loss window). */
	excuse?: (ctx: { path: string }) => (seq: number) => boolean;
	p99Bound: number;
}

async function runScenario(s: Scenario): Promise<{ row: Row; rx: Receiver; producer: ProducerResult }> {
	const { dir, cleanup } = tempDir('loglens-follow-');
	const cpu0 = process.cpuUsage();
	const wall0 = Date.now();
	const path = join(dir, 'app.log');
	const follower = new FileFollower(path, { contextLines: 10, ...s.follow });
	const rx = new Receiver();
	rx.attach(follower);
	try {
		if (s.preexisting !== undefined) writeFileSync(path, s.preexisting);
		await follower.start();
		const prod = runPy(PRODUCER, ['--path', path, '--count', String(s.count), '--rate', String(RATE), ...s.producer]);
		// Settled into a value so a failure is reported after the producer ends, not as an unhandled rejection.
		const during = s.during?.({ path, dir, rx }).then(() => undefined, (e: unknown) => e);
		const producer = JSON.parse(await prod.done) as ProducerResult;
		const duringError = await during;
		if (duringError) throw duringError;
		const excuse = s.excuse?.({ path });
		const missing = (): number[] => {
			const m: number[] = [];
			for (let i = 0; i < s.count; i++) if (!rx.seen.has(i) && !excuse?.(i)) m.push(i);
			return m;
		};
		// The last records normally arrive within milliseconds; the deadline covers the polling scenario.
		await waitFor(() => rx.seen.size >= s.count || (excuse !== undefined && missing().length === 0), 15000, `${s.name}: all records`).catch(() => undefined);
		// Late duplicates would arrive now, if any.
		await follower.sync();
		const lost = missing().length;
		const excused = s.count - rx.seen.size - lost;
		const cpu1 = process.cpuUsage(cpu0);
		const sorted = [...rx.latencies].sort((a, b) => a - b);
		const row: Row = {
			scenario: s.name,
			written: producer.written,
			received: rx.seen.size,
			lost,
			excused,
			duplicated: rx.seqs.length - rx.seen.size,
			outOfOrder: rx.outOfOrder,
			p50: percentile(sorted, 50),
			p99: percentile(sorted, 99),
			notes: [
				producer.rollovers ? `${producer.rollovers} rollovers` : '',
				producer.recreated ? `${producer.recreated} recreations` : '',
				rx.events.rotated ? `${rx.events.rotated} rotated (${rx.events.recovered} recovered)` : '',
				rx.events.late ? `${rx.events.late} recovered late` : '',
				rx.events.truncated ? `${rx.events.truncated} truncated` : '',
				`${Math.round(producer.written / producer.seconds)} rec/s`,
				`reader CPU ${Math.round((100 * (cpu1.user + cpu1.system)) / 1000 / (Date.now() - wall0))}%`,
			].filter(Boolean).join(', '),
		};
		rows.push(row);
		return { row, rx, producer };
	} finally {
		await follower.close();
		cleanup();
	}
}

function assertExact(row: Row, rx: Receiver, p99Bound: number, p50Bound = WATCH_P50_BOUND_MS): void {
	assert.deepEqual(rx.errors, []);
	assert.equal(row.lost, 0, `${row.scenario}: lost records`);
	assert.equal(row.duplicated, 0, `${row.scenario}: duplicated records`);
	assert.equal(row.outOfOrder, 0, `${row.scenario}: records out of order`);
	assert.ok(row.written >= 30000);
	assert.ok(row.p99 < p99Bound, `${row.scenario}: p99 latency ${row.p99.toFixed(1)} ms ≥ ${p99Bound} ms`);
	assert.ok(row.p50 < p50Bound, `${row.scenario}: median latency ${row.p50.toFixed(1)} ms ≥ ${p50Bound} ms`);
}

test('FileHandler: plain appends to an existing file, with context lines', async () => {
	const pre = Array.from({ length: 25 }, (_, i) => `2024-05-01 12:00:00,000 INFO     [old] pre-existing line ${i}\n`).join('');
	const s: Scenario = { name: 'FileHandler append', producer: ['--mode', 'file'], count: 30000, preexisting: pre, p99Bound: WATCH_P99_BOUND_MS };
	const { row, rx } = await runScenario(s);
	assertExact(row, rx, s.p99Bound);
	assert.deepEqual(rx.contextLines, Array.from({ length: 10 }, (_, i) => `2024-05-01 12:00:00,000 INFO     [old] pre-existing line ${i + 15}`));
});

test('RotatingFileHandler: many rollovers, every backup kept', async () => {
	const s: Scenario = { name: 'RotatingFileHandler maxBytes=64k backups=1000', producer: ['--mode', 'rotating', '--max-bytes', '65536', '--backup-count', '1000'], count: 30000, preexisting: '', p99Bound: WATCH_P99_BOUND_MS };
	const { row, rx, producer } = await runScenario(s);
	assertExact(row, rx, s.p99Bound);
	assert.ok(producer.rollovers >= 40, `only ${producer.rollovers} rollovers`);
	assert.equal(rx.events.rotated + rx.events.late, producer.rollovers);
});

test('RotatingFileHandler: backupCount=2 deletes rotated files while they are still being read', async () => {
	const s: Scenario = { name: 'RotatingFileHandler maxBytes=256k backups=2', producer: ['--mode', 'rotating', '--max-bytes', '262144', '--backup-count', '2'], count: 30000, preexisting: '', p99Bound: WATCH_P99_BOUND_MS };
	const { row, rx, producer } = await runScenario(s);
	assertExact(row, rx, s.p99Bound);
	assert.ok(producer.rollovers >= 10, `only ${producer.rollovers} rollovers`);
});

test('TimedRotatingFileHandler: when=S rollovers', async () => {
	const s: Scenario = { name: 'TimedRotatingFileHandler when=S', producer: ['--mode', 'timed', '--backup-count', '0'], count: 35000, preexisting: '', p99Bound: WATCH_P99_BOUND_MS };
	const { row, rx, producer } = await runScenario(s);
	assertExact(row, rx, s.p99Bound);
	assert.ok(producer.rollovers >= 2, `only ${producer.rollovers} rollovers`);
	assert.equal(rx.events.rotated + rx.events.late, producer.rollovers);
});

test('WatchedFileHandler: external mv mid-stream, producer reopens', async () => {
	let moves = 0;
	const s: Scenario = {
		name: 'WatchedFileHandler + external mv',
		producer: ['--mode', 'watched'],
		count: 30000,
		preexisting: '',
		p99Bound: WATCH_P99_BOUND_MS,
		during: async ({ path, rx }) => {
			for (let k = 1; k <= 4; k++) {
				await waitFor(() => rx.seen.size >= k * 6000, 10000, `record ${k * 6000}`);
				renameSync(path, `${path}.moved${k}`);
				moves++;
			}
		},
	};
	const { row, rx } = await runScenario(s);
	assertExact(row, rx, s.p99Bound);
	assert.equal(moves, 4);
	assert.ok(rx.events.rotated >= 4, `${rx.events.rotated} rotations seen`);
});

test('copytruncate: copy then truncate in place while the producer keeps writing', async () => {
	const windows: { from: number; to: number }[] = [];
	let onDisk = new Map<number, number>();
	const s: Scenario = {
		name: 'copytruncate (logrotate)',
		producer: ['--mode', 'file'],
		count: 30000,
		preexisting: '',
		p99Bound: WATCH_P99_BOUND_MS,
		during: async ({ path, rx }) => {
			for (let k = 1; k <= 3; k++) {
				await waitFor(() => rx.seen.size >= k * 7000, 10000, `record ${k * 7000}`);
				// What logrotate's copytruncate does, asynchronously so the follower keeps reading meanwhile.
				const copyStart = nowMs();
				await copyFile(path, `${path}.${k}`);
				await truncate(path, 0);
				// A reader loses what was appended after its last read and before the truncation:
				// anything written within its reaction time (the 100 ms target) before the truncation.
				windows.push({ from: copyStart - 100, to: nowMs() });
			}
		},
		excuse: ({ path }) => {
			// Unreceived records are placed in time by their timestamps, read back from the copies.
			const ts = timestampsIn([path, `${path}.1`, `${path}.2`, `${path}.3`]);
			onDisk = ts;
			return (seq) => {
				const t = ts.get(seq);
				// In neither the copy nor the live file: written between copy and truncate, lost by copytruncate itself.
				if (t === undefined) return true;
				return windows.some((w) => t >= w.from && t <= w.to);
			};
		},
	};
	const { row, rx } = await runScenario(s);
	let inNoFile = 0;
	for (let i = 0; i < s.count; i++) if (!rx.seen.has(i) && !onDisk.has(i)) inNoFile++;
	row.notes += `; of the excused, ${inNoFile} are in no file (written between copy and truncate), ${row.excused - inNoFile} only in the copy`;
	assert.equal(windows.length, 3);
	assert.equal(rx.events.truncated, 3, 'every truncation noticed once');
	assertExact(row, rx, s.p99Bound);
	// Only records written inside the three short windows may be missing: at most what the producer writes in them.
	const windowRecords = windows.reduce((n, w) => n + ((w.to - w.from) * RATE) / 1000, 0);
	assert.ok(row.excused <= windowRecords + 30, `${row.excused} records excused, windows hold about ${Math.round(windowRecords)}`);
});

/** seq → record timestamp (ms) of every record in these files (unreadable files are skipped). */
function timestampsIn(files: string[]): Map<number, number> {
	const m = new Map<number, number>();
	for (const f of files) {
		let text: string;
		try {
			text = readFileSync(f, 'utf8');
		} catch {
			continue;
		}
		for (const x of text.matchAll(/seq=(\d+) ts=(\d+\.\d+)/g)) m.set(Number(x[1]), Number(x[2]) * 1000);
	}
	return m;
}

test('delete + recreate: the producer unlinks the file and starts a new one', async () => {
	const s: Scenario = { name: 'delete + recreate', producer: ['--mode', 'recreate', '--recreate-every', '5000'], count: 30000, preexisting: '', p99Bound: WATCH_P99_BOUND_MS };
	const { row, rx, producer } = await runScenario(s);
	assertExact(row, rx, s.p99Bound);
	assert.equal(producer.recreated, 5);
	assert.equal(rx.events.rotated, 5);
});

test('file created after following starts is read from its first byte', async () => {
	const s: Scenario = { name: 'created after start', producer: ['--mode', 'file'], count: 30000, p99Bound: WATCH_P99_BOUND_MS };
	const { row, rx } = await runScenario(s);
	assertExact(row, rx, s.p99Bound);
	assert.equal(rx.events.missing, 1);
	assert.equal(rx.events.created, 1);
});

test('usePolling: rotations between polls are recovered from the rotated siblings', async () => {
	const s: Scenario = {
		name: 'polling only (250 ms), RotatingFileHandler 64k',
		producer: ['--mode', 'rotating', '--max-bytes', '65536', '--backup-count', '1000'],
		count: 30000,
		preexisting: '',
		follow: { usePolling: true, pollIntervalMs: 250 },
		p99Bound: 250 + WATCH_P99_BOUND_MS,
	};
	const { row, rx, producer } = await runScenario(s);
	assertExact(row, rx, s.p99Bound, 250);
	assert.ok(producer.rollovers >= 40);
	// Several rotations per poll: most files were never at the path when the follower looked.
	assert.ok(rx.events.recovered > 0, 'no rotated file was recovered');
	assert.equal(rx.events.rotated + rx.events.late, producer.rollovers);
});
