// Mining the templates of a log stream — what `loglens templates` runs over a file, or a worker
// thread over one range of a big file.
import { stripAnsi } from '../ansi';
import { EntryStream, EntryStreamOptions } from '../entryStream';
import { TemplateMiner, tracebackKey } from './templates';

/** Growable Int32 column (entry start line, end line, template id for the per-line output). */
export class IntColumn {
	data = new Int32Array(1 << 12);
	length = 0;
	push(v: number): void {
		if (this.length === this.data.length) {
			const next = new Int32Array(this.data.length * 2);
			next.set(this.data);
			this.data = next;
		}
		this.data[this.length++] = v;
	}
}

/** Entries' first and last lines (0-based) and the template id each got when it was mined. */
export interface EntryTemplates {
	starts: IntColumn;
	ends: IntColumn;
	ids: IntColumn;
}

/**
 * An entry stream that adds every entry's message to `miner` (a traceback groups by exception
 * type and raising frame); with `record`, also each entry's lines and id.
 */
export function miningStream(miner: TemplateMiner, record: EntryTemplates | null, opts: EntryStreamOptions): EntryStream {
	return new EntryStream((e, s) => {
		let id: number;
		if (e.line === e.endLine && e.messageStart >= 0) {
			// The common case: a one-line entry whose message start the format's fast path knew.
			id = miner.addBytes(e.src, e.srcStart + e.messageStart, e.srcEnd);
		} else if (e.line !== e.endLine) {
			const d = s.detail(e, true);
			const tb = d.exception && d.text !== undefined ? tracebackKey(d.text) : undefined;
			id = miner.add(d.message, tb);
		} else {
			// the full detail (exception search, fields) costs far more than the header parse it needs
			let line = e.bytes.toString('utf8');
			if (e.line === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
			if (line.indexOf('\x1b') >= 0) line = stripAnsi(line);
			const h = s.format.format.parseHeader(line, s.parseContext);
			id = miner.add(h ? (h.message ?? line.slice(h.messageStart, h.messageEnd ?? line.length)) : line);
		}
		if (record) {
			record.starts.push(e.line);
			record.ends.push(e.endLine);
			record.ids.push(id);
		}
	}, { ...opts, transient: true, messageStarts: true });
}
