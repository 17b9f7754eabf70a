import { scanAnomalies, Signal } from '../../core/anomalies';
import { Level, parseLevelName } from '../../core/levels';
import { CliError, Output } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';
import { indexWithSource } from './stats';

export const summary = 'anomaly signals: new message kinds, rate spikes, regular messages gone silent';

const HELP = `Usage: loglens anomalies FILE [--jsonl] [--new-level LEVEL] [--warmup 30m]

Reads the log in order, learning what is normal as it goes (log time, not wall time):
  new template   a message kind not seen before (after the warm-up), at warning or above
  rate spike     a template's or level's count in 5 minutes far above its learned baseline
                 (quasi-Poisson tail p < 1e-6, at least 10 entries and 4× the baseline)
  silence        a message that came at a steady period (a heartbeat) stops for 3 periods
  --jsonl            one signal per line: {kind, time, key, template, level, observed, expected,
                     score, message, line} (time ISO, line 1-based)
  --new-level LEVEL  lowest level for new-template signals (default warning; 'any' for all)
  --warmup DURATION  log time before anything is new or spiking (default 30m)
${COMMON_HELP}`;

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, { jsonl: { type: 'boolean' }, 'new-level': { type: 'string' }, warmup: { type: 'string' } }, HELP);
	if (!args) return 0;
	let minLevel: Level | null | undefined;
	const nl = args.values['new-level'];
	if (typeof nl === 'string') {
		minLevel = nl.toLowerCase() === 'any' ? null : parseLevelName(nl);
		if (minLevel === undefined) throw new CliError(`unknown level '${nl}' (use trace … critical, or any)`);
	}
	let warmupMs: number | undefined;
	if (typeof args.values.warmup === 'string') {
		const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(args.values.warmup.trim());
		if (!m) throw new CliError(`bad --warmup '${args.values.warmup}' (use e.g. 0, 10m, 1h)`);
		warmupMs = +m[1] * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 'ms') as 'ms'];
	}
	const { index, source, close } = await indexWithSource(args.file, args.format);
	let signals: Signal[];
	try {
		signals = scanAnomalies(index, source, { newTemplateMinLevel: minLevel, warmupMs });
	} finally {
		close();
	}
	const out = new Output();
	const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);
	for (const s of signals) {
		if (args.values.jsonl) {
			out.write(JSON.stringify({ ...s, time: iso(s.time), line: s.line === undefined ? undefined : s.line + 1 }) + '\n');
		} else {
			out.write(`${iso(s.time) ?? '-'}  ${s.kind.padEnd(12)}${s.line === undefined ? '' : `  line ${s.line + 1}`}  ${s.message}\n`);
		}
		if (out.pending > 1 << 16) await out.flush();
	}
	if (!args.values.jsonl && signals.length === 0) out.write('no anomalies found\n');
	await out.flush();
	return 0;
}
