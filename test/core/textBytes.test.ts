// Text that is not plain UTF-8 is still a log (issue 18, point 7): NUL bytes (a stray one, a crash's
// run of zeros, the hole logrotate's copytruncate leaves at the head), UTF-16 with a BOM (Windows
// PowerShell 5.1), invalid UTF-8, CRLF, a 3 MB line — and what is binary still says so. The logs
// are written during the test by CPython (test/fixtures/python/text_bytes_fixtures.py); every
// reader is checked: the index, the tally, the entry stream, the CLI and the language server's store.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { currentCli, fixture, tempDir } from '../testUtil';
import { indexFile } from '../../src/core/index/indexFile';
import { LogIndex } from '../../src/core/index/logIndex';
import { tallyFile } from '../../src/core/index/logTally';
import { EntryStream } from '../../src/core/entryStream';
import { BufferSource, FileSource } from '../../src/core/byteSource';
import { readEntry } from '../../src/core/entryReader';
import { Level, LEVEL_NAMES, levelName } from '../../src/core/levels';
import { decodeText, looksBinary, showNuls } from '../../src/core/textEncoding';
import { LogStore, summarize } from '../../src/server/logStore';
import { hover } from '../../src/server/hoverService';
import { entryRanges } from '../../src/server/navigationService';
import { lineText } from '../../src/server/lineText';

interface Expect { lines: number; entries: number; levels: Record<string, number> }
interface Manifest {
	'hole.log': Expect & { hole: number };
	'spring.log': Expect & { strayLine: number; crashLine: number };
	powershell: Expect;
	'mixed.log': Expect;
	elf: boolean;
}

let t: { dir: string; cleanup: () => void };
let m: Manifest;
let cli: string;
const f = (name: string) => join(t.dir, name);

before(() => {
	t = tempDir('loglens-textbytes-');
	const r = spawnSync('python3', [fixture('python', 'text_bytes_fixtures.py'), t.dir], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`text_bytes_fixtures.py failed: ${r.stderr}`);
	m = JSON.parse(r.stdout) as Manifest;
	cli = currentCli(t.dir);
});
after(() => t.cleanup());

function levelsOf(counts: number[]): Record<string, number> {
	const out: Record<string, number> = {};
	LEVEL_NAMES.forEach((n, i) => {
		if (counts[i] > 0) out[n] = counts[i];
	});
	return out;
}

function summaryJson(file: string): Record<string, unknown> {
	const r = spawnSync(process.execPath, [cli, 'summary', file, '--json'], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Entries from the stream fed in `chunk`-byte pieces: line, endLine, level, message. */
function streamed(file: string, chunk: number): string[] {
	const out: string[] = [];
	const s = new EntryStream((e, st) => {
		const d = st.detail(e);
		out.push(`${d.line} ${d.endLine} ${levelName(d.level)} ${d.message}`);
	});
	const buf = readFileSync(file);
	for (let p = 0; p < buf.length; p += chunk) s.append(buf.subarray(p, p + chunk));
	s.finish();
	return out;
}

/** The index of a file (or bytes) fed in `chunk`-byte pieces. */
function indexInPieces(file: string | Buffer, chunk: number): LogIndex {
	const idx = new LogIndex();
	const buf = typeof file === 'string' ? readFileSync(file) : file;
	for (let p = 0; p < buf.length; p += chunk) idx.append(buf.subarray(p, p + chunk));
	idx.finish();
	return idx;
}

test('a copytruncate hole of zeros at the head is part of the first line; every later entry keeps its level', async () => {
	const e = m['hole.log'];
	const path = f('hole.log');
	assert.ok(e.hole >= 1 << 20);
	const bytes = readFileSync(path);
	assert.equal(bytes.subarray(0, e.hole).indexOf(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 32, 50])), -1);
	assert.ok(bytes.subarray(0, e.hole).every((b) => b === 0), 'the fixture starts with a hole of zeros');
	const idx = await indexFile(path);
	assert.equal(idx.binary, false);
	assert.equal(idx.format.format.id, 'python');
	assert.equal(idx.lineCount, e.lines);
	assert.equal(idx.entryCount, e.entries);
	assert.deepEqual(levelsOf(idx.levelCounts()), e.levels);
	// The hole and the first record are line 0; line 1 starts after the first record's newline.
	assert.equal(idx.lineStart(1), bytes.indexOf(10) + 1);
	assert.ok(idx.lineStart(1) > e.hole);
	const src = new FileSource(path);
	try {
		const d = readEntry(idx, src, 0);
		assert.equal(d.level, Level.Debug);
		assert.equal(d.message, 'after rotation 0: job ok');
		assert.equal(readEntry(idx, src, 3).message, 'after rotation 3: job failed');
	} finally {
		src.close();
	}
	const tally = await tallyFile(path);
	assert.deepEqual([tally.lineCount, tally.entryCount, levelsOf(tally.levelCounts())], [e.lines, e.entries, e.levels]);
	// Read in small pieces (the hole crosses many reads; the first header is read after it), and whole.
	for (const chunk of [4096, 65_537, 1 << 22]) {
		const p = indexInPieces(path, chunk);
		assert.deepEqual([p.lineCount, p.entryCount, levelsOf(p.levelCounts())], [e.lines, e.entries, e.levels], `chunks of ${chunk}`);
		assert.equal(p.lineStart(1), idx.lineStart(1));
	}
	const s = streamed(path, 100_003);
	assert.equal(s.length, e.entries);
	assert.equal(s[0], '0 0 debug after rotation 0: job ok');
	const j = summaryJson(path);
	assert.equal(j.binary, undefined);
	assert.deepEqual([j.lines, j.entries, j.bytes, j.format], [e.lines, e.entries, bytes.length, 'python']);
});

