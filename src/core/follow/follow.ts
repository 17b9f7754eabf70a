// Follow mode: `tail -F` for one path that survives every way Python's logging (and logrotate)
// replaces a log file. Pure Node, no vscode: the language server and the CLI both use it.
//
// How it stays exact: the follower keeps a file descriptor on the file it is reading, so a file
// that is renamed or deleted can still be read to its end. Rotation is noticed by comparing the
// identity (dev + inode) of whatever is at the path now with the open descriptor's identity;
// before the new file is read, the old descriptor is drained, and the old file stays open for a
// grace period in case a writer that has not noticed the rotation yet appends a few more records.
// Truncation (copytruncate) is noticed on the same read that fetches new data: every read starts a
// few bytes before the read position, and those bytes must still be what was read last time.
//
// A file that starts with a UTF-16 byte-order mark (PowerShell 5.1 `>`, `Out-File`, Python's
// encoding='utf-16') is read as static reading reads it (textEncoding.ts): lines end at the code
// unit LF, and the lines are delivered decoded to UTF-8 (`encoding` says so; offsets stay the
// file's byte offsets).
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { TextDecoder } from 'node:util';
import { bomEncoding, TextEncoding } from '../textEncoding';
import { compareRotationAge, listRotatedSiblingsStable, RotatedSibling, reliableBirth } from './followRotation';

/** Which file bytes came from: the path it was opened at, plus its device and inode numbers. */
export interface FileIdentity {
	readonly path: string;
	readonly dev: number;
	readonly ino: number;
}

/** Options for `FileFollower`; every field is optional. */
export interface FollowOptions {
	/** Read an existing file from byte 0 instead of from its end. Default false. */
	fromStart?: boolean;
	/** How many complete lines before the end of an existing file to deliver first (`context: true`). Default 10. */
	contextLines?: number;
	/** Interval of the stat/read fallback that runs even when change events arrive. Default 250 ms. */
	pollIntervalMs?: number;
	/** Never use `fs.watch`; rely on the interval only (network and container file systems). Default false. */
	usePolling?: boolean;
	/**
	 * When set, a line without its newline that has not grown for this long is delivered as it is
	 * (`partial: true`), and the rest arrives later flagged `continuation: true`. Default: never.
	 */
	partialFlushMs?: number;
	/**
	 * How long a rotated-away (or deleted) file stays open after its last growth, so records a slow
	 * writer still appends to it are read. Default 2000 ms.
	 */
	rotationGraceMs?: number;
	/** Size of one read; memory use is bounded by a few of these. Default 256 KiB, at most 1 MiB. */
	chunkBytes?: number;
	/** A line longer than this is delivered in pieces (`partial`, then `continuation`) of less than maxLineBytes + chunkBytes. Default 1 MiB. */
	maxLineBytes?: number;
	/** At most this many bytes are read backwards to find the context lines. Default 1 MiB. */
	maxContextBytes?: number;
	/**
	 * After a read that found data, wait this long before reading again, so a steady stream is read
	 * in batches rather than once per change event (a few syscalls per line). Default 5 ms.
	 */
	coalesceMs?: number;
}

/** A batch of appended bytes: complete lines, each ending in `\n`. */
export interface FollowLines {
	/** The bytes; when `partial` the last line has no newline (it was flushed before completing). */
	data: Buffer;
	file: FileIdentity;
	/** Byte offset of `data[0]` in that file. */
	offset: number;
	/** True for the lines before the end of an existing file, delivered when following starts. */
	context: boolean;
	/** The last line lacks its newline: flushed by `partialFlushMs`, `maxLineBytes`, truncation or closing a rotated file. */
	partial: boolean;
	/** `data` starts in the middle of a line whose beginning was delivered earlier as `partial`. */
	continuation: boolean;
	/** Set for a UTF-16 file (it starts with that byte-order mark): `data` was decoded from it to UTF-8. */
	encoding?: TextEncoding;
}

/** The path now names a different file. */
export interface FollowRotated {
	/** The file that was being read (its bytes up to its end were delivered before this event). */
	from: FileIdentity;
	/** The file read next. */
	to: FileIdentity;
	/** Where `from` lives now, when it was found among the rotated siblings (`app.log.1`). */
	movedTo?: string;
	/**
	 * True when `to` is a rotated sibling that was never at the path while the follower looked:
	 * several rotations happened between two looks, and this file was recovered from disk.
	 */
	recovered: boolean;
}

/** The followed file was truncated or rewritten in place; reading restarted at byte 0. */
export interface FollowTruncated {
	file: FileIdentity;
	/** Where reading was before the truncation. */
	previousOffset: number;
	/** `shrunk`: smaller than the read position; `rewritten`: bytes already read changed (truncated then regrown). */
	reason: 'shrunk' | 'rewritten';
}

