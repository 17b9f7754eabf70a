// Merging logs: real CPython processes writing at the same time to files in different formats and
// time zones; the merge must give every record once, whole, in time order (ties in file order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { tempDir } from '../testUtil';
import { LogMerge, mergeLogs, mergeToText, mergedLineSource, MergedEntry, shortLabels } from '../../src/core/merge';

/**
 * A producer: waits at a barrier until every producer is ready (so their records interleave), then
 * writes `n` records carrying `seq=`; every 9th is an exception with a traceback.
 *   kind text: `%(asctime)s - %(name)s - %(levelname)s - …` in the local zone (ms, no zone)
 *   kind json: one JSON object per line, ISO time with the zone offset (ms)
 *   kind zoned: `%Y-%m-%d %H:%M:%S%z` datefmt (seconds, with offset)
 */
const PRODUCER = String.raw`
import logging, sys, os, time, json, datetime
kind, path, n, barrier, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
log = logging.getLogger('svc.' + kind)
h = logging.FileHandler(path)
if kind == 'text':
    h.setFormatter(logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - seq=%(seq)d %(message)s'))
elif kind == 'json':
    class JsonFormatter(logging.Formatter):
        def format(self, r):
            t = datetime.datetime.fromtimestamp(r.created).astimezone().isoformat(timespec='milliseconds')
            d = {'time': t, 'level': r.levelname, 'logger': r.name, 'msg': 'seq=%d %s' % (r.seq, r.getMessage())}
            if r.exc_info:
                d['exc_info'] = self.formatException(r.exc_info)
            return json.dumps(d)
    h.setFormatter(JsonFormatter())
else:
    h.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s: seq=%(seq)d %(message)s', datefmt='%Y-%m-%d %H:%M:%S%z'))
log.addHandler(h)
log.setLevel(logging.DEBUG)
open(os.path.join(barrier, kind), 'w').close()
deadline = time.time() + 30
while len(os.listdir(barrier)) < count and time.time() < deadline:
    time.sleep(0.001)
for i in range(n):
    if i % 9 == 4:
        try:
            {}['missing']
        except KeyError:
            log.exception('lookup failed %d', i, extra={'seq': i})
    else:
        log.info('work item %d', i, extra={'seq': i})
    time.sleep(0.0002 * (i % 4))
h.close()
`;

