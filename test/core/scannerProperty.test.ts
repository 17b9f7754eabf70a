// Property test of the byte level (issue 18): random and mutated log lines — real headers of Python
// logging, log4j/Spring Boot and syslog layouts, NUL bytes and runs, broken UTF-8, stray brackets and
// quotes, huge lines, CRLF, a BOM, a hole of zeros at the head, UTF-16 — fed in random pieces through
// format detection, the index, the tally and the entry stream. Whatever the bytes: nothing throws,
// every case ends well within a generous deadline, lines and byte offsets are exactly those of a
// naive newline count, entries start in ascending lines within bounds, and index, tally and stream
// agree. A failure prints the seed and the shrunk case (fast-check). PROP_RUNS=5000 runs more cases
// (the default keeps this file to a few seconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LogIndex } from '../../src/core/index/logIndex';
import { LogTally } from '../../src/core/index/logTally';
import { EntryStream } from '../../src/core/entryStream';
import { BufferSource } from '../../src/core/byteSource';
import { readEntry } from '../../src/core/entryReader';
import { bomEncoding } from '../../src/core/textEncoding';

/** A case slower than this is a hang (the largest cases take a few ms). */
const DEADLINE_MS = 5000;

const stamp = fc.record({ mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }), h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }), ms: fc.integer({ min: 0, max: 999 }) });
const p2 = (n: number) => String(n).padStart(2, '0');
const level = fc.constantFrom('DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL', 'FATAL', 'TRACE', 'notice', 'Err');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Headers as the real layouts write them (Python logging default-ish, Spring Boot, syslog 3164). */
const header = fc.oneof(
	fc.tuple(stamp, level, fc.constantFrom('app', 'urllib3.connectionpool', 'root')).map(([t, l, n]) => `2024-${p2(t.mo)}-${p2(t.d)} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)},${String(t.ms).padStart(3, '0')} ${l} ${n}: `),
	fc.tuple(stamp, level).map(([t, l]) => `2024-${p2(t.mo)}-${p2(t.d)}T${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}.${String(t.ms).padStart(3, '0')}Z ${l.padStart(5)} 4242 --- [nio-8080-exec-1] c.e.demo.Controller : `),
	fc.tuple(stamp, fc.constantFrom('sshd[42]', 'kernel', 'CRON[7]')).map(([t, p]) => `${MONTHS[t.mo - 1]} ${String(t.d).padStart(2)} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)} host ${p}: `),
	fc.constant('Traceback (most recent call last):'),
	fc.constant('  File "app.py", line 12, in main'),
	fc.constant('\tat com.example.X.y(X.java:42)'),
	fc.constant(''),
);

/** Mutations: NULs, broken UTF-8, stray brackets and quotes, control bytes, ANSI colours. */
const noise = fc.oneof(
	fc.constant(Buffer.from([0])),
	fc.integer({ min: 2, max: 5000 }).map((n) => Buffer.alloc(n)),
	fc.constantFrom(Buffer.from([0xff]), Buffer.from([0xc3]), Buffer.from([0xe2, 0x82]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf0, 0x9f, 0x98])),
	fc.constantFrom('[', ']', '{', '}', '"', "'", '\\', '=', '\x1b[31m', '\x1b[0m', '\r', '\t', '\x01', 'é', '日本', '\u{1F680}').map((s) => Buffer.from(s, 'utf8')),
);

const message = fc.array(fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 40 }).map((s) => Buffer.from(s.replace(/\n/g, ' '), 'utf8')) }, { weight: 2, arbitrary: noise }), { maxLength: 6 }).map((parts) => Buffer.concat(parts));

const line = fc.tuple(header, message).map(([h, m]) => Buffer.concat([Buffer.from(h, 'utf8'), m]));
/** In some cases one huge line (hundreds of KB: longer than a header read, than many chunks). */
const huge = fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(header, fc.integer({ min: 5000, max: 400_000 }), fc.nat()) });

interface Case { bytes: Buffer; chunks: number[]; format?: string }

const utf8Case: fc.Arbitrary<Case> = fc.record({
	lines: fc.array(line, { maxLength: 60 }),
	huge,
	crlf: fc.boolean(),
	trailing: fc.boolean(),
	bom: fc.boolean(),
	hole: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 300_000 }) }),
	chunks: fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 }),
	format: fc.constantFrom(undefined, undefined, undefined, 'python', 'log4j', 'syslog', 'json', 'logfmt', 'generic', 'plain'),
}).map(({ lines, huge, crlf, trailing, bom, hole, chunks, format }) => {
	if (huge) lines.splice(huge[2] % (lines.length + 1), 0, Buffer.concat([Buffer.from(huge[0], 'utf8'), Buffer.alloc(huge[1], 'x')]));
	const nl = Buffer.from(crlf ? '\r\n' : '\n');
	const parts: Buffer[] = [];
	if (bom) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
	if (hole) parts.push(Buffer.alloc(hole));
	lines.forEach((l, i) => {
		parts.push(l);
		if (i < lines.length - 1 || trailing) parts.push(nl);
	});
	return { bytes: Buffer.concat(parts), chunks, format };
});

