import { ByteSource } from './byteSource';
import { splitEntryLines } from './entryReader';
import { LogFormat } from './format';
import { WrappedFormat } from './formats/wrappers';
import { LogIndex } from './index/logIndex';

/** A wrapped log's inner log (what the program wrote), with where each of its lines comes from. */
export interface InnerLog {
	/** The inner log's text (lines joined with LF, escape sequences removed). */
	text: string;
	/** For each line of `text`, the 0-based line of the wrapped log it starts on. */
	lineMap: number[];
	/** Entries whose inner lines are in `text`; fewer than the log's when `maxBytes` stopped it. */
	entries: number;
	truncated: boolean;
}

/** The wrapped format behind a detected format (also through the escape-tolerant copy), or undefined. */
export function wrappedFormat(format: LogFormat): WrappedFormat | undefined {
	return format instanceof WrappedFormat ? format : undefined;
}

/**
 * The inner log of an indexed wrapped log, entry by entry, up to about `maxBytes` of text;
 * undefined when the log is not wrapped.
 */
export function innerLog(index: LogIndex, source: ByteSource, maxBytes = Infinity): InnerLog | undefined {
	const f = wrappedFormat(index.format.format);
	if (!f) return undefined;
	const parts: string[] = [];
	const lineMap: number[] = [];
	let bytes = 0, e = 0;
	for (; e < index.entryCount; e++) {
		const line = index.entryStartLine(e);
		const from = index.lineStart(line);
		const to = index.lineEnd(index.entryEndLine(e));
		const raw = splitEntryLines(source.read(from, to - from).toString(f.latin1Entries ? 'latin1' : 'utf8'));
		const u = f.unwrapLines(raw, index.parseContext);
		const text = u.lines.join('\n');
		if (e > 0 && bytes + text.length + 1 > maxBytes) break;
		parts.push(text);
		bytes += text.length + 1;
		for (const k of u.from) lineMap.push(line + k);
	}
	return { text: parts.join('\n'), lineMap, entries: e, truncated: e < index.entryCount };
}
