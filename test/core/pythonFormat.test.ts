// Round trip through real CPython: a Python process writes records through logging.Formatter with
// each format string below and dumps every LogRecord's attributes to a JSON side file; the
// compiled format must find exactly those records in the log and read every field back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { compilePythonFormat, PythonFormatOptions, PythonLogFormat } from '../../src/core/python/formatString';
import { compileStrftime } from '../../src/core/python/strftime';
import { parseTraceback } from '../../src/core/python/traceback';
import { Level, levelFromNumber, levelFromToken } from '../../src/core/levels';
import { tempDir } from '../testUtil';

interface Case extends PythonFormatOptions {
	label: string;
}

const CASES: Case[] = [
	{ label: 'default datefmt, -8s, brackets', format: '%(asctime)s %(levelname)-8s [%(name)s] %(message)s' },
	{ label: 'Django verbose', format: '{levelname} {asctime} {module} {process:d} {thread:d} {message}', style: '{' },
	{ label: 'Flask', format: '[%(asctime)s] %(levelname)s in %(module)s: %(message)s' },
	{ label: 'Airflow', format: '[%(asctime)s] {%(filename)s:%(lineno)d} %(levelname)s - %(message)s' },
	{ label: 'gunicorn', format: '%(asctime)s [%(process)d] [%(levelname)s] %(message)s', datefmt: '[%Y-%m-%d %H:%M:%S %z]' },
	{ label: '$ style', format: '$asctime $levelname ${name}: $message', style: '$' },
	{ label: '.1s, msecs, %b datefmt, %4d', format: '%(levelname).1s %(asctime)s.%(msecs)03d %(threadName)s %(funcName)s:%(lineno)4d %(message)s', datefmt: '%b %d %H:%M:%S' },
	{ label: '{ with ^10 >12 extras %z', format: '{asctime} | {levelname:^10} | {name:>12} | {funcName}:{lineno:d} | {request_id} | {message}', style: '{', datefmt: '%Y-%m-%dT%H:%M:%S%z' },
	{ label: 'created/relativeCreated/levelno', format: '%(created)f %(relativeCreated)d %(levelno)s %(processName)s %(message)s' },
	{ label: 'docs classic', format: '%(asctime)s - %(name)s - %(levelname)s - %(message)s' },
	{ label: 'BASIC_FORMAT', format: '%(levelname)s:%(name)s:%(message)s' },
	{ label: 'cookbook time-only', format: '%(asctime)s,%(msecs)d %(name)s %(levelname)s %(message)s', datefmt: '%H:%M:%S' },
	{ label: 'extras with defaults', format: '%(asctime)s %(levelname)s %(name)s [%(request_id)s] user=%(user)s %(message)s' },
	{ label: 'padded columns', format: '%(asctime)s %(levelname)-8s %(name)-22s %(funcName)-12s %(message)s' },
	{ label: 'Django runserver-like', format: '[{asctime}] {levelname:>8} {name}: {message}', style: '{', datefmt: '%d/%b/%Y %H:%M:%S' },
	{ label: 'pathname, thread ids, .3f', format: '%(asctime)s %(pathname)s:%(lineno)d %(thread)d %(threadName)s %(msecs).3f %(levelname)s %(message)s', datefmt: '%Y-%m-%d %I:%M:%S %p' },
	{ label: 'lower msecs {}', format: '{asctime}.{msecs:03.0f} {levelname:<8} {name} {message}', style: '{', datefmt: '%y%m%d %H%M%S' },
];

