// Where the Elasticsearch tests send their requests: the loopback double by default, or a real
// cluster when ELASTICSEARCH_URL is set (then fault injection and request inspection are skipped).
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createEsClient, EsConnectionOptions } from '../../src/core/elasticsearch/connection';
import { EsDouble, EsDoubleOptions } from './server';

/** A place to export to, and how to clean up. */
export interface EsTarget {
	url: string;
	/** The double, when not running against a real cluster. */
	double?: EsDouble;
	conn: EsConnectionOptions;
	/** A fresh index name for this test. */
	index: string;
	close(): Promise<void>;
}

/** True when the suite runs against a real cluster. */
export const REAL_CLUSTER = !!process.env.ELASTICSEARCH_URL;

/** Starts the double (or points at the real cluster) with a fresh index name. */
export async function esTarget(opts: EsDoubleOptions = {}): Promise<EsTarget> {
	const index = `loglens-test-${randomBytes(4).toString('hex')}`;
	// Tests keep retries quick; the policy itself is what production uses, scaled down.
	const retry = { retries: 6, baseDelayMs: 20, maxDelayMs: 200 };
	if (REAL_CLUSTER) {
		const url = process.env.ELASTICSEARCH_URL as string;
		const apiKey = process.env.ELASTICSEARCH_API_KEY;
		const user = process.env.ELASTICSEARCH_USER;
		const conn: EsConnectionOptions = { url, retry, caFile: process.env.ELASTICSEARCH_CA_FILE,
			credentials: apiKey ? { apiKey } : user ? { username: user, password: process.env.ELASTICSEARCH_PASSWORD ?? '' } : undefined };
		return {
			url, conn, index,
			close: async () => {
				const c = createEsClient(conn);
				await c.indices.delete({ index }, { ignore: [404] }).catch(() => undefined);
				await c.indices.deleteIndexTemplate({ name: `loglens-${index}` }, { ignore: [404] }).catch(() => undefined);
				await c.close();
			},
		};
	}
	const double = new EsDouble(opts);
	const url = await double.start();
	const credentials = opts.apiKey ? { apiKey: opts.apiKey } : opts.basic ? { ...opts.basic } : undefined;
	return { url, double, conn: { url, retry, credentials }, index, close: () => double.close() };
}

/** The CPython program that writes the test logs: real `logging`, tracebacks, chained exceptions. */
export const PY_LOG_FORMAT = '%(asctime)s %(levelname)-8s [%(name)s] %(filename)s:%(lineno)d %(funcName)s() - %(message)s';

const PRODUCER = String.raw`
import json, logging, sys
path, n, truth = sys.argv[1], int(sys.argv[2]), sys.argv[3]
records = []
class Capture(logging.Filter):
    def filter(self, r):
        if truth != '-':
            e = r.exc_info[1] if r.exc_info else None
            records.append({'name': r.name, 'levelname': r.levelname, 'lineno': r.lineno, 'funcName': r.funcName,
                            'filename': r.filename, 'message': r.getMessage(), 'created': r.created,
                            'exc_type': type(e).__name__ if e else None, 'exc_message': str(e) if e else None})
        return True
h = logging.FileHandler(path, encoding='utf-8')
h.setFormatter(logging.Formatter(sys.argv[4]))
h.addFilter(Capture())
root = logging.getLogger()
root.addHandler(h)
root.setLevel(logging.DEBUG)
names = ['app', 'app.db', 'app.http.server', 'worker']

def parse_amount(s):
    return int(s)

def handle_order(i, log):
    try:
        parse_amount('12,%d' % i)
    except ValueError:
        log.exception('order %d failed', i)

def wrapped(i, log):
    try:
        try:
            {}['missing-%d' % i]
        except KeyError as e:
            raise RuntimeError('wrapped %d' % i) from e
    except RuntimeError:
        log.error('chained failure %d', i, exc_info=True)

for i in range(n):
    log = logging.getLogger(names[i % 4])
    k = i % 10
    if k == 3:
        log.warning('slow request %d took %.1f ms', i, i * 0.37)
    elif k == 5:
        handle_order(i, log)
    elif k == 7:
        log.info('multi-line %d\nsecond line\n  indented third', i)
    elif k == 8 and i % 20 == 8:
        wrapped(i, log)
    elif k == 9:
        log.debug('unicode \u00fcn\u00efc\u00f8d\u00e9 \u2713 %d', i)
    elif k == 1 and i % 100 == 1:
        log.critical('disk full on /var/%d', i)
    else:
        log.info('request %d ok', i)
h.close()
if truth != '-':
    with open(truth, 'w', encoding='utf-8') as f:
        for r in records:
            f.write(json.dumps(r) + '\n')
print(json.dumps({'records': n}))
`;

/** What CPython's logging recorded for each record (the ground truth). */
export interface PyRecord {
	name: string;
	levelname: string;
	lineno: number;
	funcName: string;
	filename: string;
	message: string;
	created: number;
	exc_type: string | null;
	exc_message: string | null;
}

/** Writes `n` records to `path` with CPython; returns what logging recorded for each (unless `truth` is false). */
export function writePythonLog(path: string, n: number, truth = true, format = PY_LOG_FORMAT): PyRecord[] {
	const truthPath = truth ? `${path}.truth.jsonl` : '-';
	const r = spawnSync('python3', ['-c', PRODUCER, path, String(n), truthPath, format], { encoding: 'utf8', maxBuffer: 1 << 26 });
	if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
	if (!truth) return [];
	return readFileSync(truthPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PyRecord);
}

