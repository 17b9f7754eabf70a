/**
 * The server's indexes, one per log document. A `file:` document is read from disk (VS Code does not
 * sync documents over 50 MB, and byte offsets, not strings, are the index) and kept current by
 * watching the file: appended bytes extend the index, a shrink or a new inode re-indexes. Any other
 * document (a filtered tab, an untitled buffer) is indexed from the text the client syncs.
 */
import * as fs from 'fs';
import { URI } from 'vscode-uri';
import { LogIndex } from '../core/index/logIndex';
import { ByteSource, FileSource, BufferSource } from '../core/byteSource';
import { SAMPLE_BYTES } from '../core/index/lineScanner';
import { defaultWorkerScript, ParallelRanges, planRanges } from '../core/index/parallelRanges';
import { formatFor, statusLevels } from './formatSettings';
import { LEVEL_NAMES } from '../core/levels';
import { LogSummary, LevelCounts } from '../shared/protocol';

export interface LogDoc {
	readonly uri: string;
	index: LogIndex;
	source: ByteSource;
	state: LogSummary['state'];
	message?: string;
	indexedBytes: number;
	totalBytes: number;
}

type Listener = (doc: LogDoc) => void;

/** How often a growing file is checked when no change event arrives (stat polling fallback). */
const POLL_MS = 500;
/** Change notifications to the client are coalesced to at most one per this many ms per document. */
const NOTIFY_MS = 150;

export class LogStore {
	private readonly docs = new Map<string, LogDoc>();
	private readonly watchers = new Map<string, { close(): void }>();
	private readonly pending = new Map<string, Promise<LogDoc>>();
	private readonly notifyTimers = new Map<string, NodeJS.Timeout>();
	/** Reference counts: a document stays indexed while the editor or a tab holds it. */
	private readonly refs = new Map<string, Set<string>>();

	constructor(private readonly onChange: Listener, private readonly log: (msg: string) => void) {}

	/** Opens (or returns) the index of a document. `text` is used for non-file documents. */
	open(uri: string, holder: string, text?: string): Promise<LogDoc> {
		let holders = this.refs.get(uri);
		if (!holders) this.refs.set(uri, (holders = new Set()));
		holders.add(holder);
		const existing = this.docs.get(uri);
		if (existing) return Promise.resolve(existing);
		const p = this.pending.get(uri);
		if (p) return p;
		const promise = this.build(uri, text).finally(() => this.pending.delete(uri));
		this.pending.set(uri, promise);
		return promise;
	}

	/** Releases a holder; the index and its file watch are dropped when nobody holds it. */
	close(uri: string, holder: string): void {
		const holders = this.refs.get(uri);
		holders?.delete(holder);
		if (holders && holders.size) return;
		this.refs.delete(uri);
		this.watchers.get(uri)?.close();
		this.watchers.delete(uri);
		const d = this.docs.get(uri);
		if (d && d.source instanceof FileSource) d.source.close();
		this.docs.delete(uri);
		clearTimeout(this.notifyTimers.get(uri));
		this.notifyTimers.delete(uri);
	}

	/** Registers a document built elsewhere (a follow session's tab), held until `detach`. */
	attach(uri: string, doc: LogDoc): void {
		this.docs.set(uri, doc);
		this.refs.set(uri, new Set(['owner']));
		this.notify(doc, true);
	}

	detach(uri: string): void {
		this.refs.delete(uri);
		this.docs.delete(uri);
	}

	/** The document's index changed outside the store (follow sessions): tell the client, throttled. */
	touch(doc: LogDoc): void {
		this.notify(doc, false, 1000);
	}

	get(uri: string): LogDoc | undefined {
		return this.docs.get(uri);
	}

	/** The index of `uri`, waiting for it while it is being built; undefined when not open. */
	async ready(uri: string): Promise<LogDoc | undefined> {
		return this.docs.get(uri) ?? (await this.pending.get(uri));
	}

	/** Replaces the text of a non-file document (the client synced a change). */
	updateText(uri: string, text: string): void {
		const d = this.docs.get(uri);
		if (!d || isFileUri(uri) || this.refs.get(uri)?.has('owner')) return;
		const buf = Buffer.from(text, 'utf8');
		d.index = LogIndex.fromText(buf);
		d.source = new BufferSource(buf);
		d.indexedBytes = d.totalBytes = buf.length;
		this.notify(d, true);
	}