const PRODUCER = String.raw`
import json, logging, sys, threading, time

cases = json.load(open(sys.argv[1]))
ATTRS = ['asctime', 'created', 'levelname', 'levelno', 'name', 'module', 'funcName', 'lineno', 'process',
         'processName', 'thread', 'threadName', 'filename', 'pathname', 'msecs', 'relativeCreated', 'request_id', 'user']

class Dumping(logging.FileHandler):
    def __init__(self, filename, side):
        super().__init__(filename, mode='w', encoding='utf-8')
        self.side = open(side, 'w', encoding='utf-8')
    def emit(self, record):
        super().emit(record)
        d = {}
        for a in ATTRS:
            if hasattr(record, a):
                v = getattr(record, a)
                d[a] = {'raw': v, 'str': str(v)}
        d['message'] = record.getMessage()
        d['gmtoff'] = time.localtime(record.created).tm_gmtoff
        d['year'] = time.localtime(record.created).tm_year
        if record.exc_info:
            import traceback
            e = record.exc_info[1]
            d['exc'] = {'type': type(e).__qualname__, 'func': traceback.extract_tb(e.__traceback__)[-1].name,
                        'line': traceback.extract_tb(e.__traceback__)[-1].lineno}
        self.side.write(json.dumps(d) + '\n')
        self.side.flush()

class Defaults(logging.Filter):
    def filter(self, record):
        record.request_id = getattr(record, 'request_id', '-')
        record.user = getattr(record, 'user', 'anonymous')
        return True

root = logging.getLogger()
root.setLevel(1)
for c in cases:
    h = Dumping(c['log'], c['side'])
    h.addFilter(Defaults())
    h.setFormatter(logging.Formatter(c['format'], c.get('datefmt'), style=c.get('style', '%')))
    root.addHandler(h)

logging.addLevelName(5, 'TRACE')
app = logging.getLogger('app')
db = logging.getLogger('app.db.pool')
urllib = logging.getLogger('urllib3.connectionpool')

class AppError(Exception):
    pass

def load_user(uid):
    return {}['user-%d' % uid]

def handle_request(n):
    app.info('GET /items/%d 200', n, extra={'request_id': 'req %04d' % n, 'user': 'alice@example.com'})
    db.debug('pool size=%d: checked out [conn-%d]', 5, n)
    try:
        try:
            load_user(n)
        except KeyError as e:
            raise AppError('user %d missing' % n) from e
    except AppError:
        app.exception('request %d failed', n, extra={'request_id': 'req-%04d' % n})

def warn_many():
    urllib.warning('Retrying (Retry(total=2)) after connection broken by: timeout')
    app.error('multi-line\nsecond line\n  indented third')
    app.critical('naïve ✓ unicode — and  double  spaces   ')
    app.log(5, 'trace level message')
    app.log(25, 'unnamed level 25')
    logging.info('root logger says hi')
    app.warning('')

def group_failure():
    errors = []
    for i in range(2):
        try:
            raise ValueError('bad value %d' % i)
        except ValueError as e:
            errors.append(e)
    try:
        raise ExceptionGroup('batch failed', errors)
    except ExceptionGroup:
        app.exception('batch')

def worker(k):
    for n in range(3):
        handle_request(k * 10 + n)

for k in range(2):
    handle_request(k)
warn_many()
threads = [threading.Thread(target=worker, args=(1,), name='worker-1'), threading.Thread(target=worker, args=(2,))]
for t in threads: t.start()
for t in threads: t.join()
group_failure()
`;

interface Attr {
	raw: unknown;
	str: string;
}
type Record = { [k: string]: Attr } & { message: string; gmtoff: number; year: number; exc?: { type: string; func: string; line: number } };

function produce(): { dir: string; cleanup: () => void; formats: PythonLogFormat[]; logs: string[]; records: Record[][] } {
	const t = tempDir('loglens-pyfmt-');
	const spec = CASES.map((c, i) => ({ format: c.format, style: c.style ?? '%', datefmt: c.datefmt ?? null, log: join(t.dir, `c${i}.log`), side: join(t.dir, `c${i}.jsonl`) }));
	writeFileSync(join(t.dir, 'spec.json'), JSON.stringify(spec));
	// A zone with a half-hour offset and no DST, so the local-time arithmetic is really exercised.
	const r = spawnSync('python3', ['-S', '-c', PRODUCER, join(t.dir, 'spec.json')], { encoding: 'utf8', env: { ...process.env, TZ: 'Asia/Kolkata' } });
	if (r.status !== 0) throw new Error(r.stderr);
	assert.equal(r.stderr, '', 'logging reported no formatting errors');
	return {
		...t,
		formats: CASES.map((c) => compilePythonFormat(c)),
		logs: spec.map((s) => readFileSync(s.log, 'utf8')),
		records: spec.map((s) => readFileSync(s.side, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record)),
	};
}

/** The expected text of one field, as the format shows it (truncation applied, padding not). */
function checkField(fmt: PythonLogFormat, name: string, shown: string, rec: Record, label: string): void {
	const tok = fmt.tokens.find((t) => 'field' in t && t.field.name === name);
	if (!tok || !('field' in tok)) return;
	const f = tok.field;
	const a = rec[name];
	assert.ok(a, `${label}: record has ${name}`);
	const where = `${label}: field ${name}`;
	if ('dioux'.includes(f.type) && f.type !== 's') {
		assert.equal(Number(shown), Math.trunc(a.raw as number), where);
	} else if ('fFeEgG'.includes(f.type)) {
		const tol = f.precision === undefined ? 1e-6 : 0.5 * 10 ** -f.precision + 1e-9;
		assert.ok(Math.abs(Number(shown) - (a.raw as number)) <= tol, `${where}: ${shown} vs ${a.raw}`);
	} else {
		const want = f.precision === undefined ? a.str : a.str.slice(0, f.precision);
		assert.equal(shown, want, where);
	}
}

