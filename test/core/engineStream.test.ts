// The engine's fast paths agree with its reference paths: the entry stream gives the same entries
// for any chunking (borrowed or owned bytes), the byte-level header reader (with its level-field
// cache and message starts) agrees with the full parser line by line, and the quick timestamp
// reader agrees with the timestamp regex.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { EntryStream, StreamedEntry } from '../../src/core/entryStream';
import { LogIndex } from '../../src/core/index/logIndex';
import { parseTimestampAt, parseTimestampAtRegex } from '../../src/core/timestamp';
import { fixture, runPython, tempDir } from '../testUtil';

interface Seen {
	line: number;
	endLine: number;
	startOffset: number;
	endOffset: number;
	level: number;
	time: number;
	bytes: string;
	lines: string[];
	messageStart: number;
}

function snapshot(e: StreamedEntry): Seen {
	return { line: e.line, endLine: e.endLine, startOffset: e.startOffset, endOffset: e.endOffset, level: e.level, time: e.time, bytes: e.bytes.toString('latin1'), lines: e.lines.map((l) => l.toString('latin1')), messageStart: e.messageStart };
}

/** Streams `data` in chunks of `size` (copied into one reused buffer, as the CLI reads). */
function stream(data: Buffer, size: number, transient: boolean): Seen[] {
	const out: Seen[] = [];
	const kept: StreamedEntry[] = [];
	const s = new EntryStream((e) => {
		out.push(snapshot(e));
		if (!transient) kept.push(e);
	}, { ctx: { year: 2024, defaultZoneOffsetMinutes: 0 }, transient, messageStarts: true });
	const scratch = Buffer.alloc(size);
	for (let p = 0; p < data.length; p += size) {
		const n = Math.min(size, data.length - p);
		data.copy(scratch, 0, p, p + n);
		s.append(scratch.subarray(0, n));
		scratch.fill(0x21); // the reader reuses its buffer: nothing may still point into it
	}
	s.finish();
	// Owned entries stay valid after the stream moved on (the merge keeps them queued).
	kept.forEach((e, i) => assert.deepEqual(snapshot(e), out[i], `owned entry ${i} changed later`));
	return out;
}

const MIXED = Buffer.concat([
	Buffer.from([0xef, 0xbb, 0xbf]),
	Buffer.from('2024-05-01 10:00:00,001 - app.db - INFO - connected to db-1:5432\r\n'),
	Buffer.from('2024-05-01 10:00:00,002 - app.http - ERROR - request failed\n'),
	Buffer.from('Traceback (most recent call last):\r\n  File "app.py", line 3, in main\n'),
	Buffer.from(`ValueError: ${'x'.repeat(9000)}\n`),
	Buffer.from('\n'),
	Buffer.from('2024-05-01 10:00:01,000 - app - WARNING - [worker-1] queue full\n'),
	Buffer.from('2024-05-01 10:00:02,500 - app - DEBUG - done\xff\xfe bytes\n'),
	Buffer.from('2024-05-01 10:00:03,000 - app - CRITICAL - no newline at the end'),
]);

test('entry stream: every chunking gives the same entries, borrowed or owned', () => {
	const whole = stream(MIXED, MIXED.length, false);
	assert.equal(whole.length, 5);
	assert.deepEqual(whole.map((e) => [e.line, e.endLine]), [[0, 0], [1, 5], [6, 6], [7, 7], [8, 8]]);
	assert.equal(whole[1].lines.length, 5);
	assert.ok(!whole[1].lines.some((l) => l.endsWith('\r')), 'CRs before LF are dropped from lines');
	assert.ok(whole[1].bytes.includes('\r\n'), 'bytes are the raw range');
	assert.equal(whole[0].startOffset, 0);
	assert.equal(whole[4].endOffset, MIXED.length);
	for (const e of whole) assert.equal(e.bytes, MIXED.toString('latin1', e.startOffset, e.endOffset));
	for (const size of [1, 2, 7, 64, 1000, 4096, 65536]) {
		assert.deepEqual(stream(MIXED, size, false), whole, `owned, chunks of ${size}`);
		assert.deepEqual(stream(MIXED, size, true), whole, `borrowed, chunks of ${size}`);
	}
	// The index agrees on entries and levels.
	const idx = LogIndex.fromText(MIXED, { ctx: { year: 2024, defaultZoneOffsetMinutes: 0 } });
	assert.deepEqual(whole.map((e) => [e.line, e.level, e.time]), whole.map((_, i) => [idx.entryStartLine(i), idx.entryLevel(i), idx.entryTime(i)]));
});

/**
 * For every header the byte-level reader accepted: its level, time and message start are the
 * full parser's. Lines are streamed so the reader's caches see them in file order.
 */
