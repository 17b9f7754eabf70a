// Following beyond files: `loglens follow -` (a pipe) and `loglens follow --cmd -- CMD` (a command's
// stdout and stderr), with a real CPython program logging 10,000 records/s with tracebacks to both
// streams. Every record must come out once, in order (per stream: the two pipes are buffered apart),
// each entry whole; the command's status is the CLI's; interrupting the CLI leaves no process behind.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { StreamFollower } from '../../src/core/follow/followStream';
import { bundleCli, fixture, tempDir, waitFor } from '../testUtil';

const PRODUCER = fixture('python', 'log_producer.py');
let cli = '';
let tmp: { dir: string; cleanup: () => void };

before(() => {
	tmp = tempDir('loglens-followstream-');
	cli = bundleCli(tmp.dir);
});
after(() => tmp.cleanup());

interface Entry { seq: number; level: string; lines: string[] }

/** Output split into entries: a producer header line (seq=N) and the lines up to the next header. */
function entries(text: string): Entry[] {
	const out: Entry[] = [];
	for (const line of text.split('\n')) {
		if (line === '') continue;
		const m = /^\S+ \S+ (\w+)\s+\[producer\] seq=(-?\d+) /.exec(line);
		if (m) out.push({ seq: Number(m[2]), level: m[1], lines: [line] });
		else {
			assert.ok(out.length > 0, `continuation line before any entry: ${line}`);
			out[out.length - 1].lines.push(line);
		}
	}
	return out;
}

const COUNT = 30_000;
const EXC_EVERY = 50;

/** Every record once; each stream's records in order; every traceback whole and with its own record. */
function checkRecords(got: Entry[], globalOrder: boolean): void {
	const seqs = got.map((e) => e.seq);
	assert.equal(new Set(seqs).size, seqs.length, 'no record twice');
	assert.deepEqual([...seqs].sort((a, b) => a - b), Array.from({ length: COUNT }, (_, i) => i), 'every record');
	const toStderr = (e: Entry) => e.level === 'ERROR' || e.level === 'CRITICAL';
	for (const stream of [got.filter(toStderr), got.filter((e) => !toStderr(e))]) {
		const s = stream.map((e) => e.seq);
		assert.ok(s.every((v, i) => i === 0 || v > s[i - 1]), 'each stream in order');
	}
	if (globalOrder) assert.deepEqual(seqs, Array.from({ length: COUNT }, (_, i) => i), 'in order');
	let tracebacks = 0;
	for (const e of got) {
		if (e.seq % EXC_EVERY === 0) {
			tracebacks++;
			assert.equal(e.lines[1], 'Traceback (most recent call last):', `entry ${e.seq}: ${e.lines.join(' | ')}`);
			const last = e.lines[e.lines.length - 1];
			assert.ok(last === `KeyError: 'k${e.seq}'` || last === `ValueError: v${e.seq}`, `entry ${e.seq} ends with its exception, not ${last}`);
		} else assert.equal(e.lines.length, 1, `entry ${e.seq} is one line: ${e.lines.join(' | ')}`);
	}
	assert.equal(tracebacks, COUNT / EXC_EVERY);
}

function run(cmd: string, args: string[]): Promise<{ out: string; err: string; code: number | null }> {
	return new Promise((resolve) => {
		const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		p.stdout.on('data', (d: Buffer) => (out += d.toString()));
		p.stderr.on('data', (d: Buffer) => (err += d.toString()));
		p.on('close', (code) => resolve({ out, err, code }));
	});
}

const PRODUCE = ['--mode', 'streams', '--count', String(COUNT), '--rate', '10000', '--exc-every', String(EXC_EVERY)];

