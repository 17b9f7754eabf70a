// The log engine on real logs: Loghub ground truth (levels per line, entry counts) and logs
// written during the test by CPython's logging module in several layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, parseCsvRecords, repoRoot, runPython, tempDir } from '../testUtil';
import { indexFile } from '../../src/core/index/indexFile';
import { LogIndex } from '../../src/core/index/logIndex';
import { LogTally, tallyFile } from '../../src/core/index/logTally';
import { BufferSource, FileSource } from '../../src/core/byteSource';
import { readEntry, entryText } from '../../src/core/entryReader';
import { Level, levelFromToken, levelName } from '../../src/core/levels';
import { tracebackKey } from '../../src/core/templates/templates';

const SETS = ['Android', 'Apache', 'HDFS', 'Hadoop', 'HealthApp', 'Linux', 'Mac', 'OpenSSH', 'Proxifier', 'Spark'];
const WITH_LEVEL = new Set(['Android', 'Apache', 'HDFS', 'Hadoop', 'Spark']);

test('Loghub: every line of the level-carrying sets gets its ground-truth level; entry counts match', () => {
	const report: string[] = [];
	for (const set of SETS) {
		const buf = readFileSync(fixture('loghub', set, `${set}_2k.log`));
		const rows = parseCsvRecords(readFileSync(fixture('loghub', set, `${set}_2k.log_structured.csv`), 'utf8'));
		const idx = LogIndex.fromText(buf, { ctx: { year: 2017 } });
		assert.equal(idx.binary, false, set);
		// Every row of the structured CSV is one log line and one entry.
		assert.equal(idx.lineCount, rows.length, `${set} lines`);
		assert.equal(idx.entryCount, rows.length, `${set} entries`);
		let ok = 0;
		if (WITH_LEVEL.has(set)) {
			for (let line = 0; line < rows.length; line++) {
				const want = levelFromToken(rows[line].Level);
				assert.notEqual(want, Level.Unknown, `${set} ground truth level ${rows[line].Level}`);
				const got = idx.entryLevel(idx.entryAtLine(line));
				if (got === want) ok++;
				else assert.fail(`${set} line ${line + 1}: got ${levelName(got)}, want ${levelName(want)} (${rows[line].Level})`);
			}
			report.push(`${set} ${idx.format.format.id}: level accuracy ${(ok / rows.length * 100).toFixed(2)}% (${ok}/${rows.length})`);
		} else {
			// No level column: the header has no level either (never guessed from message words).
			assert.equal(idx.levelCounts()[Level.Unknown], rows.length, `${set}: all unknown`);
			report.push(`${set} ${idx.format.format.id}: ${idx.entryCount} entries, levels unknown as expected`);
		}
		// Every header has a time.
		for (let e = 0; e < idx.entryCount; e++) assert.ok(!Number.isNaN(idx.entryTime(e)), `${set} entry ${e} has a time`);
	}
	console.log(report.join('\n'));
});

test('Loghub: header fields (logger, message, time) of sample lines', () => {
	const read = (set: string, line: number) => {
		const buf = readFileSync(fixture('loghub', set, `${set}_2k.log`));
		const idx = LogIndex.fromText(buf, { ctx: { year: 2017, defaultZoneOffsetMinutes: 0 } });
		return readEntry(idx, new BufferSource(buf), idx.entryAtLine(line));
	};
	const hdfs = read('HDFS', 0);
	assert.equal(hdfs.logger, 'dfs.DataNode$PacketResponder');
	assert.equal(hdfs.message, 'PacketResponder 1 for block blk_38865049064139660 terminating');
	assert.equal(new Date(hdfs.time).toISOString(), '2008-11-09T20:36:15.000Z');
	const hadoop = read('Hadoop', 0);
	assert.equal(hadoop.logger, 'org.apache.hadoop.mapreduce.v2.app.MRAppMaster');
	assert.equal(hadoop.fields.thread, 'main');
	assert.equal(new Date(hadoop.time).toISOString(), '2015-10-18T18:01:47.978Z');
	const android = read('Android', 0);
	assert.equal(android.logger, 'WindowManager');
	assert.equal(android.fields.pid, '1702');
	assert.equal(new Date(android.time).toISOString(), '2017-03-17T16:13:38.811Z');
	const apache = read('Apache', 1);
	assert.equal(apache.level, Level.Error);
	assert.equal(apache.message, 'mod_jk child workerEnv in error state 6');
	const linux = read('Linux', 0);
	assert.equal(linux.logger, 'sshd(pam_unix)');
	assert.equal(linux.level, Level.Unknown);
	assert.equal(new Date(linux.time).toISOString(), '2017-06-14T15:16:01.000Z');
	const health = read('HealthApp', 0);
	assert.equal(health.logger, 'Step_LSC');
	assert.equal(health.message, 'onStandStepChanged 3579');
	const proxifier = read('Proxifier', 0);
	assert.equal(proxifier.logger, 'chrome.exe');
	assert.equal(proxifier.level, Level.Unknown);
	const spark = read('Spark', 0);
	assert.equal(spark.logger, 'executor.CoarseGrainedExecutorBackend');
	assert.equal(new Date(spark.time).toISOString(), '2017-06-09T20:10:40.000Z');
});

