// `loglens … --format` with a Python logging format string (--style, --datefmt) and with a regex of
// named groups, as users run it: real CPython writes the records (and dumps each LogRecord's
// attributes to a side file), the CLI reads them back, and every field is compared. The editor's
// path (server/formatSettings.ts with a `logLens.formats` entry) must give the same entries.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LogIndex } from '../../src/core/index/logIndex';
import { BufferSource } from '../../src/core/byteSource';
import { readEntry } from '../../src/core/entryReader';
import { levelName, Level } from '../../src/core/levels';
import { formatFor, setFormatSettings } from '../../src/server/formatSettings';
import { currentCli, tempDir } from '../testUtil';

let cli = '';
let tmp: { dir: string; cleanup: () => void };
/** Half-hour offset without DST: local-time arithmetic is really exercised. Producer and CLI share it. */
const TZ = 'Asia/Kolkata';

before(() => {
	tmp = tempDir('loglens-cliformat-');
	cli = currentCli(tmp.dir);
});
after(() => tmp.cleanup());

function loglens(args: string[], timeoutMs = 60_000) {
	const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TZ }, timeout: timeoutMs });
	return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}

interface Case {
	label: string;
	format: string;
	style?: '%' | '{' | '$';
	datefmt?: string;
}

const CASES: Case[] = [
	{ label: '% default datefmt, padded level', format: '%(asctime)s %(levelname)-8s [%(name)s] %(module)s.%(funcName)s:%(lineno)d %(message)s' },
	{ label: '% datefmt with zone, process/thread', format: '%(asctime)s [%(process)d] %(threadName)s %(levelname)s %(name)s: %(message)s', datefmt: '%Y-%m-%dT%H:%M:%S%z' },
	{ label: '% msecs, truncated level, created', format: '%(levelname).1s %(asctime)s.%(msecs)03d %(created)f %(filename)s %(message)s', datefmt: '%d/%b/%Y %H:%M:%S' },
	{ label: '{ style, widths, extra field', format: '{asctime} | {levelname:^10} | {name:>14} | {request_id} | {levelno:d} | {message}', style: '{', datefmt: '%Y-%m-%d %H:%M:%S' },
	{ label: '$ style', format: '$asctime $levelname ${name}: $message', style: '$' },
];

const PRODUCER = String.raw`
import json, logging, sys, threading, time
spec = json.load(open(sys.argv[1]))
ATTRS = ['asctime', 'created', 'levelname', 'levelno', 'name', 'module', 'funcName', 'lineno', 'process',
         'thread', 'threadName', 'filename', 'msecs', 'request_id']

class Dumping(logging.FileHandler):
    def __init__(self, filename, side):
        super().__init__(filename, mode='w', encoding='utf-8')
        self.side = open(side, 'w', encoding='utf-8')
    def emit(self, record):
        super().emit(record)
        d = {a: {'raw': getattr(record, a), 'str': str(getattr(record, a))} for a in ATTRS if hasattr(record, a)}
        d['message'] = record.getMessage()
        self.side.write(json.dumps(d) + '\n')

class Defaults(logging.Filter):
    def filter(self, record):
        record.request_id = getattr(record, 'request_id', '-')
        return True

root = logging.getLogger()
root.setLevel(logging.DEBUG)
for c in spec:
    h = Dumping(c['log'], c['side'])
    h.addFilter(Defaults())
    h.setFormatter(logging.Formatter(c['format'], c.get('datefmt'), style=c.get('style', '%')))
    root.addHandler(h)
app = logging.getLogger('app')
db = logging.getLogger('app.db.pool')

def fail(n):
    return {}['user-%d' % n]

def work(n):
    app.info('GET /items/%d 200', n, extra={'request_id': 'req %04d' % n})
    db.debug('pool size=%d: checked out', 5)
    db.warning('slow query: %.2f s', 1.5 + n)
    try:
        fail(n)
    except KeyError:
        app.exception('request %d failed', n)
    app.error('multi-line\nsecond line\n  third')
    app.critical('naïve ✓ unicode — and  double  spaces')

for n in range(3):
    work(n)
t = threading.Thread(target=work, args=(9,), name='worker-9')
t.start(); t.join()
`;

