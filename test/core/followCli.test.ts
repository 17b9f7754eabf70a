// `loglens follow` as users run it: a real CPython producer writes records and tracebacks through a
// RotatingFileHandler while the CLI runs piped; each matching entry must come out once and whole.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleCli, fixture, tempDir, waitFor } from '../testUtil';

const PRODUCER = fixture('python', 'log_producer.py');
let cli = '';
let tmp: { dir: string; cleanup: () => void };

before(() => {
	tmp = tempDir('loglens-followcli-');
	// Bundled fresh from the sources (dist/ may be stale), the way scripts/build.mjs bundles it.
	cli = bundleCli(tmp.dir);
});
after(() => tmp.cleanup());


interface Running {
	proc: ChildProcessWithoutNullStreams;
	out: () => string;
	err: () => string;
	exit: Promise<number | null>;
}

function startCli(args: string[]): Running {
	const proc = spawn(process.execPath, [cli, 'follow', ...args], { stdio: 'pipe' });
	let out = '';
	let err = '';
	proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
	proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
	const exit = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
	return { proc, out: () => out, err: () => err, exit };
}

function produce(path: string, args: string[]): Promise<void> {
	return new Promise((resolve, reject) => {
		const p = spawn('python3', [PRODUCER, '--path', path, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		p.stderr.on('data', (d: Buffer) => (err += d.toString()));
		p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`producer exited ${code}: ${err}`))));
	});
}

/** Output split into entries: a header line (with seq=) and the lines after it up to the next header. */
function entries(text: string): { seq: number; level: string; lines: string[] }[] {
	const out: { seq: number; level: string; lines: string[] }[] = [];
	for (const line of text.split('\n')) {
		if (line === '') continue;
		const m = /^\S+ \S+ (\w+)\s+\[producer\] seq=(\d+) /.exec(line);
		if (m) out.push({ seq: Number(m[2]), level: m[1], lines: [line] });
		else {
			assert.ok(out.length > 0, `continuation line before any entry: ${line}`);
			out[out.length - 1].lines.push(line);
		}
	}
	return out;
}

const COUNT = 3000;
const EXC_EVERY = 5;
/** Records the producer writes at ERROR: tracebacks every EXC_EVERY, plus its level cycle's ERROR slot (i % 7 === 5). */
function isError(i: number): boolean {
	return i % EXC_EVERY === 0 || i % 7 === 5;
}

test('follow --level error: every ERROR entry once, with its whole traceback, across rotations; SIGTERM exits 0', async () => {
	const path = join(tmp.dir, 'levels.log');
	writeFileSync(path, '');
	// --from-start: whatever the producer wrote before the CLI opened the file is printed too.
	const run = startCli([path, '--level', 'error', '--from-start']);
	await produce(path, ['--mode', 'rotating', '--max-bytes', '32768', '--count', String(COUNT), '--rate', '3000', '--exc-every', String(EXC_EVERY)]);
	const want = Array.from({ length: COUNT }, (_, i) => i).filter(isError);
	await waitFor(() => entries(run.out()).length >= want.length, 10000, 'all error entries');
	run.proc.kill('SIGTERM');
	assert.equal(await run.exit, 0);
	const got = entries(run.out());
	assert.deepEqual(got.map((e) => e.seq), want);
	for (const e of got) {
		assert.equal(e.level, 'ERROR');
		if (e.seq % EXC_EVERY === 0) {
			assert.equal(e.lines[1], 'Traceback (most recent call last):', `entry ${e.seq}`);
			const last = e.lines[e.lines.length - 1];
			assert.ok(last === `KeyError: 'k${e.seq}'` || last === `ValueError: v${e.seq}`, `entry ${e.seq} ends with ${last}`);
		} else assert.equal(e.lines.length, 1);
	}
	assert.match(run.err(), /file replaced \(rotated\)/);
});

test('follow --grep: an entry matches on its traceback text and is printed whole, once', async () => {
	const path = join(tmp.dir, 'grep.log');
	writeFileSync(path, '');
	const run = startCli([path, '--grep', 'KeyError', '-q', '--from-start']);
	await produce(path, ['--mode', 'file', '--count', '500', '--rate', '2000', '--exc-every', String(EXC_EVERY)]);
	const want = Array.from({ length: 500 }, (_, i) => i).filter((i) => i % EXC_EVERY === 0 && (i / EXC_EVERY) % 2 === 1);
	await waitFor(() => entries(run.out()).length >= want.length, 10000, 'KeyError entries');
	run.proc.kill('SIGINT');
	assert.equal(await run.exit, 0);
	const got = entries(run.out());
	assert.deepEqual(got.map((e) => e.seq), want);
	for (const e of got) assert.equal(e.lines[e.lines.length - 1], `KeyError: 'k${e.seq}'`);
	assert.equal(run.err(), '');
});

test('follow: context lines first; a file that appears later; a reader that goes away ends it with status 0', async () => {
	const path = join(tmp.dir, 'later.log');
	const run = startCli([path]);
	await waitFor(() => /not there/.test(run.err()), 5000, 'missing note');
	writeFileSync(path, '2024-05-01 12:00:00,000 INFO first\n');
	await waitFor(() => run.out().includes('first'), 5000, 'first line');
	// The reader closes its end of the pipe; the next write fails with EPIPE and the command ends quietly.
	run.proc.stdout.destroy();
	appendFileSync(path, '2024-05-01 12:00:01,000 INFO second\n');
	assert.equal(await run.exit, 0);
	assert.doesNotMatch(run.err(), /internal error|Error:/);

	const ctx = startCli([path, '-n', '1']);
	await waitFor(() => ctx.out().includes('second'), 5000, 'context line');
	ctx.proc.kill('SIGINT');
	assert.equal(await ctx.exit, 0);
	assert.equal(ctx.out(), '2024-05-01 12:00:01,000 INFO second\n');
});

test('follow: bad arguments are reported with status 2', () => {
	const r = spawnSync(process.execPath, [cli, 'follow', 'a.log', 'b.log'], { encoding: 'utf8' });
	assert.equal(r.status, 2);
	assert.match(r.stderr, /expected one FILE/);
	const r2 = spawnSync(process.execPath, [cli, 'follow', 'x.log', '--lines', 'ten'], { encoding: 'utf8' });
	assert.equal(r2.status, 2);
	assert.match(r2.stderr, /--lines/);
});