test('python format strings: real CPython output parses back field by field', () => {
	const p = produce();
	try {
		let checkedRecords = 0;
		let checkedFields = 0;
		for (let c = 0; c < CASES.length; c++) {
			const fmt = p.formats[c]!;
			const label = CASES[c]!.label;
			const records = p.records[c]!;
			const lines = p.logs[c]!.replace(/\n$/, '').split('\n');
			// Entries: header lines and the continuation lines below them.
			const entries: { header: string; match: NonNullable<ReturnType<PythonLogFormat['parseHeader']>>; text: string[] }[] = [];
			for (const line of lines) {
				const rec = records[entries.length];
				const m = fmt.parseHeader(line, { year: rec?.year ?? 2000, defaultZoneOffsetMinutes: (rec?.gmtoff ?? 0) / 60 });
				if (m) entries.push({ header: line, match: m, text: [line] });
				else {
					assert.ok(entries.length > 0, `${label}: first line is a header: ${line}`);
					entries[entries.length - 1]!.text.push(line);
				}
			}
			assert.equal(entries.length, records.length, `${label}: one header per record`);
			const strf = fmt.datefmt === null ? null : compileStrftime(fmt.datefmt);
			for (let i = 0; i < records.length; i++) {
				const rec = records[i]!;
				const { match, header, text } = entries[i]!;
				const where = `${label} #${i}`;
				for (const name of fmt.fieldNames) {
					if (name === 'message') continue;
					assert.ok(match.fields && name in match.fields, `${where}: has ${name}`);
					checkField(fmt, name, match.fields![name]!, rec, where);
					checkedFields++;
				}
				// Message: the first line of getMessage() (its other lines are continuation lines).
				if (fmt.fieldNames.includes('message')) {
					assert.equal(header.slice(match.messageStart, match.messageEnd), rec.message.split('\n')[0], `${where}: message`);
					assert.equal(text.slice(1, rec.message.split('\n').length).join('\n'), rec.message.split('\n').slice(1).join('\n'), `${where}: message lines`);
				}
				// Level.
				const shownLevel = match.fields?.['levelname'];
				const levelno = rec['levelno']!.raw as number;
				let want = levelFromNumber(levelno, 'python');
				if (shownLevel !== undefined && /^L(e(v(e(l)?)?)?)?$/.test(shownLevel)) want = Level.Unknown;
				if (shownLevel !== undefined && levelFromToken(rec['levelname']!.str) !== Level.Unknown) want = levelFromToken(rec['levelname']!.str);
				if (shownLevel === 'T') want = Level.Trace;
				assert.equal(match.level, want, `${where}: level (${shownLevel})`);
				if (fmt.fieldNames.includes('name')) assert.equal(match.logger, rec['name']!.str, `${where}: logger`);
				// Time, to the precision the line shows.
				const created = (rec['created']!.raw as number) * 1000;
				if (fmt.fieldNames.includes('asctime') && strf && !strf.hasDate) {
					assert.ok(Number.isNaN(match.time), `${where}: no date, no time`);
				} else if (fmt.fieldNames.includes('asctime') || fmt.fieldNames.includes('created')) {
					const ms = !fmt.fieldNames.includes('asctime') || fmt.datefmt === null || fmt.fieldNames.includes('msecs');
					const diff = created - match.time;
					assert.ok(diff >= 0 && diff < (ms ? 1 : 1000), `${where}: time ${match.time} vs created ${created}`);
				}
				// Tracebacks under logger.exception records.
				if (rec.exc) {
					const tb = parseTraceback(text.join('\n'));
					assert.ok(tb, `${where}: traceback found`);
					assert.equal(tb.type, rec.exc.type, `${where}: exception type`);
					assert.equal(tb.raisingFrame?.func, rec.exc.func, `${where}: raising function`);
					assert.equal(tb.raisingFrame?.line, rec.exc.line, `${where}: raising line`);
				} else {
					assert.equal(parseTraceback(text.join('\n')), null, `${where}: no traceback`);
				}
				checkedRecords++;
			}
		}
		assert.ok(checkedRecords >= CASES.length * 20, `checked ${checkedRecords} records`);
		assert.ok(checkedFields > 1000, `checked ${checkedFields} fields`);
	} finally {
		p.cleanup();
	}
});

