// Where exported documents come from: a file (from any acknowledged offset), text in memory (an
// editor buffer, stdin), or a followed file (continuously, across rotation). Each yields ECS
// documents whose ids derive from the file's identity and the entry's offset.
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { documentId, fileKey, toEcs } from './ecs';
import { CompiledFilter } from '../filter/filter';
import { FileFollower, FileIdentity } from '../follow/follow';
import { listRotatedSiblings } from '../follow/followRotation';
import { LogFormat, ParseContext } from '../format';
import { SAMPLE_BYTES } from '../index/lineScanner';
import { ExportItem, FileRef, ResumePoint } from './bulkExport';
import { AssembledEntry, EntryAssembler, detectFormatFromHead } from './entryAssembler';
import { bomEncoding } from '../textEncoding';

/**
 * Export reads a log's bytes as UTF-8 (document ids and resume points are its byte offsets): a
 * UTF-16 log is refused with what to do, rather than exported as garbage.
 */
function refuseUtf16(path: string, head: Buffer): void {
	const enc = bomEncoding(head);
	if (enc !== 'utf-8') throw new Error(`${path} is ${enc.toUpperCase()} (it starts with that byte-order mark); export reads UTF-8 logs: convert it first, e.g. iconv -f UTF-16 -t UTF-8 ${path} > ${path}.utf8`);
}

/** Options shared by every source. */
export interface SourceOptions {
	/** A format to use instead of detecting one (object or registry id). */
	format?: LogFormat | string;
	ctx?: ParseContext;
	/** Only entries passing this filter (every one of these filters) are exported. */
	filter?: CompiledFilter | readonly CompiledFilter[];
	/** `host.name` (default: this machine's name). */
	hostName?: string;
	/** Entries larger than this keep only their first bytes in `event.original` (default 1 MiB). */
	maxEntryBytes?: number;
	signal?: AbortSignal;
}

/** Turns assembled entries into export items, carrying the time forward to entries without one. */
class ItemMaker {
	private lastTime = NaN;
	private readonly hostName: string;
	constructor(private readonly file: FileRef, private readonly opts: SourceOptions, private readonly filePath: string | undefined) {
		this.hostName = opts.hostName ?? hostname();
	}

	make(e: AssembledEntry): ExportItem | undefined {
		if (!Number.isNaN(e.time)) this.lastTime = e.time;
		const resume: ResumePoint = { file: this.file, offset: e.final ? e.nextOffset : e.startOffset };
		const fs = this.opts.filter;
		for (const f of fs === undefined ? [] : Array.isArray(fs) ? fs : [fs as CompiledFilter]) {
			if (!f.passesIndex(e.level, e.time) || (f.needsDetail && !f.passesDetail(e.detail, e.detail.text ?? e.detail.message))) return undefined;
		}
		const doc = toEcs(e.detail, { fileKey: this.file.key, filePath: this.filePath, hostName: this.hostName, fallbackTime: this.lastTime, maxOriginalChars: this.opts.maxEntryBytes, namedFields: e.namedFields });
		if (e.truncated) (doc.tags ??= []).push('loglens_entry_truncated');
		return { id: documentId(this.file.key, e.startOffset), doc, resume };
	}
}

/** Reads the first `SAMPLE_BYTES` of a file. */
async function readHead(fh: fsp.FileHandle): Promise<Buffer> {
	const buf = Buffer.alloc(SAMPLE_BYTES);
	let got = 0;
	while (got < buf.length) {
		const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
		if (bytesRead === 0) break;
		got += bytesRead;
	}
	return buf.subarray(0, got);
}

/** The identity of a file for export state and ids, read from the file. */
export async function fileRefOf(path: string): Promise<FileRef & { size: number }> {
	const fh = await fsp.open(path, 'r');
	try {
		const st = await fh.stat();
		const head = await readHead(fh);
		return { path: resolve(path), dev: st.dev, ino: st.ino, key: fileKey(st, head), size: st.size };
	} finally {
		await fh.close();
	}
}

/** Options of `fileItems`. */
export interface FileSourceOptions extends SourceOptions {
	/** Start at this byte (a line start: an acknowledged resume offset). */
	fromOffset?: number;
	/** Called as bytes are read (for progress): bytes read so far, file size at start. */
	onRead?(bytes: number, total: number): void;
}

