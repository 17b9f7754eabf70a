// Follow mode, deterministic cases: context lines, partial lines, truncation and rewrite detection,
// rotations missed between two looks, late writes into a rotated file, deletion, and cleanup.
// The rates and real producers are in followProducers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, copyFileSync, existsSync, openSync, readdirSync, readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FileFollower, FollowLines, FollowOptions } from '../../src/core/follow/follow';
import { compareRotationAge, isRotatedName, RotatedSibling } from '../../src/core/follow/followRotation';
import { FollowEntryAssembler } from '../../src/core/follow/followEntries';
import { levelName } from '../../src/core/levels';
import { tempDir, waitFor } from '../testUtil';

interface Log {
	/** Every delivered line (context lines excluded), without its newline. */
	lines: string[];
	context: string[];
	raw: FollowLines[];
	events: string[];
}

function follow(path: string, opts: FollowOptions = {}): { f: FileFollower; log: Log } {
	const f = new FileFollower(path, { coalesceMs: 0, ...opts });
	const log: Log = { lines: [], context: [], raw: [], events: [] };
	f.on('lines', (ev) => {
		log.raw.push(ev);
		const parts = ev.data.toString('utf8').split('\n');
		if (!ev.partial) parts.pop();
		(ev.context ? log.context : log.lines).push(...parts);
	});
	f.on('rotated', (e) => log.events.push(`rotated${e.recovered ? ' (recovered)' : ''}`));
	f.on('recovered', () => log.events.push('recovered'));
	f.on('truncated', (e) => log.events.push(`truncated ${e.reason}`));
	f.on('missing', () => log.events.push('missing'));
	f.on('created', () => log.events.push('created'));
	f.on('error', (e) => log.events.push(`error ${e.message}`));
	return { f, log };
}


function numbered(from: number, to: number, prefix = 'line'): string {
	let s = '';
	for (let i = from; i < to; i++) s += `${prefix} ${i}\n`;
	return s;
}

function range(from: number, to: number, prefix = 'line'): string[] {
	return Array.from({ length: to - from }, (_, i) => `${prefix} ${from + i}`);
}

test('an existing file: the last contextLines lines first, then appends; a trailing partial line is delivered whole', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	writeFileSync(p, numbered(0, 25) + 'half of line 25');
	const { f, log } = follow(p, { contextLines: 10 });
	try {
		await f.start();
		assert.deepEqual(log.context, range(15, 25));
		assert.ok(log.raw.every((r) => r.context && r.offset === numbered(0, 15).length));
		appendFileSync(p, ' completed\n' + numbered(26, 30));
		await f.sync();
		assert.deepEqual(log.lines, ['half of line 25 completed', ...range(26, 30)]);
		assert.ok(log.raw.filter((r) => !r.context).every((r) => !r.partial && !r.continuation));
	} finally {
		await f.close();
		cleanup();
	}
});

test('fromStart reads an existing file from byte 0; contextLines 0 gives no context', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	writeFileSync(p, numbered(0, 5));
	const a = follow(p, { fromStart: true });
	const b = follow(p, { contextLines: 0 });
	try {
		await a.f.start();
		await b.f.start();
		await a.f.sync();
		await b.f.sync();
		assert.deepEqual(a.log.lines, range(0, 5));
		assert.deepEqual(b.log.lines, []);
		assert.deepEqual(b.log.context, []);
		assert.equal(a.log.raw[0].offset, 0);
	} finally {
		await a.f.close();
		await b.f.close();
		cleanup();
	}
});

test('a partial line is held until its newline; partialFlushMs delivers it and flags the rest as continuation', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	writeFileSync(p, '');
	const held = follow(p);
	const flushed = follow(p, { partialFlushMs: 30 });
	try {
		await held.f.start();
		await flushed.f.start();
		appendFileSync(p, 'first half');
		await held.f.sync();
		assert.deepEqual(held.log.raw, []);
		await waitFor(() => flushed.log.raw.length > 0, 5000, 'partial flush');
		assert.equal(flushed.log.raw[0].partial, true);
		assert.equal(flushed.log.raw[0].data.toString(), 'first half');
		appendFileSync(p, ', second half\nnext\n');
		await held.f.sync();
		await flushed.f.sync();
		assert.deepEqual(held.log.lines, ['first half, second half', 'next']);
		assert.equal(flushed.log.raw[1].continuation, true);
		assert.equal(flushed.log.raw[1].data.toString(), ', second half\nnext\n');
	} finally {
		await held.f.close();
		await flushed.f.close();
		cleanup();
	}
});

test('a line longer than maxLineBytes arrives in bounded pieces', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	writeFileSync(p, '');
	const { f, log } = follow(p, { maxLineBytes: 4096, chunkBytes: 4096 });
	try {
		await f.start();
		const long = 'x'.repeat(20000);
		appendFileSync(p, long + '\nshort\n');
		await f.sync();
		// Pieces stay below maxLineBytes + chunkBytes.
		assert.ok(log.raw.every((r) => r.data.length <= 2 * 4096));
		assert.ok(log.raw.length >= 3);
		assert.equal(Buffer.concat(log.raw.map((r) => r.data)).toString(), long + '\nshort\n');
		assert.ok(log.raw[0].partial && log.raw[1].continuation);
	} finally {
		await f.close();
		cleanup();
	}
});