test('python format strings: tokens of each style', () => {
	const pct = compilePythonFormat({ format: '%(asctime)s %%%(levelname)-8s %(lineno)4d %(msecs)03d %(levelname).1s' });
	assert.deepEqual(pct.tokens.map((t) => ('literal' in t ? t.literal : `${t.field.name}/${t.field.type}/${t.field.align ?? ''}${t.field.width ?? ''}.${t.field.precision ?? ''}`)),
		['asctime/s/.', ' %', 'levelname/s/<8.', ' ', 'lineno/d/>4.', ' ', 'msecs/d/>3.', ' ', 'levelname/s/.1']);
	const brace = compilePythonFormat({ format: '{{x}} {levelname:*^10} {lineno:d} {msecs:03.0f} {name!r}', style: '{' });
	assert.deepEqual(brace.tokens.map((t) => ('literal' in t ? t.literal : `${t.field.name}/${t.field.type}/${t.field.fill}${t.field.align ?? ''}${t.field.width ?? ''}`)),
		['{x} ', 'levelname/s/*^10', ' ', 'lineno/d/ ', ' ', 'msecs/f/0=3', ' ', 'name/r/ ']);
	const dollar = compilePythonFormat({ format: '$$ $asctime ${levelname}x $message', style: '$' });
	assert.deepEqual(dollar.fieldNames, ['asctime', 'levelname', 'message']);
	assert.equal(dollar.tokens[0] && 'literal' in dollar.tokens[0] ? dollar.tokens[0].literal : '', '$ ');
	const m = brace.parseHeader("{x} **ERROR*** 12 007 'app'", { year: 2024 });
	assert.equal(m?.level, Level.Error);
	assert.equal(m?.fields?.['name'], "'app'");
});

test('python format strings: message before other fields, and multi-line messages', () => {
	const f = compilePythonFormat({ format: '%(asctime)s %(levelname)s %(message)s [in %(pathname)s:%(lineno)d]' });
	const ctx = { year: 2024, defaultZoneOffsetMinutes: 0 };
	const line = '2024-05-01 10:00:00,250 ERROR boom [x] [in /srv/my app/views.py:42]';
	const m = f.parseHeader(line, ctx)!;
	assert.equal(line.slice(m.messageStart, m.messageEnd), 'boom [x]');
	assert.equal(m.fields?.['pathname'], '/srv/my app/views.py');
	assert.equal(m.fields?.['lineno'], '42');
	assert.equal(m.time, Date.UTC(2024, 4, 1, 10, 0, 0, 250));
	// First line of a multi-line message: the tail is on its last line, the prefix still identifies it.
	const first = f.parseHeader('2024-05-01 10:00:00,250 WARNING first line', ctx)!;
	assert.equal(first.level, Level.Warning);
	assert.equal(first.messageStart, 32);
	assert.equal(f.parseHeader('second line [in /a.py:1]', ctx), null);
	// Continuation lines that look a little like headers are not headers.
	const basic = compilePythonFormat({ format: '%(levelname)s:%(name)s:%(message)s' });
	assert.equal(basic.parseHeader('ValueError: bad:thing', ctx), null);
	assert.equal(basic.parseHeader('KeyError: 1', ctx), null);
	assert.equal(basic.parseHeader('  File "x.py", line 1, in <module>', ctx), null);
	assert.equal(basic.parseHeader('WARNING:app.db:slow: 3s', ctx)?.logger, 'app.db');
	// A format with a newline: the header is its first line.
	const two = compilePythonFormat({ format: '%(asctime)s %(levelname)s\n%(message)s' });
	const h = two.parseHeader('2024-05-01 10:00:00,250 INFO', ctx)!;
	assert.equal(h.level, Level.Info);
	assert.equal(h.messageStart, 28);
});

test('python format strings: no catastrophic backtracking on long non-matching lines', () => {
	const f = compilePythonFormat({ format: '%(threadName)s %(processName)s %(pathname)s %(request_id)s: %(funcName)s: %(message)s' });
	// Holds every separator of the format in order, yet cannot match: a backtracking engine would
	// try O(n⁵) splits.
	const long = 'a b '.repeat(2500) + ': x y: ';
	const t0 = process.hrtime.bigint();
	for (let i = 0; i < 20; i++) assert.equal(f.parseHeader(long, { year: 2024 }), null);
	const ms = Number(process.hrtime.bigint() - t0) / 1e6;
	assert.ok(ms < 2000, `20 parses of a 10k-char line took ${ms} ms`);
	const ok = f.parseHeader('MainThread MainProcess /srv/app.py req-1: handle: done: ok', { year: 2024 })!;
	assert.equal(ok.fields?.['funcName'], 'handle');
	assert.equal(ok.fields?.['request_id'], 'req-1');
	const longOk = f.parseHeader('MainThread MainProcess /srv/app.py req-1: handle: ' + 'x '.repeat(5000), { year: 2024 })!;
	assert.equal(longOk.messageStart, 50);
});