/**
 * A CPython program that logs through `logging` with the given formatter setup, including
 * `logger.exception` with a plain and a chained traceback, and prints what it logged as JSON:
 * per record the level name, created time and the exception it carried.
 */
const PRODUCER = String.raw`
import json, logging, sys
path, fmt, datefmt, style = sys.argv[1], sys.argv[2], sys.argv[3] or None, sys.argv[4]
records = []
class Capture(logging.Filter):
    def filter(self, r):
        records.append({'level': r.levelname, 'created': r.created, 'msecs': r.msecs, 'exc': (r.exc_info[0].__name__, str(r.exc_info[1])) if r.exc_info else None, 'msg': r.getMessage()})
        return True
h = logging.FileHandler(path, encoding='utf-8')
if style == 'json':
    class JsonFormatter(logging.Formatter):
        def format(self, r):
            d = {'asctime': self.formatTime(r), 'levelname': r.levelname, 'name': r.name, 'message': r.getMessage()}
            if r.exc_info:
                d['exc_info'] = self.formatException(r.exc_info)
            return json.dumps(d)
    h.setFormatter(JsonFormatter())
else:
    h.setFormatter(logging.Formatter(fmt, datefmt))
h.addFilter(Capture())
root = logging.getLogger()
root.handlers[:] = [h]
root.setLevel(logging.DEBUG)
log = logging.getLogger('app.service')
log.debug('starting with config %s', {'a': 1})
log.info('INFO looks like a level word but error count 0 is info')
log.warning('disk at %d%%', 91)
try:
    int('x')
except ValueError:
    log.exception('parse failed')
try:
    try:
        {}['missing']
    except KeyError as e:
        raise RuntimeError('lookup failed: ERROR inside') from e
except RuntimeError:
    log.exception('chained')
log.error('multi\nline\nmessage')
logging.getLogger('root.child').critical('the end')
h.close()
print(json.dumps(records))
`;

const LAYOUTS: { name: string; fmt: string; datefmt?: string; style?: 'json'; secondsOnly?: boolean; expectFormat?: string }[] = [
	{ name: 'basicConfig default', fmt: '%(levelname)s:%(name)s:%(message)s' },
	{ name: 'asctime - name - level', fmt: '%(asctime)s - %(name)s - %(levelname)s - %(message)s', expectFormat: 'python' },
	{ name: 'bracketed, padded level', fmt: '[%(asctime)s] %(levelname)-8s %(name)s: %(message)s' },
	{ name: 'msecs + thread + module:lineno', fmt: '%(asctime)s.%(msecs)03d %(levelname)s [%(threadName)s] %(module)s:%(lineno)d - %(message)s', datefmt: '%Y-%m-%d %H:%M:%S' },
	{ name: 'level first, pid', fmt: '%(levelname)s %(asctime)s %(process)d %(message)s' },
	{ name: 'json formatter', fmt: '', style: 'json', expectFormat: 'json' },
	{ name: 'datefmt without ms', fmt: '%(asctime)s %(levelname)-8s %(message)s', datefmt: '%d-%b-%Y %H:%M:%S', secondsOnly: true },
	{ name: 'Celery worker (time and level/process in one bracket)', fmt: '[%(asctime)s: %(levelname)s/%(processName)s] %(message)s' },
	{ name: 'no time, level in the second field', fmt: '%(name)s | %(levelname)s | %(message)s' },
	{ name: 'no time, thread then level', fmt: '[%(threadName)s] %(levelname)s %(name)s: %(message)s' },
	{ name: ':: separators, level before the time', fmt: '%(threadName)s::%(levelname)s::%(asctime)s::%(module)s::%(message)s', expectFormat: 'learned' },
	{ name: 'pid in brackets before the time', fmt: '[%(process)d] %(asctime)s [%(levelname)s] %(message)s', expectFormat: 'learned' },
	{ name: 'level in the fifth field', fmt: '%(asctime)s %(process)d %(threadName)s %(name)s %(levelname)s %(message)s' },
	{ name: 'channel.LEVEL: (Monolog-like)', fmt: '[%(asctime)s] %(name)s.%(levelname)s: %(message)s', expectFormat: 'monolog' },
	{ name: 'level/component: (Icinga-like, lower case)', fmt: '[%(asctime)s] %(levelname)s/%(module)s: %(message)s' },
];