/** Every entry of a file from `fromOffset` to its current end, in order. */
export async function* fileItems(path: string, opts: FileSourceOptions = {}): AsyncGenerator<ExportItem> {
	const fh = await fsp.open(path, 'r');
	try {
		const st = await fh.stat();
		if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: 'EISDIR' });
		const head = await readHead(fh);
		refuseUtf16(path, head);
		const abs = resolve(path);
		const file: FileRef = { path: abs, dev: st.dev, ino: st.ino, key: fileKey(st, head) };
		const ctx = opts.ctx ?? { year: st.mtime.getFullYear() };
		const { format } = detectFormatFromHead(head, head.length < SAMPLE_BYTES || st.size <= SAMPLE_BYTES, { format: opts.format, ctx });
		const maker = new ItemMaker(file, opts, abs);
		const out: ExportItem[] = [];
		let pos = Math.min(opts.fromOffset ?? 0, st.size);
		const asm = new EntryAssembler({ format, ctx, baseOffset: pos, maxEntryBytes: opts.maxEntryBytes, onEntry: (e) => {
			const it = maker.make(e);
			if (it) out.push(it);
		} });
		const buf = Buffer.allocUnsafe(1 << 20);
		for (;;) {
			if (opts.signal?.aborted) return;
			const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
			if (bytesRead === 0) break;
			pos += bytesRead;
			asm.push(buf.subarray(0, bytesRead));
			opts.onRead?.(pos, st.size);
			for (const it of out.splice(0)) yield { ...it, sourceBytes: pos };
		}
		asm.end();
		for (const it of out.splice(0)) yield { ...it, sourceBytes: pos };
	} finally {
		await fh.close();
	}
}

/**
 * Every entry of text in memory (an editor buffer, stdin). Ids use the first line only (there is
 * no inode), so exporting the same text again overwrites.
 */
export function* textItems(text: Buffer, opts: SourceOptions & { filePath?: string } = {}): Generator<ExportItem> {
	const key = fileKey(undefined, text.subarray(0, SAMPLE_BYTES));
	const file: FileRef = { path: opts.filePath, dev: 0, ino: 0, key };
	const ctx = opts.ctx ?? { year: new Date().getFullYear() };
	const { format } = detectFormatFromHead(text, true, { format: opts.format, ctx });
	const maker = new ItemMaker(file, opts, opts.filePath);
	const out: ExportItem[] = [];
	const asm = new EntryAssembler({ format, ctx, maxEntryBytes: opts.maxEntryBytes, onEntry: (e) => {
		const it = maker.make(e);
		if (it) out.push(it);
	} });
	for (let pos = 0; pos < text.length; pos += 1 << 20) {
		asm.push(text.subarray(pos, pos + (1 << 20)));
		for (const it of out.splice(0)) yield { ...it, sourceBytes: Math.min(text.length, pos + (1 << 20)) };
	}
	asm.end();
	yield* out.splice(0);
}

/** Export state kept between runs: the last acknowledged position. */
export interface ExportState {
	version: 1;
	index: string;
	file: FileRef;
	offset: number;
	updated: string;
}

/** Where a resumed export starts: maybe the rest of a rotated-away file, then the file at the path. */
export interface ResumePlan {
	/** The file the state names, now under a rotated name, and where to continue in it. */
	rotated?: { path: string; offset: number };
	/** Where to start in the file now at the path. */
	fromOffset: number;
	/** Why, for the user. */
	note: string;
}

/**
 * Decides where to resume from a saved state: the same file (dev, inode and first line) continues
 * at the acknowledged offset; a file rotated away since is finished from its rotated name first and
 * the new file read whole; anything else starts over (ids make that safe).
 */
export async function planResume(path: string, state: ExportState | undefined): Promise<ResumePlan> {
	if (!state) return { fromOffset: 0, note: 'no saved state: from the start' };
	let cur: (FileRef & { size: number }) | undefined;
	try {
		cur = await fileRefOf(path);
	} catch {
		cur = undefined;
	}
	if (cur && cur.key === state.file.key) {
		if (state.offset <= cur.size) return { fromOffset: state.offset, note: `resuming at byte ${state.offset}` };
		return { fromOffset: 0, note: 'the file is shorter than the saved offset: from the start' };
	}
	for (const s of await listRotatedSiblings(path)) {
		if (s.dev !== state.file.dev || s.ino !== state.file.ino) continue;
		const ref = await fileRefOf(s.path).catch(() => undefined);
		if (ref?.key === state.file.key) return { rotated: { path: s.path, offset: Math.min(state.offset, ref.size) }, fromOffset: 0, note: `the file was rotated to ${s.path}: finishing it from byte ${state.offset}, then the new file` };
	}
	return { fromOffset: 0, note: 'the saved state names another file: from the start' };
}

/** Options of `followItems`. */
export interface FollowSourceOptions extends SourceOptions {
	plan?: ResumePlan;
	/** Ends following gracefully (what was read is still sent); `signal` cancels. */
	stop?: AbortSignal;
	/** An entry with no new line for this long is sent as it is, and again if it grows (default 1 s). */
	idleMs?: number;
	/** Passed to the follower (tests use short intervals). */
	pollIntervalMs?: number;
	/** Called when following notices a rotation, truncation or a missing file. */
	onEvent?(message: string): void;
}

interface Followed {
	asm: EntryAssembler;
	maker: ItemMaker;
}

/**
 * Follows a file (and whatever replaces it at the path) until `stop`: every entry is yielded once
 * final, and an entry idle for `idleMs` is yielded early (not final; sent again when it grows).
 */
