import { parseArgs } from 'node:util';
import { entryToJson } from '../../core/entryReader';
import { LogMerge, MergeInputSpec } from '../../core/merge';
import { CliError, describeFsError, Output } from '../cliIo';
import { COMMON_HELP, formatOption } from '../commandArgs';
import { INPUT_FORMS_HELP, rotatedPath } from '../logInput';

export const summary = 'several logs as one, in time order, each entry marked with its file';

const HELP = `Usage: loglens merge FILE... [--jsonl] [--raw] [--rotated]

Merges logs by time, streaming (files of any size). Entries stay whole; equal times keep the
order of the FILEs; entries without a time keep their place after the entry before them. Each
file's format and time zone are read from the file itself.
  --jsonl            one object per entry: {file, line, endLine, level, time, logger, message}
  --raw              print the entries without the 'file | ' prefix
  --rotated          read every FILE with its rotated predecessors (same as @rotated:FILE)
  --zone ±HH:MM      zone of times written without one (default: this machine's)
${INPUT_FORMS_HELP}
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
			args: argv,
			options: { format: { type: 'string' }, style: { type: 'string' }, datefmt: { type: 'string' }, help: { type: 'boolean', short: 'h' }, jsonl: { type: 'boolean' }, raw: { type: 'boolean' }, rotated: { type: 'boolean' }, zone: { type: 'string' } },
			allowPositionals: true,
			strict: true,
		});
	} catch (e) {
		throw new CliError((e as Error).message.replace(/\. To specify a positional argument.*$/, ''));
	}
	const v = parsed.values;
	if (v.help) {
		process.stdout.write(HELP.trimEnd() + '\n');
		return 0;
	}
	if (parsed.positionals.length === 0) throw new CliError('missing FILE; see --help');
	if (parsed.positionals.includes('-')) throw new CliError('merge reads files, not stdin (-)');
	const format = formatOption(v);
	const zone = typeof v.zone === 'string' ? parseZone(v.zone) : undefined;
	const inputs: MergeInputSpec[] = parsed.positionals.map((p) => {
		const r = rotatedPath(p);
		return { path: r ?? p, rotated: r !== undefined || v.rotated === true, zoneOffsetMinutes: zone };
	});
	let merge: LogMerge;
	try {
		merge = await LogMerge.open(inputs, { format });
	} catch (e) {
		const p = (e as { path?: string }).path ?? '';
		if ((e as NodeJS.ErrnoException).code) throw new CliError(describeFsError(p, e).replace(/^: /, ''));
		throw e;
	}
	const out = new Output();
	try {
		const width = Math.max(...merge.files.map((f) => f.label.length));
		const prefixes = merge.files.map((f) => Buffer.from(`${f.label.padEnd(width)} | `));
		const nl = Buffer.from('\n');
		const jsonl = v.jsonl === true;
		const raw = v.raw === true;
		await merge.run((e) => {
			if (jsonl) out.write(JSON.stringify({ file: e.file, ...entryToJson(e.detail()) }) + '\n');
			else {
				for (const line of e.lines) {
					if (!raw) out.write(prefixes[e.fileId]);
					out.write(line);
					out.write(nl);
				}
			}
			// Only a full buffer makes the merge wait (a promise per entry would halve the speed).
			return out.pending > 1 << 16 ? out.flush() : undefined;
		});
	} catch (e) {
		const code = (e as NodeJS.ErrnoException).code;
		if (code !== undefined && !(e instanceof CliError)) throw new CliError((e as Error).message);
		throw e;
	} finally {
		await merge.close();
	}
	await out.flush();
	return 0;
}

/** `+05:30`, `-0800`, `Z`, `UTC` → minutes east of UTC. */
function parseZone(s: string): number {
	if (/^(z|utc|gmt)$/i.test(s)) return 0;
	const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(s);
	if (!m) throw new CliError(`--zone needs ±HH:MM (e.g. +05:30) or UTC, got '${s}'`);
	return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}