const utf16Case: fc.Arbitrary<Case> = fc.record({
	lines: fc.array(fc.tuple(header, fc.string({ maxLength: 40, unit: 'grapheme' })).map(([h, m]) => h + m.replace(/\n/g, ' ')), { maxLength: 40 }),
	crlf: fc.boolean(),
	trailing: fc.boolean(),
	be: fc.boolean(),
	nuls: fc.boolean(),
	chunks: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
}).map(({ lines, crlf, trailing, be, nuls, chunks }) => {
	let text = '\ufeff' + lines.map((l, i) => (nuls && i % 3 === 1 ? '\0'.repeat(i) + l : l)).join(crlf ? '\r\n' : '\n') + (trailing && lines.length ? (crlf ? '\r\n' : '\n') : '');
	if (text === '\ufeff') text += 'x';
	const le = Buffer.from(text, 'utf16le');
	if (be) le.swap16();
	return { bytes: le, chunks };
});

/** The scanner fed `bytes` in pieces of the given sizes (cycled). */
function feed<T extends { append(b: Buffer): void; finish(): void }>(s: T, bytes: Buffer, chunks: number[]): T {
	for (let p = 0, k = 0; p < bytes.length; k++) {
		const n = chunks[k % chunks.length];
		// A copy: the scanner may not keep a view of memory the caller reuses.
		s.append(Buffer.from(bytes.subarray(p, p + n)));
		p += n;
	}
	s.finish();
	return s;
}

/** Line starts and content ends by a naive count of LF (LF code units in UTF-16), a CR before it dropped. */
function naiveLines(bytes: Buffer): { starts: number[]; ends: number[] } {
	const w = bomEncoding(bytes) === 'utf-8' ? 1 : 2;
	const be = bomEncoding(bytes) === 'utf-16be';
	const unit = (i: number) => (w === 1 ? bytes[i] : be ? bytes.readUInt16BE(i) : bytes.readUInt16LE(i));
	const starts: number[] = [], ends: number[] = [];
	let start = 0;
	const last = w === 1 ? bytes.length : bytes.length & ~1;
	for (let i = 0; i < last; i += w) {
		if (unit(i) !== 10) continue;
		starts.push(start);
		ends.push(i >= start + w && unit(i - w) === 13 ? i - w : i);
		start = i + w;
	}
	if (start < bytes.length) {
		starts.push(start);
		ends.push(bytes.length - (last - w >= start && last === bytes.length && unit(last - w) === 13 ? w : 0));
	}
	return { starts, ends };
}

function check(c: Case): void {
	const t0 = Date.now();
	const opts = c.format ? { format: c.format } : {};
	const idx = feed(new LogIndex(opts), c.bytes, c.chunks);
	const whole = LogIndex.fromText(c.bytes, opts);
	const tally = feed(new LogTally(opts), c.bytes, c.chunks);
	const streamed: [number, number, number][] = [];
	const stream = feed(new EntryStream((e) => {
		streamed.push([e.line, e.endLine, e.level]);
	}, opts), c.bytes, [...c.chunks].reverse());
	assert.equal(idx.bytes, c.bytes.length);
	assert.equal(idx.binary, whole.binary);
	assert.equal(tally.binary, idx.binary);
	if (idx.binary) {
		assert.equal(idx.lineCount, 0);
		assert.equal(tally.lineCount, 0);
		return;
	}
	const naive = naiveLines(c.bytes);
	assert.equal(idx.lineCount, naive.starts.length, 'lines = a naive count of newlines');
	for (let i = 0; i < idx.lineCount; i++) {
		assert.equal(idx.lineStart(i), naive.starts[i], `line ${i} start`);
		assert.equal(idx.lineEnd(i), naive.ends[i], `line ${i} end`);
	}
	assert.equal(idx.lineStart(idx.lineCount), c.bytes.length);
	// Entries: the first at line 0, then ascending, each ending before the next starts.
	if (idx.lineCount > 0) assert.equal(idx.entryStartLine(0), 0);
	for (let e = 0; e < idx.entryCount; e++) {
		const s = idx.entryStartLine(e), end = idx.entryEndLine(e);
		assert.ok(s <= end && end < idx.lineCount, `entry ${e} within the lines`);
		if (e > 0) assert.ok(s > idx.entryStartLine(e - 1), `entry ${e} after the one before`);
	}
	assert.equal(idx.levelCounts().reduce((a, b) => a + b, 0), idx.entryCount);
	// Pieces or one buffer, index or tally or stream: the same reading.
	assert.deepEqual([whole.lineCount, whole.entryCount, whole.levelCounts()], [idx.lineCount, idx.entryCount, idx.levelCounts()]);
	assert.deepEqual([tally.lineCount, tally.entryCount, tally.levelCounts(), tally.timeRange()], [idx.lineCount, idx.entryCount, idx.levelCounts(), idx.timeRange()]);
	assert.deepEqual(streamed, Array.from({ length: idx.entryCount }, (_, e) => [idx.entryStartLine(e), idx.entryEndLine(e), idx.entryLevel(e)]));
	assert.equal(stream.lineCount, idx.lineCount);
	const src = new BufferSource(c.bytes);
	src.encoding = idx.encoding;
	for (let e = 0; e < Math.min(idx.entryCount, 5); e++) assert.equal(readEntry(idx, src, e).line, idx.entryStartLine(e));
	const ms = Date.now() - t0;
	assert.ok(ms < DEADLINE_MS, `a case took ${ms} ms`);
}

test('any bytes: detection, index, tally and stream never throw, agree, and count lines and offsets exactly', { timeout: 120_000 }, () => {
	fc.assert(fc.property(utf8Case, check), { numRuns: Number(process.env.PROP_RUNS ?? 150) });
});

test('UTF-16 with a BOM (and NUL runs) in any pieces: lines and offsets of the file, index, tally and stream agree', { timeout: 120_000 }, () => {
	fc.assert(fc.property(utf16Case, check), { numRuns: Number(process.env.PROP_RUNS ?? 80) });
});

