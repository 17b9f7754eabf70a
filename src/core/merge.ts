// Several logs as one, in time order: a k-way merge over one entry stream per input. Each input is
// read in chunks only when its next entry is needed (back-pressure), so memory stays at about one
// chunk per input however large the files are. Entries stay whole (a traceback is never split),
// each knows its source file and line, and ties keep the order the inputs were given in.
import { EntryDetail } from './entryReader';
import { EntryStream, StreamedEntry } from './entryStream';
import { LogFormat, ParseContext } from './format';
import { ChunkReadOptions } from './gzipSource';
import { Level } from './levels';
import { defaultParseContext } from './timestamp';
import { OpenFileSet, openFileSet, openRotatedSet, SetChunk } from './rotatedSet';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** An input of a merge: a path (plain or `.gz`), or a path with options. */
export type MergeInput = string | MergeInputSpec;

/** A merge input with its options. */
export interface MergeInputSpec {
	path: string;
	/** Read the file's whole rotated set (`app.log.2.gz`, `app.log.1`, `app.log`) as this input. */
	rotated?: boolean;
	/** A format (or registry id) instead of detecting one. */
	format?: LogFormat | string;
	/** Zone of times written without one, minutes east of UTC (default: the machine's zone). */
	zoneOffsetMinutes?: number;
}

/** A physical file taking part in a merge. */
export interface MergedFile {
	path: string;
	/** Index of the input it belongs to (a rotated input has several files). */
	input: number;
	/** Short, unique name for a prefix or decoration (`app.log`, `app.log.2.gz`, `b/app.log`). */
	label: string;
}

/** One entry of the merged timeline. Lines are 0-based and counted in `file`. */
export class MergedEntry {
	constructor(
		/** Index of the input (position in the list given to the merge). */
		readonly fileIndex: number,
		/** Index into the merge's `files`. */
		readonly fileId: number,
		readonly file: string,
		readonly line: number,
		readonly endLine: number,
		/** Byte offsets in `file` (in the decompressed bytes for `.gz`). */
		readonly startOffset: number,
		readonly endOffset: number,
		/** The header's time in epoch ms; NaN when the entry has none. */
		readonly time: number,
		/** The time the entry was ordered by: its own, else the previous entry's of the same input. */
		readonly sortTime: number,
		readonly level: Level,
		/** The entry's lines as bytes, without newlines (valid while the entry is handled). */
		readonly lines: Buffer[],
		private readonly stream: EntryStream,
		private readonly raw: StreamedEntry,
	) {}

	/** The whole entry, lines joined with LF. */
	get text(): string {
		return this.stream.text(this.raw);
	}

	/** Logger, message, exception, fields … with lines counted in `file`. */
	detail(withText = false): EntryDetail {
		const d = this.stream.detail(this.raw, withText);
		d.line = this.line;
		d.endLine = this.endLine;
		d.startOffset = this.startOffset;
		d.endOffset = this.endOffset;
		return d;
	}
}

/** Options of a merge. */
export interface MergeOptions extends ChunkReadOptions {
	/** A format (or registry id) for every input that does not name its own. */
	format?: LogFormat | string;
	/** Year / zone for inputs without their own `zoneOffsetMinutes`. */
	ctx?: ParseContext;
}

/** Called per merged entry; 'stop' ends the merge, a promise is awaited (output back-pressure). */
export type MergedEntryHandler = (entry: MergedEntry) => void | 'stop' | Promise<void | 'stop'>;

/** Bytes read ahead at most to find the time of entries before a file's first timed entry. */
const LEAD_LOOKAHEAD_BYTES = 8 * 1024 * 1024;

/** One input being read: its entry stream, the entries of the last chunk, and the current head. */
class Cursor {
	private readonly queue: StreamedEntry[] = [];
	private qi = 0;
	private done = false;
	private readonly stream: EntryStream;
	private readonly it: AsyncGenerator<SetChunk>;
	/** Where each member starts in the concatenated stream (lines, bytes). */
	private readonly memberLine: number[] = [];
	private readonly memberOffset: number[] = [];
	private member = -1;
	private lines = 0;
	private bytes = 0;
	private lastTime = NaN;
	/** Time given to the entries before the first timed one (found by reading ahead). */
	private leadTime: number | undefined;
	head: StreamedEntry | null = null;
	key = 0;

