import { CompiledFilter, FilterSpec, parseFilterLevel, parseTimeBound } from '../../core/filter/filter';
import { bulkExport, ExportItem, ExportSummary, formatSummary } from '../../core/elasticsearch/bulkExport';
import { createEsClient, describeEsError, EsConnectionOptions, EsCredentials, testConnection } from '../../core/elasticsearch/connection';
import { fileItems, followItems, planResume, textItems } from '../../core/elasticsearch/exportSources';
import { readStateFile, stateAt, ThrottledStateWriter, writeStateFile } from '../../core/elasticsearch/exportState';
import { ensureIndexTemplate, templateName } from '../../core/elasticsearch/indexTemplate';
import { checkReadableFile, CliError } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';

export const summary = 'export entries to Elasticsearch as ECS documents (once, or --follow)';

/** Connection options every Elasticsearch command takes. */
export const CONNECTION_OPTIONS = {
	es: { type: 'string' },
	'cloud-id': { type: 'string' },
	index: { type: 'string' },
	'api-key': { type: 'string' },
	'api-key-env': { type: 'string' },
	user: { type: 'string' },
	'password-env': { type: 'string' },
	'ca-file': { type: 'string' },
} as const;

export const CONNECTION_HELP = `  --es URL             Elasticsearch URL (http://host:9200, https://…); or --cloud-id ID
  --index NAME         the index (or, for es-search, an index pattern)
  --api-key KEY        API key (encoded id:key); --api-key-env VAR reads it from \$VAR instead
  --user U --password-env VAR   basic authentication, the password read from \$VAR
  --ca-file PEM        trust this CA (self-signed clusters)
  Without credential options, LOGLENS_ES_API_KEY is used when set.`;

/** Connection settings from the parsed options; CliError for missing or contradictory ones. */
export function connectionFromArgs(v: Record<string, string | boolean | string[] | undefined>): { conn: EsConnectionOptions; index: string } {
	const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
	const url = str('es');
	const cloudId = str('cloud-id');
	if (!url && !cloudId) throw new CliError('missing --es URL (or --cloud-id ID); see --help');
	const index = str('index');
	if (!index) throw new CliError('missing --index NAME');
	let credentials: EsCredentials | undefined;
	const keyEnv = str('api-key-env');
	const apiKey = str('api-key') ?? (keyEnv ? process.env[keyEnv] : undefined);
	if (keyEnv && !apiKey) throw new CliError(`--api-key-env ${keyEnv}: the variable is not set`);
	const user = str('user');
	if (apiKey && user) throw new CliError('give either an API key or --user, not both');
	if (apiKey) credentials = { apiKey };
	else if (user) {
		const env = str('password-env');
		if (!env) throw new CliError('--user needs --password-env VAR (the password is never taken on the command line)');
		const password = process.env[env];
		if (password === undefined) throw new CliError(`--password-env ${env}: the variable is not set`);
		credentials = { username: user, password };
	} else if (process.env.LOGLENS_ES_API_KEY) credentials = { apiKey: process.env.LOGLENS_ES_API_KEY };
	return { conn: { url, cloudId, credentials, caFile: str('ca-file') }, index };
}