for (const layout of LAYOUTS) {
	test(`CPython logging: ${layout.name}`, async () => {
		const { dir, cleanup } = tempDir();
		try {
			const path = join(dir, 'app.log');
			const records = JSON.parse(runPython(PRODUCER, [path, layout.fmt, layout.datefmt ?? '', layout.style ?? 'text'])) as { level: string; created: number; msecs: number; exc: [string, string] | null; msg: string }[];
			const idx = await indexFile(path);
			if (layout.expectFormat) assert.equal(idx.format.format.id, layout.expectFormat);
			assert.equal(idx.entryCount, records.length, `entries (format ${idx.format.format.id})`);
			const src = new FileSource(path);
			const hasTime = layout.fmt.includes('asctime') || layout.style === 'json';
			try {
				for (let e = 0; e < records.length; e++) {
					const r = records[e];
					const d = readEntry(idx, src, e);
					assert.equal(levelName(d.level), levelName(levelFromToken(r.level)), `entry ${e} level`);
					assert.equal(d.levelRaw, r.level);
					if (hasTime) {
						// Local-zone wall clock as Python wrote it; JSON's default asctime and datefmt
						// without %f keep whole seconds (or ms from asctime's ,mmm).
						const want = layout.secondsOnly ? Math.floor(r.created) * 1000 : Math.floor(r.created) * 1000 + Math.floor(r.msecs);
						assert.equal(d.time, want, `entry ${e} time`);
					} else assert.ok(Number.isNaN(d.time));
					if (r.exc) {
						assert.deepEqual(d.exception, { type: r.exc[0], message: r.exc[1] }, `entry ${e} exception`);
					} else assert.equal(d.exception, undefined, `entry ${e} has no exception`);
					if (layout.style !== 'json') assert.equal(d.message, r.msg.split('\n')[0], `entry ${e} message`);
					else assert.equal(d.message, r.msg.split('\n')[0]);
				}
				// The chained traceback stays in one entry with both exceptions' text.
				const chained = entryText(idx, src, 4);
				if (layout.style !== 'json') {
					assert.match(chained, /KeyError: 'missing'/);
					assert.match(chained, /The above exception was the direct cause/);
					assert.match(chained, /RuntimeError: lookup failed: ERROR inside$/);
				}
				if (layout.fmt.includes('%(name)s') || layout.style === 'json') assert.equal(readEntry(idx, src, 0).logger, 'app.service');
			} finally {
				src.close();
			}
		} finally {
			cleanup();
		}
	});
}

test('bad input: empty file, no trailing newline, CRLF and mixed endings', () => {
	const empty = LogIndex.fromText('');
	assert.equal(empty.lineCount, 0);
	assert.equal(empty.entryCount, 0);
	assert.equal(empty.binary, false);

	const text = '2024-01-01 10:00:00,000 INFO a: one\r\n2024-01-01 10:00:01,000 ERROR a: two\r\ncontinued\n2024-01-01 10:00:02,000 WARNING a: three';
	const buf = Buffer.from(text);
	const idx = LogIndex.fromText(buf);
	assert.equal(idx.lineCount, 4);
	assert.equal(idx.entryCount, 3);
	assert.deepEqual([0, 1, 2].map((e) => levelName(idx.entryLevel(e))), ['info', 'error', 'warning']);
	assert.equal(idx.entryEndLine(1), 2);
	const src = new BufferSource(buf);
	// Line ends exclude CR LF; the last line runs to the end of the data.
	assert.equal(buf.toString('utf8', idx.lineStart(0), idx.lineEnd(0)), '2024-01-01 10:00:00,000 INFO a: one');
	assert.equal(buf.toString('utf8', idx.lineStart(2), idx.lineEnd(2)), 'continued');
	assert.equal(idx.lineEnd(3), buf.length);
	assert.equal(entryText(idx, src, 1), '2024-01-01 10:00:01,000 ERROR a: two\ncontinued');
	assert.equal(readEntry(idx, src, 2).message, 'three');
});

