// Parallel indexing (worker threads, ranges split at header lines) builds exactly the index one
// pass builds: every line offset, entry, level and time, on real logs and on awkward ones (CRLF,
// tracebacks across the split, no trailing newline, huge lines), and appends continue the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Level } from '../../src/core/levels';
import { indexFile } from '../../src/core/index/indexFile';
import { LogIndex } from '../../src/core/index/logIndex';
import { filterInParallel, templatesInParallel } from '../../src/core/index/rangePool';
import { bundleCli, fixture, tempDir } from '../testUtil';
import { tallyFile } from '../../src/core/index/logTally';

let tmp: ReturnType<typeof tempDir>;
let workerScript: string;
let cli: string;

before(() => {
	tmp = tempDir('loglens-par-');
	// The CLI and the worker side by side, from the current sources (dist/ may be stale).
	cli = bundleCli(tmp.dir);
	workerScript = join(tmp.dir, 'indexWorker.js');
});
after(() => tmp.cleanup());

function same(a: LogIndex, b: LogIndex, what: string): void {
	assert.equal(a.format.format.id, b.format.format.id, `${what}: format`);
	assert.equal(a.bytes, b.bytes, `${what}: bytes`);
	assert.equal(a.lineCount, b.lineCount, `${what}: lines`);
	assert.equal(a.entryCount, b.entryCount, `${what}: entries`);
	assert.deepEqual(a.levelCounts(), b.levelCounts(), `${what}: level counts`);
	assert.deepEqual(a.timeRange(), b.timeRange(), `${what}: time range`);
	for (let i = 0; i < a.lineCount; i++) {
		if (a.lineStart(i) !== b.lineStart(i) || a.lineEnd(i) !== b.lineEnd(i)) assert.fail(`${what}: line ${i + 1} is [${b.lineStart(i)}, ${b.lineEnd(i)}) in parallel, [${a.lineStart(i)}, ${a.lineEnd(i)}) in one pass`);
	}
	for (let e = 0; e < a.entryCount; e++) {
		const x = [a.entryStartLine(e), a.entryEndLine(e), a.entryLevel(e), a.entryTime(e)];
		const y = [b.entryStartLine(e), b.entryEndLine(e), b.entryLevel(e), b.entryTime(e)];
		if (x.some((v, k) => !Object.is(v, y[k]))) assert.fail(`${what}: entry ${e} is ${y} in parallel, ${x} in one pass`);
	}
}

/** Indexes `path` in one pass and in `threads` ranges with small reads (so the split lands mid-file). */
async function compare(path: string, threads: number, what: string, ranges = threads): Promise<{ one: LogIndex; par: LogIndex }> {
	const one = await indexFile(path, { threads: 1, chunkSize: 4096 });
	let progressed = 0;
	const par = await indexFile(path, { threads, workerScript, parallelMinBytes: 0, chunkSize: 4096, onProgress: (n) => (progressed = n) });
	assert.equal(progressed, par.bytes, `${what}: progress reaches the file size`);
	same(one, par, what);
	assert.equal(par.ranges, ranges, `${what}: read in ${ranges} ranges`);
	return { one, par };
}

test('every Loghub set: the parallel index equals the one-pass index', async () => {
	for (const set of readdirSync(fixture('loghub'))) {
		if (!/^[A-Z]/.test(set) || set === 'LICENSE' || set === 'README.md') continue;
		const log = readdirSync(fixture('loghub', set)).find((f) => f.endsWith('.log'));
		if (log) await compare(fixture('loghub', set, log), 3, set);
	}
});

test('tracebacks, CRLF, no trailing newline, a huge line: same index, and appends continue it', async () => {
	const lines: string[] = [];
	for (let i = 0; i < 6000; i++) {
		const t = `2024-05-01 10:${String(Math.floor(i / 100) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')}`;
		if (i % 7 === 3) {
			lines.push(`${t} - app.db - ERROR - query ${i} failed`, 'Traceback (most recent call last):', '  File "app.py", line 10, in run', '    db.query()', `ValueError: bad ${i}`);
		} else if (i === 4000) lines.push(`${t} - app - INFO - big ${'x'.repeat(300_000)}`);
		else lines.push(`${t} - app.${i % 5} - ${['DEBUG', 'INFO', 'WARNING'][i % 3]} - message ${i}`);
	}
	const lf = join(tmp.dir, 'lf.log');
	writeFileSync(lf, lines.join('\n'));
	await compare(lf, 4, 'LF, no trailing newline');
	const crlf = join(tmp.dir, 'crlf.log');
	writeFileSync(crlf, lines.join('\r\n') + '\r\n');
	const { one, par } = await compare(crlf, 2, 'CRLF');
	// Both continue the same way when the file grows (follow mode appends to the index).
	const more = Buffer.from('2024-05-01 11:00:00,000 - app - ERROR - appended\r\n  detail\r\nno newline yet');
	appendFileSync(crlf, more);
	for (const idx of [one, par]) {
		idx.append(more);
		idx.finish();
	}
	same(one, par, 'after an append');
	assert.equal(par.lineCount, one.lineCount);
	assert.ok(readFileSync(crlf).length === par.bytes);
});

