import { templatesInParallel } from '../../core/index/rangePool';
import { EntryTemplates, IntColumn, miningStream } from '../../core/templates/templateRun';
import { TemplateMiner } from '../../core/templates/templates';
import { fileYear, Output, readInput } from '../cliIo';
import { isStreamedInput } from '../logInput';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';

export const summary = 'message templates with counts, most frequent first (--jsonl: the template of every line)';

const HELP = `Usage: loglens templates FILE [--jsonl]

Groups entries by message template: variable parts (numbers, ids, addresses, paths, values of
key=value …) become <*>, learned from the file itself. Python tracebacks group by exception type
and the frame that raised it. Prints "count  id  template", most frequent first.
  --jsonl            one object per line of FILE, in order: {line, templateId, template}
                     (continuation lines carry their entry's template; text after all merges)
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, { jsonl: { type: 'boolean' } }, HELP);
	if (!args) return 0;
	const jsonl = args.values.jsonl === true;
	const format = args.format;
	const ctx = { year: fileYear(args.file) };
	// Ids are final only after the whole file is mined, so the per-line output is a second pass.
	const record: EntryTemplates | null = jsonl ? { starts: new IntColumn(), ends: new IntColumn(), ids: new IntColumn() } : null;
	// A big file is mined in parallel ranges (worker threads) whose templates are then merged.
	let miner = isStreamedInput(args.file) ? undefined : await templatesInParallel(args.file, format, ctx, record);
	if (!miner) {
		const one = (miner = new TemplateMiner());
		const stream = miningStream(one, record, { format, ctx });
		await readInput(args.file, (c) => {
			stream.append(c);
		});
		stream.finish();
	}
	const { starts, ends, ids } = record ?? { starts: new IntColumn(), ends: new IntColumn(), ids: new IntColumn() };

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
