/** Show Inner Log: a wrapped log's inner text, indexed under the tab's URI with the inner format. */
import { BufferSource } from '../core/byteSource';
import { innerLog, wrappedFormat } from '../core/innerLog';
import { LogIndex } from '../core/index/logIndex';
import { InnerLogParams, InnerLogResult } from '../shared/protocol';
import type { LogDoc } from './logStore';

/** The inner log of `doc` (null when it is not wrapped) and, for a tab, its own document. */
export function innerLogOf(doc: LogDoc, p: InnerLogParams): { result: InnerLogResult; tabDoc?: LogDoc } | null {
	const f = wrappedFormat(doc.index.format.format);
	const inner = innerLog(doc.index, doc.source, p.maxBytes);
	if (!f || !inner) return null;
	const result: InnerLogResult = { text: inner.text, lineMap: inner.lineMap, wrapper: f.wrapper.name, inner: f.inner.name, entries: inner.entries, totalEntries: doc.index.entryCount, truncated: inner.truncated };
	if (p.tab === undefined) return { result };
	const text = Buffer.from(inner.text, 'utf8');
	const index = LogIndex.fromText(text, { format: f.inner, ctx: doc.index.parseContext });
	return { result, tabDoc: { uri: p.tab, index, source: new BufferSource(text), state: 'ready', indexedBytes: text.length, totalBytes: text.length } };
}