	private async build(uri: string, text?: string): Promise<LogDoc> {
		if (!isFileUri(uri)) {
			const buf = Buffer.from(text ?? '', 'utf8');
			const doc: LogDoc = { uri, index: LogIndex.fromText(buf), source: new BufferSource(buf), state: 'ready', indexedBytes: buf.length, totalBytes: buf.length };
			this.docs.set(uri, doc);
			this.notify(doc, true);
			return doc;
		}
		const path = URI.parse(uri).fsPath;
		let size = 0;
		try {
			size = fs.statSync(path).size;
		} catch (e) {
			const doc: LogDoc = { uri, index: LogIndex.fromText(Buffer.alloc(0)), source: new BufferSource(Buffer.alloc(0)), state: 'missing', message: `Cannot read ${path}: ${(e as Error).message}`, indexedBytes: 0, totalBytes: 0 };
			this.docs.set(uri, doc);
			this.notify(doc, true);
			return doc;
		}
		const doc: LogDoc = { uri, index: this.newIndex(path), source: new FileSource(path), state: 'indexing', indexedBytes: 0, totalBytes: size };
		this.docs.set(uri, doc);
		const t0 = Date.now();
		await this.readInto(doc, doc.source as FileSource, size, path);
		doc.state = doc.index.binary ? 'binary' : 'ready';
		if (doc.index.binary) doc.message = binaryMessage(path);
		this.log(`indexed ${path}: ${doc.index.lineCount} lines, ${doc.index.entryCount} entries, format ${doc.index.format.format.id} in ${Date.now() - t0} ms${doc.index.ranges > 1 ? ` (${doc.index.ranges} ranges in parallel)` : ''}`);
		this.watch(doc, path);
		this.notify(doc, true);
		return doc;
	}

	/**
	 * Reads the file into the document's index in big chunks, yielding between them so requests
	 * are answered from the partial index while a large file is still being read. A big file's
	 * later ranges are indexed meanwhile by worker threads (core/index/parallelRanges.ts) and absorbed at
	 * the end: requests see the first range grow, then the whole file.
	 */
	private async readInto(doc: LogDoc, src: FileSource, size: number, path?: string): Promise<void> {
		const chunk = 4 << 20;
		const idx = doc.index;
		const stale = () => this.docs.get(doc.uri) !== doc || doc.index !== idx;
		let off = idx.bytes;
		const plan = off === 0 && path ? planRanges(size, { format: this.formatSetting(path) }) : 1;
		const script = defaultWorkerScript();
		let ranges = plan > 1 && script ? new ParallelRanges(plan, script) : undefined;
		let planned = !ranges;
		let limit = size;
		try {
			while (off < limit) {
				const buf = src.readBytes(off, Math.min(chunk, limit - off));
				if (!buf.length) break;
				idx.append(buf);
				src.encoding = idx.encoding;
				off += buf.length;
				if (!planned && ranges && idx.settled) {
					planned = true;
					if (idx.binary || idx.encoding !== 'utf-8') {
						// Ranges are cut at UTF-8 header lines: UTF-16 is read in one pass.
						ranges.dispose();
						ranges = undefined;
					} else {
						limit = await ranges.start(idx, { path: path as string, ctx: idx.parseContext, chunkSize: chunk }, size, off, async (p, n) => src.readBytes(p, n));
					}
				}
				doc.indexedBytes = off + (ranges?.bytesDone ?? 0);
				if (off >= SAMPLE_BYTES) this.notify(doc);
				await new Promise((r) => setImmediate(r));
				if (stale()) return;
			}
			if (ranges) {
				await ranges.absorbInto(idx, async (start, end) => {
					for (let p = start; p < end;) {
						const b = src.readBytes(p, Math.min(chunk, end - p));
						if (!b.length) break;
						idx.append(b);
						p += b.length;
					}
				});
				if (stale()) return;
			}
		} finally {
			ranges?.dispose();
		}
		idx.finish();
		src.encoding = idx.encoding;
		doc.indexedBytes = doc.totalBytes = idx.bytes;
	}

	/** The format configured for a file (undefined: detect it). */
	private formatSetting(path: string) {
		try {
			return formatFor(path);
		} catch {
			return undefined;
		}
	}

	/** An empty index for a file, with its configured format (or detection) and year. */
	private newIndex(path: string): LogIndex {
		let format;
		try {
			format = formatFor(path);
		} catch (e) {
			this.log(`format setting ignored for ${path}: ${(e as Error).message}`);
		}
		return new LogIndex({ ctx: { year: yearOf(path), statusLevels: statusLevels() }, format });
	}

	/** Re-reads every open file (the format settings changed) or one file. */
	reindexFiles(only?: string): void {
		for (const doc of this.docs.values()) {
			if (!isFileUri(doc.uri) || (only && doc.uri !== only)) continue;
			this.reindex(doc, URI.parse(doc.uri).fsPath);
		}
	}