function runProducer(kind: string, file: string, n: number, barrier: string, count: number, tz?: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const env = { ...process.env };
		if (tz) env.TZ = tz;
		const p = spawn('python3', ['-c', PRODUCER, kind, file, String(n), barrier, String(count)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		p.stderr.on('data', (d) => (err += d));
		p.on('error', reject);
		p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${kind} producer failed (${code}): ${err}`))));
	});
}

interface Rec {
	file: number;
	seq: number;
	time: number;
	lines: number;
}

/** Reads the records back from the files with regexes of its own (not the engine), for the expected order. */
function expectedRecords(files: string[]): Rec[] {
	const recs: Rec[] = [];
	files.forEach((f, file) => {
		const lines = readFileSync(f, 'utf8').split('\n');
		if (lines[lines.length - 1] === '') lines.pop();
		let cur: Rec | undefined;
		for (const line of lines) {
			let m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) - \S+ - \w+ - seq=(\d+) /.exec(line);
			let time = NaN;
			let seq = -1;
			if (m) {
				time = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]).getTime();
				seq = +m[8];
			} else if ((m = /^\{"time": "([^"]+)".*"msg": "seq=(\d+) /.exec(line))) {
				time = Date.parse(m[1]);
				seq = +m[2];
			} else if ((m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)([+-]\d\d)(\d\d) \w+ \S+: seq=(\d+) /.exec(line))) {
				time = Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
				seq = +m[5];
			}
			if (seq >= 0) {
				assert.ok(!Number.isNaN(time), line);
				cur = { file, seq, time, lines: 1 };
				recs.push(cur);
			} else {
				assert.ok(cur, `continuation line before any record: ${line}`);
				cur.lines++;
			}
		}
	});
	// Stable order: time, then the order the files were given, then the position in the file.
	return recs.sort((a, b) => a.time - b.time || a.file - b.file || a.seq - b.seq);
}

test('three CPython processes, three formats and zones: merged in exact time order, every record once, whole', async () => {
	const t = tempDir();
	try {
		const barrier = join(t.dir, 'barrier');
		mkdirSync(barrier);
		const files = [join(t.dir, 'text.log'), join(t.dir, 'json.log'), join(t.dir, 'zoned.log')];
		const n = 400;
		await Promise.all([
			runProducer('text', files[0], n, barrier, 3),
			runProducer('json', files[1], n, barrier, 3, 'Asia/Kolkata'),
			runProducer('zoned', files[2], n, barrier, 3, 'America/New_York'),
		]);
		const expected = expectedRecords(files);
		assert.equal(expected.length, 3 * n);
		const fileLines = files.map((f) => readFileSync(f, 'utf8').split('\n'));
		const got: MergedEntry[] = [];
		const seen: Rec[] = [];
		// Small chunks so every file is read in many pieces and the heap is refilled often.
		const r = await mergeLogs(files, {
			chunkSize: 4096,
			onEntry: (e) => {
				got.push(e);
				const m = /seq=(\d+) /.exec(e.text);
				assert.ok(m, e.text);
				seen.push({ file: e.fileIndex, seq: +m[1], time: e.time, lines: e.endLine - e.line + 1 });
				// The entry's place in its file is right and the entry is whole.
				assert.equal(e.file, files[e.fileIndex]);
				assert.equal(e.text, fileLines[e.fileIndex].slice(e.line, e.endLine + 1).join('\n'));
			},
		});
		assert.equal(r.entries, 3 * n);
		assert.deepEqual(seen.map((s) => [s.file, s.seq, s.lines]), expected.map((s) => [s.file, s.seq, s.lines]));
		assert.deepEqual(seen.map((s) => s.time), expected.map((s) => s.time));
		// The producers really ran at the same time: the merged order switches files often.
		let switches = 0;
		for (let i = 1; i < seen.length; i++) if (seen[i].file !== seen[i - 1].file) switches++;
		assert.ok(switches > 30, `only ${switches} switches between files`);
		// Tracebacks stayed inside their entries (text format: multi-line entries).
		assert.ok(got.some((e) => e.fileIndex === 0 && e.endLine > e.line && /KeyError: 'missing'/.test(e.text)));
		assert.deepEqual(r.files.map((f) => f.label), ['text.log', 'json.log', 'zoned.log']);
	} finally {
		t.cleanup();
	}
});

/** Writes a file and returns its path. */
function write(dir: string, name: string, text: string | Buffer): string {
	const p = join(dir, name);
	writeFileSync(p, text);
	return p;
}

test('ties keep the given file order; entries without a time stay after the entry before them', async () => {
	const t = tempDir();
	try {
		const a = write(t.dir, 'a.log', [
			'2024-05-01 10:00:00,000 - a - INFO - a1',
			'2024-05-01 10:00:02,000 - a - INFO - a2',
			'2024-05-01 10:00:02,000 - a - INFO - a3',
			'2024-05-01 10:00:04,000 - a - INFO - a4',
		].join('\n') + '\n');
		// A JSON file: the second record has no time field; it must stay after b2, not jump to the start.
		const b = write(t.dir, 'b.log', [
			'{"time": "2024-05-01T10:00:01.000", "level": "INFO", "msg": "b1"}',
			'{"time": "2024-05-01T10:00:02.000", "level": "INFO", "msg": "b2"}',
			'{"level": "WARNING", "msg": "b-untimed"}',
			'{"time": "2024-05-01T10:00:05.000", "level": "INFO", "msg": "b3"}',
		].join('\n') + '\n');
		const order: string[] = [];
		await mergeLogs([a, b], { onEntry: (e) => void order.push(/(\w+(?:-untimed)?)"?\}?$/.exec(e.text)![1]) });
		assert.deepEqual(order, ['a1', 'b1', 'a2', 'a3', 'b2', 'b-untimed', 'a4', 'b3']);
		// The same files the other way round: ties now go to b first.
		const rev: string[] = [];
		await mergeLogs([b, a], { onEntry: (e) => void rev.push(/(\w+(?:-untimed)?)"?\}?$/.exec(e.text)![1]) });
		assert.deepEqual(rev, ['a1', 'b1', 'b2', 'b-untimed', 'a2', 'a3', 'a4', 'b3']);
	} finally {
		t.cleanup();
	}
});

test('lines before a file\'s first time go just before its first timed entry; a file without times goes first', async () => {
	const t = tempDir();
	try {
		const a = write(t.dir, 'a.log', '2024-05-01 10:00:00,000 - a - INFO - a1\n2024-05-01 10:00:09,000 - a - INFO - a2\n');
		const b = write(t.dir, 'b.log', 'banner line without a time\n2024-05-01 10:00:05,000 - b - INFO - b1\n');
		const c = write(t.dir, 'c.log', 'no times here\nnor here\n');
		const order: string[] = [];
		await mergeLogs([a, b, c], { onEntry: (e) => void order.push(`${e.fileIndex}:${e.line}`) });
		// b's banner and b1 are one entry (plain continuation) or two; either way b's lines come after a1, before a2.
		const idx = (s: string): number => order.indexOf(s);
		assert.ok(idx('2:0') === 0, order.join(' '));
		assert.ok(idx('0:0') < idx('1:0') && idx('1:0') < idx('0:1'), order.join(' '));
		assert.equal(new Set(order).size, order.length);
	} finally {
		t.cleanup();
	}
});

test('gzip inputs merge like plain ones; rotated inputs map lines to their member files', async () => {
	const t = tempDir();
	try {
		const a = write(t.dir, 'a.log.gz', gzipSync('2024-05-01 10:00:00,000 - a - INFO - a1\n2024-05-01 10:00:02,000 - a - ERROR - a2\nTraceback (most recent call last):\nValueError: x\n'));
		write(t.dir, 'b.log.1', '2024-05-01 10:00:01,000 - b - INFO - b1\n2024-05-01 10:00:01,500 - b - INFO - b2');
		const b = write(t.dir, 'b.log', '2024-05-01 10:00:03,000 - b - INFO - b3\n');
		const seen: string[] = [];
		await mergeLogs([a, { path: b, rotated: true }], {
			onEntry: (e) => void seen.push(`${e.file.slice(t.dir.length + 1)}:${e.line}-${e.endLine}:${e.text.split('\n')[0].slice(-2)}`),
		});
		assert.deepEqual(seen, ['a.log.gz:0-0:a1', 'b.log.1:0-0:b1', 'b.log.1:1-1:b2', 'a.log.gz:1-3:a2', 'b.log:0-0:b3']);
	} finally {
		t.cleanup();
	}
});

test('mergeToText: the line map leads every merged line back to its file and line', async () => {
	const t = tempDir();
	try {
		const a = write(t.dir, 'x.log', '2024-05-01 10:00:00,000 - a - INFO - a1\n2024-05-01 10:00:02,000 - a - ERROR - a2\nTraceback (most recent call last):\nValueError: x\n');
		const sub = join(t.dir, 'sub');
		mkdirSync(sub);
		const b = write(sub, 'x.log', '2024-05-01 10:00:01,000 - b - WARNING - b1\n');
		const m = await mergeToText([a, b]);
		assert.deepEqual(m.files.map((f) => f.label), [`${t.dir.split('/').pop()}/x.log`, 'sub/x.log']);
		const lines = m.text.split('\n');
		assert.equal(lines.length, 5);
		const sources = [readFileSync(a, 'utf8').split('\n'), readFileSync(b, 'utf8').split('\n')];
		lines.forEach((l, i) => {
			const s = mergedLineSource(m, i)!;
			assert.equal(l, sources[s.fileIndex][s.line]);
		});
		assert.deepEqual(Array.from(m.entryLine), [0, 1, 2]);
		assert.deepEqual(Array.from(m.entryLevel), [2, 4, 5]);
		assert.equal(m.truncated, false);
		const limited = await mergeToText([a, b], { maxEntries: 2, prefix: true });
		assert.equal(limited.truncated, true);
		assert.equal(limited.text, `${m.files[0].label} | 2024-05-01 10:00:00,000 - a - INFO - a1\nsub/x.log | 2024-05-01 10:00:01,000 - b - WARNING - b1`);
		assert.equal(mergedLineSource(m, 99), undefined);
	} finally {
		t.cleanup();
	}
});

test('a merge streams: big inputs are read in chunks, an abort signal and "stop" end it early', async () => {
	const t = tempDir();
	try {
		const rows = (name: string, offset: number): string => {
			const out: string[] = [];
			const base = Date.UTC(2024, 4, 1);
			for (let i = 0; i < 30000; i++) out.push(`${new Date(base + i * 2 + offset).toISOString()} INFO ${name} message number ${i} ${'x'.repeat(40)}`);
			return out.join('\n') + '\n';
		};
		const a = write(t.dir, 'a.log', rows('a', 0));
		const b = write(t.dir, 'b.log', rows('b', 1));
		let count = 0;
		let prev = -Infinity;
		const chunk = 64 * 1024;
		const merge = await LogMerge.open([a, b], { chunkSize: chunk });
		const consumed = [0, 0];
		let maxAhead = 0;
		try {
			await merge.run((e) => {
				assert.ok(e.time >= prev);
				prev = e.time;
				count++;
				consumed[e.fileIndex] = e.endOffset;
				const read = merge.bytesRead();
				maxAhead = Math.max(maxAhead, read[0] - consumed[0], read[1] - consumed[1]);
			});
		} finally {
			await merge.close();
		}
		assert.equal(count, 60000);
		// Each file is about 3 MB; reading never runs more than the detection sample plus a few chunks
		// ahead of the entries handed out, so memory does not grow with the files.
		assert.ok(maxAhead < 256 * 1024 + 3 * chunk, `read ${maxAhead} bytes ahead`);
		assert.ok(merge.bytesRead()[0] > 2.5e6);
		const ac = new AbortController();
		let n = 0;
		await assert.rejects(mergeLogs([a, b], { signal: ac.signal, onEntry: () => void (++n === 3000 && ac.abort()) }), { name: 'AbortError' });
		let stopped = 0;
		const s = await mergeLogs([a, b], { onEntry: () => (++stopped === 10 ? 'stop' : undefined) });
		assert.equal(s.entries, 10);
	} finally {
		t.cleanup();
	}
});

test('shortLabels: base names, with parent folders only where needed', () => {
	assert.deepEqual(shortLabels(['/x/a/app.log', '/x/b/app.log', '/y/other.log']), ['a/app.log', 'b/app.log', 'other.log']);
	assert.deepEqual(shortLabels(['/r/a/s/app.log', '/r/b/s/app.log']), ['a/s/app.log', 'b/s/app.log']);
});

test('missing input: the merge fails with the file system error before reading anything', async () => {
	await assert.rejects(mergeLogs(['/nonexistent/loglens/a.log'], { onEntry: () => undefined }), { code: 'ENOENT' });
});
