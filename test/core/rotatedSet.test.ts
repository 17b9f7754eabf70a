// Rotated sets made by CPython's real handlers (RotatingFileHandler with the logging cookbook's
// gzip namer/rotator, TimedRotatingFileHandler) plus logrotate-style names: found, ordered oldest
// first, and read as one timeline with every record exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { runPython, tempDir } from '../testUtil';
import { findRotatedSet, liveFileOf, openRotatedSet, readRotatedSet } from '../../src/core/rotatedSet';
import { readLogFile } from '../../src/core/gzipSource';
import { mergeLogs } from '../../src/core/merge';

/**
 * Writes `count` records from `start` to `<dir>/app.log` through a RotatingFileHandler. With
 * `gzip`, rotated files are compressed by the cookbook's namer/rotator. Every 10th record carries
 * a traceback (multi-line entries must survive rotation boundaries whole).
 */
const ROTATING = String.raw`
import logging, logging.handlers, gzip, os, shutil, sys
d, start, count, use_gzip, max_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == '1', int(sys.argv[5])
h = logging.handlers.RotatingFileHandler(os.path.join(d, 'app.log'), maxBytes=max_bytes, backupCount=500)
if use_gzip:
    def namer(name):
        return name + '.gz'
    def rotator(source, dest):
        with open(source, 'rb') as f_in:
            with gzip.open(dest, 'wb') as f_out:
                shutil.copyfileobj(f_in, f_out)
        os.remove(source)
    h.namer = namer
    h.rotator = rotator
h.setFormatter(logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - seq=%(seq)d %(message)s'))
log = logging.getLogger('rot')
log.addHandler(h)
log.setLevel(logging.INFO)
for i in range(start, start + count):
    if i % 10 == 7:
        try:
            raise ValueError('bad value %d' % i)
        except ValueError:
            log.exception('step failed', extra={'seq': i})
    else:
        log.info('step done', extra={'seq': i})
h.close()
`;

function rotating(dir: string, start: number, count: number, gzip: boolean, maxBytes = 1500): void {
	runPython(ROTATING, [dir, String(start), String(count), gzip ? '1' : '0', String(maxBytes)]);
}

/** The `seq=` numbers in a text, in order. */
function seqs(text: string): number[] {
	return [...text.matchAll(/seq=(\d+) /g)].map((m) => Number(m[1]));
}

function range(from: number, to: number): number[] {
	return Array.from({ length: to - from }, (_, i) => from + i);
}

async function setText(path: string, chunkSize?: number): Promise<string> {
	const parts: Buffer[] = [];
	for await (const c of readRotatedSet(path, { chunkSize })) parts.push(Buffer.from(c.data));
	return Buffer.concat(parts).toString('utf8');
}

test('RotatingFileHandler + gzip rotator: the set is found oldest first and reads as one timeline, every record once', async () => {
	const t = tempDir();
	try {
		rotating(t.dir, 0, 1200, true);
		const live = join(t.dir, 'app.log');
		const set = await findRotatedSet(live);
		const names = set.map((m) => basename(m.path));
		const rotatedCount = names.length - 1;
		assert.ok(rotatedCount >= 12, `only ${rotatedCount} rotations`);
		// Numbers, not text: app.log.10.gz is older than app.log.9.gz.
		assert.deepEqual(names, [...range(1, rotatedCount + 1).reverse().map((i) => `app.log.${i}.gz`), 'app.log']);
		assert.deepEqual(set.map((m) => m.order), range(0, set.length));
		assert.ok(set.slice(0, -1).every((m) => m.compressed && !m.live));
		assert.ok(set[set.length - 1].live && !set[set.length - 1].compressed);
		// Small chunks: records and gzip members are cut at arbitrary places.
		const text = await setText(live, 333);
		assert.deepEqual(seqs(text), range(0, 1200));
		assert.equal((text.match(/ValueError: bad value/g) ?? []).length, 120);
		// Entries of the set through the merge: in order, whole, and each mapped to its member file and line.
		const got: number[] = [];
		const members = new Map<string, string[]>();
		await mergeLogs([{ path: live, rotated: true }], {
			chunkSize: 1000,
			onEntry: (e) => {
				got.push(...seqs(e.text + ' '));
				let lines = members.get(e.file);
				if (!lines) members.set(e.file, (lines = (e.file.endsWith('.gz') ? gunzipSync(readFileSync(e.file)) : readFileSync(e.file)).toString('utf8').split('\n')));
				assert.equal(e.text, lines.slice(e.line, e.endLine + 1).join('\n'));
				if (/seq=\d+7 step failed/.test(e.text)) assert.ok(e.endLine > e.line && /ValueError: bad value/.test(e.text), e.text);
			},
		});
		assert.deepEqual(got, range(0, 1200));
		assert.equal(members.size, set.length);
	} finally {
		t.cleanup();
	}
});