/** Event payloads of `FileFollower`. */
export interface FileFollowerEvents {
	lines: [FollowLines];
	rotated: [FollowRotated];
	truncated: [FollowTruncated];
	/** Nothing is at the path (not there yet, or deleted / moved away); the follower waits for it. */
	missing: [{ path: string }];
	/**
	 * A rotated file whose lines were never delivered was found on disk after the rotation was
	 * handled (a rename chain hid it); its lines follow, after lines of newer files.
	 */
	recovered: [{ file: FileIdentity }];
	/** A file appeared at the path after it had been missing; it is read from its first byte. */
	created: [{ file: FileIdentity }];
	/** Every open file has been read to its end (emitted after each burst of reading). */
	caughtUp: [];
	/** I/O errors other than "not there"; following continues and retries. Only emitted when someone listens. */
	error: [Error];
}

/** The bytes before the read position compared on every read to notice a rewrite. */
const TAIL_BYTES = 32;
/** How many read or pre-existing rotated files are remembered (so they are not read again). */
const MAX_KNOWN_FILES = 4096;
/** Consecutive cycles with data after which a steady stream is read on a timer (see adaptWatching). */
const STREAM_AFTER_BUSY_CYCLES = 4;
/** Interval of those timed reads. */
const STREAM_INTERVAL_MS = 10;
/** Delay of the second sibling scan after a rotation. */
const RESCAN_DELAY_MS = 200;
/**
 * The first bytes of the file, compared on every poll: a file truncated and regrown past the read
 * position between two reads, in lines of one fixed width, can end in the same TAIL_BYTES, but its
 * first line (a new timestamp) differs.
 */
const HEAD_BYTES = 64;
const EMPTY = Buffer.alloc(0);
const NL = 0x0a;

/** One open file being read. */
class Tracked {
	pos: number;
	/** Bytes after the last newline read, waiting for the rest of their line. */
	pending: Buffer | null = null;
	pendingOffset = 0;
	/** The next bytes delivered continue a line that was flushed as partial. */
	continuation = false;
	/** The last min(pos, TAIL_BYTES) bytes before `pos`. */
	tail: Buffer = EMPTY;
	/** The file's first min(pos, HEAD_BYTES) bytes. */
	head: Buffer = EMPTY;
	/** Date.now() of the last growth (or of retirement, so the grace period counts from there). */
	lastGrowth: number;
	/** Set when the file no longer is at the path (rotated away, deleted). */
	retired = false;
	/** Creation time when the file system reports one (0n otherwise): tells a reused inode number apart. */
	birthNs = 0n;
	/** The file's encoding, once its first bytes were seen (undefined: not yet). */
	encoding: TextEncoding | undefined;
	/** For a UTF-16 file: decodes its lines to UTF-8 (a code unit cut by a partial flush waits in it). */
	decoder: TextDecoder | undefined;

	setEncoding(head: Buffer): void {
		this.encoding = bomEncoding(head);
		// the mark is kept (as U+FEFF), as static reading keeps it on line 0
		this.decoder = this.encoding === 'utf-8' ? undefined : new TextDecoder(this.encoding, { ignoreBOM: true });
	}

	/** Delivered bytes as UTF-8. */
	text(data: Buffer): Buffer {
		return this.decoder ? Buffer.from(this.decoder.decode(data, { stream: true }), 'utf8') : data;
	}

	/** The encoding delivered lines carry: set for a UTF-16 file only. */
	get wide(): TextEncoding | undefined {
		return this.decoder ? this.encoding : undefined;
	}

	/**
	 * In a UTF-16 file, whether `buf[i]` (at file offset `at + i`) is the last byte of a code unit
	 * LF: LE `0A 00`, BE `00 0A`, the code unit at an even offset.
	 */
	endsWideLf(buf: Buffer, i: number, at: number): boolean {
		if (i < 1 || (at + i) % 2 !== 1) return false;
		return this.encoding === 'utf-16le' ? buf[i - 1] === NL && buf[i] === 0 : buf[i - 1] === 0 && buf[i] === NL;
	}

	/** After the last newline in `buf` (whose first byte is at file offset `at`), -1 when none: the code unit LF in UTF-16. */
	lineEnd(buf: Buffer, at: number): number {
		if (this.decoder === undefined) return buf.lastIndexOf(NL) + 1 || -1;
		for (let i = buf.length - 1; i > 0; i--) if (this.endsWideLf(buf, i, at)) return i + 1;
		return -1;
	}

	constructor(readonly fh: fsp.FileHandle, readonly id: FileIdentity, pos: number) {
		this.pos = pos;
		this.lastGrowth = Date.now();
	}
}

/**
 * Follows one path like `tail -F`: every line appended to whatever file is at the path is delivered
 * once, in order, across rotation (rename + create), deletion and re-creation, copytruncate, and a
 * file that does not exist yet. Call `start()` after attaching listeners and `close()` when done.
 *
 * Ordering: lines of one file arrive in file order, and a rotated file is read to its end before
 * the next file is read. Records a writer appends to a rotated file after that (a writer that has
 * not noticed the rotation yet) are still delivered, but after lines of the new file.
 */