	constructor(readonly input: number, private readonly set: OpenFileSet, private readonly fileIds: number[], scan: { format?: LogFormat | string; ctx: ParseContext }, opts: ChunkReadOptions) {
		this.stream = new EntryStream((e) => {
			this.queue.push(e);
		}, scan);
		this.it = set.chunks(opts);
	}

	/** Reads the next chunk into the queue; false at the end. */
	private async fill(): Promise<boolean> {
		if (this.done) return false;
		const r = await this.it.next();
		if (r.done) {
			this.done = true;
			this.stream.finish();
			return true;
		}
		const { data, member } = r.value;
		if (member !== this.member) {
			for (let m = this.member + 1; m <= member; m++) {
				this.memberLine[m] = this.lines;
				this.memberOffset[m] = this.bytes;
			}
			this.member = member;
		}
		this.bytes += data.length;
		// Line counts are only needed to tell members apart.
		if (this.set.members.length > 1) for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) this.lines++;
		this.stream.append(data);
		return true;
	}

	/** Bytes read so far (decompressed, across members). */
	get bytesRead(): number {
		return this.bytes;
	}

	/** Moves to the next entry; false when the input is exhausted. */
	async advance(): Promise<boolean> {
		if (this.qi >= this.queue.length) {
			this.queue.length = 0;
			this.qi = 0;
			while (this.queue.length === 0 && (await this.fill()));
			if (this.queue.length === 0) {
				this.head = null;
				return false;
			}
		}
		this.head = this.queue[this.qi++];
		await this.setKey();
		return true;
	}

	/** Synchronous `advance` when the next entry is already read; null when a read is needed. */
	advanceSync(): boolean | null {
		if (this.qi >= this.queue.length) return null;
		const h = this.queue[this.qi];
		// NaN !== NaN: the hot path avoids a call per entry. Untimed entries before the first timed
		// one need a read-ahead, which only the async path can do.
		if (h.time === h.time) this.key = this.lastTime = h.time;
		else if (this.lastTime === this.lastTime) this.key = this.lastTime;
		else return null;
		this.head = h;
		this.qi++;
		return true;
	}

	private async setKey(): Promise<void> {
		const h = this.head as StreamedEntry;
		if (!Number.isNaN(h.time)) {
			this.key = this.lastTime = h.time;
			return;
		}
		if (!Number.isNaN(this.lastTime)) {
			this.key = this.lastTime;
			return;
		}
		if (this.leadTime === undefined) {
			// Entries before the file's first time (a banner, a traceback at the top) go just before it.
			const start = this.bytes;
			let found = NaN;
			for (let i = this.qi; ; i++) {
				if (i >= this.queue.length) {
					if (this.done || this.bytes - start > LEAD_LOOKAHEAD_BYTES || !(await this.fill())) break;
					i--;
					continue;
				}
				if (!Number.isNaN(this.queue[i].time)) {
					found = this.queue[i].time;
					break;
				}
			}
			this.leadTime = Number.isNaN(found) ? -Infinity : found;
		}
		this.key = this.leadTime;
	}

	/** The current head as a merged entry (line numbers mapped to its member file). */
	entry(files: MergedFile[]): MergedEntry {
		const h = this.head as StreamedEntry;
		let m = 0;
		if (this.memberLine.length > 1) {
			let lo = 0, hi = this.memberLine.length - 1;
			while (lo < hi) {
				const mid = (lo + hi + 1) >> 1;
				if (this.memberLine[mid] <= h.line) lo = mid;
				else hi = mid - 1;
			}
			m = lo;
		}
		const id = this.fileIds[m];
		const dl = this.memberLine[m] ?? 0;
		const db = this.memberOffset[m] ?? 0;
		return new MergedEntry(this.input, id, files[id].path, h.line - dl, h.endLine - dl, h.startOffset - db, h.endOffset - db, h.time, this.key, h.level, h.lines, this.stream, h);
	}

	async close(): Promise<void> {
		await this.it.return(undefined).catch(() => undefined);
		await this.set.close();
	}
}

/** A merge whose files are open; run it once with `run`, then `close` it. */
export class LogMerge {
	private constructor(readonly files: MergedFile[], private readonly cursors: Cursor[], private readonly signal: AbortSignal | undefined) {}