test('truncation: a shrunk file restarts at 0; a file truncated and regrown past the offset is noticed too', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	// Fixed-width lines: after a regrow the bytes just before the old offset look the same.
	const line = (t: string, i: number): string => `${t} seq=${String(i).padStart(5, '0')} payload xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n`;
	const block = (t: string, from: number, to: number): string => Array.from({ length: to - from }, (_, k) => line(t, from + k)).join('');
	writeFileSync(p, '');
	const { f, log } = follow(p, { coalesceMs: 0 });
	try {
		await f.start();
		appendFileSync(p, block('12:00:00.001', 0, 50));
		await f.sync();
		assert.equal(log.lines.length, 50);
		// Shrunk.
		truncateSync(p, 0);
		appendFileSync(p, block('12:00:01.002', 50, 60));
		await f.sync();
		assert.deepEqual(log.events, ['truncated shrunk']);
		assert.equal(log.lines.length, 60);
		assert.equal(log.lines[50], line('12:00:01.002', 50).trimEnd());
		// Truncated and regrown past the offset while the follower was not looking. The bytes just
		// before the old offset are the same as before, so only the first bytes of the file tell.
		f.pause();
		const before = readFileSync(p);
		truncateSync(p, 0);
		appendFileSync(p, block('12:00:02.003', 60, 90));
		const after = readFileSync(p);
		assert.ok(before.subarray(before.length - 32).equals(after.subarray(before.length - 32, before.length)));
		f.resume();
		await f.sync();
		assert.deepEqual(log.events, ['truncated shrunk', 'truncated rewritten']);
		assert.deepEqual(log.lines.slice(60), Array.from({ length: 30 }, (_, k) => line('12:00:02.003', 60 + k).trimEnd()));
	} finally {
		await f.close();
		cleanup();
	}
});

test('several rotations between two looks: every rotated file is read, oldest first, then the new one', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	writeFileSync(p, '');
	const { f, log } = follow(p);
	try {
		await f.start();
		appendFileSync(p, numbered(0, 10));
		await f.sync();
		f.pause();
		// RotatingFileHandler-style: shift .N → .N+1, app.log → .1, new app.log; three times.
		let next = 10;
		for (let r = 0; r < 3; r++) {
			appendFileSync(p, numbered(next, next + 10));
			next += 10;
			for (let i = r; i >= 1; i--) renameSync(`${p}.${i}`, `${p}.${i + 1}`);
			renameSync(p, `${p}.1`);
			writeFileSync(p, '');
		}
		appendFileSync(p, numbered(next, next + 10));
		f.resume();
		await f.sync();
		assert.deepEqual(log.lines, range(0, 50));
		assert.deepEqual(log.events, ['rotated (recovered)', 'rotated (recovered)', 'rotated']);
	} finally {
		await f.close();
		cleanup();
	}
});

test('a writer that has not noticed the rotation yet: its late records are still delivered', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	writeFileSync(p, '');
	const { f, log } = follow(p, { rotationGraceMs: 60000 });
	const w = openSync(p, 'a');
	try {
		await f.start();
		writeSync(w, numbered(0, 5));
		await f.sync();
		renameSync(p, `${p}.moved`);
		writeFileSync(p, numbered(100, 103, 'new'));
		await f.sync();
		writeSync(w, numbered(5, 8));
		await f.sync();
		assert.deepEqual(log.lines, [...range(0, 5), ...range(100, 103, 'new'), ...range(5, 8)]);
	} finally {
		closeSync(w);
		await f.close();
		cleanup();
	}
});

test('delete without re-creation: missing, the old file is let go after the grace period, a new file is read from byte 0', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	writeFileSync(p, '');
	const { f, log } = follow(p, { rotationGraceMs: 50, pollIntervalMs: 20 });
	try {
		await f.start();
		appendFileSync(p, numbered(0, 3));
		await f.sync();
		unlinkSync(p);
		await waitFor(() => log.events.includes('missing'), 5000, 'missing');
		await waitFor(() => f.currentFile === undefined, 5000, 'old file released');
		writeFileSync(p, numbered(3, 6));
		await waitFor(() => log.lines.length === 6, 5000, 'new file read');
		assert.deepEqual(log.lines, range(0, 6));
		assert.deepEqual(log.events, ['missing', 'created']);
	} finally {
		await f.close();
		cleanup();
	}
});

test('a file that does not exist yet is read from its first byte once it appears', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'sub', 'later.log');
	const { f, log } = follow(p, { pollIntervalMs: 20 });
	try {
		await f.start();
		assert.deepEqual(log.events, ['missing']);
		// Even the directory is missing at first: polling finds the file, then the watch is set up.
		const { mkdirSync } = await import('node:fs');
		mkdirSync(join(dir, 'sub'));
		writeFileSync(p, numbered(0, 4));
		await waitFor(() => log.lines.length === 4, 5000, 'lines');
		assert.deepEqual(log.lines, range(0, 4));
		assert.deepEqual(log.events, ['missing', 'created']);
	} finally {
		await f.close();
		cleanup();
	}
});