test('bad input: invalid UTF-8 keeps byte offsets exact', () => {
	const parts = [Buffer.from('2024-01-01 10:00:00 INFO caf'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(' x\n2024-01-01 10:00:01 ERROR \u00e9\u00e9\u00e9 y\n')];
	const buf = Buffer.concat(parts);
	const idx = LogIndex.fromText(buf);
	assert.equal(idx.lineCount, 2);
	assert.equal(idx.lineStart(1), buf.indexOf('2024-01-01 10:00:01'));
	assert.equal(idx.entryLevel(1), Level.Error);
	const d = readEntry(idx, new BufferSource(buf), 1);
	assert.equal(d.message, '\u00e9\u00e9\u00e9 y');
	assert.equal(d.endOffset, buf.length - 1);
});

test('bad input: binary data is reported, not indexed; NUL bytes are text (issue 18)', () => {
	const bin = Buffer.alloc(5000);
	for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256;
	const idx = LogIndex.fromText(bin);
	assert.equal(idx.binary, true);
	assert.equal(idx.lineCount, 0);
	assert.equal(idx.bytes, 5000);
	const withNul = LogIndex.fromText(Buffer.from('INFO hello\n\0\0\0\nINFO x\n'));
	assert.equal(withNul.binary, false);
	assert.deepEqual([withNul.lineCount, withNul.lineStart(2), withNul.lineEnd(1)], [3, 15, 14]);
});

test('bad input: a 10 MB single line is indexed without decoding it', () => {
	const head = '2024-01-01 10:00:00,123 ERROR big: ';
	const buf = Buffer.alloc(10 * 1024 * 1024 + head.length + 1, 'x');
	buf.write(head, 0);
	buf[buf.length - 1] = 10;
	const idx = new LogIndex();
	for (let off = 0; off < buf.length; off += 1 << 20) idx.append(buf.subarray(off, off + (1 << 20)));
	idx.finish();
	assert.equal(idx.lineCount, 1);
	assert.equal(idx.entryCount, 1);
	assert.equal(idx.entryLevel(0), Level.Error);
	assert.equal(idx.lineEnd(0), buf.length - 1);
	const d = readEntry(idx, new BufferSource(buf), 0);
	assert.equal(d.text, undefined, 'too big for text');
	assert.equal(d.message.length, 1024 * 1024 - head.length, 'message from the first MB only');
});

test('unknown format: every line is its own entry with an unknown level', () => {
	const idx = LogIndex.fromText('hello world\nthis is not a log\n  indented\nwarning: words only\n');
	assert.equal(idx.format.format.id, 'plain');
	assert.equal(idx.entryCount, 4);
	assert.deepEqual(idx.levelCounts(), [0, 0, 0, 0, 0, 0, 0, 4]);
	// prose that names levels here and there is still prose; the repository's own docs stay plain
	const prose = ['The ERROR column lists what failed.', 'Set the INFO level to see more.', 'When a WARNING appears, check the disk.', 'Nothing here is a log line.', 'A list of things:', 'one, two and three.', 'An ERROR is not fatal.', 'More text follows here.'];
	assert.equal(LogIndex.fromText(prose.join('\n') + '\n').format.format.id, 'plain');
	for (const f of ['README.md', 'CHANGELOG.md', 'package.json']) assert.equal(LogIndex.fromText(readFileSync(join(repoRoot(), f))).format.format.id, 'plain', f);
});

test('incremental: any chunking gives the same index; a partial line waits for its newline', () => {
	const text = readFileSync(fixture('loghub', 'Hadoop', 'Hadoop_2k.log'));
	const whole = LogIndex.fromText(text);
	const inc = new LogIndex();
	let off = 0, k = 1;
	while (off < text.length) {
		const n = (k * 7919) % 4093 + 1;
		inc.append(text.subarray(off, off + n));
		off += n;
		k++;
	}
	inc.finish();
	assert.equal(inc.lineCount, whole.lineCount);
	assert.equal(inc.entryCount, whole.entryCount);
	for (let e = 0; e < whole.entryCount; e++) {
		assert.equal(inc.entryStartLine(e), whole.entryStartLine(e));
		assert.equal(inc.entryLevel(e), whole.entryLevel(e));
		assert.equal(inc.entryTime(e), whole.entryTime(e));
	}
	for (let i = 0; i < whole.lineCount; i++) assert.equal(inc.lineStart(i), whole.lineStart(i));

	// Follow mode: after finish(), more bytes continue the last line and add entries.
	const f = new LogIndex({ format: 'python' });
	f.append(Buffer.from('2024-01-01 10:00:00,000 - a - INFO - one\n2024-01-01 10:00:01,000 - a - ERR'));
	f.finish();
	assert.equal(f.lineCount, 2);
	f.append(Buffer.from('OR - two\nTraceback (most recent call last):\n'));
	assert.equal(f.lineCount, 3);
	assert.equal(f.entryCount, 2);
	assert.equal(f.entryLevel(1), Level.Error);
	assert.equal(f.entryEndLine(1), 2);
});

test('formats: syslog PRI, JSON numeric levels, logfmt, access log status, logcat brief, .NET, glog', () => {
	const one = (text: string) => {
		const idx = LogIndex.fromText(text + '\n' + text + '\n', { ctx: { year: 2024, defaultZoneOffsetMinutes: 0 } });
		return { id: idx.format.format.id, level: levelName(idx.entryLevel(0)), d: readEntry(idx, new BufferSource(Buffer.from(text + '\n' + text + '\n')), 0) };
	};
	let r = one('<11>Jan  5 10:00:00 host app[12]: failed');
	assert.deepEqual([r.id, r.level, r.d.logger, r.d.message], ['syslog', 'error', 'app', 'failed']);
	r = one('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] An application event');
	assert.deepEqual([r.id, r.level, r.d.logger, r.d.message, new Date(r.d.time).toISOString()], ['syslog', 'notice', 'evntslog', 'An application event', '2003-10-11T22:14:15.003Z']);
	r = one('{"level":50,"time":1700000000000,"msg":"boom","name":"api"}');
	assert.deepEqual([r.id, r.level, r.d.logger, r.d.message, r.d.time], ['json', 'error', 'api', 'boom', 1700000000000]);
	r = one('{"timestamp": "2024-01-01T10:00:00Z", "severity": "WARNING", "message": "disk", "logger": "x"}');
	assert.deepEqual([r.id, r.level, r.d.message, new Date(r.d.time).toISOString()], ['json', 'warning', 'disk', '2024-01-01T10:00:00.000Z']);
	r = one('time=2024-01-01T10:00:00.000Z level=WARN msg="slow query" duration=3s');
	assert.deepEqual([r.id, r.level, r.d.message, r.d.fields.duration], ['logfmt', 'warning', 'slow query', '3s']);
	r = one('127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 503 2326');
	assert.deepEqual([r.id, r.level, r.d.fields.status, new Date(r.d.time).toISOString()], ['access', 'error', '503', '2000-10-10T20:55:36.000Z']);
	r = one('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.0" 404 12 "-" "curl"');
	assert.equal(r.level, 'warning');
	r = one('W/ActivityManager(  123): Slow operation');
	assert.deepEqual([r.id, r.level, r.d.logger, r.d.message], ['logcat', 'warning', 'ActivityManager', 'Slow operation']);
	r = one('fail: Microsoft.AspNetCore.Server[3]');
	assert.deepEqual([r.id, r.level, r.d.logger], ['dotnet', 'error', 'Microsoft.AspNetCore.Server']);
	r = one('E0102 15:04:05.123456    1234 server.go:42] connection refused');
	assert.deepEqual([r.id, r.level, r.d.logger, r.d.message], ['glog', 'error', 'server.go:42', 'connection refused']);
	r = one('2023/01/01 12:00:00 [error] 1234#0: *5 open() failed');
	assert.deepEqual([r.id, r.level, r.d.message], ['apache-error', 'error', 'open() failed']);
	r = one('2024-01-01T10:00:00.123+02:00 [main] WARN  com.x.Y - careful');
	assert.deepEqual([r.level, r.d.logger, r.d.fields.thread, r.d.message, new Date(r.d.time).toISOString()], ['warning', 'com.x.Y', 'main', 'careful', '2024-01-01T08:00:00.123Z']);
	r = one('2024-01-01 10:00:00.1234|INFO|MyApp.Service|started');
	assert.deepEqual([r.level, r.d.logger, r.d.message], ['info', 'MyApp.Service', 'started']);
	r = one('[12:00:00 WRN] retrying');
	assert.deepEqual([r.id, r.level, r.d.message], ['dotnet', 'warning', 'retrying']);
});

test('generic: a message word is never the level; Java stack traces stay in their entry', () => {
	const text = [
		'2024-01-01 10:00:00.000 [worker-1] INFO  com.acme.Job - ERROR count 0, all fine',
		'2024-01-01 10:00:01.000 [worker-1] ERROR com.acme.Job - failed',
		'java.lang.IllegalStateException: bad state',
		'\tat com.acme.Job.run(Job.java:10)',
		'Caused by: java.io.IOException: disk',
		'\t... 3 more',
		'2024-01-01 10:00:02.000 [worker-1] DEBUG com.acme.Job - warning: not a level here',
	].join('\n');
	const buf = Buffer.from(text);
	const idx = LogIndex.fromText(buf);
	assert.equal(idx.entryCount, 3);
	assert.deepEqual([0, 1, 2].map((e) => levelName(idx.entryLevel(e))), ['info', 'error', 'debug']);
	const d = readEntry(idx, new BufferSource(buf), 1);
	assert.deepEqual(d.exception, { type: 'java.lang.IllegalStateException', message: 'bad state' });
	assert.equal(d.endLine, 5);
});

test('index memory stays under 16 bytes per line on a big file', async () => {
	const { dir, cleanup } = tempDir();
	try {
		const lines: string[] = [];
		for (let i = 0; i < 200000; i++) lines.push(`2024-01-01 10:${String(Math.floor(i / 6000) % 60).padStart(2, '0')}:${String(Math.floor(i / 100) % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} - app - ${i % 50 === 0 ? 'ERROR' : 'INFO'} - message ${i}`);
		const path = join(dir, 'big.log');
		writeFileSync(path, lines.join('\n') + '\n');
		const idx = await indexFile(path);
		assert.equal(idx.lineCount, 200000);
		assert.equal(idx.levelCounts()[Level.Error], 4000);
		const perLine = idx.memoryBytes() / idx.lineCount;
		console.log(`index memory: ${perLine.toFixed(2)} bytes/line`);
		assert.ok(perLine <= 16, `${perLine} bytes/line`);
	} finally {
		cleanup();
	}
});

test('LogTally (summary, check): the same lines, entries, levels and first/last time as the index, in constant memory', async () => {
	const same = (t: LogTally, idx: LogIndex, what: string) => {
		assert.equal(t.lineCount, idx.lineCount, `${what}: lines`);
		assert.equal(t.entryCount, idx.entryCount, `${what}: entries`);
		assert.deepEqual(t.levelCounts(), idx.levelCounts(), `${what}: levels`);
		assert.deepEqual(t.timeRange(), idx.timeRange(), `${what}: first/last`);
		assert.equal(t.format.format.id, idx.format.format.id, `${what}: format`);
		assert.equal(t.binary, idx.binary, `${what}: binary`);
		assert.equal(t.bytes, idx.bytes, `${what}: bytes`);
	};
	const { dir, cleanup } = tempDir();
	try {
		const texts: [string, Buffer][] = [];
		for (const set of readdirSync(fixture('loghub'))) {
			const f = fixture('loghub', set, `${set}_2k.log`);
			if (existsSync(f)) texts.push([set, readFileSync(f)]);
		}
		assert.ok(texts.length >= 10, 'the Loghub sets');
		texts.push(['empty', Buffer.alloc(0)], ['crlf, no trailing newline', Buffer.from('2024-01-01 10:00:00,000 INFO a: one\r\n2024-01-01 10:00:01,000 ERROR a: two\r\ncontinued\n2024-01-01 10:00:02,000 WARNING a: three')],
			['continuation first', Buffer.from('  at x.y(Z.java:1)\n2024-01-01 10:00:00,000 ERROR a: one\n')], ['plain', Buffer.from('hello\nworld\n')],
			['NUL run', Buffer.from('INFO hello\n\0\0\0\nINFO x\n')], ['binary', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256))]);
		// a big file: the detection sample from its middle too
		const big: string[] = [];
		for (let i = 0; i < 40000; i++) big.push(`2024-01-01 10:${String(Math.floor(i / 600) % 60).padStart(2, '0')}:${String(Math.floor(i / 10) % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')} - app - ${i % 7 === 0 ? 'ERROR' : 'INFO'} - message ${i}${i % 11 === 0 ? '\nTraceback (most recent call last):\n  File "x.py", line 1\nValueError: x' : ''}`);
		texts.push(['big', Buffer.from(big.join('\n') + '\n')]);
		for (const [what, buf] of texts) {
			const path = join(dir, 'x.log');
			writeFileSync(path, buf);
			same(await tallyFile(path), await indexFile(path), what);
			// any chunking, fed by hand
			const t = new LogTally(), idx = new LogIndex();
			for (let off = 0, k = 1; off < buf.length; k++) {
				const n = ((k * 7919) % 4093) + 1;
				t.append(buf.subarray(off, off + n));
				idx.append(buf.subarray(off, off + n));
				off += n;
			}
			t.finish();
			idx.finish();
			same(t, idx, `${what} (chunked)`);
		}
		// follow: the partial last line counted at finish() is taken back when it grows
		const t = new LogTally({ format: 'python' });
		t.append(Buffer.from('2024-01-01 10:00:00,000 - a - INFO - one\n2024-01-01 10:00:01,000 - a - ERR'));
		t.finish();
		assert.equal(t.entryCount, 2);
		t.append(Buffer.from('OR - two\n2024-01-01 10:00:05,000 - a - WARNING - three\n'));
		t.finish();
		assert.equal(t.entryCount, 3);
		assert.deepEqual(t.levelCounts().slice(Level.Info, Level.Error + 1), [1, 0, 1, 1]);
		assert.equal(new Date(t.timeRange().last).toISOString().slice(11, 19), '10:00:05');
	} finally {
		cleanup();
	}
});