	/** Opens every input (and finds rotated sets) — errors such as a missing file surface here. */
	static async open(inputs: readonly MergeInput[], opts: MergeOptions = {}): Promise<LogMerge> {
		const specs = inputs.map((i) => (typeof i === 'string' ? { path: i } : i));
		const sets: OpenFileSet[] = [];
		try {
			for (const s of specs) {
				if (s.rotated) {
					const set = await openRotatedSet(s.path);
					if (set.members.length === 0) throw Object.assign(new Error(`${s.path}: no such file, nor rotated copies of it`), { code: 'ENOENT', path: s.path });
					sets.push(set);
				} else sets.push(await openFileSet([{ path: s.path, compressed: false, order: 0, live: true }]));
			}
		} catch (e) {
			await Promise.all(sets.map((s) => s.close()));
			throw e;
		}
		const files: MergedFile[] = [];
		const ids: number[][] = sets.map((set, input) => set.members.map((m) => files.push({ path: m.path, input, label: '' }) - 1));
		const labels = shortLabels(files.map((f) => f.path));
		files.forEach((f, i) => (f.label = labels[i]));
		const cursors: Cursor[] = [];
		for (let i = 0; i < specs.length; i++) {
			const s = specs[i];
			const ctx: ParseContext = { ...(opts.ctx ?? defaultParseContext()) };
			if (!opts.ctx) ctx.year = await mtimeYear(s.path);
			if (s.zoneOffsetMinutes !== undefined) ctx.defaultZoneOffsetMinutes = s.zoneOffsetMinutes;
			cursors.push(new Cursor(i, sets[i], ids[i], { format: s.format ?? opts.format, ctx }, { chunkSize: opts.chunkSize, signal: opts.signal }));
		}
		return new LogMerge(files, cursors, opts.signal);
	}

	/** Hands every entry of every input to `onEntry` in merged order; resolves to the entry count. */
	async run(onEntry: MergedEntryHandler): Promise<number> {
		const heap: Cursor[] = [];
		for (const c of this.cursors) if (await c.advance()) heap.push(c);
		for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
		let n = 0;
		while (heap.length > 0) {
			const c = heap[0];
			const r = onEntry(c.entry(this.files));
			n++;
			if (r === 'stop' || (r !== undefined && (await r) === 'stop')) break;
			if ((n & 1023) === 0 && this.signal?.aborted) throw Object.assign(new Error('merge aborted'), { name: 'AbortError' });
			if (c.advanceSync() === null && !(await c.advance())) {
				const last = heap.pop() as Cursor;
				if (heap.length === 0) break;
				heap[0] = last;
			}
			siftDown(heap, 0);
		}
		return n;
	}

	/** Bytes read so far per input (decompressed), e.g. for progress; at most a few chunks ahead of the entries handed out. */
	bytesRead(): number[] {
		return this.cursors.map((c) => c.bytesRead);
	}

	async close(): Promise<void> {
		await Promise.all(this.cursors.map((c) => c.close()));
	}
}

/** Ordered by time, then by input order (stable for equal times). */
function before(a: Cursor, b: Cursor): boolean {
	return a.key < b.key || (a.key === b.key && a.input < b.input);
}

