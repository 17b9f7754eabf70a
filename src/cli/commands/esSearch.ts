import { parseArgs } from 'node:util';
import { parseFilterLevel, parseTimeBound } from '../../core/filter/filter';
import { createEsClient, describeEsError } from '../../core/elasticsearch/connection';
import { hitToLogText, LogSearch, searchLogs } from '../../core/elasticsearch/search';
import { CliError, Output } from '../cliIo';
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectionFromArgs } from './export';

export const summary = 'print log entries read back from Elasticsearch (time range, level, text)';

const HELP = `Usage: loglens es-search --es URL --index NAME [options]

Prints matching documents in time order, each as its original log text (event.original) or, for
documents without it, as "time LEVEL [logger] message".
${CONNECTION_HELP}
  --since T, --until T ISO time, HH:MM[:SS] (today), or 15m / 2h / 1d ago
  --level MIN          entries at or above MIN (trace … critical)
  --query TEXT         words that must all occur in message / error / logger ("phrase", -not, a | b)
  --limit N            at most N entries (default 10000)
  --jsonl              one JSON object per hit: {_id, _index, _source}
  -h, --help           this help`;

export async function run(argv: string[]): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({
			args: argv, allowPositionals: false, strict: true,
			options: { ...CONNECTION_OPTIONS, since: { type: 'string' }, until: { type: 'string' }, level: { type: 'string' }, query: { type: 'string' }, limit: { type: 'string' }, jsonl: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
		});
	} catch (e) {
		throw new CliError((e as Error).message);
	}
	const v = parsed.values as Record<string, string | boolean | undefined>;
	if (v.help) {
		process.stdout.write(HELP + '\n');
		return 0;
	}
	const { conn, index } = connectionFromArgs(v);
	const search: LogSearch = { index };
	if (typeof v.since === 'string') search.since = parseTimeBound(v.since);
	if (typeof v.until === 'string') search.until = parseTimeBound(v.until);
	if (typeof v.level === 'string') search.minLevel = parseFilterLevel(v.level);
	if (typeof v.query === 'string') search.query = v.query;
	if (typeof v.limit === 'string') {
		if (!/^\d+$/.test(v.limit) || +v.limit < 1) throw new CliError(`--limit needs a positive integer, got '${v.limit}'`);
		search.limit = +v.limit;
	}
	let client;
	try {
		client = createEsClient(conn);
	} catch (e) {
		throw new CliError(describeEsError(e));
	}
	const out = new Output();
	try {
		for await (const h of searchLogs(client, search)) {
			out.write(v.jsonl === true ? JSON.stringify({ _id: h.id, _index: h.index, _source: h.source }) + '\n' : hitToLogText(h) + '\n');
			if (out.pending > 1 << 16) await out.flush();
		}
	} catch (e) {
		throw new CliError(describeEsError(e, conn.url ?? 'Elastic Cloud'));
	} finally {
		await out.flush();
		await client.close();
	}
	return 0;
}
