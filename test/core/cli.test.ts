// The `loglens` command as users run it: spawns `node dist/cli.js` and checks output and exit codes.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { currentCli, fixture, tempDir } from '../testUtil';

let cli = '';
let tmp: { dir: string; cleanup: () => void };

before(() => {
	tmp = tempDir();
	cli = currentCli(tmp.dir);
});
after(() => tmp.cleanup());

function loglens(args: string[], input?: string | Buffer) {
	const r = spawnSync(process.execPath, [cli, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
	return { code: r.status, out: r.stdout, err: r.stderr };
}

const HADOOP = () => fixture('loghub', 'Hadoop', 'Hadoop_2k.log');

test('summary --json: the contract fields', () => {
	const r = loglens(['summary', HADOOP(), '--json']);
	assert.equal(r.code, 0, r.err);
	const s = JSON.parse(r.out);
	assert.deepEqual(Object.keys(s).sort(), ['bytes', 'entries', 'file', 'first', 'format', 'last', 'levels', 'lines'].sort());
	assert.equal(s.lines, 2000);
	assert.equal(s.entries, 2000);
	assert.equal(s.format, 'log4j');
	assert.deepEqual(s.levels, { trace: 0, debug: 0, info: 1040, notice: 0, warning: 808, error: 150, critical: 2, unknown: 0 });
	assert.equal(s.first, new Date(2015, 9, 18, 18, 1, 47, 978).toISOString());
	assert.match(s.last, /^2015-10-1\dT/);
	const text = loglens(['summary', HADOOP()]);
	assert.match(text.out, /warning\s+808/);
});

test('entries --jsonl: one object per entry with 1-based lines; tracebacks span lines', () => {
	const log = join(tmp.dir, 'py.log');
	writeFileSync(log, '2024-01-01 10:00:00,000 - app - INFO - hello\n2024-01-01 10:00:01,000 - app - ERROR - boom\nTraceback (most recent call last):\nValueError: x\nno time here\n');
	const r = loglens(['entries', log, '--jsonl']);
	assert.equal(r.code, 0, r.err);
	const rows = r.out.trim().split('\n').map((l) => JSON.parse(l));
	assert.equal(rows.length, 2);
	assert.deepEqual(Object.keys(rows[0]), ['line', 'endLine', 'level', 'time', 'logger', 'message']);
	assert.deepEqual([rows[1].line, rows[1].endLine, rows[1].level, rows[1].logger, rows[1].message], [2, 5, 'error', 'app', 'boom']);
	assert.equal(rows[0].time, new Date(2024, 0, 1, 10, 0, 0).toISOString());
	const plain = loglens(['entries', '-', '--jsonl'], 'just text\nmore\n');
	assert.deepEqual(plain.out.trim().split('\n').map((l) => JSON.parse(l).level), [null, null]);
});

test('filter: whole entries, level/grep/logger/field/since, line numbers, stdin', () => {
	const log = join(tmp.dir, 'f.log');
	writeFileSync(log, [
		'2024-01-01 10:00:00,000 - app.db - INFO - connected',
		'2024-01-01 10:00:01,000 - app.web - ERROR - failed',
		'Traceback (most recent call last):',
		'KeyError: user',
		'2024-01-01 10:00:02,000 - app.db - WARNING - slow',
	].join('\n') + '\n');
	let r = loglens(['filter', log, '--level', 'error']);
	assert.equal(r.out, '2024-01-01 10:00:01,000 - app.web - ERROR - failed\nTraceback (most recent call last):\nKeyError: user\n');
	r = loglens(['filter', log, '--grep', 'keyerror', '-i', '--line-numbers']);
	assert.equal(r.out, '2:2024-01-01 10:00:01,000 - app.web - ERROR - failed\n3:Traceback (most recent call last):\n4:KeyError: user\n');
	r = loglens(['filter', log, '--logger', 'app.db', '--exclude', 'slow']);
	assert.equal(r.out, '2024-01-01 10:00:00,000 - app.db - INFO - connected\n');
	r = loglens(['filter', log, '--levels', 'info,warning', '--field', 'logger=app.db']);
	assert.equal(r.out.split('\n').length - 1, 2);
	r = loglens(['filter', log, '--since', '2024-01-01 10:00:02']);
	assert.match(r.out, /^2024-01-01 10:00:02,000 .* slow\n$/);
	r = loglens(['filter', '-', '--level', 'warning'], 'INFO:a:x\nWARNING:a:y\n');
	assert.equal(r.out, 'WARNING:a:y\n');
});

test('filter and summary on a multi-megabyte file: entries across read chunks, CRLF, no trailing newline, --stats', () => {
	// Big enough for several reads; tracebacks and a long line cross chunk boundaries.
	const lines: string[] = [];
	const want: string[] = [];
	let errors = 0;
	for (let i = 0; i < 60000; i++) {
		const level = i % 17 === 0 ? 'ERROR' : i % 5 === 0 ? 'WARNING' : 'INFO';
		const entry = [`2024-01-01 10:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} - app.w${i % 7} - ${level} - item ${i} ${'x'.repeat(i % 13 === 0 ? 3000 : 20)}`];
		if (level === 'ERROR') {
			errors++;
			entry.push('Traceback (most recent call last):', `  File "w.py", line ${i}, in run`, `ValueError: bad item ${i}`);
		}
		lines.push(...entry);
		if (level === 'ERROR') want.push(...entry);
	}
	const log = join(tmp.dir, 'big.log');
	// CR LF line ends, and none after the last line
	writeFileSync(log, lines.join('\r\n'));
	const r = loglens(['filter', log, '--level', 'error']);
	assert.equal(r.code, 0, r.err);
	assert.equal(r.out, want.join('\n') + '\n');
	const n = loglens(['filter', log, '--level', 'error', '--line-numbers']);
	assert.equal(n.out.split('\n').length - 1, want.length);
	const s = spawnSync(process.execPath, [cli, 'summary', log, '--json', '--stats'], { encoding: 'utf8' });
	assert.equal(s.status, 0, s.stderr);
	const j = JSON.parse(s.stdout);
	assert.equal(j.lines, lines.length);
	assert.equal(j.levels.error, errors);
	const stats = JSON.parse(s.stderr.trim());
	assert.equal(stats.lines, lines.length);
	assert.ok(stats.bytesPerLine > 0 && stats.bytesPerLine <= 16, `index ${stats.bytesPerLine} B/line`);
	assert.ok(stats.maxRssKB > 0);
});

test('check --fail-on: exit 1 with a count, else 0', () => {
	let r = loglens(['check', HADOOP(), '--fail-on', 'error']);
	assert.equal(r.code, 1);
	assert.match(r.out, /152 entries at or above error \(150 error, 2 critical\)/);
	r = loglens(['check', fixture('loghub', 'Spark', 'Spark_2k.log'), '--fail-on', 'warning']);
	assert.equal(r.code, 0);
});

test('errors: one clear line on stderr, exit 2', () => {
	const cases: [string[], RegExp][] = [
		[['summary', join(tmp.dir, 'missing.log')], /^loglens: .*missing\.log: no such file\n$/],
		[['summary', tmp.dir], /^loglens: .*: is a directory\n$/],
		[['filter', HADOOP(), '--grep', '(a)\\1'], /^loglens: invalid regular expression/],
		[['filter', HADOOP(), '--level', 'loud'], /^loglens: unknown level 'loud'/],
		[['check', HADOOP(), '--fail-on', 'nope'], /^loglens: unknown level/],
		[['summary', HADOOP(), '--format', 'nope'], /^loglens: unknown format 'nope'/],
		[['summary', HADOOP(), '--bogus'], /^loglens: Unknown option '--bogus'/],
		[['frobnicate'], /^loglens: unknown command 'frobnicate'/],
	];
	for (const [args, re] of cases) {
		const r = loglens(args);
		assert.equal(r.code, 2, args.join(' ') + ': ' + r.err);
		assert.match(r.err, re);
		assert.equal(r.err.trim().split('\n').length, 1, r.err);
	}
	if (process.getuid && process.getuid() !== 0) {
		const locked = join(tmp.dir, 'locked');
		mkdirSync(locked);
		writeFileSync(join(locked, 'x.log'), 'x');
		spawnSync('chmod', ['000', join(locked, 'x.log')]);
		const r = loglens(['summary', join(locked, 'x.log')]);
		assert.equal(r.code, 2);
		assert.match(r.err, /permission denied/);
	}
});

test('--format override, --help, --version, binary and empty files', () => {
	const r = loglens(['summary', fixture('loghub', 'Linux', 'Linux_2k.log'), '--json', '--format', 'plain']);
	assert.equal(JSON.parse(r.out).format, 'plain');
	assert.match(loglens(['--help']).out, /summary .*\n.*entries/);
	assert.match(loglens(['filter', '--help']).out, /--line-numbers/);
	assert.match(loglens(['--version']).out, /^\d+\.\d+\.\d+\n$/);
	const bin = join(tmp.dir, 'bin.dat');
	writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 10, 0, 0]));
	const b = JSON.parse(loglens(['summary', bin, '--json']).out);
	assert.equal(b.binary, true);
	assert.equal(b.lines, 0);
	const empty = join(tmp.dir, 'empty.log');
	writeFileSync(empty, '');
	const e = JSON.parse(loglens(['summary', empty, '--json']).out);
	assert.deepEqual([e.lines, e.entries, e.first], [0, 0, null]);
});

test('piping into head does not crash (EPIPE)', async () => {
	const big = join(tmp.dir, 'big.log');
	const lines: string[] = [];
	for (let i = 0; i < 200000; i++) lines.push(`2024-01-01 10:00:00,000 - app - INFO - line ${i}`);
	writeFileSync(big, lines.join('\n') + '\n');
	const child = spawn(process.execPath, [cli, 'filter', big], { stdio: ['ignore', 'pipe', 'pipe'] });
	let err = '';
	child.stderr.on('data', (d: Buffer) => (err += d.toString()));
	// Read a little, then close our end like `head -1` does.
	await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
	child.stdout.destroy();
	const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
	assert.equal(err, '');
	assert.equal(code, 0);
});