test('a file with no header after the split point falls back to one range', async () => {
	// 1,200 records, then one entry of 20,000 continuation lines: no split point finds a header.
	const p = join(tmp.dir, 'one-long-entry.log');
	const head = Array.from({ length: 1200 }, (_, i) => `2024-05-01 10:00:00,${String(i % 1000).padStart(3, '0')} - app - INFO - record ${i}`);
	writeFileSync(p, head.concat(Array.from({ length: 20000 }, (_, i) => `    at frame ${i}`)).join('\n') + '\n');
	await compare(p, 3, 'no headers', 1);
});

/** `loglens filter` with the given threads; parallel ranges as small as 64 KB. */
function filter(threads: number, file: string, args: string[]): Buffer {
	const r = spawnSync(process.execPath, [cli, 'filter', file, ...args], { env: { ...process.env, LOGLENS_INDEX_THREADS: String(threads), LOGLENS_PARALLEL_MIN_BYTES: '65536' }, maxBuffer: 1 << 28 });
	assert.equal(r.status, 0, r.stderr.toString());
	return r.stdout;
}

test('loglens filter in parallel ranges writes exactly what one pass writes, in order', async () => {
	const big = join(tmp.dir, 'filter.log');
	const lines: string[] = [];
	for (let i = 0; i < 20000; i++) {
		const t = `2024-05-01 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')}`;
		if (i % 11 === 5) lines.push(`${t} - svc.db - ERROR - query ${i} failed`, 'Traceback (most recent call last):', `  File "db.py", line ${i % 90}, in run`, `TimeoutError: after ${i} ms`);
		else lines.push(`${t} - svc.${['web', 'db', 'queue'][i % 3]} - ${['DEBUG', 'INFO', 'WARNING'][i % 3]} - request ${i} done in ${i % 97} ms`);
	}
	writeFileSync(big, lines.join('\r\n').replace(/request 7/g, '\x1b[31mrequest 7\x1b[0m') + '\r\n2024-05-01 11:00:00,000 - svc.web - ERROR - last, no newline');
	const cases = [['--level', 'error'], ['--grep', 'Timeout', '-i'], ['--level', 'warning', '--exclude', 'request 1'], ['--logger', 'svc.db'], ['--levels', 'info,error', '--raw']];
	for (const args of cases) {
		const one = filter(1, big, args);
		assert.ok(one.length > 0, `${args.join(' ')} matches something`);
		assert.ok(filter(3, big, args).equals(one), `${args.join(' ')}: same output in 3 threads`);
	}
	const apache = readdirSync(fixture('loghub', 'Apache')).find((f) => f.endsWith('.log')) as string;
	const a = fixture('loghub', 'Apache', apache);
	assert.ok(filter(2, a, ['--level', 'error']).equals(filter(1, a, ['--level', 'error'])), 'Apache: same output');
	// The CLI falls back to one pass silently: the engine call says the ranges really ran.
	const chunks: Buffer[] = [];
	const sink = { writeChunk: (b: Buffer) => void chunks.push(Buffer.from(b)), flush: async () => undefined };
	const ran = await filterInParallel(big, { minLevel: Level.Error }, {}, undefined, { year: new Date().getFullYear() }, sink, { threads: 3, workerScript, parallelMinBytes: 65536 });
	assert.equal(ran, true, 'filtered in parallel ranges');
	assert.ok(chunks.length >= 3, `${chunks.length} ranges`);
	assert.ok(Buffer.concat(chunks).equals(filter(1, big, ['--level', 'error'])), 'the engine\'s ranges join to the one-pass output');
});

