// Following wrapped logs: a real CPython service (test/fixtures/python/wrapped_producer.py) logs
// records, tracebacks, a record over 16 KiB and an uncaught thread exception to stdout and stderr,
// wrapped by the runtimes' own rules (test/fixtures/structured/wrap.py: CRI with P pieces cut
// mid-UTF-8, Docker json-file chunks, journald JSON) and written in pieces of random size. Followed
// — by the entry assembler fed in pieces, by the file follower while the producer writes, through
// `loglens follow -`, `follow FILE` and `follow --cmd` — every record is one entry, once, in order,
// with the producer's level, its traceback whole, and the entries are the ones static reading
// (`entries --jsonl`, `filter`) finds in the finished file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleCli, fixture, tempDir, waitFor } from '../testUtil';
import { FollowedEntry, FollowEntryAssembler } from '../../src/core/follow/followEntries';
import { FileFollower } from '../../src/core/follow/follow';
import { WrappedFormat } from '../../src/core/formats/wrappers';
import { levelName } from '../../src/core/levels';
import { fileItems, followItems } from '../../src/core/elasticsearch/exportSources';

const PRODUCER = fixture('python', 'wrapped_producer.py');
let tmp: { dir: string; cleanup: () => void };
let cli = '';

before(() => {
	tmp = tempDir('loglens-followwrapped-');
	cli = bundleCli(tmp.dir);
});
const started: ChildProcessWithoutNullStreams[] = [];
after(() => {
	// a test that failed before its CLI ended leaves it running
	for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
	tmp.cleanup();
});

interface Rec { seq: number; level: string | null; stream: string; lines: number | null; thread?: boolean }
interface Row { line: number; endLine: number; level: string | null; message: string }
/** A followed entry as the tests compare it: 1-based physical lines, level name, raw lines. */
interface Got { line: number; endLine: number; level: string | null; raw: Buffer[] }

