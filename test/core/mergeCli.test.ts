// `loglens merge`, `.gz` input and `@rotated:` sets as users run them: spawns the bundled CLI.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { currentCli, repoRoot, runPython, tempDir } from '../testUtil';

let cli = '';
let tmp: { dir: string; cleanup: () => void };

/**
 * Two time-sorted Python logs whose records interleave, from a fake clock: a's record i at 2i ms,
 * b's at 2i + 1 ms, except every third, which ties with a's.
 */
const TWO_LOGS = String.raw`
import logging, sys
for path, is_b in ((sys.argv[1], False), (sys.argv[2], True)):
    h = logging.FileHandler(path, mode='w')
    h.setFormatter(logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s'))
    for i in range(3000):
        ms = 2 * i + (1 if is_b and i % 3 else 0)
        lvl = (logging.INFO, logging.WARNING, logging.ERROR)[i % 3]
        r = logging.LogRecord('app.%s' % path[-5], lvl, 'producer.py', 1, 'item %d of %s', (i, path[-5]), None)
        r.created = 1714557600 + ms // 1000 + (ms % 1000) / 1000.0 + 1e-7
        r.msecs = ms % 1000
        h.emit(r)
    h.close()
`;

/** RotatingFileHandler with the cookbook's gzip namer/rotator; every 10th record has a traceback. */
const ROTATING = String.raw`
import logging, logging.handlers, gzip, os, shutil, sys
h = logging.handlers.RotatingFileHandler(sys.argv[1], maxBytes=1200, backupCount=100)
h.namer = lambda name: name + '.gz'
def rotator(source, dest):
    with open(source, 'rb') as f_in, gzip.open(dest, 'wb') as f_out:
        shutil.copyfileobj(f_in, f_out)
    os.remove(source)
h.rotator = rotator
h.setFormatter(logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - seq=%(seq)d %(message)s'))
log = logging.getLogger('rot'); log.addHandler(h); log.setLevel(logging.INFO)
for i in range(400):
    if i % 10 == 3:
        try:
            raise KeyError(i)
        except KeyError:
            log.exception('failed', extra={'seq': i})
    else:
        log.info('ok', extra={'seq': i})
h.close()
`;

let a = '';
let b = '';
let rotLog = '';

before(() => {
	tmp = tempDir();
	cli = currentCli(tmp.dir);
	a = join(tmp.dir, 'svc-a.log');
	b = join(tmp.dir, 'svc-b.log');
	runPython(TWO_LOGS, [a, b]);
	rotLog = join(tmp.dir, 'rot', 'app.log');
	mkdirSync(join(tmp.dir, 'rot'));
	runPython(ROTATING, [rotLog]);
});
after(() => tmp.cleanup());

function loglens(args: string[]) {
	const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
	return { code: r.status, out: r.stdout, err: r.stderr };
}

test('merge --raw gives exactly what sort -m -s -k1,2 gives on time-sorted single-line logs', () => {
	const r = loglens(['merge', '--raw', a, b]);
	assert.equal(r.code, 0, r.err);
	const sort = spawnSync('sort', ['-m', '-s', '-k1,2', a, b], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 28 });
	assert.equal(sort.status, 0, sort.stderr);
	assert.equal(r.out.split('\n').length, 6001);
	assert.equal(r.out, sort.stdout);
	// The two files really interleave.
	assert.match(r.out, /item 0 of a\n.*item 0 of b\n.*item 1 of a\n/);
});

test('merge: each line prefixed with its file; --jsonl has the entries fields plus file', () => {
	const r = loglens(['merge', a, b]);
	assert.equal(r.code, 0, r.err);
	const lines = r.out.trimEnd().split('\n');
	assert.equal(lines[0], `svc-a.log | ${readFileSync(a, 'utf8').split('\n')[0]}`);
	assert.equal(lines[1], `svc-b.log | ${readFileSync(b, 'utf8').split('\n')[0]}`);
	const j = loglens(['merge', '--jsonl', b, a]);
	assert.equal(j.code, 0, j.err);
	const objs = j.out.trimEnd().split('\n').map((l) => JSON.parse(l));
	assert.equal(objs.length, 6000);
	assert.deepEqual(Object.keys(objs[0]), ['file', 'line', 'endLine', 'level', 'time', 'logger', 'message']);
	// Equal times: b first now, because it was given first.
	assert.deepEqual(objs[0], { file: b, line: 1, endLine: 1, level: 'info', time: '2024-05-01T10:00:00.000Z', logger: 'app.b', message: 'item 0 of b' });
	assert.equal(objs[1].file, a);
	assert.equal(objs[1].time, objs[0].time);
	for (let i = 1; i < objs.length; i++) assert.ok(objs[i].time >= objs[i - 1].time);
	// The JSON lines agree with `entries --jsonl` of each file, plus `file`.
	const entries = loglens(['entries', '--jsonl', a]).out.trimEnd().split('\n').map((l) => JSON.parse(l));
	assert.deepEqual(objs.filter((o) => o.file === a).map(({ file: _f, ...rest }) => rest), entries);
});

test('merge --zone: times without a zone are read in the given one', () => {
	const p = join(tmp.dir, 'nozone.log');
	writeFileSync(p, '2024-05-01 10:00:00,000 - x - INFO - hello\n');
	const r = loglens(['merge', '--jsonl', '--zone', '+05:30', p]);
	assert.equal(r.code, 0, r.err);
	assert.equal(JSON.parse(r.out).time, '2024-05-01T04:30:00.000Z');
	const bad = loglens(['merge', '--zone', 'Mars', p]);
	assert.equal(bad.code, 2);
	assert.match(bad.err, /--zone needs/);
});

