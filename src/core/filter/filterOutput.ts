// What `loglens filter` writes for each matching entry, to any byte sink: stdout in the CLI, a
// memory buffer in a worker thread filtering one range of a big file.
import { hasAnsiBytes, stripAnsiBytesInto } from '../ansi';
import { EntryStream, EntryStreamOptions, StreamedEntry } from '../entryStream';
import { CompiledFilter } from './filter';

/** Where output bytes go (the CLI's batched stdout writer, or `MemorySink`). */
export interface ByteSink {
	write(s: string): void;
	writeBytes(b: Uint8Array, s: number, e: number): void;
	writeByte(c: number): void;
	/** Room for `n` more bytes at `pos` in `buf`; the caller fills them and calls `commit`. */
	reserve(n: number): { buf: Buffer; pos: number };
	commit(end: number): void;
}

/** A growing in-memory sink. */
export class MemorySink implements ByteSink {
	private buf = Buffer.allocUnsafe(1 << 16);
	private pos = 0;

	private room(n: number): void {
		if (this.pos + n <= this.buf.length) return;
		const nb = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
		this.buf.copy(nb, 0, 0, this.pos);
		this.buf = nb;
	}

	write(s: string): void {
		this.room(s.length * 3);
		this.pos += this.buf.write(s, this.pos, 'utf8');
	}

	writeBytes(b: Uint8Array, s: number, e: number): void {
		this.room(e - s);
		this.buf.set(b.subarray(s, e), this.pos);
		this.pos += e - s;
	}

	writeByte(c: number): void {
		this.room(1);
		this.buf[this.pos++] = c;
	}

	reserve(n: number): { buf: Buffer; pos: number } {
		this.room(n);
		return { buf: this.buf, pos: this.pos };
	}

	commit(end: number): void {
		this.pos = end;
	}

	/** The bytes written (a view of the sink's buffer). */
	bytes(): Buffer {
		return this.buf.subarray(0, this.pos);
	}
}

export interface FilterOutputOptions {
	/** Prefix each line with its 1-based number and ':'. */
	lineNumbers?: boolean;
	/** Keep ANSI escape sequences. */
	raw?: boolean;
}

/** An entry stream that writes the original text of every entry `filter` accepts to `sink`. */
export function filteringStream(filter: CompiledFilter, sink: ByteSink, out: FilterOutputOptions, opts: EntryStreamOptions): EntryStream {
	const numbers = out.lineNumbers === true, raw = out.raw === true;
	return new EntryStream((e, s) => {
		// Level and time come from the index pass: entries that fail them are never decoded.
		if (!filter.passesIndex(e.level, e.time)) return;
		if (filter.needsHeader) {
			const d = s.detail(e, true);
			if (!filter.passesDetail(d, d.text ?? '')) return;
		} else if (filter.needsText && !filter.passesText(s.text(e))) return;
		if (numbers) writeNumbered(sink, e, raw);
		else writeEntry(sink, e, raw);
	}, { ...opts, transient: true });
}

/** The entry's bytes as they are in the file (CRs dropped, escapes dropped unless raw), then LF. */
function writeEntry(out: ByteSink, e: StreamedEntry, raw: boolean): void {
	const b = e.src;
	if (!e.crlf && (raw || !hasAnsiBytes(b, e.srcStart, e.srcEnd))) {
		out.writeBytes(b, e.srcStart, e.srcEnd);
		out.writeByte(10);
		return;
	}
	for (const line of e.lines) writeLine(out, line, raw);
}

function writeNumbered(out: ByteSink, e: StreamedEntry, raw: boolean): void {
	const lines = e.lines;
	for (let i = 0; i < lines.length; i++) {
		out.write(`${e.line + i + 1}:`);
		writeLine(out, lines[i], raw);
	}
}

function writeLine(out: ByteSink, line: Buffer, raw: boolean): void {
	if (raw || !hasAnsiBytes(line, 0, line.length)) out.writeBytes(line, 0, line.length);
	else {
		const r = out.reserve(line.length);
		out.commit(stripAnsiBytesInto(line, 0, line.length, r.buf, r.pos));
	}
	out.writeByte(10);
}