	/** Follows the file: fs.watch for prompt updates plus stat polling where events do not arrive. */
	private watch(doc: LogDoc, path: string): void {
		let ino = safeStat(path)?.ino;
		let busy = false;
		const check = () => {
			if (busy || this.docs.get(doc.uri) !== doc) return;
			busy = true;
			try {
				const st = safeStat(path);
				if (!st) {
					if (doc.state !== 'missing') {
						doc.state = 'missing';
						doc.message = `${path} was deleted or moved; showing what was read before.`;
						this.notify(doc, true);
					}
					return;
				}
				if (st.ino !== ino || st.size < doc.index.bytes) {
					// rotated or truncated: the content is a different file now
					ino = st.ino;
					this.reindex(doc, path);
					return;
				}
				if (doc.state === 'missing') doc.state = 'ready';
				// A (re)index in progress reads up to the size it saw; growth after it is read next time.
				if (doc.state === 'indexing') return;
				if (st.size > doc.index.bytes) {
					const src = doc.source as FileSource;
					src.invalidate();
					let off = doc.index.bytes;
					while (off < st.size) {
						const chunk = src.readBytes(off, Math.min(4 << 20, st.size - off));
						if (!chunk.length) break;
						doc.index.append(chunk);
						off += chunk.length;
					}
					doc.index.finish();
					doc.indexedBytes = doc.totalBytes = off;
					this.notify(doc);
				}
			} finally {
				busy = false;
			}
		};
		let watcher: fs.FSWatcher | undefined;
		try {
			watcher = fs.watch(path, { persistent: false }, () => check());
			watcher.on('error', () => undefined);
		} catch {
			// some file systems offer no watch: polling below still works
		}
		const timer = setInterval(check, POLL_MS);
		timer.unref();
		this.watchers.set(doc.uri, { close: () => { watcher?.close(); clearInterval(timer); } });
	}

	/** The file was rotated or truncated: index the new content from its first byte. */
	private reindex(doc: LogDoc, path: string): void {
		let src: FileSource;
		try {
			src = new FileSource(path);
		} catch (e) {
			this.log(`reindex of ${path} failed: ${(e as Error).message}`);
			return;
		}
		(doc.source as FileSource).close();
		doc.source = src;
		doc.index = this.newIndex(path);
		doc.state = 'indexing';
		doc.message = undefined;
		this.readInto(doc, src, src.size, path).then(() => {
			doc.state = doc.index.binary ? 'binary' : 'ready';
			if (doc.index.binary) doc.message = binaryMessage(path);
			this.notify(doc, true);
		}, (e) => this.log(`reindex of ${path} failed: ${(e as Error).message}`));
	}

	private notify(doc: LogDoc, now = false, delayMs = NOTIFY_MS): void {
		if (now) {
			clearTimeout(this.notifyTimers.get(doc.uri));
			this.notifyTimers.delete(doc.uri);
			this.onChange(doc);
			return;
		}
		if (this.notifyTimers.has(doc.uri)) return;
		this.notifyTimers.set(doc.uri, setTimeout(() => {
			this.notifyTimers.delete(doc.uri);
			if (this.docs.get(doc.uri) === doc) this.onChange(doc);
		}, delayMs));
	}
}

/** Why a file is not indexed (the status bar and the Problems view show it). */
function binaryMessage(path: string): string {
	return `${path} looks like a binary file (most of its first 64 KB is not text): it is not indexed as a log.`;
}

export function isFileUri(uri: string): boolean {
	return uri.startsWith('file:');
}

function safeStat(path: string): fs.Stats | undefined {
	try {
		return fs.statSync(path);
	} catch {
		return undefined;
	}
}

function yearOf(path: string): number {
	return (safeStat(path)?.mtime ?? new Date()).getFullYear();
}

export function levelCountsOf(index: LogIndex): LevelCounts {
	return countsFromArray(index.levelCounts());
}

/** Level counts indexed by `Level` → the protocol's named counts. */
export function countsFromArray(c: ArrayLike<number>): LevelCounts {
	const out = {} as LevelCounts;
	for (let i = 0; i < LEVEL_NAMES.length; i++) out[LEVEL_NAMES[i]] = c[i] ?? 0;
	return out;
}

export function summarize(doc: LogDoc): LogSummary {
	const ix = doc.index;
	const { first, last } = ix.timeRange();
	return {
		uri: doc.uri,
		state: doc.state,
		message: doc.message,
		bytes: Math.max(doc.totalBytes, ix.bytes),
		lines: ix.lineCount,
		entries: ix.entryCount,
		format: ix.format.format.id,
		formatName: ix.format.format.name,
		confidence: ix.format.confidence,
		levels: levelCountsOf(ix),
		first: Number.isFinite(first) ? new Date(first).toISOString() : null,
		last: Number.isFinite(last) ? new Date(last).toISOString() : null,
		indexedBytes: doc.indexedBytes,
	};
}