test('docker compose output: a service prefix before the timestamp; tracebacks stay in their entry', () => {
	const lines = [
		'web-1     | 2024-05-01 10:00:00,001 - app.web - INFO - started',
		'worker-1  | 2024-05-01 10:00:00,002 - app.worker - ERROR - task failed',
		'worker-1  | Traceback (most recent call last):',
		'worker-1  |   File "tasks.py", line 3, in run',
		'worker-1  | ValueError: bad input',
		'web-1     | [2024-05-01 10:00:01,500] WARNING app.web: slow request',
		'db-1      | 2024-05-01 10:00:02,000 - app.db - CRITICAL - disk full',
	];
	const idx = LogIndex.fromText(lines.join('\n') + '\n', { ctx: { year: 2024, defaultZoneOffsetMinutes: 0 } });
	assert.equal(idx.entryCount, 4);
	assert.deepEqual([0, 1, 2, 3].map((e) => levelName(idx.entryLevel(e))), ['info', 'error', 'warning', 'critical']);
	assert.equal(idx.entryEndLine(1), 4, 'the traceback belongs to the ERROR entry');
	assert.equal(new Date(idx.entryTime(2)).toISOString(), '2024-05-01T10:00:01.500Z');
	const d = readEntry(idx, new BufferSource(Buffer.from(lines.join('\n') + '\n')), 1);
	assert.equal(d.message, 'task failed');
	assert.equal(d.logger, 'app.worker');
	assert.deepEqual(d.exception, { type: 'ValueError', message: 'bad input' });
	// and the Problems tree / templates group it by exception type and raising frame
	assert.deepEqual(tracebackKey(entryText(idx, new BufferSource(Buffer.from(lines.join('\n') + '\n')), 1)), { exceptionType: 'ValueError', raisingFrame: 'File "tasks.py", line 3, in run' });
});