function jsonl<T>(text: string): T[] {
	return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

function loglens(args: string[]): string {
	const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout;
}

/** Runs the producer to completion; its wrapped output is in `out` (a file), its records returned. */
function produceFile(name: string, args: string[]): { file: string; recs: Rec[] } {
	const file = join(tmp.dir, name);
	const recFile = `${file}.records`;
	writeFileSync(file, '');
	const r = spawnSync('python3', [PRODUCER, '--out', file, '--records', recFile, ...args], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return { file, recs: jsonl<Rec>(readFileSync(recFile, 'utf8')) };
}

/** Collects the assembler's entries with their physical line numbers (lines counted from the first fed). */
function collector(): { asm: FollowEntryAssembler; got: Got[] } {
	const got: Got[] = [];
	let lines = 0;
	const byEntry = new Map<FollowedEntry, Got>();
	const add = (e: FollowedEntry, l: Buffer) => {
		const g = byEntry.get(e)!;
		g.endLine = ++lines;
		g.raw.push(l);
	};
	const asm = new FollowEntryAssembler({
		onEntryStart: (e) => {
			const name = levelName(e.level);
			const g: Got = { line: ++lines, endLine: lines, level: name === 'unknown' ? null : name, raw: [e.lines[0]] };
			byEntry.set(e, g);
			got.push(g);
			e.retain = false;
		},
		onEntryLine: add,
		onLateLine: add,
	});
	return { asm, got };
}

/** The inner log's lines of a followed entry, read back through the wrapper (P pieces joined as bytes). */
function innerText(asm: FollowEntryAssembler, g: Got): string[] {
	const f = asm.format;
	assert.ok(f instanceof WrappedFormat, `a wrapped format, not ${f?.id}`);
	return f.unwrapEntry(g.raw.map((b) => b.toString(f.latin1Entries ? 'latin1' : 'utf8')), { year: 2024 }).lines;
}

/** Every record is one entry, once, in order, with its level; tracebacks and cut records whole. */
function checkRecords(asm: FollowEntryAssembler, got: Got[], recs: Rec[], what: string, multibyte: boolean, cuts = true): void {
	assert.equal(got.length, recs.length, `${what}: one entry per record`);
	for (let i = 0; i < recs.length; i++) {
		const r = recs[i], g = got[i];
		const inner = innerText(asm, g);
		assert.equal(g.level, r.level, `${what} record ${r.seq}: level`);
		if (r.thread) {
			assert.equal(inner[0], `Exception in thread worker-${r.seq}:`, `${what} record ${r.seq}: the thread's exception is an entry of its own`);
			assert.equal(inner[inner.length - 1], `ValueError: worker ${r.seq} failed`);
			continue;
		}
		assert.match(inner[0], new RegExp(`seq=${r.seq}\\b`), `${what} entry ${i}: record ${r.seq}`);
		assert.equal(inner.length, r.lines, `${what} record ${r.seq}: all its lines, no other's: ${inner.join(' | ').slice(0, 300)}`);
		if (inner[0].includes('payload')) {
			// journald cuts at 48 KiB (LineMax): this record stays whole there
			if (cuts) assert.ok(g.endLine > g.line, `${what} record ${r.seq}: cut by the runtime`);
			assert.ok(inner[0].endsWith(' end') || inner[0].includes(' end"'), `${what} record ${r.seq}: whole`);
			if (multibyte) assert.ok(inner[0].includes('日本語'.repeat(200)) && !inner[0].includes('\ufffd'), `${what} record ${r.seq}: the character cut between pieces is whole`);
		}
		if (r.lines! > 3) assert.match(inner[inner.length - 1], new RegExp(`KeyError: 'k${r.seq}'`), `${what} record ${r.seq}: its traceback`);
	}
}

/** Static reading of the finished file, as the CLI reports it. */
function staticEntries(file: string): Row[] {
	return jsonl<Row>(loglens(['entries', file, '--jsonl']));
}

function sameAsStatic(got: Got[], file: string | Row[], what: string): void {
	const rows = typeof file === 'string' ? staticEntries(file) : file;
	assert.deepEqual(got.map((g) => [g.line, g.endLine, g.level]), rows.map((r) => [r.line, r.endLine, r.level]), `${what}: the entries of static reading`);
}

/** Feeds `data` in pieces of pseudo-random size (cuts inside lines, inside P pieces, inside characters). */
function feedInPieces(asm: FollowEntryAssembler, data: Buffer, seed: number): void {
	let x = seed;
	const sizes = [1, 3, 17, 100, 4096, 16385, 40000];
	for (let i = 0; i < data.length;) {
		x = (x * 1103515245 + 12345) & 0x7fffffff;
		const n = sizes[x % sizes.length];
		asm.push(data.subarray(i, i + n));
		i += n;
	}
	asm.flushPartial();
	asm.closeOpen();
}

const CASES = [
	{ wrap: 'cri', inner: 'text', multibyte: true },
	{ wrap: 'cri', inner: 'json', multibyte: true },
	{ wrap: 'cri', inner: 'structlog', multibyte: false },
	{ wrap: 'docker', inner: 'text', multibyte: false },
	{ wrap: 'docker', inner: 'structlog', multibyte: false },
	{ wrap: 'journal', inner: 'text', multibyte: true },
	{ wrap: 'journal', inner: 'json', multibyte: true },
];

test('followed in pieces, wrapped CPython logs read as static reading reads them: every record one entry, its level, tracebacks and cut records whole', () => {
	for (const c of CASES) {
		const what = `${c.wrap}+${c.inner}`;
		const { file, recs } = produceFile(`${what}.log`, ['--wrap', c.wrap, '--inner', c.inner, '--count', '160', '--seed', '7', '--pause', '0']);
		const data = readFileSync(file);
		const rows = staticEntries(file);
		for (const seed of [1, 2]) {
			const { asm, got } = collector();
			feedInPieces(asm, data, seed);
			assert.ok(asm.format?.id.startsWith(`${c.wrap === 'journal' ? 'journald' : c.wrap}+`), `${what}: format ${asm.format?.id}`);
			checkRecords(asm, got, recs, what, c.multibyte, c.wrap !== 'journal');
			sameAsStatic(got, rows, what);
		}
	}
});

test('a cut record waits for its last piece, and is released by a quiet spell (closeOpen) when that does not come', () => {
	const events: string[] = [];
	const asm = new FollowEntryAssembler({
		onEntryStart: (e) => events.push(`start ${levelName(e.level)} ${e.lines.length}`),
		onEntryLine: () => events.push('line'),
		onEntryClosed: () => events.push('closed'),
		onLateLine: () => events.push('late'),
	});
	const big = 'x'.repeat(20000);
	// structlog puts the level after the message: only the whole record has it
	asm.push(Buffer.from(`2024-05-01T10:00:00.1Z stdout F {"event": "first", "level": "info"}\n`));
	asm.push(Buffer.from(`2024-05-01T10:00:00.2Z stdout P {"event": "${big}`));
	assert.deepEqual(events, ['start info 1']);
	asm.push(Buffer.from(`\n`));
	assert.ok(asm.holding, 'the P piece is held');
	assert.deepEqual(events, ['start info 1'], 'nothing decided on the first piece');
	asm.push(Buffer.from(`2024-05-01T10:00:00.3Z stdout F ", "level": "error"}\n`));
	assert.deepEqual(events, ['start info 1', 'closed', 'start error 1', 'line'], 'the entry starts once whole, with the level of the whole record');
	// A piece whose last piece never comes: released after a quiet spell, the rest arrives late.
	events.length = 0;
	asm.push(Buffer.from(`2024-05-01T10:00:00.4Z stdout P {"event": "${big}\n`));
	assert.ok(asm.holding && asm.hasOpenEntry);
	asm.closeOpen();
	assert.ok(!asm.holding);
	assert.deepEqual(events, ['closed', 'start unknown 1', 'closed']);
	asm.push(Buffer.from(`2024-05-01T10:00:00.5Z stdout F ", "level": "warning"}\n`));
	assert.deepEqual(events, ['closed', 'start unknown 1', 'closed', 'late']);
	// Another stream's line ends the wait (the cut record is read as far as it came, as static reading does).
	events.length = 0;
	asm.push(Buffer.from(`2024-05-01T10:00:00.6Z stdout P {"event": "abc", "level": "debug", "msg": "${big}\n`));
	asm.push(Buffer.from(`2024-05-01T10:00:00.7Z stderr F {"event": "other", "level": "critical"}\n`));
	assert.deepEqual(events, ['start debug 1', 'closed', 'start critical 1']);
});

test('the file follower and the assembler while the producer appends: CRI from two streams, P pieces split across appends', async () => {
	for (const inner of ['text', 'structlog']) {
		const file = join(tmp.dir, `live-${inner}.cri.log`);
		writeFileSync(file, '');
		const { asm, got } = collector();
		const follower = new FileFollower(file, { fromStart: true, pollIntervalMs: 20 });
		let batches = 0;
		follower.on('lines', (l) => {
			batches++;
			asm.push(l.data);
		});
		await follower.start();
		const recFile = `${file}.records`;
		const code = await new Promise<number | null>((resolve) => {
			spawn('python3', [PRODUCER, '--wrap', 'cri', '--inner', inner, '--count', '300', '--out', file, '--records', recFile, '--seed', '3'], { stdio: 'ignore' }).on('close', resolve);
		});
		assert.equal(code, 0);
		await follower.sync();
		await follower.close();
		asm.closeOpen();
		const recs = jsonl<Rec>(readFileSync(recFile, 'utf8'));
		assert.ok(batches > 5, `read while written (${batches} reads)`);
		checkRecords(asm, got, recs, `live cri+${inner}`, inner === 'text');
		sameAsStatic(got, file, `live cri+${inner}`);
	}
});

interface Running { proc: ChildProcessWithoutNullStreams; out: () => string; err: () => string; exit: Promise<number | null> }

function startCli(args: string[]): Running {
	const proc = spawn(process.execPath, [cli, 'follow', ...args], { stdio: 'pipe' });
	started.push(proc);
	let out = '';
	let err = '';
	proc.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
	proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
	const exit = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
	return { proc, out: () => out, err: () => err, exit };
}

/** Equal texts; else the first line that differs (outputs are too long to print whole). */
function sameText(got: string, want: string, what: string): void {
	if (got === want) return;
	const g = got.split('\n'), w = want.split('\n');
	let i = 0;
	while (i < g.length && i < w.length && g[i] === w[i]) i++;
	assert.fail(`${what}: ${g.length - 1} lines, want ${w.length - 1}; line ${i + 1} is\n  ${(g[i] ?? '(none)').slice(0, 160)}\nwant\n  ${(w[i] ?? '(none)').slice(0, 160)}`);
}

/** `filter` output of the finished file, as latin1 (the raw lines, byte for byte). */
function filterOut(file: string, args: string[]): string {
	const r = spawnSync(process.execPath, [cli, 'filter', file, ...args], { maxBuffer: 1 << 28 });
	assert.equal(r.status, 0, r.stderr.toString());
	return r.stdout.toString('latin1');
}

test('loglens follow - (kubectl logs -f | loglens follow - --level warning): the entries and levels of loglens filter on the same log', async () => {
	for (const [wrap, inner, level] of [['cri', 'text', 'warning'], ['cri', 'structlog', 'warning'], ['docker', 'text', 'error'], ['journal', 'json', 'warning']]) {
		const tee = join(tmp.dir, `pipe-${wrap}-${inner}.log`);
		{
			const c = startCli(['-', '--level', level]);
			const p = spawn('python3', [PRODUCER, '--wrap', wrap, '--inner', inner, '--count', '200', '--tee', tee, '--seed', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
			p.stdout.pipe(c.proc.stdin);
			assert.equal(await c.exit, 0, c.err());
			const want = filterOut(tee, ['--level', level]);
			assert.ok(want.length > 0);
			sameText(c.out(), want, `${wrap}+${inner} --level ${level}: follow - prints what filter prints`);
		}
	}
});

test('loglens follow FILE while a CPython service appends CRI lines, and follow --cmd of a service writing CRI to stdout: filter\'s output', async () => {
	const file = join(tmp.dir, 'svc.cri.log');
	writeFileSync(file, '');
	const c = startCli([file, '--from-start', '--level', 'warning']);
	await waitFor(() => c.err() === '' && c.proc.pid !== undefined, 5000, 'the CLI to start');
	const code = await new Promise<number | null>((resolve) => {
		spawn('python3', [PRODUCER, '--wrap', 'cri', '--inner', 'structlog', '--count', '300', '--out', file, '--seed', '9'], { stdio: 'ignore' }).on('close', resolve);
	});
	assert.equal(code, 0);
	const want = filterOut(file, ['--level', 'warning']);
	await waitFor(() => c.out().length >= want.length, 20000, 'follow to print every entry filter prints').catch(() => undefined);
	c.proc.kill('SIGTERM');
	assert.equal(await c.exit, 0);
	sameText(c.out(), want, 'follow FILE prints what filter prints');

	const tee = join(tmp.dir, 'cmd.cri.log');
	const cmd = startCli(['--cmd', '--level', 'error', '--', 'python3', PRODUCER, '--wrap', 'cri', '--inner', 'text', '--count', '300', '--tee', tee, '--seed', '11']);
	assert.equal(await cmd.exit, 0, cmd.err());
	sameText(cmd.out(), filterOut(tee, ['--level', 'error']), 'follow --cmd prints what filter prints');
});

test('loglens follow -: a P piece waits for its F piece, and is printed after a quiet spell when that does not come', async () => {
	const c = startCli(['-', '--level', 'info']);
	const big = 'x'.repeat(20000);
	const head = '2024-05-01T10:00:00.1Z stdout F 2024-05-01 10:00:00,100 INFO app: started\n';
	const piece = `2024-05-01T10:00:00.2Z stdout P 2024-05-01 10:00:00,200 WARNING app: ${big}\n`;
	c.proc.stdin.write(head + piece);
	await waitFor(() => c.out().includes(big), 5000, 'the held piece to be printed after a quiet spell');
	assert.equal(c.out(), head + piece);
	const last = '2024-05-01T10:00:00.3Z stdout F  end\n';
	c.proc.stdin.end(last);
	assert.equal(await c.exit, 0);
	assert.equal(c.out(), head + piece + last, 'its last piece follows it');
});

test('a UTF-16 log (LE and BE, with its byte-order mark) written by CPython logging is followed as text: follow FILE prints what filter prints', async () => {
	for (const enc of ['utf-16-le', 'utf-16-be']) {
		const file = join(tmp.dir, `app-${enc}.log`);
		writeFileSync(file, '');
		const c = startCli([file, '--from-start', '--level', 'warning']);
		const direct = new FileFollower(file, { fromStart: true, pollIntervalMs: 20 });
		const chunks: Buffer[] = [];
		direct.on('lines', (l) => {
			assert.equal(l.encoding, enc.replace('-le', 'le').replace('-be', 'be'));
			chunks.push(l.data);
		});
		await direct.start();
		// Python's logging FileHandler in UTF-16 (a BOM first, as its 'utf-16' codec writes one), records and a traceback.
		const py = `
import logging, sys, time
path, enc = sys.argv[1], sys.argv[2]
with open(path, 'ab') as f:
    f.write('\\ufeff'.encode(enc))
h = logging.FileHandler(path, encoding=enc)
h.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s: %(message)s'))
log = logging.getLogger('app'); log.addHandler(h); log.setLevel(logging.DEBUG)
for i in range(200):
    if i % 10 == 0:
        try:
            {}['k%d' % i]
        except KeyError:
            log.exception('seq=%d failed: héllo → ✓ 日本語', i)
    else:
        log.log([logging.INFO, logging.WARNING, logging.DEBUG][i % 3], 'seq=%d ok 日本語 ✓', i)
    h.flush()
    if i % 20 == 0: time.sleep(0.01)
`;
		const r = spawnSync('python3', ['-c', py, file, enc], { encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		await direct.sync();
		await direct.close();
		const text = Buffer.concat(chunks).toString('utf8');
		assert.ok(!text.includes('\ufffd') && !text.includes('\u0000') && text.includes('seq=199 ok 日本語 ✓'), `${enc}: the follower delivers the text`);
		const want = spawnSync(process.execPath, [cli, 'filter', file, '--level', 'warning'], { encoding: 'utf8' }).stdout;
		assert.ok(want.includes("KeyError: 'k190'"));
		await waitFor(() => Buffer.byteLength(c.out(), 'latin1') >= Buffer.byteLength(want), 10000, 'follow to print the UTF-16 log').catch(() => undefined);
		c.proc.kill('SIGTERM');
		assert.equal(await c.exit, 0);
		sameText(Buffer.from(c.out(), 'latin1').toString('utf8'), want, `${enc}: follow FILE prints what filter prints`);
	}
});

test('Elasticsearch export of a UTF-16 log: a clear refusal, not documents of garbage', async () => {
	const file = join(tmp.dir, 'wide.log');
	writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('2024-05-01 10:00:00,000 INFO app: hi\n', 'utf16le')]));
	for (const items of [fileItems(file), followItems(file, { stop: AbortSignal.abort() })]) {
		await assert.rejects(async () => {
			for await (const it of items) assert.fail(`a document: ${JSON.stringify(it.doc).slice(0, 100)}`);
		}, /UTF-16LE .*export reads UTF-8 logs: convert it first, e\.g\. iconv/);
	}
});