const HELP = `Usage: loglens export FILE --es URL --index NAME [options]

Indexes every entry of FILE ('-' reads stdin) as an ECS document (@timestamp, log.level, message,
log.logger, log.origin.*, error.*, event.original, python.* …). Document ids come from the file's
identity and the entry's byte offset: exporting again overwrites, never duplicates.
${CONNECTION_HELP}
  --create-template    put the ECS index template for NAME when it is missing
  --follow             keep exporting what is appended, across rotation (Ctrl+C stops)
  --state FILE         keep the acknowledged position in FILE and resume from it
  --level MIN, --since T, --until T, --grep RE   export only matching entries
  --flush-bytes N      bulk request size (default 5000000)
  --concurrency N      bulk requests in flight (default 3; 1 with --follow)
  --json               print the summary as JSON
${COMMON_HELP}

Exit status: 0 every entry indexed, 1 some were refused (the first reasons are printed), 2 error.`;

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, {
		...CONNECTION_OPTIONS,
		'create-template': { type: 'boolean' },
		follow: { type: 'boolean' },
		state: { type: 'string' },
		level: { type: 'string' },
		since: { type: 'string' },
		until: { type: 'string' },
		grep: { type: 'string', multiple: true },
		'flush-bytes': { type: 'string' },
		concurrency: { type: 'string' },
		json: { type: 'boolean' },
	}, HELP);
	if (!args) return 0;
	const v = args.values;
	const { conn, index } = connectionFromArgs(v);
	const follow = v.follow === true;
	const statePath = typeof v.state === 'string' ? v.state : undefined;
	if (args.file === '-' && (follow || statePath)) throw new CliError('--follow and --state need a file, not stdin');
	if (args.file !== '-') checkReadableFile(args.file);
	const spec: FilterSpec = {};
	if (typeof v.level === 'string') spec.minLevel = parseFilterLevel(v.level);
	if (typeof v.since === 'string') spec.since = parseTimeBound(v.since);
	if (typeof v.until === 'string') spec.until = parseTimeBound(v.until);
	if (Array.isArray(v.grep)) spec.include = v.grep;
	const filter = Object.keys(spec).length ? new CompiledFilter(spec) : undefined;
	const num = (k: string, dflt: number) => {
		const s = v[k];
		if (typeof s !== 'string') return dflt;
		if (!/^\d+$/.test(s) || +s < 1) throw new CliError(`--${k} needs a positive integer, got '${s}'`);
		return +s;
	};
	const flushBytes = num('flush-bytes', 5_000_000);
	const concurrency = follow ? 1 : num('concurrency', 3);

	let client;
	try {
		client = createEsClient(conn);
	} catch (e) {
		throw new CliError(describeEsError(e));
	}
	const where = conn.url ?? 'Elastic Cloud';
	try {
		try {
			await testConnection(client);
			const t = await ensureIndexTemplate(client, index, v['create-template'] === true);
			if (t === 'created') process.stderr.write(`loglens: created index template ${templateName(index)} (ECS mappings)\n`);
			else if (t === 'missing') process.stderr.write(`loglens: no Log Lens index template for '${index}': fields get dynamic mappings (add --create-template for ECS mappings)\n`);
		} catch (e) {
			throw new CliError(describeEsError(e, where));
		}
		const format = args.format;
		const cancel = new AbortController();
		const stop = new AbortController();
		const onSigint = () => {
			if (follow && !stop.signal.aborted) {
				process.stderr.write('\nloglens: stopping: sending what was read (Ctrl+C again to cancel)\n');
				stop.abort();
			} else cancel.abort();
		};
		process.on('SIGINT', onSigint);
		const writer = statePath ? new ThrottledStateWriter((s) => writeStateFile(statePath, s)) : undefined;
		let items: AsyncIterable<ExportItem> | Iterable<ExportItem>;
		if (args.file === '-') {
			const chunks: Buffer[] = [];
			for await (const c of process.stdin) chunks.push(c as Buffer);
			items = textItems(Buffer.concat(chunks), { format, filter });
		} else {
			const plan = await planResume(args.file, statePath ? readStateFile(statePath, index) : undefined);
			if (statePath) process.stderr.write(`loglens: ${plan.note}\n`);
			items = follow
				? followItems(args.file, { format, filter, plan, stop: stop.signal, signal: cancel.signal, onEvent: (m) => process.stderr.write(`loglens: ${m}\n`) })
				: (async function* () {
					if (plan.rotated) yield* fileItems(plan.rotated.path, { format, filter, fromOffset: plan.rotated.offset, signal: cancel.signal });
					yield* fileItems(args.file, { format, filter, fromOffset: plan.fromOffset, signal: cancel.signal });
				})();
		}
		const tty = process.stderr.isTTY;
		let s: ExportSummary;
		try {
			s = await bulkExport(client, items, {
				index, flushBytes, concurrency, signal: cancel.signal, flushIntervalMs: follow ? 1000 : undefined,
				onAcknowledged: writer ? (at) => writer.update(stateAt(index, at)) : undefined,
				onProgress: tty ? (p) => process.stderr.write(`\r${p.indexed.toLocaleString('en-US')} indexed, ${p.failed} refused, ${p.sent.toLocaleString('en-US')} read   `) : undefined,
			});
		} finally {
			process.off('SIGINT', onSigint);
			await writer?.flush();
		}
		if (tty) process.stderr.write('\n');
		if (v.json === true) {
			const { error, ...rest } = s;
			process.stdout.write(JSON.stringify({ index, ...rest, error: error === undefined ? undefined : describeEsError(error, where) }) + '\n');
		} else process.stdout.write(formatSummary(s, index) + '\n');
		if (s.error !== undefined) throw new CliError(`export stopped: ${describeEsError(s.error, where)} (run it again to continue: documents are overwritten, never duplicated)`);
		if (s.aborted) return 2;
		return s.failed > 0 ? 1 : 0;
	} finally {
		await client.close();
	}
}