interface Attr {
	raw: unknown;
	str: string;
}
type PyRecord = { [k: string]: Attr } & { message: string };

interface EntryJson {
	line: number;
	endLine: number;
	level: string | null;
	time: string | null;
	logger: string | null;
	message: string;
	fields: Record<string, string>;
}

function cliArgs(c: Case): string[] {
	const a = ['--format', c.format];
	if (c.style) a.push('--style', c.style);
	if (c.datefmt) a.push('--datefmt', c.datefmt);
	return a;
}

test('--format with Python format strings: CPython records read back by the CLI, every field', () => {
	const spec = CASES.map((c, i) => ({ format: c.format, style: c.style ?? '%', datefmt: c.datefmt ?? null, log: join(tmp.dir, `py${i}.log`), side: join(tmp.dir, `py${i}.jsonl`) }));
	writeFileSync(join(tmp.dir, 'spec.json'), JSON.stringify(spec));
	const py = spawnSync('python3', ['-S', '-c', PRODUCER, join(tmp.dir, 'spec.json')], { encoding: 'utf8', env: { ...process.env, TZ } });
	assert.equal(py.status, 0, py.stderr);
	assert.equal(py.stderr, '', 'logging reported no formatting errors');
	let fields = 0;
	for (let c = 0; c < CASES.length; c++) {
		const label = CASES[c]!.label;
		const records = readFileSync(spec[c]!.side, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as PyRecord);
		const r = loglens(['entries', spec[c]!.log, '--jsonl', '--fields', ...cliArgs(CASES[c]!)]);
		assert.equal(r.code, 0, `${label}: ${r.err}`);
		const entries = r.out.trim().split('\n').map((l) => JSON.parse(l) as EntryJson);
		assert.equal(entries.length, records.length, `${label}: one entry per record`);
		const lines = readFileSync(spec[c]!.log, 'utf8').split('\n');
		for (let i = 0; i < records.length; i++) {
			const rec = records[i]!, e = entries[i]!, where = `${label} #${i}`;
			// Level, logger, message (its first line; the rest and tracebacks are continuation lines).
			assert.equal(e.level, levelName(({ DEBUG: Level.Debug, INFO: Level.Info, WARNING: Level.Warning, ERROR: Level.Error, CRITICAL: Level.Critical } as Record<string, Level>)[rec['levelname']!.str]!), where);
			if ('name' in e.fields) assert.equal(e.logger, rec['name']!.str, `${where}: logger`);
			assert.equal(e.message, rec.message.split('\n')[0], `${where}: message`);
			const want = lines.slice(e.line - 1, e.endLine).join('\n');
			assert.ok(want.includes(rec.message.split('\n').slice(1).join('\n')), `${where}: message lines inside the entry`);
			// Time, to the precision the line shows.
			const created = (rec['created']!.raw as number) * 1000;
			const precise = CASES[c]!.datefmt === undefined || 'msecs' in e.fields || 'created' in e.fields;
			const diff = created - Date.parse(e.time!);
			assert.ok(diff >= 0 && diff < (precise ? 1 : 1000), `${where}: time ${e.time} vs created ${created}`);
			// Every field the format string shows, as the record holds it.
			for (const [name, shown] of Object.entries(e.fields)) {
				const a = rec[name];
				assert.ok(a, `${where}: record has ${name}`);
				if (name === 'msecs') assert.equal(Number(shown), Math.trunc(a.raw as number), `${where}: msecs`);
				else if (name === 'created') assert.ok(Math.abs(Number(shown) - (a.raw as number)) <= 1e-6, `${where}: created`);
				else if (name === 'levelname' && CASES[c]!.format.includes('.1s')) assert.equal(shown, a.str.slice(0, 1), `${where}: ${name}`);
				else assert.equal(shown, a.str, `${where}: ${name}`);
				fields++;
			}
		}
		// The other commands read the same entries with the same flags.
		const s = loglens(['summary', spec[c]!.log, '--json', ...cliArgs(CASES[c]!)]);
		assert.equal(s.code, 0, s.err);
		assert.equal(JSON.parse(s.out).entries, records.length, `${label}: summary`);
		assert.equal(JSON.parse(s.out).format, 'python-format');
		const chk = loglens(['check', spec[c]!.log, '--fail-on', 'critical', ...cliArgs(CASES[c]!)]);
		assert.equal(chk.code, 1, `${label}: check finds the critical records: ${chk.err}`);
	}
	assert.ok(fields > CASES.length * 20 * 3, `checked ${fields} fields`);
});

