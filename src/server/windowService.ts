/**
 * Large files: windows of N lines read from disk through the index (Open Large Log), and filter
 * results streamed to a file with no cap. Nothing here holds the file's text in memory.
 */
import * as fs from 'fs';
import { CancellationToken } from 'vscode-languageserver/node';
import type { FilterSpec, WindowParams, WindowResult } from '../shared/protocol';
import { forEachMatch } from './filterService';
import type { LogDoc } from './logStore';
import { LogIndex } from '../core/index/logIndex';
import { BufferSource } from '../core/byteSource';

const MAX_WINDOW = 50_000;

/**
 * The window's text. `onText` gets it as the document will hold it (the server indexes the window
 * document from it instead of having the client sync half a megabyte back).
 */
export function windowOf(doc: LogDoc, p: WindowParams, onText?: (text: Buffer) => void): WindowResult {
	const ix = doc.index;
	const total = ix.lineCount;
	const count = Math.max(1, Math.min(MAX_WINDOW, p.count));
	const start = Math.max(0, Math.min(p.startLine, Math.max(0, total - count)));
	const end = Math.min(total, start + count); // exclusive
	let text = '';
	if (end > start) {
		const from = ix.lineStart(start), to = ix.lineEnd(end - 1);
		text = doc.source.read(from, to - from).toString('utf8').replace(/\r\n/g, '\n');
	}
	onText?.(Buffer.from(text, 'utf8'));
	return { text, startLine: start, lines: end - start, totalLines: total, totalEntries: ix.entryCount, state: doc.state, indexedBytes: doc.indexedBytes, bytes: doc.totalBytes };
}

/**
 * The index of a document whose text the server produced from `file` (a large-log window, a
 * filtered tab), read with the file's format and year.
 */
export function derivedDoc(uri: string, file: LogDoc, text: Buffer): LogDoc {
	const index = LogIndex.fromText(text, { format: file.index.format.format, ctx: file.index.parseContext });
	return { uri, index, source: new BufferSource(text), state: 'ready', indexedBytes: text.length, totalBytes: text.length };
}

/** Streams the matching entries to `path` in big writes; returns what was written. */
export async function filterToFile(doc: LogDoc, spec: FilterSpec, path: string, token: CancellationToken): Promise<{ entries: number; bytes: number }> {
	const ix = doc.index;
	const fd = fs.openSync(path, 'w');
	let pending: Buffer[] = [];
	let pendingBytes = 0;
	let entries = 0, bytes = 0;
	const flush = () => {
		if (!pendingBytes) return;
		fs.writeSync(fd, pending.length === 1 ? pending[0] : Buffer.concat(pending));
		bytes += pendingBytes;
		pending = [];
		pendingBytes = 0;
	};
	try {
		forEachMatch(doc, spec, (e) => {
			const from = ix.lineStart(ix.entryStartLine(e));
			const to = ix.lineEnd(ix.entryEndLine(e));
			const b = Buffer.from(doc.source.read(from, to - from));
			pending.push(b, NL);
			pendingBytes += b.length + 1;
			entries++;
			if (pendingBytes >= 4 << 20) flush();
		}, token);
		flush();
	} finally {
		fs.closeSync(fd);
	}
	await Promise.resolve();
	return { entries, bytes };
}

const NL = Buffer.from('\n');