test('one stray NUL in a message and a crash\'s run of zeros keep a Spring Boot log a log', async () => {
	const e = m['spring.log'];
	const path = f('spring.log');
	const bytes = readFileSync(path);
	assert.ok(bytes.indexOf(0) < 17 * 1024, 'the stray NUL is in the first 17 KB');
	const idx = await indexFile(path);
	assert.equal(idx.binary, false);
	assert.equal(idx.format.format.id, 'log4j');
	assert.deepEqual([idx.lineCount, idx.entryCount, levelsOf(idx.levelCounts())], [e.lines, e.entries, e.levels]);
	const src = new FileSource(path);
	try {
		const stray = readEntry(idx, src, idx.entryAtLine(e.strayLine - 1));
		assert.equal(stray.line, e.strayLine - 1);
		assert.match(stray.message, /order 30\u2400 handled$/);
		// The crash's zeros start line 301: its header is read after them.
		const crash = readEntry(idx, src, idx.entryAtLine(e.crashLine - 1));
		assert.equal(crash.line, e.crashLine - 1);
		assert.equal(crash.level, Level.Info);
		assert.equal(new Date(crash.time).toISOString(), '2024-05-01T12:05:00.300Z');
	} finally {
		src.close();
	}
	const r = spawnSync(process.execPath, [cli, 'entries', path, '--jsonl'], { encoding: 'utf8' });
	const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; level: string; message: string });
	assert.equal(rows.length, e.entries);
	assert.match(rows[e.strayLine - 1].message, /order 30␀ handled/);
	assert.equal(rows[e.crashLine - 1].level, 'info');
	assert.equal(showNuls('a\0b\0\0\0\0c'), 'a␀b␀×4c');
	// Plain text: a NUL run a line starts with is part of its message.
	const plain = Buffer.from('plain text\n\0\0\0more text\n');
	const pi = LogIndex.fromText(plain);
	assert.equal(readEntry(pi, new BufferSource(plain), 1).message, '␀×3more text');
});

for (const enc of ['le', 'be'] as const) {
	test(`a UTF-16${enc.toUpperCase()} log with a BOM and CRLF (PowerShell 5.1) reads like its UTF-8 twin, offsets in the file`, async () => {
		const e = m.powershell;
		const path = f(`ps-utf16${enc}.log`);
		const raw = readFileSync(path);
		const idx = await indexFile(path);
		const twin = await indexFile(f('utf8.log'));
		assert.equal(idx.binary, false);
		assert.equal(idx.encoding, `utf-16${enc}`);
		assert.deepEqual([idx.lineCount, idx.entryCount, levelsOf(idx.levelCounts())], [e.lines, e.entries, e.levels]);
		assert.equal(idx.format.format.id, twin.format.format.id);
		// Every line's offsets are the file's: its bytes decode to the line VS Code shows.
		const shown = decodeText(raw, idx.encoding).slice(1).split('\r\n');
		assert.equal(shown.pop(), '');
		assert.equal(shown.length, idx.lineCount);
		for (let i = 0; i < idx.lineCount; i++) {
			const s = i === 0 ? 2 : idx.lineStart(i);
			assert.equal(decodeText(raw.subarray(s, idx.lineEnd(i)), idx.encoding), shown[i], `line ${i + 1}`);
			assert.equal(decodeText(raw.subarray(idx.lineEnd(i), idx.lineEnd(i) + 4), idx.encoding), '\r\n');
		}
		const src = new FileSource(path);
		src.encoding = idx.encoding;
		const twinSrc = new FileSource(f('utf8.log'));
		try {
			for (let k = 0; k < idx.entryCount; k++) {
				const a = readEntry(idx, src, k);
				const b = readEntry(twin, twinSrc, k);
				assert.deepEqual([a.line, a.endLine, a.level, a.time, a.logger, a.message, a.text, a.exception], [b.line, b.endLine, b.level, b.time, b.logger, b.message, b.text, b.exception], `entry ${k}`);
			}
			assert.match(readEntry(idx, src, 2).message, /^emoji \u{1F680} launched 2$/u);
			assert.equal(lineText(idx, src, 1), shown[1]);
		} finally {
			src.close();
			twinSrc.close();
		}
		// Odd read sizes cut code units, surrogate pairs and CR LF pairs apart.
		const want = streamed(f('utf8.log'), 1 << 20);
		for (const chunk of [1, 7, 4097]) assert.deepEqual(streamed(path, chunk), want, `stream in chunks of ${chunk}`);
		const pieces = indexInPieces(path, 333);
		for (let i = 0; i < idx.lineCount; i++) assert.equal(pieces.lineStart(i), idx.lineStart(i));
		const tally = await tallyFile(path);
		assert.deepEqual([tally.lineCount, tally.entryCount, levelsOf(tally.levelCounts())], [e.lines, e.entries, e.levels]);
		const j = summaryJson(path);
		assert.deepEqual([j.lines, j.entries, j.bytes, j.encoding, j.binary], [e.lines, e.entries, raw.length, `utf-16${enc}`, undefined]);
		const r = spawnSync(process.execPath, [cli, 'entries', '-', '--jsonl'], { input: raw, encoding: 'utf8' });
		const t8 = spawnSync(process.execPath, [cli, 'entries', f('utf8.log'), '--jsonl'], { encoding: 'utf8' });
		assert.equal(r.stdout, t8.stdout, 'stdin reads the same');
	});
}

