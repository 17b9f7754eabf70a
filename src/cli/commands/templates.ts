import { stripAnsi } from '../../core/ansi';
import { EntryStream } from '../../core/entryStream';
import { TemplateMiner, tracebackKey } from '../../core/templates';
import { fileYear, Output, readInput } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';

export const summary = 'message templates with counts, most frequent first (--jsonl: the template of every line)';

const HELP = `Usage: loglens templates FILE [--jsonl]

Groups entries by message template: variable parts (numbers, ids, addresses, paths, values of
key=value …) become <*>, learned from the file itself. Python tracebacks group by exception type
and the frame that raised it. Prints "count  id  template", most frequent first.
  --jsonl            one object per line of FILE, in order: {line, templateId, template}
                     (continuation lines carry their entry's template; text after all merges)
${COMMON_HELP}`;

/** Growable Int32 column: entry start line, end line and template id for a second pass. */
class IntColumn {
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

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, { jsonl: { type: 'boolean' } }, HELP);
	if (!args) return 0;
	const jsonl = args.values.jsonl === true;
	const miner = new TemplateMiner();
	// Ids are final only after the whole file is mined, so the per-line output is a second pass.
	const starts = new IntColumn();
	const ends = new IntColumn();
	const ids = new IntColumn();
	const stream = new EntryStream((e, s) => {
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
		if (jsonl) {
			starts.push(e.line);
			ends.push(e.endLine);
			ids.push(id);
		}
	}, { format: args.values.format as string | undefined, ctx: { year: fileYear(args.file) }, transient: true, messageStarts: true });
	await readInput(args.file, (c) => {
		stream.append(c);
	});
	stream.finish();

	const out = new Output();
	if (!jsonl) {
		const list = miner.templates();
		const width = String(list.length ? list[0].count : 0).length;
		for (const t of list) {
			out.write(`${String(t.count).padStart(width)}  ${String(t.id).padStart(4)}  ${t.template}\n`);
			if (out.pending > 1 << 16) await out.flush();
		}
		await out.flush();
		return 0;
	}
	// JSON-encoded template text per surviving id, built once.
	const encoded = new Map<number, string>();
	for (let k = 0; k < ids.length; k++) {
		const id = miner.resolve(ids.data[k]);
		let tail = encoded.get(id);
		if (tail === undefined) {
			tail = `,"templateId":${id},"template":${JSON.stringify(miner.template(id))}}\n`;
			encoded.set(id, tail);
		}
		for (let line = starts.data[k]; line <= ends.data[k]; line++) {
			out.write(`{"line":${line + 1}${tail}`);
		}
		if (out.pending > 1 << 16) await out.flush();
	}
	await out.flush();
	return 0;
}