function siftDown(heap: Cursor[], i: number): void {
	const n = heap.length;
	const x = heap[i];
	for (;;) {
		let c = 2 * i + 1;
		if (c >= n) break;
		if (c + 1 < n && before(heap[c + 1], heap[c])) c++;
		if (!before(heap[c], x)) break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = x;
}

async function mtimeYear(p: string): Promise<number> {
	try {
		return (await fsp.stat(p)).mtime.getFullYear();
	} catch {
		return new Date().getFullYear();
	}
}

/**
 * Short unique names for files: the base name, with as many parent folders as it takes to tell
 * files with the same base name apart.
 */
export function shortLabels(paths: readonly string[]): string[] {
	const parts = paths.map((p) => path.resolve(p).split(path.sep).filter((s) => s !== ''));
	const depth = paths.map(() => 1);
	for (let round = 0; round < 64; round++) {
		const labels = parts.map((p, i) => p.slice(-depth[i]).join('/'));
		const count = new Map<string, number>();
		for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
		let changed = false;
		labels.forEach((l, i) => {
			if ((count.get(l) ?? 0) > 1 && depth[i] < parts[i].length) {
				depth[i]++;
				changed = true;
			}
		});
		if (!changed) return labels;
	}
	return parts.map((p) => p.join('/'));
}

/**
 * Merges logs in time order, streaming: `onEntry` gets every entry once, marked with its source.
 * Resolves to the number of entries handed out. The language server's "Merge Logs…" runs this.
 */
export async function mergeLogs(inputs: readonly MergeInput[], opts: MergeOptions & { onEntry: MergedEntryHandler }): Promise<{ entries: number; files: MergedFile[] }> {
	const merge = await LogMerge.open(inputs, opts);
	try {
		const entries = await merge.run(opts.onEntry);
		return { entries, files: merge.files };
	} finally {
		await merge.close();
	}
}

/** A merged timeline as one text with a map back to the sources (for a virtual document). */
export interface MergedText {
	/** The entries' text in merged order, LF line ends, no trailing newline. */
	text: string;
	files: MergedFile[];
	/** Per line of `text`: index into `files`, and the 0-based line in that file. */
	lineFile: Uint32Array;
	lineInFile: Uint32Array;
	/** Per merged entry: its first line in `text`, level and time (NaN when none). */
	entryLine: Uint32Array;
	entryLevel: Uint8Array;
	entryTime: Float64Array;
	/** Stopped at `maxEntries` / `maxBytes` before the end of the inputs. */
	truncated: boolean;
}

/** Options of `mergeToText`. */
export interface MergeTextOptions extends MergeOptions {
	/** Stop after this many entries (default: no limit). */
	maxEntries?: number;
	/** Stop once the text is this long in UTF-16 units (default 256 Mi). */
	maxChars?: number;
	/** Start every line with its file's label and ' | ' (default false: labels are shown as decorations). */
	prefix?: boolean;
}

/** Merges into one text plus a line map (merged line → file, line) for the editor's merged view. */
export async function mergeToText(inputs: readonly MergeInput[], opts: MergeTextOptions = {}): Promise<MergedText> {
	const maxEntries = opts.maxEntries ?? Infinity;
	const maxChars = opts.maxChars ?? 256 * 1024 * 1024;
	const parts: string[] = [];
	let chars = 0;
	let lineFile = new Uint32Array(1024);
	let lineInFile = new Uint32Array(1024);
	let entryLine = new Uint32Array(256);
	let entryLevel = new Uint8Array(256);
	let entryTime = new Float64Array(256);
	let lines = 0;
	let entries = 0;
	let truncated = false;
	let files: MergedFile[] = [];
	const merge = await LogMerge.open(inputs, opts);
	try {
		files = merge.files;
		const prefixes = files.map((f) => (opts.prefix ? `${f.label} | ` : ''));
		await merge.run((e) => {
			if (entries >= maxEntries || chars >= maxChars) {
				truncated = true;
				return 'stop';
			}
			const n = e.endLine - e.line + 1;
			while (lines + n > lineFile.length) {
				lineFile = growArray(lineFile);
				lineInFile = growArray(lineInFile);
			}
			if (entries >= entryLine.length) {
				entryLine = growArray(entryLine);
				entryLevel = growArray(entryLevel);
				entryTime = growArray(entryTime);
			}
			entryLine[entries] = lines;
			entryLevel[entries] = e.level;
			entryTime[entries] = e.time;
			entries++;
			const pre = prefixes[e.fileId];
			for (let i = 0; i < n; i++) {
				lineFile[lines + i] = e.fileId;
				lineInFile[lines + i] = e.line + i;
			}
			lines += n;
			const t = pre ? e.text.split('\n').map((l) => pre + l).join('\n') : e.text;
			parts.push(t);
			chars += t.length + 1;
			return undefined;
		});
	} finally {
		await merge.close();
	}
	return {
		text: parts.join('\n'),
		files,
		lineFile: lineFile.slice(0, lines),
		lineInFile: lineInFile.slice(0, lines),
		entryLine: entryLine.slice(0, entries),
		entryLevel: entryLevel.slice(0, entries),
		entryTime: entryTime.slice(0, entries),
		truncated,
	};
}

/** The source of line `mergedLine` of a `MergedText` (0-based), or undefined past its end. */
export function mergedLineSource(m: MergedText, mergedLine: number): { file: string; fileIndex: number; line: number } | undefined {
	if (mergedLine < 0 || mergedLine >= m.lineFile.length) return undefined;
	const f = m.lineFile[mergedLine];
	return { file: m.files[f].path, fileIndex: f, line: m.lineInFile[mergedLine] };
}

function growArray<T extends Uint32Array | Uint8Array | Float64Array>(a: T): T {
	const b = new (a.constructor as new (n: number) => T)(a.length * 2);
	b.set(a);
	return b;
}