test('copytruncate copies are not read again when a later rotation scans the siblings', async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	writeFileSync(p, '');
	const { f, log } = follow(p);
	try {
		await f.start();
		appendFileSync(p, numbered(0, 5));
		await f.sync();
		copyFileSync(p, `${p}.1`);
		truncateSync(p, 0);
		appendFileSync(p, numbered(5, 7));
		await f.sync();
		renameSync(p, `${p}.2`);
		writeFileSync(p, numbered(7, 9));
		await f.sync();
		assert.deepEqual(log.lines, range(0, 9));
		assert.deepEqual(log.events, ['truncated shrunk', 'rotated']);
	} finally {
		await f.close();
		cleanup();
	}
});

test('close() releases every descriptor, watcher and timer', { skip: !existsSync('/proc/self/fd') }, async () => {
	const { dir, cleanup } = tempDir();
	const p = join(dir, 'app.log');
	writeFileSync(p, numbered(0, 3));
	const fds = (): number => readdirSync('/proc/self/fd').length;
	const kinds = (): string[] => process.getActiveResourcesInfo().filter((k) => k === 'FSEventWrap' || k === 'Timeout' || k === 'FileHandle').sort();
	const fdsBefore = fds();
	const kindsBefore = kinds();
	const { f, log } = follow(p, { rotationGraceMs: 60000 });
	await f.start();
	renameSync(p, `${p}.1`);
	writeFileSync(p, numbered(3, 5));
	await f.sync();
	assert.deepEqual(log.lines, range(3, 5));
	assert.ok(fds() >= fdsBefore + 2, 'the rotated file and the new one are open');
	await f.close();
	assert.equal(fds(), fdsBefore);
	assert.deepEqual(kinds(), kindsBefore);
	cleanup();
});

test('rotated names: what counts as a rotated copy of app.log', () => {
	for (const n of ['app.log.1', 'app.log.12', 'app.log.2024-05-01_12-00', 'app.log.2024-05-01', 'app.log-20240501', 'app.1.log', 'app-2024-05-01.log', 'app.log_1'])
		assert.ok(isRotatedName('app.log', n), n);
	for (const n of ['app.log', 'app.log.1.gz', 'app.log.bak', 'app.log.lock', 'other.log.1', 'app.logx', 'app.err.log', 'app.log.moved'])
		assert.ok(!isRotatedName('app.log', n), n);
});

test('rotation age: creation time first, then last write, then the number (higher is older)', () => {
	const s = (path: string, birth: bigint, mtime: bigint): RotatedSibling => ({ path, dev: 1, ino: 1, size: 1, mtimeNs: mtime, birthNs: birth });
	assert.ok(compareRotationAge(s('a.log.1', 5n, 9n), s('a.log.2', 6n, 1n)) < 0);
	assert.ok(compareRotationAge(s('a.log.1', 0n, 9n), s('a.log.2', 0n, 10n)) < 0);
	assert.ok(compareRotationAge(s('a.log.3', 0n, 9n), s('a.log.2', 0n, 9n)) < 0);
	assert.ok(compareRotationAge(s('a.log.2024-05-01', 0n, 9n), s('a.log.2024-05-02', 0n, 9n)) < 0);
});

test('entries from followed lines: a traceback stays with its header; lines after closeOpen() arrive as late lines', () => {
	const seen: string[] = [];
	const a = new FollowEntryAssembler({
		onEntryStart: (e) => seen.push(`start ${e.index} ${levelName(e.level)}`),
		onEntryLine: (e, l) => seen.push(`line ${e.index} ${l.toString()}`),
		onEntryClosed: (e) => seen.push(`closed ${e.index} (${e.lines.length} lines)`),
		onLateLine: (e, l) => seen.push(`late ${e.index} ${l.toString()}`),
	}, { sample: ['2024-05-01 12:00:00,000 - app - INFO - hello', '2024-05-01 12:00:00,001 - app - DEBUG - more'] });
	a.push(Buffer.from('  orphan continuation from the middle of the file\n2024-05-01 12:00:01,000 - app - ERROR - boom\r\nTraceback (most recent call last):\n'));
	a.push(Buffer.from('ValueError: x\n2024-05-01 12:00:02,000 - app - INFO - '));
	a.push(Buffer.from('next\n'));
	a.closeOpen();
	a.push(Buffer.from('  a late continuation\n'));
	assert.deepEqual(seen, [
		'start 0 unknown',
		'closed 0 (1 lines)',
		'start 1 error',
		'line 1 Traceback (most recent call last):',
		'line 1 ValueError: x',
		'closed 1 (3 lines)',
		'start 2 info',
		'closed 2 (1 lines)',
		'late 2   a late continuation',
	]);
});
