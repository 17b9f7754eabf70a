import type { LogFormat } from '../../core/format';
import { BufferSource, ByteSource, FileSource } from '../../core/byteSource';
import { LogIndex } from '../../core/index/logIndex';
import { computeStats, formatBucket, parseBucket, StatsResult } from '../../core/stats';
import { TemplateMiner } from '../../core/templates/templates';
import { CliError, fileYear, readInput } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';
import { buildIndex } from './summary';

export const summary = 'entries over time per level, error rate, top templates and loggers';

const HELP = `Usage: loglens stats FILE [--json] [--bucket 1m] [--top N]

Entries per time bucket and level, the error rate, the most frequent message templates (with a
sparkline over the log's span) and loggers, the time span and entries per second.
  --bucket SIZE      bucket size: 1s, 5s, 15s, 1m, 5m, 15m, 1h, 6h, 1d, 7d (rounded up to one
                     of these; default: the smallest giving at most 2000 buckets)
  --top N            templates and loggers listed (default 10)
  --json             {file, span: {first, last}, entries, entriesPerSecond, bucketMs,
                      buckets: [{t, counts: {level: n}}], errorRate: [...],
                      topTemplates: [{id, template, count, spark}], topLoggers: [{logger, count}]}
                     (t: bucket start, epoch ms; errorRate: error-or-worse share per bucket, null
                     when empty)
${COMMON_HELP}`;

/** An index and a random-access source for FILE or stdin (read whole: the index needs the bytes back). */
export async function indexWithSource(file: string, format: LogFormat | string | undefined): Promise<{ index: LogIndex; source: ByteSource; close(): void }> {
	if (file === '-') {
		const parts: Buffer[] = [];
		await readInput(file, (c) => {
			parts.push(Buffer.from(c));
		});
		const buf = Buffer.concat(parts);
		const index = LogIndex.fromText(buf, { format, ctx: { year: fileYear(file) } });
		const source = new BufferSource(buf);
		source.encoding = index.encoding;
		return { index, source, close: () => undefined };
	}
	const index = await buildIndex(file, format);
	const source = new FileSource(file);
	source.encoding = index.encoding;
	return { index, source, close: () => source.close() };
}

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, { json: { type: 'boolean' }, bucket: { type: 'string' }, top: { type: 'string' } }, HELP);
	if (!args) return 0;
	let bucketMs: number | undefined;
	if (typeof args.values.bucket === 'string') {
		bucketMs = parseBucket(args.values.bucket);
		if (bucketMs === undefined) throw new CliError(`bad --bucket '${args.values.bucket}' (use e.g. 1s, 5m, 1h, 1d)`);
	}
	const topN = typeof args.values.top === 'string' ? Number(args.values.top) : 10;
	if (!Number.isInteger(topN) || topN < 0) throw new CliError(`bad --top '${String(args.values.top)}' (a whole number)`);
	const { index, source, close } = await indexWithSource(args.file, args.format);
	let s: StatsResult;
	try {
		s = computeStats(index, source, { bucketMs, topN, templates: new TemplateMiner() });
	} finally {
		close();
	}
	if (args.values.json) {
		const out = {
			file: args.file, span: s.span, entries: s.entries, entriesPerSecond: s.entriesPerSecond, bucketMs: s.bucketMs,
			buckets: s.buckets, errorRate: s.errorRate,
			topTemplates: s.topTemplates.map((t) => ({ id: t.id, template: t.template, count: t.count, spark: t.spark })),
			topLoggers: s.topLoggers,
		};
		process.stdout.write(JSON.stringify(out) + '\n');
		return 0;
	}
	process.stdout.write(renderText(args.file, s));
	return 0;
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** A sparkline of block characters, scaled to its own maximum. */
export function sparkline(values: readonly number[]): string {
	const max = Math.max(0, ...values);
	return values.map((v) => (max === 0 || v === 0 ? ' ' : BLOCKS[Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}

function renderText(file: string, s: StatsResult): string {
	const L: string[] = [];
	L.push(`file      ${file}`);
	L.push(`span      ${s.span.first ?? '-'} … ${s.span.last ?? '-'}`);
	L.push(`entries   ${s.entries}${s.timedEntries < s.entries ? ` (${s.entries - s.timedEntries} without a time)` : ''}`);
	L.push(`rate      ${s.entriesPerSecond === null ? '-' : `${s.entriesPerSecond.toFixed(2)} entries/s`}`);
	L.push(`levels    ${s.levels.map((l) => `${l} ${s.levelTotals[l]}`).join(', ')}`);
	if (s.buckets.length) {
		// the chart as text: entries per bucket, re-binned to at most 60 columns
		const cols = Math.min(60, s.buckets.length);
		const per = s.buckets.length / cols;
		const total = new Array<number>(cols).fill(0), bad = new Array<number>(cols).fill(0);
		s.buckets.forEach((b, i) => {
			const c = Math.min(cols - 1, Math.floor(i / per));
			for (const [l, v] of Object.entries(b.counts)) {
				total[c] += v ?? 0;
				if (l === 'error' || l === 'critical') bad[c] += v ?? 0;
			}
		});
		L.push(`buckets   ${s.buckets.length} × ${formatBucket(s.bucketMs)}`);
		L.push(`entries   |${sparkline(total)}|`);
		L.push(`errors    |${sparkline(bad)}|`);
	}
	if (s.topTemplates.length) {
		L.push('', `top templates (${s.templateCount} in all)`);
		const w = String(s.topTemplates[0].count).length;
		for (const t of s.topTemplates) L.push(`${String(t.count).padStart(w)}  ${t.level.padEnd(8)} |${sparkline(t.spark)}|  #${t.id} ${t.template}`);
	}
	if (s.topLoggers.length) {
		L.push('', 'top loggers');
		const w = String(s.topLoggers[0].count).length;
		for (const g of s.topLoggers) L.push(`${String(g.count).padStart(w)}  ${g.logger}`);
	}
	return L.join('\n') + '\n';
}