test('file times do not decide when the names do; X and X.gz both present count once', async () => {
	const t = tempDir();
	try {
		rotating(t.dir, 0, 300, false, 2000);
		const live = join(t.dir, 'app.log');
		const names = readdirSync(t.dir).filter((n) => n !== 'app.log');
		assert.ok(names.length >= 4, names.join(' '));
		// logrotate `delaycompress`: everything but .1 compressed; .3 is caught mid-compression (both exist, the .gz cut short).
		for (const n of names) {
			if (n === 'app.log.1') continue;
			const p = join(t.dir, n);
			const gz = gzipSync(readFileSync(p));
			if (n === 'app.log.3') writeFileSync(p + '.gz', gz.subarray(0, gz.length >> 1));
			else {
				writeFileSync(p + '.gz', gz);
				rmSync(p);
			}
		}
		// Make the file times lie: the oldest archive looks newest.
		const now = Date.now() / 1000;
		utimesSync(join(t.dir, `app.log.${names.length}.gz`), now + 100, now + 100);
		const set = await findRotatedSet(live);
		assert.deepEqual(set.map((m) => basename(m.path)), [...range(4, names.length + 1).reverse().map((i) => `app.log.${i}.gz`), 'app.log.3', 'app.log.2.gz', 'app.log.1', 'app.log']);
		assert.deepEqual(seqs(await setText(live)), range(0, 300));
	} finally {
		t.cleanup();
	}
});