test('.gz files: filter and entries read them like the plain file', () => {
	const gz = join(tmp.dir, 'svc-a.log.gz');
	writeFileSync(gz, gzipSync(readFileSync(a)));
	for (const args of [['filter', '--level', 'error'], ['entries', '--jsonl']]) {
		const plain = loglens([args[0], a, ...args.slice(1)]);
		const comp = loglens([args[0], gz, ...args.slice(1)]);
		assert.equal(comp.code, 0, comp.err);
		assert.ok(plain.out.length > 100);
		assert.equal(comp.out, plain.out, args.join(' '));
	}
	const broken = join(tmp.dir, 'broken.log.gz');
	const full = gzipSync(readFileSync(a));
	writeFileSync(broken, full.subarray(0, full.length >> 1));
	const r = loglens(['entries', broken]);
	assert.equal(r.code, 2);
	assert.match(r.err, /broken\.log\.gz: cannot decompress/);
});

// `summary`, `check` and `stats` index files with indexFile/FileSource instead of readInput, so the
// readInput hook does not reach them; their `buildIndex` must send `isStreamedInput(file)` the way
// it sends stdin (see src/cli/logInput.ts). Until then this test is marked todo.
test('.gz files: summary counts the decompressed log', { todo: summaryStreams() ? undefined : 'summary/buildIndex does not route .gz through readInput yet' }, () => {
	const gz = join(tmp.dir, 'svc-b.log.gz');
	writeFileSync(gz, gzipSync(readFileSync(b)));
	const plain = JSON.parse(loglens(['summary', '--json', b]).out);
	const r = loglens(['summary', '--json', gz]);
	assert.equal(r.code, 0, r.err);
	const comp = JSON.parse(r.out);
	assert.deepEqual({ ...comp, file: b }, plain);
});

function summaryStreams(): boolean {
	const src = readFileSync(join(repoRoot(), 'src', 'cli', 'commands', 'summary.ts'), 'utf8');
	return src.includes('isStreamedInput');
}

test('@rotated:PATH reads the whole rotated set (.gz archives included) as one log, in every streaming command', () => {
	const archives = readdirSync(join(tmp.dir, 'rot')).filter((n) => n.endsWith('.gz'));
	assert.ok(archives.length >= 10, archives.join(' '));
	const r = loglens(['entries', '--jsonl', `@rotated:${rotLog}`]);
	assert.equal(r.code, 0, r.err);
	const objs = r.out.trimEnd().split('\n').map((l) => JSON.parse(l));
	assert.deepEqual(objs.map((o) => Number(/seq=(\d+)/.exec(o.message)![1])), Array.from({ length: 400 }, (_, i) => i));
	assert.ok(objs.filter((o) => o.endLine > o.line).length === 40, 'tracebacks stay in their entries');
	const f = loglens(['filter', `@rotated:${rotLog}`, '--level', 'error']);
	assert.equal((f.out.match(/KeyError: \d+/g) ?? []).length, 40);
	// The live file alone has only the newest records.
	const live = loglens(['entries', '--jsonl', rotLog]).out.trimEnd().split('\n');
	assert.ok(live.length < 30);
	const missing = loglens(['entries', `@rotated:${join(tmp.dir, 'rot', 'nope.log')}`]);
	assert.equal(missing.code, 2);
	assert.match(missing.err, /nope\.log: no such file, nor rotated copies of it/);
});

test('merge --rotated / @rotated: a rotated set merges with another log; lines point into the member files', () => {
	const r1 = loglens(['merge', '--jsonl', `@rotated:${rotLog}`, a]);
	const r2 = loglens(['merge', '--jsonl', '--rotated', rotLog, a]);
	assert.equal(r1.code, 0, r1.err);
	assert.equal(r2.code, 0, r2.err);
	const objs = r1.out.trimEnd().split('\n').map((l) => JSON.parse(l));
	assert.equal(objs.length, 400 + 3000);
	const rot = objs.filter((o) => o.file !== a);
	assert.deepEqual(rot.map((o) => Number(/seq=(\d+)/.exec(o.message)![1])), Array.from({ length: 400 }, (_, i) => i));
	assert.ok(rot.some((o) => /app\.log\.\d+\.gz$/.test(o.file)) && rot.some((o) => o.file === rotLog));
	for (let i = 1; i < objs.length; i++) assert.ok(objs[i].time >= objs[i - 1].time);
	// --rotated on a plain file with no archives is that file.
	const r3 = loglens(['merge', '--jsonl', '--rotated', a]);
	assert.equal(r3.out.trimEnd().split('\n').length, 3000);
});

test('merge: usage errors and missing files exit 2 with one line', () => {
	for (const [args, re] of [
		[['merge'], /missing FILE/],
		[['merge', join(tmp.dir, 'missing.log')], /missing\.log: no such file/],
		[['merge', '-', a], /not stdin/],
		[['merge', '--format', 'nosuch', a], /unknown format/],
		[['merge', '--bogus', a], /bogus/],
	] as const) {
		const r = loglens([...args]);
		assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
		assert.match(r.err, re);
		assert.equal(r.err.trim().split('\n').length, 1, r.err);
	}
	const h = loglens(['merge', '--help']);
	assert.equal(h.code, 0);
	assert.match(h.out, /@rotated:PATH/);
	assert.match(loglens(['--help']).out, /merge\s+several logs as one/);
});