const REGEX_LOG = [
	'2024-05-01 10:00:00,123 <ERROR> app.db [pid=42] :: connection lost',
	'Traceback (most recent call last):',
	'  File "x.py", line 1, in <module>',
	'ValueError: boom',
	'2024-05-01 10:00:01,500 <INFO> app [pid=43] :: ok',
	'    continued text',
	'2024-05-01 10:00:02,000 <WARNING> app.http [pid=42] :: slow <1s>',
	'',
].join('\n');
const REGEX = '^(?<time>\\S+ \\S+) <(?<level>\\w+)> (?<logger>[\\w.]+) \\[pid=(?<pid>\\d+)\\] :: (?<message>.*)$';

test('--format with a regex: named groups, (?P<…>), continuation lines, the same in every command', () => {
	const log = join(tmp.dir, 'regex.log');
	writeFileSync(log, REGEX_LOG);
	const want = [
		{ line: 1, endLine: 4, level: 'error', time: '2024-05-01T04:30:00.123Z', logger: 'app.db', message: 'connection lost', fields: { time: '2024-05-01 10:00:00,123', level: 'ERROR', logger: 'app.db', pid: '42' } },
		{ line: 5, endLine: 6, level: 'info', time: '2024-05-01T04:30:01.500Z', logger: 'app', message: 'ok', fields: { time: '2024-05-01 10:00:01,500', level: 'INFO', logger: 'app', pid: '43' } },
		{ line: 7, endLine: 7, level: 'warning', time: '2024-05-01T04:30:02.000Z', logger: 'app.http', message: 'slow <1s>', fields: { time: '2024-05-01 10:00:02,000', level: 'WARNING', logger: 'app.http', pid: '42' } },
	];
	for (const re of [REGEX, REGEX.replace(/\(\?</g, '(?P<')]) {
		const r = loglens(['entries', log, '--jsonl', '--fields', '--format', re]);
		assert.equal(r.code, 0, r.err);
		assert.deepEqual(r.out.trim().split('\n').map((l) => JSON.parse(l)), want, re);
	}
	// --datefmt reads the time group with strftime.
	const apache = join(tmp.dir, 'datefmt.log');
	writeFileSync(apache, '[01/May/2024:10:00:00 +0200] ERROR x\n[01/May/2024:10:00:05 +0200] INFO y\n');
	const d = loglens(['entries', apache, '--jsonl', '--format', '^\\[(?<time>[^\\]]+)\\] (?<level>\\w+) (?<message>.*)', '--datefmt', '%d/%b/%Y:%H:%M:%S %z']);
	assert.deepEqual(d.out.trim().split('\n').map((l) => JSON.parse(l).time), ['2024-05-01T08:00:00.000Z', '2024-05-01T08:00:05.000Z'], d.err);
	const summary = JSON.parse(loglens(['summary', log, '--json', '--format', REGEX]).out);
	assert.equal(summary.format, 'regex');
	assert.equal(summary.entries, 3);
	assert.deepEqual([summary.levels.error, summary.levels.info, summary.levels.warning], [1, 1, 1]);
	const filtered = loglens(['filter', log, '--format', REGEX, '--level', 'warning', '--field', 'pid=42']);
	assert.equal(filtered.out, REGEX_LOG.split('\n').slice(0, 4).join('\n') + '\n' + REGEX_LOG.split('\n')[6] + '\n', filtered.err);
	assert.equal(loglens(['check', log, '--format', REGEX, '--fail-on', 'error']).code, 1);
	const templates = loglens(['templates', log, '--format', REGEX, '--jsonl']);
	assert.equal(templates.code, 0, templates.err);
	assert.equal(templates.out.trim().split('\n').length, 7, 'one line per line of the log');
	for (const cmd of ['stats', 'anomalies']) {
		const r = loglens([cmd, log, '--format', REGEX, cmd === 'stats' ? '--json' : '--jsonl']);
		assert.equal(r.code, 0, `${cmd}: ${r.err}`);
	}
	const stats = JSON.parse(loglens(['stats', log, '--format', REGEX, '--json']).out);
	assert.equal(stats.entries, 3);
	const merged = loglens(['merge', log, '--format', REGEX, '--jsonl']);
	assert.deepEqual(merged.out.trim().split('\n').map((l) => JSON.parse(l).level), ['error', 'info', 'warning'], merged.err);
	// Every command documents both forms.
	for (const cmd of ['summary', 'entries', 'filter', 'check', 'templates', 'stats', 'anomalies', 'follow', 'export', 'merge']) {
		const h = loglens([cmd, '--help']);
		assert.match(h.out, /--style S/, `${cmd} --help`);
		assert.match(h.out, /\(\?<time>/, `${cmd} --help`);
		assert.match(h.out, /--datefmt D/, `${cmd} --help`);
	}
});

test('--format: the editor (a logLens.formats entry) reads the same entries as the CLI', () => {
	const log = join(tmp.dir, 'editor.log');
	writeFileSync(log, REGEX_LOG);
	setFormatSettings([{ glob: '**/editor.log', regex: REGEX }]);
	try {
		const format = formatFor(log);
		assert.ok(format, 'the setting applies');
		const buf = readFileSync(log);
		const idx = LogIndex.fromText(buf, { format, ctx: { year: 2024, defaultZoneOffsetMinutes: 330 } });
		const src = new BufferSource(buf);
		const editor = [];
		for (let e = 0; e < idx.entryCount; e++) {
			const d = readEntry(idx, src, e);
			editor.push({ line: d.line + 1, endLine: d.endLine + 1, level: levelName(d.level), time: new Date(d.time).toISOString(), logger: d.logger, message: d.message, fields: d.fields });
		}
		const cli = loglens(['entries', log, '--jsonl', '--fields', '--format', REGEX]).out.trim().split('\n').map((l) => JSON.parse(l));
		assert.deepEqual(editor, cli);
	} finally {
		setFormatSettings([]);
	}
});

test('--format: a bad regex, a catastrophic one, and wrong combinations get clear errors', () => {
	const log = join(tmp.dir, 'bad.log');
	writeFileSync(log, REGEX_LOG);
	const unclosed = loglens(['entries', log, '--format', '^(?<time>\\S+']);
	assert.equal(unclosed.code, 2);
	assert.match(unclosed.err, /^loglens: invalid format regex: .*missing closing \)/);
	for (const re of ['^(?<level>\\w+) \\1', '^(?<level>\\w+)(?=x)', '^(?P<level>\\w+) (?P=level)']) {
		const r = loglens(['entries', log, '--format', re]);
		assert.equal(r.code, 2, re);
		assert.match(r.err, /linear-time regex engine/, re);
	}
	// Nested quantifiers that take exponential time on a backtracking engine: a 200,000-character
	// line that almost matches is read in linear time, never a hang.
	const evil = join(tmp.dir, 'evil.log');
	writeFileSync(evil, 'a'.repeat(200_000) + '!\n' + 'aaaa\n');
	const t0 = Date.now();
	const r = loglens(['summary', evil, '--json', '--format', '^(?<message>(a+)+)$'], 20_000);
	assert.equal(r.signal, null, 'finished');
	assert.equal(r.code, 0, r.err);
	assert.ok(Date.now() - t0 < 20_000);
	assert.equal(JSON.parse(r.out).entries, 2, 'the first line has no header (counted as its own entry), the second is a header');
	const noGroups = loglens(['entries', log, '--format', '^\\d+(?:x)']);
	assert.equal(noGroups.code, 2);
	assert.match(noGroups.err, /unknown format/);
	const style = loglens(['entries', log, '--format', 'python', '--style', '{']);
	assert.equal(style.code, 2);
	assert.match(style.err, /unknown format 'python'.*\{name\}/);
	assert.match(loglens(['entries', log, '--format', '{asctime} {message}']).err, /needs --style \{ or --style \$/);
	assert.match(loglens(['entries', log, '--style', '%']).err, /--style needs --format/);
	assert.match(loglens(['entries', log, '--format', 'json', '--datefmt', '%H']).err, /--datefmt applies to a Python format string or a regex/);
	assert.match(loglens(['entries', log, '--format', '%(message)s', '--style', 'x']).err, /bad --style 'x'/);
});