export class FileFollower extends EventEmitter<FileFollowerEvents> {
	readonly path: string;
	private readonly dir: string;
	private readonly stem: string;
	private readonly opts: Required<Omit<FollowOptions, 'partialFlushMs'>> & { partialFlushMs?: number };
	private readonly buf: Buffer;
	private current: Tracked | undefined;
	private readonly retired: Tracked[] = [];
	/** dev:ino → files read and closed, so a sibling scan does not read them again. */
	private readonly known = new Map<string, KnownFile>();
	/** Siblings last modified at or before this (ns) are never read: raised only when `known` forgets entries. */
	private floorNs = 0n;
	/** Date.now() after which the sibling scan runs once more (0: none due). */
	private rescanAt = 0;
	private watcher: fs.FSWatcher | undefined;
	private pollTimer: NodeJS.Timeout | undefined;
	private partialTimer: NodeJS.Timeout | undefined;
	private running: Promise<void> | undefined;
	private dirty = false;
	/** Look at what is at the path on the next cycle (set by rename events and poll ticks). */
	private checkPath = true;
	private missingReported = false;
	private paused = false;
	private closed = false;
	/** The start() in progress or done; close() waits for it so nothing it opens leaks. */
	private starting: Promise<void> | undefined;
	private lastErrorCode: string | undefined;
	/** The partial-line timer fired: the next cycle flushes the current file's unterminated line if it is still idle. */
	private partialDue = false;
	/** Reading on a timer with the watch closed, while data keeps coming (see adaptWatching). */
	private streaming = false;
	/** Consecutive cycles that delivered bytes. */
	private busyCycles = 0;
	/** Start time of the last cycle that delivered bytes, and whether the running cycle did. */
	private lastBusyCycle = 0;
	private delivered = false;
	/** Callers of sync() waiting for the next cycle to start and finish. */
	private syncWaiters: (() => void)[] = [];

	constructor(filePath: string, options: FollowOptions = {}) {
		super();
		this.path = path.resolve(filePath);
		this.dir = path.dirname(this.path);
		const base = path.basename(this.path);
		const ext = path.extname(base);
		this.stem = ext ? base.slice(0, -ext.length) : base;
		this.opts = {
			fromStart: options.fromStart ?? false,
			contextLines: Math.max(0, options.contextLines ?? 10),
			pollIntervalMs: Math.max(10, options.pollIntervalMs ?? 250),
			usePolling: options.usePolling ?? false,
			partialFlushMs: options.partialFlushMs,
			rotationGraceMs: Math.max(0, options.rotationGraceMs ?? 2000),
			chunkBytes: Math.min(1 << 20, Math.max(4096, options.chunkBytes ?? 256 * 1024)),
			maxLineBytes: Math.max(1024, options.maxLineBytes ?? 1 << 20),
			maxContextBytes: Math.max(4096, options.maxContextBytes ?? 1 << 20),
			coalesceMs: Math.max(0, options.coalesceMs ?? 5),
		};
		this.buf = Buffer.allocUnsafe(this.opts.chunkBytes);
	}

	/** The file currently read at the path, if any. */
	get currentFile(): FileIdentity | undefined {
		return this.current?.id;
	}

	/**
	 * Opens the file (delivering the context lines, or nothing yet with `fromStart`), starts watching
	 * and polling. Resolves once the initial read position is set; a missing file is not an error.
	 */
	start(): Promise<void> {
		this.starting ??= this.doStart();
		return this.starting;
	}

	private async doStart(): Promise<void> {
		if (this.closed) return;
		this.setupWatch();
		this.pollTimer = setInterval(() => this.onPollTick(), this.opts.pollIntervalMs);
		let fh: fsp.FileHandle | undefined;
		try {
			fh = await fsp.open(this.path, 'r');
			const st = await fh.stat({ bigint: true });
			if (!st.isFile()) throw Object.assign(new Error(`${this.path} is not a regular file`), { code: 'ENOTFILE' });
			const t = new Tracked(fh, identity(this.path, st), 0);
			t.birthNs = reliableBirth(st);
			this.current = t;
			if (!this.opts.fromStart) await this.startAtEnd(t, Number(st.size));
		} catch (e) {
			this.current = undefined;
			if (fh) await fh.close().catch(() => undefined);
			if (isMissing(e)) this.reportMissing();
			else this.reportError(e);
		}
		// Rotated siblings already on disk are history: a later scan for missed rotations skips them.
		await this.rememberSiblings();
		if (this.closed) return;
		this.checkPath = false;
		this.wake();
	}

	/** Looks at the path and every open file now, as a poll tick would (after an out-of-band hint). */
	poke(): void {
		this.checkPath = true;
		this.wake();
	}

	/**
	 * Resolves after a full look at the path and every open file that began after this call (every
	 * byte on disk now has been delivered), or when the follower closes.
	 */
	sync(): Promise<void> {
		if (this.closed) return Promise.resolve();
		return new Promise((resolve) => {
			this.syncWaiters.push(resolve);
			this.poke();
		});
	}

	/** Stops reading (for back-pressure) until `resume()`; nothing is lost, bytes wait in the file. */
	pause(): void {
		this.paused = true;
	}

	resume(): void {
		if (!this.paused) return;
		this.paused = false;
		this.wake();
	}