test('random bytes and an ELF file are binary with a clear message; empty, invalid UTF-8, CRLF and a 3 MB line are text', async () => {
	assert.ok(m.elf, 'the fixture copied an ELF header');
	for (const name of ['random.bin', 'elf.bin']) {
		const idx = await indexFile(f(name));
		assert.equal(idx.binary, true, name);
		assert.equal(idx.lineCount, 0);
		assert.equal(summaryJson(f(name)).binary, true);
		const r = spawnSync(process.execPath, [cli, 'summary', f(name)], { encoding: 'utf8' });
		assert.match(r.stdout, /^binary {4}yes \(most of the first 64 KB is not text/m);
	}
	const empty = await indexFile(f('empty.log'));
	assert.deepEqual([empty.binary, empty.lineCount, empty.entryCount], [false, 0, 0]);
	const e = m['mixed.log'];
	const path = f('mixed.log');
	const idx = await indexFile(path);
	assert.equal(idx.binary, false);
	assert.deepEqual([idx.lineCount, idx.entryCount, levelsOf(idx.levelCounts())], [e.lines, e.entries, e.levels]);
	const bytes = readFileSync(path);
	assert.equal(idx.lineEnd(2) - idx.lineStart(2), bytes.indexOf(10, idx.lineStart(2)) - idx.lineStart(2));
	assert.ok(idx.lineEnd(2) - idx.lineStart(2) > 3 << 20);
	assert.equal(idx.lineEnd(0), bytes.indexOf(10) - 1, 'CR LF: the line ends before its CR');
	// Shares of the sample that are not text (see looksBinary): one NUL run counts once.
	assert.equal(looksBinary(Buffer.concat([Buffer.alloc(50_000), Buffer.from('2024-05-01 10:00:00,000 INFO app: started\n'.repeat(3))])), false);
	assert.equal(looksBinary(Buffer.alloc(70_000)), false);
	assert.equal(looksBinary(Buffer.from('é'.repeat(100), 'latin1')), true);
	assert.equal(looksBinary(Buffer.from('ab\x01\x02\x03\x04')), true);
});

test('the language server\'s store reads a log with a hole and a UTF-16 log as the editor shows them', async () => {
	const store = new LogStore(() => undefined, () => undefined);
	const cases: [string, Expect, string][] = [
		['hole.log', m['hole.log'], 'after rotation 2: job failed'],
		['ps-utf16le.log', m.powershell, 'emoji 🚀 launched 2'],
		['spring.log', m['spring.log'], 'order 2 handled'],
	];
	for (const [name, e, message] of cases) {
		const uri = pathToFileURL(f(name)).href;
		const doc = await store.open(uri, 'test');
		const s = summarize(doc);
		assert.equal(s.state, 'ready', `${name}: ${s.message ?? ''}`);
		assert.deepEqual([s.lines, s.entries, s.bytes], [e.lines, e.entries, statSync(f(name)).size]);
		for (const [lv, n] of Object.entries(e.levels)) assert.equal(s.levels[lv as keyof typeof s.levels], n, `${name} ${lv}`);
		const h = hover(doc, 2);
		assert.ok(h && typeof h.contents === 'object' && 'value' in h.contents);
		assert.ok(lineText(doc.index, doc.source, 2).endsWith(message), `${name} line 3 reads back`);
		if (name.startsWith('ps-')) {
			const ranges = entryRanges(doc, 'error').ranges;
			assert.ok(ranges.length > 0, 'the tracebacks of the error entries are marked');
			const first = readEntry(doc.index, doc.source, doc.index.entryAtLine(ranges[0][0] - 1));
			assert.equal(first.exception?.type, 'ValueError');
		}
		store.close(uri, 'test');
	}
});

test('a BOM then a NUL run longer than a header read, then the first header, fed a byte at a time (found by the property test)', () => {
	const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.alloc(4067), Buffer.from('2024-01-01 00:00:00,000 DEBUG app: x')]);
	for (const chunk of [1, 4096, bytes.length]) {
		const idx = indexInPieces(bytes, chunk);
		assert.deepEqual([idx.lineCount, idx.entryCount, idx.entryLevel(0)], [1, 1, Level.Debug], `chunks of ${chunk}`);
	}
});