function checkAgainstParser(data: Buffer, label: string): { fast: number; starts: number } {
	let fast = 0, starts = 0;
	const s = new EntryStream((e, st) => {
		const first = e.lines[0].toString('latin1');
		const h = st.format.format.parseHeader(e.line === 0 && first.startsWith('\xef\xbb\xbf') ? first.slice(3) : first, st.parseContext);
		if (e.level !== 7 || h) {
			assert.ok(h, `${label} line ${e.line + 1}: a header for the stream is one for the parser`);
			assert.equal(e.level, h.level, `${label} line ${e.line + 1} level: ${first.slice(0, 120)}`);
			assert.ok(e.time === h.time || (Number.isNaN(e.time) && Number.isNaN(h.time)), `${label} line ${e.line + 1} time`);
		}
		if (e.messageStart >= 0) {
			starts++;
			assert.ok(h);
			assert.equal(e.messageStart, h.messageStart, `${label} line ${e.line + 1} message start: ${first.slice(0, 120)}`);
		}
		fast++;
	}, { ctx: { year: 2024 }, transient: true, messageStarts: true });
	s.append(data);
	s.finish();
	return { fast, starts };
}

test('fast header reader: level, time and message start agree with the full parser (Loghub, CPython, Celery)', () => {
	let starts = 0;
	const root = fixture('loghub');
	for (const set of readdirSync(root)) {
		const p = join(root, set, `${set}_2k.log`);
		if (existsSync(p)) starts += checkAgainstParser(readFileSync(p), set).starts;
	}
	const { dir, cleanup } = tempDir();
	try {
		const py = String.raw`
import logging, sys, random
path, fmt = sys.argv[1], sys.argv[2]
h = logging.FileHandler(path)
h.setFormatter(logging.Formatter(fmt))
rnd = random.Random(9)
names = ['app', 'app.db', 'app.dbx', 'app.db.pool', 'app.http', 'app.httpx', 'a', 'ab', 'abc.def.ghi.jkl.mno']
for n in names:
    lg = logging.getLogger(n); lg.addHandler(h); lg.setLevel(logging.DEBUG); lg.propagate = False
msgs = ['plain words here', '[bracketed] first', 'word: with colon', '12345 digits first', 'name - dashed', 'pipe | separated',
        '', ' leading blank', 'x', 'INFO looks like a level', 'ERROR: also', '- lone dash', '(paren) x', 'tab\there']
for i in range(3000):
    lg = logging.getLogger(rnd.choice(names))
    lg.log(rnd.choice([10, 20, 30, 40, 50]), rnd.choice(msgs))
`;
		for (const [k, fmt] of ['%(asctime)s - %(name)s - %(levelname)s - %(message)s', '%(asctime)s %(levelname)-8s [%(name)s] %(message)s', '[%(asctime)s] %(levelname)s %(name)s: %(message)s', '%(asctime)s | %(levelname)s | %(name)s | %(message)s', '[%(asctime)s: %(levelname)s/%(processName)s] %(message)s'].entries()) {
			const path = join(dir, `layout-${k}.log`);
			runPython(py, [path, fmt]);
			const data = readFileSync(path);
			const r = checkAgainstParser(data, fmt);
			assert.ok(r.fast >= 3000);
			// and the byte-level reader did read those headers (not the full parser behind it)
			const f = LogIndex.fromText(data).format.format;
			let read = 0, lines = 0;
			for (let a = 0, b = data.indexOf(10); b >= 0; a = b + 1, b = data.indexOf(10, a)) {
				lines++;
				if (f.readFast?.(data, a, b)) read++;
			}
			assert.ok(read >= lines * 0.95, `${fmt}: ${read} of ${lines} headers read from bytes`);
			starts += r.starts;
		}
	} finally {
		cleanup();
	}
	// Only plain first words after the level qualify (the layouts with `[name]`, `name:` or `|` never do).
	assert.ok(starts > 1500, `message starts were read from bytes (${starts})`);
});

test('quick timestamp reader: the same result as the timestamp regex', () => {
	let seed = 11;
	const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
	const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)];
	const d = () => String(Math.floor(rnd() * 10));
	const n2 = (max: number) => String(1 + Math.floor(rnd() * max)).padStart(2, '0');
	const tails = ['', ' ', 'Z', ' Z', '+02:00', ' +0200', '-07', ' -07:00', '-x', ' - app', ' UTC', ' GMT', ' UT', 'x', '_', '9', '.', '.5', '.1234567891', ',123', ':45', ',', 'T', '\t', '|', ' Zed', ' +x', ' AM', 'PM'];
	const ctx = { year: 2024, defaultZoneOffsetMinutes: 0 };
	let quick = 0;
	for (let i = 0; i < 100000; i++) {
		// Half plausible dates (the quick path's case), half any digits.
		const date = rnd() < 0.5 ? `20${d()}${d()}-${n2(12)}-${n2(28)}` : `${d()}${d()}${d()}${d()}${pick(['-', '/', '.'])}${d()}${d()}${pick(['-', '/'])}${d()}${d()}`;
		const s = `${date}${pick(['T', ' ', '  ', 't'])}${pick(['', d()])}${n2(12)}:${d()}${d()}${pick([':' + d() + d(), ''])}${pick(['', '.' + d() + d() + d(), ',' + d() + d() + d(), ':' + d(), '.' + d() + d() + d() + d() + d() + d(), ','])}${pick(tails)}${pick(tails)}`;
		const pre = pick(['', '[', 'x']);
		const a = parseTimestampAt(pre + s, pre.length, ctx);
		const b = parseTimestampAtRegex(pre + s, pre.length, ctx);
		assert.deepEqual(a, b, JSON.stringify(pre + s));
		if (a && a.shape === 0 && !Number.isNaN(a.time)) quick++;
	}
	assert.ok(quick > 1000);
});