	/** Releases every descriptor, watcher and timer. Events stop; pending partial lines are dropped. */
	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		if (this.pollTimer) clearInterval(this.pollTimer);
		if (this.partialTimer) clearTimeout(this.partialTimer);
		this.watcher?.close();
		this.watcher = undefined;
		if (this.starting) await this.starting.catch(() => undefined);
		if (this.running) await this.running;
		for (const w of this.syncWaiters.splice(0)) w();
		const all = [...this.retired];
		if (this.current) all.push(this.current);
		this.retired.length = 0;
		this.current = undefined;
		await Promise.all(all.map((t) => t.fh.close().catch(() => undefined)));
	}

	private setupWatch(): void {
		if (this.opts.usePolling || this.watcher || this.closed) return;
		try {
			// A directory watch sees the path being created, renamed and deleted, and (inotify,
			// FSEvents, ReadDirectoryChangesW) writes to the files in it: one watch covers both.
			const w = fs.watch(this.dir, (type, name) => this.onWatch(type, name));
			w.on('error', () => {
				w.close();
				if (this.watcher === w) this.watcher = undefined;
			});
			this.watcher = w;
		} catch {
			// The directory is missing or not watchable; polling covers it and retries the watch.
		}
	}

	private onWatch(type: string, name: string | Buffer | null): void {
		const n = name == null ? null : name.toString();
		// Unrelated files in a busy directory (/var/log) must not wake us; rotated names start with the stem.
		if (n !== null && !n.startsWith(this.stem)) return;
		if (type === 'rename' || n === null) this.checkPath = true;
		this.wake();
	}

	/**
	 * A steady stream makes fs.watch deliver an event per write (10,000/s cost more CPU than the
	 * reading). While every cycle finds data, the watch is closed and the file is read on a short
	 * timer instead, looking at the path each time; the first quiet cycle brings the watch back.
	 */
	private adaptWatching(): void {
		if (this.opts.usePolling || this.closed) return;
		if (!this.streaming && this.busyCycles >= STREAM_AFTER_BUSY_CYCLES && this.watcher) {
			this.streaming = true;
			this.watcher.close();
			this.watcher = undefined;
		}
		if (!this.streaming) return;
		if (this.busyCycles > 0) {
			this.dirty = true;
			this.checkPath = true;
			return;
		}
		this.streaming = false;
		this.setupWatch();
		// Bytes written between the last read and the new watch raised no event: look once more.
		this.dirty = true;
	}

	private onPollTick(): void {
		if (!this.watcher && !this.streaming) this.setupWatch();
		this.checkPath = true;
		this.wake();
	}

	/** Coalesces wake-ups: one pump runs at a time and loops while more were requested. */
	private wake(): void {
		if (this.closed) return;
		this.dirty = true;
		if (this.running || this.paused) return;
		this.running = this.pump();
	}

	private async pump(): Promise<void> {
		// Let the burst of watch events that woke us land first.
		await new Promise<void>((resolve) => setImmediate(resolve));
		try {
			while (this.dirty && !this.closed && !this.paused) {
				const wait = this.lastBusyCycle + (this.streaming ? Math.max(this.opts.coalesceMs, STREAM_INTERVAL_MS) : this.opts.coalesceMs) - Date.now();
				if (wait > 0) {
					await new Promise<void>((resolve) => setTimeout(resolve, wait));
					if (this.closed || this.paused) break;
				}
				this.dirty = false;
				const waiters = this.syncWaiters.splice(0);
				const started = Date.now();
				this.delivered = false;
				try {
					await this.cycle();
				} catch (e) {
					this.reportError(e);
				}
				if (this.delivered) this.lastBusyCycle = started;
				this.busyCycles = this.delivered ? this.busyCycles + 1 : 0;
				this.adaptWatching();
				for (const w of waiters) w();
			}
			if (!this.closed && !this.dirty) this.emit('caughtUp');
		} finally {
			this.running = undefined;
		}
		if (!this.closed && this.dirty && !this.paused) this.wake();
		this.schedulePartialFlush();
	}

	private async cycle(): Promise<void> {
		// Files rotated away first: their records are older than anything new at the path.
		for (const r of [...this.retired]) {
			await this.readPlain(r);
			if (this.closed) return;
			if (Date.now() - r.lastGrowth >= this.opts.rotationGraceMs) await this.closeRetired(r);
		}
		const cur = this.current;
		if (cur) {
			if (this.checkPath) await this.checkHead(cur);
			await this.readCurrent(cur);
			if (this.closed) return;
			if (cur.retired && Date.now() - cur.lastGrowth >= this.opts.rotationGraceMs) {
				// Deleted or moved away and nothing replaced it: keep waiting for the path, let the file go.
				this.current = undefined;
				await this.closeFile(cur);
			}
		}
		if (this.paused || this.closed) return;
		if (this.checkPath || !this.current) {
			this.checkPath = false;
			await this.checkIdentity();
		}
		if (this.rescanAt !== 0 && Date.now() >= this.rescanAt) {
			this.rescanAt = 0;
			await this.rescan();
		}
		if (this.partialDue) {
			this.partialDue = false;
			const c = this.current;
			if (c?.pending && this.opts.partialFlushMs !== undefined && Date.now() - c.lastGrowth >= this.opts.partialFlushMs) this.flushPartial(c);
		}
	}

	/** What is at the path now: the same file, nothing, or a new file to switch to. */
	private async checkIdentity(): Promise<void> {
		let st: fs.BigIntStats;
		try {
			st = await fsp.stat(this.path, { bigint: true });
		} catch (e) {
			if (!isMissing(e)) this.reportError(e);
			this.onPathGone();
			return;
		}
		if (!st.isFile()) {
			this.onPathGone();
			return;
		}
		const cur = this.current;
		if (cur && sameFile(cur.id, st)) {
			if (cur.retired) {
				// Moved away and back (or a stat raced a rename): it is the live file again.
				cur.retired = false;
			}
			this.missingReported = false;
			return;
		}
		await this.switchToPath();
	}

	private onPathGone(): void {
		this.reportMissing();
		const cur = this.current;
		if (cur && !cur.retired) {
			cur.retired = true;
			cur.lastGrowth = Date.now();
		}
	}

	/** A different file is at the path: finish the old one (and any missed in between), then read the new one from byte 0. */
	private async switchToPath(): Promise<void> {
		let fh: fsp.FileHandle;
		let st: fs.BigIntStats;
		try {
			fh = await fsp.open(this.path, 'r');
		} catch (e) {
			if (!isMissing(e)) this.reportError(e);
			this.onPathGone();
			return;
		}
		try {
			st = await fh.stat({ bigint: true });
		} catch (e) {
			await fh.close().catch(() => undefined);
			throw e;
		}
		if (this.closed) {
			await fh.close();
			return;
		}
		// Identity from the descriptor, not from the earlier stat: the path may have moved on again.
		const id = identity(this.path, st);
		const old = this.current;
		if (old && old.id.dev === id.dev && old.id.ino === id.ino) {
			await fh.close();
			old.retired = false;
			return;
		}
		const wasMissing = this.missingReported;
		this.missingReported = false;
		this.lastErrorCode = undefined;
		this.current = undefined;
		if (old) {
			// Whatever the old file holds now was written before the new file appeared: deliver it first.
			await this.readCurrent(old);
			old.retired = true;
			old.lastGrowth = Date.now();
			this.retired.push(old);
			let from = old.id;
			const { missed, movedTo, settled } = await this.findMissed({ id, st }, old.id);
			let first = true;
			for (const t of missed) {
				if (this.closed) {
					await t.fh.close().catch(() => undefined);
					continue;
				}
				this.emit('rotated', { from, to: t.id, movedTo: first ? movedTo : undefined, recovered: true });
				first = false;
				await this.readPlain(t);
				this.retired.push(t);
				from = t.id;
			}
			if (this.closed) {
				await fh.close();
				return;
			}
			this.emit('rotated', { from, to: id, movedTo: first ? movedTo : undefined, recovered: false });
			// Files were being renamed during the scan (a rename chain can hide one): look once more shortly.
			if (!settled) this.rescanAt = Date.now() + RESCAN_DELAY_MS;
		}
		if (wasMissing || !old) this.emit('created', { file: id });
		const t = new Tracked(fh, id, 0);
		t.birthNs = reliableBirth(st);
		this.current = t;
		await this.readCurrent(t);
	}

	/** Opens a sibling if `p` still names that inode (a rename chain may have moved it on). */
	private async openSibling(p: string, s: RotatedSibling, startPos: number): Promise<Tracked | undefined> {
		let fh: fsp.FileHandle | undefined;
		try {
			fh = await fsp.open(p, 'r');
			const st = await fh.stat({ bigint: true });
			if (Number(st.dev) !== s.dev || Number(st.ino) !== s.ino) {
				await fh.close();
				return undefined;
			}
			const t = new Tracked(fh, { path: p, dev: s.dev, ino: s.ino }, startPos);
			t.retired = true;
			t.birthNs = reliableBirth(st);
			if (startPos > 0) await this.readEncoding(t);
			return t;
		} catch {
			if (fh) await fh.close().catch(() => undefined);
			return undefined;
		}
	}

	/**
	 * Rotated siblings that hold lines never delivered, opened, oldest first: modified after
	 * following began, not open, and not read to their end before (or grown since). A sibling that
	 * moved between the listing and the open (the next rotation's rename chain) is looked up again.
	 */
	private async findMissed(next: { id: FileIdentity; st: fs.BigIntStats } | undefined, locate: FileIdentity | undefined): Promise<{ missed: Tracked[]; movedTo?: string; settled: boolean }> {
		const exclude = next?.id;
		// Only files older than the one read next: a file rotated after it has lines that come after its lines.
		const bound = next && { mtimeNs: next.st.mtimeNs, birthNs: reliableBirth(next.st) };
		const isOpen = (s: RotatedSibling): boolean => {
			const same = (id: FileIdentity | undefined): boolean => !!id && id.dev === s.dev && id.ino === s.ino;
			return same(exclude) || same(this.current?.id) || this.retired.some((t) => same(t.id));
		};
		const first = await listRotatedSiblingsStable(this.path);
		let listing = first.siblings;
		let settled = first.settled;
		const movedTo = locate ? listing.find((s) => s.dev === locate.dev && s.ino === locate.ino)?.path : undefined;
		const wanted = new Map<string, { sibling: RotatedSibling; startPos: number }>();
		for (const s of listing) {
			if (s.size === 0 || s.mtimeNs <= this.floorNs || isOpen(s)) continue;
			if (bound && isNewer(s, bound)) continue;
			const key = `${s.dev}:${s.ino}`;
			const k = this.known.get(key);
			if (k && (k.birthNs === 0n || s.birthNs === 0n || k.birthNs === s.birthNs)) {
				// Read before (an inode number is only reused by a file born later): only what was appended since.
				if (s.size > k.pos) wanted.set(key, { sibling: s, startPos: k.pos });
				continue;
			}
			wanted.set(key, { sibling: s, startPos: 0 });
		}
		const opened: { t: Tracked; sibling: RotatedSibling }[] = [];
		for (let attempt = 0; attempt < 4 && wanted.size > 0; attempt++) {
			if (attempt > 0) {
				listing = (await listRotatedSiblingsStable(this.path)).siblings;
				settled = false;
			}
			const pathOf = new Map(listing.map((s) => [`${s.dev}:${s.ino}`, s.path]));
			for (const [key, w] of [...wanted]) {
				const p = pathOf.get(key);
				if (p === undefined) {
					// Gone (deleted by backupCount) before it could be opened: nothing left to read.
					wanted.delete(key);
					continue;
				}
				const t = await this.openSibling(p, w.sibling, w.startPos);
				if (t) {
					opened.push({ t, sibling: w.sibling });
					wanted.delete(key);
				}
			}
		}
		opened.sort((a, b) => compareRotationAge(a.sibling, b.sibling));
		return { missed: opened.map((o) => o.t), movedTo, settled };
	}

	/** The delayed second look after a rotation: files found now are delivered late, after newer lines. */
	private async rescan(): Promise<void> {
		const cur = this.current;
		let next: { id: FileIdentity; st: fs.BigIntStats } | undefined;
		if (cur) {
			try {
				next = { id: cur.id, st: await cur.fh.stat({ bigint: true }) };
			} catch {
				return;
			}
		}
		const { missed } = await this.findMissed(next, undefined);
		for (const t of missed) {
			if (this.closed) {
				await t.fh.close().catch(() => undefined);
				continue;
			}
			this.emit('recovered', { file: t.id });
			await this.readPlain(t);
			this.retired.push(t);
		}
	}

	/**
	 * Reads the file at the path to its end. Each read starts TAIL_BYTES before the position, so a
	 * short read means the file shrank and different bytes mean it was rewritten.
	 */
	private async readCurrent(t: Tracked): Promise<void> {
		for (;;) {
			const tailLen = t.tail.length;
			const { bytesRead } = await t.fh.read(this.buf, 0, this.buf.length, t.pos - tailLen);
			if (this.closed) return;
			if (bytesRead < tailLen) {
				await this.restartAtZero(t, 'shrunk');
				continue;
			}
			if (tailLen > 0 && this.buf.compare(t.tail, 0, tailLen, 0, tailLen) !== 0) {
				await this.restartAtZero(t, 'rewritten');
				continue;
			}
			if (bytesRead > tailLen) this.deliver(t, this.buf.subarray(tailLen, bytesRead));
			if (bytesRead < this.buf.length) return;
			if (this.paused) {
				// Back-pressure: the rest waits in the file; resume() wakes us again.
				this.dirty = true;
				return;
			}
		}
	}

	/** On polls and renames: the file's first bytes must be what was read there, else it was rewritten. */
	private async checkHead(t: Tracked): Promise<void> {
		const len = t.head.length;
		if (len === 0) return;
		const probe = Buffer.allocUnsafe(len);
		const { bytesRead } = await t.fh.read(probe, 0, len, 0);
		if (this.closed) return;
		if (bytesRead < len) await this.restartAtZero(t, 'shrunk');
		else if (!probe.equals(t.head)) await this.restartAtZero(t, 'rewritten');
	}

	/** Reads a rotated-away file to its end (no rewrite check: nobody truncates a rotated file in place). */
	private async readPlain(t: Tracked): Promise<void> {
		for (;;) {
			let bytesRead: number;
			try {
				({ bytesRead } = await t.fh.read(this.buf, 0, this.buf.length, t.pos));
			} catch (e) {
				this.reportError(e);
				return;
			}
			if (this.closed) return;
			if (bytesRead > 0) this.deliver(t, this.buf.subarray(0, bytesRead));
			if (bytesRead < this.buf.length) return;
		}
	}

	private async restartAtZero(t: Tracked, reason: 'shrunk' | 'rewritten'): Promise<void> {
		this.flushPartial(t);
		const previousOffset = t.pos;
		// copytruncate leaves a copy (app.log.1) of bytes already delivered: a later scan for missed rotations must skip it.
		await this.rememberSiblings();
		t.pos = 0;
		t.tail = EMPTY;
		t.head = EMPTY;
		t.pending = null;
		t.continuation = false;
		t.encoding = undefined;
		t.decoder = undefined;
		this.emit('truncated', { file: t.id, previousOffset, reason });
	}

	/** Takes freshly read bytes (a view into the shared read buffer) and emits the complete lines. */
	private deliver(t: Tracked, chunk: Buffer): void {
		const chunkOffset = t.pos;
		t.pos += chunk.length;
		t.lastGrowth = Date.now();
		this.delivered = true;
		if (chunkOffset === t.head.length && chunkOffset < HEAD_BYTES) {
			t.head = Buffer.concat([t.head, chunk.subarray(0, HEAD_BYTES - chunkOffset)]);
		}
		if (chunk.length >= TAIL_BYTES) t.tail = Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES));
		else {
			const joined = Buffer.concat([t.tail, chunk]);
			t.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - TAIL_BYTES)));
		}
		if (chunkOffset === 0 && t.encoding === undefined) t.setEncoding(chunk);
		if (t.decoder !== undefined) {
			this.deliverWide(t, chunk, chunkOffset);
			return;
		}
		const nl = chunk.lastIndexOf(NL);
		if (nl < 0) {
			if (t.pending) t.pending = Buffer.concat([t.pending, chunk]);
			else {
				t.pending = Buffer.from(chunk);
				t.pendingOffset = chunkOffset;
			}
			if (t.pending.length >= this.opts.maxLineBytes) this.flushPartial(t);
			return;
		}
		const head = chunk.subarray(0, nl + 1);
		const data = t.pending ? Buffer.concat([t.pending, head]) : Buffer.from(head);
		const offset = t.pending ? t.pendingOffset : chunkOffset;
		if (nl + 1 < chunk.length) {
			t.pending = Buffer.from(chunk.subarray(nl + 1));
			t.pendingOffset = chunkOffset + nl + 1;
		} else t.pending = null;
		const continuation = t.continuation;
		t.continuation = false;
		this.emit('lines', { data, file: t.id, offset, context: false, partial: false, continuation });
	}

	/** `deliver` for a UTF-16 file: lines end at the code unit LF and are delivered as UTF-8. */
	private deliverWide(t: Tracked, chunk: Buffer, chunkOffset: number): void {
		const all = t.pending ? Buffer.concat([t.pending, chunk]) : chunk;
		const at = t.pending ? t.pendingOffset : chunkOffset;
		const end = t.lineEnd(all, at);
		if (end < 0) {
			t.pending = Buffer.from(all);
			t.pendingOffset = at;
			if (t.pending.length >= this.opts.maxLineBytes) this.flushPartial(t);
			return;
		}
		if (end < all.length) {
			t.pending = Buffer.from(all.subarray(end));
			t.pendingOffset = at + end;
		} else t.pending = null;
		const continuation = t.continuation;
		t.continuation = false;
		this.emit('lines', { data: t.text(all.subarray(0, end)), file: t.id, offset: at, context: false, partial: false, continuation, encoding: t.wide });
	}

	private flushPartial(t: Tracked): void {
		if (!t.pending) return;
		const data = t.text(t.pending);
		const continuation = t.continuation;
		t.pending = null;
		t.continuation = true;
		this.emit('lines', { data, file: t.id, offset: t.pendingOffset, context: false, partial: true, continuation, encoding: t.wide });
	}

	private schedulePartialFlush(): void {
		const ms = this.opts.partialFlushMs;
		const c = this.current;
		if (ms === undefined || this.closed || this.partialTimer || !c?.pending) return;
		const wait = Math.max(0, c.lastGrowth + ms - Date.now());
		this.partialTimer = setTimeout(() => {
			this.partialTimer = undefined;
			this.partialDue = true;
			this.wake();
		}, wait);
	}

	private async closeRetired(r: Tracked): Promise<void> {
		const i = this.retired.indexOf(r);
		if (i >= 0) this.retired.splice(i, 1);
		await this.closeFile(r);
	}

	/** Flushes a file's unterminated last line (nobody will complete it now) and closes it. */
	private async closeFile(t: Tracked): Promise<void> {
		this.flushPartial(t);
		let mtimeNs = 0n;
		try {
			const st = await t.fh.stat({ bigint: true });
			// Asked again: right after creation the birth time can still equal the change time.
			t.birthNs = reliableBirth(st);
			mtimeNs = st.mtimeNs;
		} catch {
			// Keep what is known.
		}
		this.remember(`${t.id.dev}:${t.id.ino}`, { birthNs: t.birthNs, pos: t.pos, mtimeNs });
		await t.fh.close().catch(() => undefined);
	}

	private remember(key: string, k: KnownFile): void {
		this.known.delete(key);
		this.known.set(key, k);
		if (this.known.size > MAX_KNOWN_FILES) {
			// Forget the oldest entry, and with it every sibling not newer than it.
			const oldest = this.known.keys().next().value as string;
			const floor = this.known.get(oldest)!.mtimeNs;
			this.known.delete(oldest);
			if (floor > this.floorNs) this.floorNs = floor;
		}
	}

	/** Marks every rotated sibling on disk now (that is not open) as read up to its current size. */
	private async rememberSiblings(): Promise<void> {
		const open = (s: RotatedSibling): boolean => (this.current !== undefined && sameId(this.current.id, s)) || this.retired.some((t) => sameId(t.id, s));
		for (const s of (await listRotatedSiblingsStable(this.path)).siblings) {
			const key = `${s.dev}:${s.ino}`;
			if (!open(s) && !this.known.has(key)) this.remember(key, { birthNs: s.birthNs, pos: s.size, mtimeNs: s.mtimeNs });
		}
	}

	/**
	 * Positions a file that existed when following started at its end, delivering the last
	 * `contextLines` complete lines first. A trailing unterminated line is left to be read normally,
	 * so it is delivered whole once its newline arrives.
	 */
	private async startAtEnd(t: Tracked, size: number): Promise<void> {
		await this.readEncoding(t);
		const want = this.opts.contextLines + 1;
		const newlines: number[] = [];
		let scanned = 0;
		let at = size;
		while (at > 0 && newlines.length < want && scanned < this.opts.maxContextBytes) {
			const len = Math.min(this.buf.length, at, this.opts.maxContextBytes - scanned);
			const from = at - len;
			const { bytesRead } = await t.fh.read(this.buf, 0, len, from);
			// UTF-16: the last byte of each code unit LF (one cut by the start of the read is left out)
			for (let i = bytesRead - 1; i >= 0 && newlines.length < want; i--) if (t.decoder === undefined ? this.buf[i] === NL : t.endsWideLf(this.buf, i, from)) newlines.push(from + i);
			scanned += len;
			at = from;
		}
		if (newlines.length === 0) {
			// No complete line yet: read the whole first line once it ends. Past the reach of the
			// scan, start at the end, in the middle of a huge line.
			t.pos = at === 0 ? 0 : size;
			t.continuation = t.pos > 0;
			await this.loadTail(t);
			return;
		}
		const end = newlines[0] + 1;
		let start: number;
		if (newlines.length >= want) start = newlines[want - 1] + 1;
		else if (at === 0) start = 0;
		else start = newlines[newlines.length - 1] + 1;
		if (this.opts.contextLines > 0 && end > start) {
			const data = Buffer.allocUnsafe(end - start);
			let got = 0;
			while (got < data.length) {
				const { bytesRead } = await t.fh.read(data, got, data.length - got, start + got);
				if (bytesRead === 0) break;
				got += bytesRead;
			}
			if (got === data.length) this.emit('lines', { data: t.text(data), file: t.id, offset: start, context: true, partial: false, continuation: false, encoding: t.wide });
		}
		t.pos = end;
		await this.loadTail(t);
	}

	/** Reads a file's encoding from its first bytes (a file read from the middle). */
	private async readEncoding(t: Tracked): Promise<void> {
		const head = Buffer.alloc(4);
		const { bytesRead } = await t.fh.read(head, 0, 4, 0);
		if (bytesRead > 0) t.setEncoding(head.subarray(0, bytesRead));
	}

	private async loadTail(t: Tracked): Promise<void> {
		const headLen = Math.min(t.pos, HEAD_BYTES);
		const head = Buffer.alloc(headLen);
		const got = await t.fh.read(head, 0, headLen, 0);
		t.head = head.subarray(0, got.bytesRead);
		const len = Math.min(t.pos, TAIL_BYTES);
		const tail = Buffer.alloc(len);
		const { bytesRead } = await t.fh.read(tail, 0, len, t.pos - len);
		t.tail = tail.subarray(0, bytesRead);
		if (bytesRead < len) t.pos = t.pos - len + bytesRead;
	}

	private reportMissing(): void {
		if (this.missingReported) return;
		this.missingReported = true;
		this.emit('missing', { path: this.path });
	}

	private reportError(e: unknown): void {
		const err = e instanceof Error ? e : new Error(String(e));
		const code = (err as NodeJS.ErrnoException).code ?? err.message;
		// The same failure repeats on every poll; say it once until something else happens.
		if (code === this.lastErrorCode) return;
		this.lastErrorCode = code;
		if (this.listenerCount('error') > 0) this.emit('error', err);
	}
}