test('follow --cmd: a Python program logging 10,000 records/s to stdout and stderr — every record once, per stream in order, entries whole; its status', async () => {
	const t0 = Date.now();
	// stdout block-buffered (a pipe), stderr per line: the streams' pieces interleave mid-entry
	const r = await run(process.execPath, [cli, 'follow', '--cmd', '--', 'python3', PRODUCER, ...PRODUCE]);
	assert.equal(r.code, 0, r.err);
	checkRecords(entries(r.out), false);
	console.log(`  follow --cmd: ${COUNT.toLocaleString('en-US')} records (${COUNT / EXC_EVERY} tracebacks) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

	const failing = await run(process.execPath, [cli, 'follow', '--cmd', '--', 'python3', '-c', 'import sys; print("2024-05-01 12:00:00,000 ERROR bye"); sys.exit(3)']);
	assert.equal(failing.code, 3, 'the command\'s exit status');
	assert.equal(failing.out, '2024-05-01 12:00:00,000 ERROR bye\n');
	const killed = await run(process.execPath, [cli, 'follow', '--cmd', '--', 'sh', '-c', 'kill -9 $$']);
	assert.equal(killed.code, 137, '128 + the signal');
	const missing = await run(process.execPath, [cli, 'follow', '--cmd', '--', 'no-such-command-here']);
	assert.equal(missing.code, 2);
	assert.match(missing.err, /cannot run no-such-command-here: command not found/);
});

test('follow -: a pipe (python3 -u … 2>&1 | loglens follow - --level …) — the same output as for a file, ends at end of input', async () => {
	const pipe = await run('sh', ['-c', 'P="$1"; CLI="$2"; shift 2; python3 -u "$P" "$@" 2>&1 | node "$CLI" follow -', 'sh', PRODUCER, cli, ...PRODUCE]);
	assert.equal(pipe.code, 0, pipe.err);
	// unbuffered: each record is one write to the one pipe, so the order is the program's
	checkRecords(entries(pipe.out), true);

	// --level on a pipe: the same entries as `loglens filter` gives for the same bytes in a file
	const whole = await run('sh', ['-c', 'P="$1"; shift; python3 -u "$P" "$@" 2>&1', 'sh', PRODUCER, '--mode', 'streams', '--count', '3000', '--rate', '0', '--exc-every', '7']);
	const file = `${tmp.dir}/piped.log`;
	writeFileSync(file, whole.out);
	const filtered = await run('sh', ['-c', 'node "$1" follow - --level warning < "$2"', 'sh', cli, file]);
	const expected = spawnSync(process.execPath, [cli, 'filter', file, '--level', 'warning'], { encoding: 'utf8' });
	assert.equal(filtered.code, 0, filtered.err);
	assert.ok(filtered.out.length > 0);
	assert.equal(filtered.out, expected.stdout, 'the same output as for a file');
});

/** True when no process with this pid runs any more (gone, or a zombie nobody has reaped yet). */
function gone(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch {
		return true;
	}
	try {
		return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return true;
	}
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
	test(`follow --cmd: ${sig} to loglens takes the command and what it started down with it (no orphan)`, async () => {
		const p = spawn(process.execPath, [cli, 'follow', '--cmd', '--', 'python3', PRODUCER, '--mode', 'streams', '--count', '100000000', '--rate', '50', '--spawn-sleeper'], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		p.stdout.on('data', (d: Buffer) => (out += d.toString()));
		const exit = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
		await waitFor(() => /pids main=\d+ child=\d+/.test(out), 10_000, 'the pids line');
		const [, main, child] = /pids main=(\d+) child=(\d+)/.exec(out)!.map(Number);
		assert.ok(!gone(main) && !gone(child), 'both run');
		p.kill(sig);
		const code = await exit;
		// Python dies of SIGINT (KeyboardInterrupt re-raised as the signal) or SIGTERM: 128 + N
		assert.equal(code, sig === 'SIGINT' ? 130 : 143);
		await waitFor(() => gone(main) && gone(child), 5000, `pids ${main} and ${child} gone`);
	});
}

test('StreamFollower: an entry of one stream is never cut by lines of the other', async () => {
	const a = new PassThrough();
	const b = new PassThrough();
	const f = new StreamFollower([a, b], { quietMs: 10_000 });
	let out = '';
	f.on('lines', (l) => (out += l.data.toString()));
	const ended = new Promise<void>((r) => f.once('end', r));
	f.start();
	const tick = () => new Promise((r) => setImmediate(r));
	a.write('2024-05-01 12:00:00,000 ERROR a1 failed\nTraceback (most recent call last):\n');
	await tick();
	b.write('2024-05-01 12:00:00,001 INFO b1\n2024-05-01 12:00:00,002 INFO b2\n');
	await tick();
	a.write('  File "x.py", line 1, in <module>\nValueError: a1\n2024-05-01 12:00:00,003 INFO a2\n');
	await tick();
	a.end();
	b.end('2024-05-01 12:00:00,004 INFO b3 no newline');
	await ended;
	const lines = out.split('\n');
	const at = lines.indexOf('2024-05-01 12:00:00,000 ERROR a1 failed');
	assert.deepEqual(lines.slice(at, at + 4), ['2024-05-01 12:00:00,000 ERROR a1 failed', 'Traceback (most recent call last):', '  File "x.py", line 1, in <module>', 'ValueError: a1']);
	assert.deepEqual([...lines].sort(), ['', '2024-05-01 12:00:00,000 ERROR a1 failed', '2024-05-01 12:00:00,001 INFO b1', '2024-05-01 12:00:00,002 INFO b2',
		'2024-05-01 12:00:00,003 INFO a2', '2024-05-01 12:00:00,004 INFO b3 no newline', '  File "x.py", line 1, in <module>', 'Traceback (most recent call last):', 'ValueError: a1'].sort());
	assert.ok(out.endsWith('\n'), 'a last line without newline is completed');
});

test('follow --cmd / -: usage errors and help', () => {
	const none = spawnSync(process.execPath, [cli, 'follow', '--cmd'], { encoding: 'utf8' });
	assert.equal(none.status, 2);
	assert.match(none.stderr, /--cmd needs a command after --/);
	const both = spawnSync(process.execPath, [cli, 'follow', '--cmd', 'app.log', '--', 'true'], { encoding: 'utf8' });
	assert.equal(both.status, 2);
	assert.match(both.stderr, /--cmd takes no FILE/);
	const help = spawnSync(process.execPath, [cli, 'follow', '--help'], { encoding: 'utf8' });
	assert.match(help.stdout, /loglens follow --cmd \[options\] -- CMD/);
	assert.match(help.stdout, /FILE - reads standard input/);
});