/** `loglens templates --jsonl` → the template text of every line. */
function lineTemplates(threads: number, file: string): string[] {
	const r = spawnSync(process.execPath, [cli, 'templates', file, '--jsonl'], { env: { ...process.env, LOGLENS_INDEX_THREADS: String(threads), LOGLENS_PARALLEL_MIN_BYTES: '65536' }, maxBuffer: 1 << 28, encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.trim().split('\n').map((l, i) => {
		const o = JSON.parse(l) as { line: number; template: string };
		assert.equal(o.line, i + 1, 'one object per line, in order');
		return o.template;
	});
}

test('loglens templates in parallel ranges: the ranges\' templates merge into what one pass finds', async () => {
	// Each Loghub set in 3 ranges of ~60–130 KB: templates learned from a third of the data, merged.
	const agreement: string[] = [];
	for (const set of readdirSync(fixture('loghub'))) {
		const log = /^[A-Z]/.test(set) && set !== 'LICENSE' && set !== 'README.md' ? readdirSync(fixture('loghub', set)).find((f) => f.endsWith('.log')) : undefined;
		if (!log) continue;
		const one = lineTemplates(1, fixture('loghub', set, log));
		const par = lineTemplates(3, fixture('loghub', set, log));
		assert.equal(par.length, one.length, `${set}: every line`);
		const same = one.filter((t, i) => t === par[i]).length / one.length;
		agreement.push(`${set} ${same.toFixed(4)}`);
		assert.ok(same >= 0.97, `${set}: ${same} of the lines get the same template in parallel`);
	}
	console.log(`parallel templates agree with one pass per line: ${agreement.join(', ')}`);
	// A file whose templates all show up in every range: exactly the same.
	const lines: string[] = [];
	for (let i = 0; i < 30000; i++) {
		const t = `2024-05-01 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')}`;
		lines.push(`${t} - svc - ${['INFO', 'WARNING', 'ERROR'][i % 3]} - ${['user u' + i + ' logged in from 10.0.' + (i % 256) + '.1', 'cache miss key=k' + i, 'request ' + i + ' took ' + (i % 97) + ' ms'][i % 3]}`);
	}
	const f = join(tmp.dir, 'templates.log');
	writeFileSync(f, lines.join('\n') + '\n');
	assert.deepEqual(lineTemplates(3, f), lineTemplates(1, f));
	// The engine call says the ranges really ran; counts and templates equal the one-pass listing.
	const miner = await templatesInParallel(f, undefined, { year: new Date().getFullYear() }, null, { threads: 3, workerScript, parallelMinBytes: 65536 });
	assert.ok(miner, 'mined in parallel ranges');
	const r = spawnSync(process.execPath, [cli, 'templates', f], { env: { ...process.env, LOGLENS_INDEX_THREADS: '1' }, encoding: 'utf8' });
	const oneList = r.stdout.trim().split('\n').map((l) => l.trim().replace(/^(\d+)\s+\d+\s+/, '$1 ')).sort();
	assert.deepEqual(miner.templates().map((t) => `${t.count} ${t.template}`).sort(), oneList);
});

test('loglens summary and check: the one-pass tally and the parallel index give the same answers', async () => {
	const big = join(tmp.dir, 'summary.log');
	const lines: string[] = [];
	// bigger than one 4 MB read, so the CLI's index has ranges left to hand out
	for (let i = 0; i < 120000; i++) {
		const t = `2024-05-01 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')}`;
		if (i % 13 === 5) lines.push(`${t} - svc - ERROR - failed ${i}`, 'Traceback (most recent call last):', `ValueError: ${i}`);
		else lines.push(`${t} - svc - ${['DEBUG', 'INFO', 'WARNING', 'CRITICAL'][i % 4]} - done ${i}`);
	}
	writeFileSync(big, lines.join('\n') + '\n');
	const run = (threads: number, args: string[]) => spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, LOGLENS_INDEX_THREADS: String(threads), LOGLENS_PARALLEL_MIN_BYTES: '65536' }, encoding: 'utf8' });
	const one = run(1, ['summary', big, '--json']), par = run(3, ['summary', big, '--json']);
	assert.equal(one.status, 0, one.stderr);
	assert.equal(par.stdout, one.stdout);
	const s = JSON.parse(one.stdout);
	assert.equal(s.entries, 120000);
	assert.equal(s.lines, 120000 + 2 * Math.floor((120000 - 5 + 12) / 13));
	for (const [threads, level, code] of [[1, 'critical', 1], [3, 'critical', 1], [1, 'error', 1], [3, 'error', 1]] as const) {
		const c = run(threads, ['check', big, '--fail-on', level]);
		assert.equal(c.status, code, c.stdout + c.stderr);
	}
	assert.equal(run(3, ['check', big, '--fail-on', 'critical']).stdout, run(1, ['check', big, '--fail-on', 'critical']).stdout);
	// The CLI picks its path silently: in the engine, the index really was built in ranges, and it
	// counts what the tally counts.
	const idx = await indexFile(big, { threads: 3, workerScript, parallelMinBytes: 65536, chunkSize: 65536 });
	assert.ok(idx.ranges >= 3, `${idx.ranges} ranges`);
	const t = await tallyFile(big);
	assert.deepEqual([t.lineCount, t.entryCount, t.levelCounts(), t.timeRange()], [idx.lineCount, idx.entryCount, idx.levelCounts(), idx.timeRange()]);
});