/** A file read before (or on disk before following began), by dev:ino. */
interface KnownFile {
	/** See `reliableBirth`; tells a reused inode number apart. */
	birthNs: bigint;
	/** Bytes already delivered (or skipped as history). */
	pos: number;
	mtimeNs: bigint;
}

/**
 * True when a rotated sibling was certainly created (or last written) after `than`. On a tie of the
 * coarse time stamps it is taken as older: the file read next is the newest one there is.
 */
function isNewer(s: RotatedSibling, than: { mtimeNs: bigint; birthNs: bigint }): boolean {
	if (s.birthNs !== 0n && than.birthNs !== 0n && s.birthNs !== than.birthNs) return s.birthNs > than.birthNs;
	return s.mtimeNs > than.mtimeNs;
}

function sameId(a: FileIdentity, b: { dev: number; ino: number }): boolean {
	return a.dev === b.dev && a.ino === b.ino;
}

function identity(p: string, st: fs.BigIntStats): FileIdentity {
	return { path: p, dev: Number(st.dev), ino: Number(st.ino) };
}

function sameFile(id: FileIdentity, st: fs.BigIntStats): boolean {
	return id.dev === Number(st.dev) && id.ino === Number(st.ino);
}

function isMissing(e: unknown): boolean {
	const code = (e as NodeJS.ErrnoException | undefined)?.code;
	return code === 'ENOENT' || code === 'ENOTDIR';
}