export async function* followItems(path: string, opts: FollowSourceOptions = {}): AsyncGenerator<ExportItem> {
	const plan = opts.plan ?? { fromOffset: 0, note: '' };
	if (plan.rotated) yield* fileItems(plan.rotated.path, { ...opts, fromOffset: plan.rotated.offset });
	const abs = resolve(path);
	let format: LogFormat | undefined;
	let ctx: ParseContext = opts.ctx ?? { year: new Date().getFullYear() };
	let wide: Buffer | undefined;
	try {
		const fh = await fsp.open(abs, 'r');
		try {
			const st = await fh.stat();
			const head = await readHead(fh);
			if (bomEncoding(head) !== 'utf-8') wide = head;
			ctx = opts.ctx ?? { year: st.mtime.getFullYear() };
			// An empty file: detect later, from its first lines.
			if (head.length > 0) format = detectFormatFromHead(head, head.length < SAMPLE_BYTES, { format: opts.format, ctx }).format;
		} finally {
			await fh.close();
		}
	} catch {
		// Not there yet: the follower waits for it.
	}
	if (wide) refuseUtf16(path, wide);
	let wideNoted = false;
	const queue: ExportItem[] = [];
	let wake: (() => void) | undefined;
	const notify = () => {
		const w = wake;
		wake = undefined;
		w?.();
	};
	const files = new Map<string, Followed>();
	const keyOf = (f: FileIdentity) => `${f.dev}:${f.ino}`;
	/** The first file seen skips what the state says was acknowledged. */
	let skipFirst: { key: string; below: number } | undefined;
	let firstSeen = false;
	let lastData = Date.now();
	const follower = new FileFollower(abs, { fromStart: true, pollIntervalMs: opts.pollIntervalMs ?? 250, rotationGraceMs: 1000 });
	const push = (it: ExportItem | undefined) => {
		if (it) {
			queue.push(it);
			notify();
		}
	};
	follower.on('lines', (l) => {
		lastData = Date.now();
		if (l.encoding !== undefined) {
			// A UTF-16 file that appeared at the path after the start: not exported (see refuseUtf16).
			if (!wideNoted) opts.onEvent?.(`${l.file.path} is ${l.encoding.toUpperCase()}: not exported (export reads UTF-8 logs; convert it first)`);
			wideNoted = true;
			return;
		}
		const k = keyOf(l.file);
		if (!firstSeen) {
			firstSeen = true;
			skipFirst = { key: k, below: plan.fromOffset };
		}
		let data = l.data;
		let offset = l.offset;
		let f = files.get(k);
		if (!f) {
			// The first bytes of a file: its key needs the first line.
			const ref: FileRef = { path: l.file.path, dev: l.file.dev, ino: l.file.ino, key: fileKey(l.file, offset === 0 ? data : Buffer.alloc(0)) };
			const below = skipFirst?.key === k ? skipFirst.below : 0;
			const maker = new ItemMaker(ref, opts, l.file.path);
			f = { maker, asm: new EntryAssembler({ format, formatOption: opts.format, ctx, baseOffset: Math.max(offset, below), maxEntryBytes: opts.maxEntryBytes, onEntry: (e) => push(maker.make(e)) }) };
			files.set(k, f);
		}
		const below = f.asm.position;
		if (offset + data.length <= below) return;
		if (offset < below) {
			data = data.subarray(below - offset);
			offset = below;
		}
		f.asm.push(data);
	});
	follower.on('rotated', (r) => {
		files.get(keyOf(r.from))?.asm.end();
		opts.onEvent?.(`rotated: ${r.from.path}${r.movedTo ? ` → ${r.movedTo}` : ''}; following the new file`);
	});
	follower.on('truncated', (t) => {
		const k = keyOf(t.file);
		files.get(k)?.asm.end();
		files.delete(k);
		if (skipFirst?.key === k) skipFirst = undefined;
		opts.onEvent?.(`truncated (${t.reason}): reading ${t.file.path} from its start`);
	});
	follower.on('missing', (m) => opts.onEvent?.(`${m.path} is missing; waiting for it`));
	follower.on('error', (e) => opts.onEvent?.(`follow error: ${e.message}`));
	const idleMs = opts.idleMs ?? 1000;
	const idle = setInterval(() => {
		if (Date.now() - lastData < idleMs) return;
		for (const f of files.values()) f.asm.flushOpen();
	}, Math.max(50, Math.min(idleMs, 500)));
	const stopped = () => opts.stop?.aborted === true || opts.signal?.aborted === true;
	const onStop = () => notify();
	opts.stop?.addEventListener('abort', onStop);
	opts.signal?.addEventListener('abort', onStop);
	try {
		await follower.start();
		while (!stopped()) {
			if (queue.length === 0) await new Promise<void>((r) => (wake = r));
			while (queue.length) yield queue.shift() as ExportItem;
		}
		if (opts.signal?.aborted) return;
		// Stop: everything on disk now, then the open entries as final.
		await follower.sync();
		for (const f of files.values()) f.asm.end();
		while (queue.length) yield queue.shift() as ExportItem;
	} finally {
		clearInterval(idle);
		opts.stop?.removeEventListener('abort', onStop);
		opts.signal?.removeEventListener('abort', onStop);
		await follower.close();
	}
}