test('TimedRotatingFileHandler names (forced rollovers) and logrotate date names sort by their dates', async () => {
	const t = tempDir();
	try {
		// The real handler names each rotated file after the period it covers (rolloverAt - interval);
		// rollovers are forced with chosen period ends so the test does not wait for the clock.
		runPython(String.raw`
import logging, logging.handlers, os, sys, time, calendar
d = sys.argv[1]
h = logging.handlers.TimedRotatingFileHandler(os.path.join(d, 'svc.log'), when='H', backupCount=0, utc=True)
import gzip, shutil
def namer(name):
    return name + '.gz' if name.endswith('_09') else name
def rotator(source, dest):
    if not dest.endswith('.gz'):
        os.rename(source, dest)
        return
    with open(source, 'rb') as f_in, gzip.open(dest, 'wb') as f_out:
        shutil.copyfileobj(f_in, f_out)
    os.remove(source)
h.namer = namer
h.rotator = rotator
h.setFormatter(logging.Formatter('%(asctime)s %(levelname)s %(name)s seq=%(seq)d %(message)s'))
log = logging.getLogger('timed'); log.addHandler(h); log.setLevel(logging.INFO)
seq = 0
for hour in (8, 9, 10, 11):
    for k in range(25):
        log.info('tick', extra={'seq': seq}); seq += 1
    h.rolloverAt = calendar.timegm((2024, 5, 1, hour + 1, 0, 0)); h.doRollover()
for k in range(25):
    log.info('tick', extra={'seq': seq}); seq += 1
h.close()
`, [t.dir]);
		const live = join(t.dir, 'svc.log');
		const set = await findRotatedSet(live);
		assert.deepEqual(set.map((m) => basename(m.path)), ['svc.log.2024-05-01_08', 'svc.log.2024-05-01_09.gz', 'svc.log.2024-05-01_10', 'svc.log.2024-05-01_11', 'svc.log']);
		assert.deepEqual(seqs(await setText(live)), range(0, 125));
		// From any member back to the live file (the editor opens the set from whatever file is active).
		assert.equal(await liveFileOf(join(t.dir, 'svc.log.2024-05-01_09.gz')), live);
		assert.equal(await liveFileOf(join(t.dir, 'svc.log.2024-05-01_10')), live);
		assert.equal(await liveFileOf(live), live);

		// logrotate dateext, both placements of the date, one compressed; no live file (all rotated away).
		const d2 = join(t.dir, 'lr');
		mkdirSync(d2);
		const line = (s: number): string => `2024-05-0${s} 00:00:00,000 - x - INFO - seq=${s} day\n`;
		writeFileSync(join(d2, 'web-20240503.log'), line(3));
		writeFileSync(join(d2, 'web.log-20240501.gz'), gzipSync(line(1)));
		writeFileSync(join(d2, 'web.log-20240502'), line(2));
		writeFileSync(join(d2, 'web.log.bak'), line(9));
		writeFileSync(join(d2, 'web.log-20240504.bz2'), 'not readable here');
		const lr = await findRotatedSet(join(d2, 'web.log'));
		assert.deepEqual(lr.map((m) => basename(m.path)), ['web.log-20240501.gz', 'web.log-20240502', 'web-20240503.log']);
		assert.deepEqual(seqs(await setText(join(d2, 'web.log'))), [1, 2, 3]);
		// No live web.log: each name is its own live file; with one, both placements of the date lead to it.
		assert.equal(await liveFileOf(join(d2, 'web-20240503.log')), join(d2, 'web-20240503.log'));
		writeFileSync(join(d2, 'web.log'), line(4));
		assert.equal(await liveFileOf(join(d2, 'web-20240503.log')), join(d2, 'web.log'));
		assert.equal(await liveFileOf(join(d2, 'web.log-20240501.gz')), join(d2, 'web.log'));
		assert.deepEqual(seqs(await setText(join(d2, 'web.log'))), [1, 2, 3, 4]);
	} finally {
		t.cleanup();
	}
});

test('a rotation while the set is open neither loses nor repeats records: the set is what was there when opened', async () => {
	const t = tempDir();
	try {
		rotating(t.dir, 0, 200, true);
		const live = join(t.dir, 'app.log');
		const set = await openRotatedSet(live);
		try {
			// The producer appends to the live file until it rotates, then rotates more (renaming, compressing, deleting) and writes on.
			rotating(t.dir, 200, 100, true);
			const parts: Buffer[] = [];
			for await (const c of set.chunks({ chunkSize: 500 })) parts.push(Buffer.from(c.data));
			const got = seqs(Buffer.concat(parts).toString('utf8'));
			// Records 200.. went to the old live file until its rotation; the open set reads them from
			// that file (its name is gone), in order, each once, and nothing written after it.
			assert.deepEqual(got, range(0, got.length));
			assert.ok(got.length >= 200 && got.length < 300, `${got.length}`);
		} finally {
			await set.close();
		}
		// Opened afresh, the set has everything.
		assert.deepEqual(seqs(await setText(live)), range(0, 300));
	} finally {
		t.cleanup();
	}
});

test('readLogFile decompresses gzip by content (concatenated members too) and reads plain files as they are', async () => {
	const t = tempDir();
	try {
		const p = join(t.dir, 'x.log.gz');
		writeFileSync(p, Buffer.concat([gzipSync('one\n'), gzipSync('two\n')]));
		assert.equal((await readLogFile(p)).toString(), 'one\ntwo\n');
		const q = join(t.dir, 'plain.gz');
		writeFileSync(q, 'not compressed\n');
		assert.equal((await readLogFile(q)).toString(), 'not compressed\n');
		const bad = join(t.dir, 'bad.log.gz');
		// Random text compresses little, so half the archive is cut off mid-stream.
		const full = gzipSync(randomBytes(50000).toString('hex'));
		writeFileSync(bad, full.subarray(0, full.length >> 1));
		await assert.rejects(readLogFile(bad), /bad\.log\.gz: cannot decompress/);
	} finally {
		t.cleanup();
	}
});
