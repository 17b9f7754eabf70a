// Structured and wrapped logs: the inner logs of real producers (CPython logging, pino, bunyan,
// winston) wrapped as CRI, Docker json-file, journald JSON and kubectl output
// (test/fixtures/structured, see its README), read through the CLI and the engine; JSON key variants.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleCli, fixture, tempDir } from '../testUtil';
import { indexFile } from '../../src/core/index/indexFile';
import { LogIndex } from '../../src/core/index/logIndex';
import { BufferSource } from '../../src/core/byteSource';
import { readEntry } from '../../src/core/entryReader';
import { detectFormat } from '../../src/core/formatRegistry';
import { jsonFormat } from '../../src/core/formats/jsonLines';
import { logfmtFormat } from '../../src/core/formats/logfmt';
import { syslogFormat } from '../../src/core/formats/syslog';
import { Level, levelName } from '../../src/core/levels';

let tmp: ReturnType<typeof tempDir>;
let cli: string;

before(() => {
	tmp = tempDir('loglens-structured-');
	cli = bundleCli(tmp.dir);
});
after(() => tmp.cleanup());

function loglens(args: string[], env: Record<string, string> = {}) {
	const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, ...env } });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout;
}

const S = (...p: string[]) => fixture('structured', ...p);
const INNER = ['python-text', 'python-json', 'structlog', 'pino', 'bunyan', 'winston'];
const WRAPPERS = [
	{ file: 'cri.log', id: 'cri' },
	{ file: 'docker.log', id: 'docker' },
	{ file: 'journal.json', id: 'journald' },
	{ file: 'kubectl.log', id: 'kubectl-prefix-timestamps' },
];

interface Row { line: number; endLine: number; level: string | null; time: string | null; logger: string | null; message: string }
interface Rec { level: string; time: string; message: string }

function jsonl<T>(text: string): T[] {
	return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

/** The envelope of a physical line: its own time and whether the record goes on on the next line. */
function envelope(kind: string, line: string): { time: string; partial: boolean } {
	if (kind === 'cri') {
		const [ts, , tag] = line.split(' ');
		return { time: new Date(ts).toISOString(), partial: tag === 'P' };
	}
	if (kind === 'docker') {
		const o = JSON.parse(line) as { log: string; time: string };
		return { time: new Date(o.time).toISOString(), partial: !o.log.endsWith('\n') };
	}
	if (kind === 'journald') {
		const o = JSON.parse(line) as Record<string, string>;
		return { time: new Date(Math.floor(+o.__REALTIME_TIMESTAMP / 1000)).toISOString(), partial: o._LINE_BREAK === 'line-max' };
	}
	return { time: new Date(line.split(' ')[1]).toISOString(), partial: false };
}

test('wrapped real logs: every entry has the level, time and message the producer logged', () => {
	for (const inner of INNER) {
		const recs = jsonl<Rec>(readFileSync(S(`${inner}.records.jsonl`), 'utf8'));
		for (const w of WRAPPERS) {
			const file = S(`${inner}.${w.file}`);
			const what = `${inner}.${w.file}`;
			const phys = readFileSync(file, 'utf8').split('\n');
			const rows = jsonl<Row>(loglens(['entries', file, '--jsonl']));
			assert.equal(rows.length, recs.length, `${what}: one entry per record`);
			const summary = JSON.parse(loglens(['summary', file, '--json'])) as { format: string; levels: Record<string, number> };
			assert.ok(summary.format.startsWith(`${w.id}+`), `${what}: format ${summary.format}`);
			for (let i = 0; i < recs.length; i++) {
				const r = recs[i], row = rows[i];
				assert.equal(row.level, r.level, `${what} entry ${i + 1}: level`);
				const env = envelope(w.id, phys[row.line - 1]);
				// A record the runtime cut whose time member comes after the cut has the runtime's time.
				if (row.time !== r.time) assert.ok(env.partial && row.time === env.time, `${what} entry ${i + 1}: time ${row.time}, logged ${r.time}`);
				if (w.id === 'docker' && row.message.includes('\ufffd')) {
					// Docker encodes each 16 KiB chunk on its own: a character split between two is lost (U+FFFD).
					const a = row.message.indexOf('\ufffd'), b = row.message.lastIndexOf('\ufffd');
					assert.ok(r.message.startsWith(row.message.slice(0, a)) && r.message.endsWith(row.message.slice(b + 1)), `${what} entry ${i + 1}: message`);
				} else assert.equal(row.message, r.message, `${what} entry ${i + 1}: message`);
			}
			const want: Record<string, number> = {};
			for (const r of recs) want[r.level] = (want[r.level] ?? 0) + 1;
			for (const [lv, n] of Object.entries(summary.levels)) assert.equal(n, want[lv] ?? 0, `${what}: summary ${lv}`);
		}
	}
});

test('the fixtures split records the way the runtimes do: 16 KiB CRI pieces, one ending mid-UTF-8', () => {
	const raw = readFileSync(S('python-text.cri.log'));
	const lines = raw.toString('latin1').split('\n');
	const p = lines.findIndex((l) => / stderr P /.test(l));
	assert.ok(p >= 0, 'a P line');
	const piece = Buffer.from(lines[p].slice(lines[p].indexOf(' P ') + 3), 'latin1');
	assert.equal(piece.length, 16384);
	const last = piece[piece.length - 1];
	assert.ok(last >= 0x80, 'the piece ends inside a multi-byte character');
	assert.ok(readFileSync(S('pino.docker.log'), 'utf8').split('\n').some((l) => l.startsWith('{"log":"') && !l.includes('\\n","stream"') && l.length > 16000), 'a Docker chunk without its newline');
});

test('a CRI-wrapped Python traceback is one entry with its exception; the wrapper fields are entry fields', async () => {
	const buf = readFileSync(S('python-text.cri.log'));
	const ix = LogIndex.fromText(buf, { ctx: { year: 2024 } });
	const src = new BufferSource(buf);
	assert.equal(ix.format.format.id, 'cri+python');
	const e = [...Array(ix.entryCount).keys()].find((k) => ix.entryLevel(k) === Level.Error);
	assert.ok(e !== undefined);
	const d = readEntry(ix, src, e);
	assert.equal(d.endLine - d.line, 5, 'ERROR line + 5 traceback lines');
	assert.deepEqual(d.exception, { type: 'KeyError', message: "'missing'" });
	assert.equal(d.message, 'query failed for user bob');
	assert.equal(d.fields.stream, 'stderr');
	assert.match(d.text ?? '', /^2024-05-01 10:00:00,548 ERROR app\.db: query failed for user bob\nTraceback \(most recent call last\):/);
	// The long record: two physical lines, one entry, its 3-byte characters whole across the cut.
	const long = [...Array(ix.entryCount).keys()].map((k) => readEntry(ix, src, k)).find((x) => x.message.startsWith('payload'));
	assert.ok(long);
	assert.equal(long.endLine - long.line, 1);
	assert.ok(long.message.endsWith('日本語 end') && !long.message.includes('\ufffd'));
	// The same from disk, in parallel ranges: identical entries.
	const one = await indexFile(S('python-text.cri.log'), { threads: 1 });
	assert.equal(one.entryCount, ix.entryCount);
});

test('kubectl / journald fields: pod and container, pid and unit; filter --field', () => {
	const kd = readEntry(LogIndex.fromText(readFileSync(S('pino.kubectl.log'))), new BufferSource(readFileSync(S('pino.kubectl.log'))), 0);
	assert.equal(kd.fields.pod, 'web-7d4b9c-x2x9q');
	assert.equal(kd.fields.container, 'app');
	const jbuf = readFileSync(S('python-text.journal.json'));
	const jd = readEntry(LogIndex.fromText(jbuf), new BufferSource(jbuf), 0);
	assert.equal(jd.fields.pid, '2817');
	assert.equal(jd.fields.unit, 'python-text.service');
	// A container's stderr and stdout in one file: --field stream= picks one, whole entries as written.
	const both = join(tmp.dir, 'both.cri.log');
	writeFileSync(both, Buffer.concat([readFileSync(S('python-text.cri.log')), readFileSync(S('structlog.cri.log'))]));
	assert.equal(loglens(['filter', both, '--field', 'stream=stderr']), readFileSync(S('python-text.cri.log'), 'utf8'));
	assert.equal(loglens(['filter', both, '--field', 'stream=stdout']), readFileSync(S('structlog.cri.log'), 'utf8'));
});

test('a whole-system journal: PRIORITY levels, programs as loggers, bytes that are not UTF-8, records never joined across programs', () => {
	const recs = jsonl<Rec>(readFileSync(S('system.records.jsonl'), 'utf8'));
	const rows = jsonl<Row>(loglens(['entries', S('system.journal.json'), '--jsonl']));
	assert.deepEqual(rows.map((r) => [r.level, r.time, r.message]), recs.map((r) => [r.level, r.time, r.message]));
	assert.deepEqual(rows.map((r) => r.logger), ['systemd', 'sshd', 'kernel', 'sshd', 'cron', 'app', 'systemd', 'kernel', 'sudo', 'systemd', 'app']);
	assert.ok(rows[10].message.endsWith('日本語 end') && !rows[10].message.includes('\ufffd'), 'a message journald cut mid-character is whole');
	assert.equal(loglens(['filter', S('system.journal.json'), '--field', 'identifier=sshd']).split('\n').filter(Boolean).length, 2);
});

test('a container zone: zone-less inner times are read in the zone the envelope\'s UTC times show', () => {
	for (const tz of ['America/New_York', 'Asia/Kolkata']) {
		const rows = jsonl<Row>(loglens(['entries', S('python-text.cri.log'), '--jsonl'], { TZ: tz }));
		assert.equal(rows[0].time, '2024-05-01T10:00:00.137Z', tz);
	}
});

test('never worse than unknown: no envelope column is a level', () => {
	// Plain program output in CRI: F/P flags and stderr are no levels.
	const lines: string[] = [];
	for (let i = 0; i < 50; i++) lines.push(`2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.5Z ${i % 2 ? 'stderr' : 'stdout'} ${i % 5 === 0 ? 'P' : 'F'} line ${i} of plain output`);
	const f = join(tmp.dir, 'plain.cri.log');
	writeFileSync(f, lines.join('\n') + '\n');
	const s = JSON.parse(loglens(['summary', f, '--json'])) as { levels: Record<string, number>; format: string };
	assert.equal(s.format, 'cri+plain');
	assert.equal(s.levels.critical + s.levels.error + s.levels.warning, 0);
	// Docker stderr lines of a service whose lines carry no level: unknown, not error.
	const d = join(tmp.dir, 'plain.docker.log');
	writeFileSync(d, lines.map((_, i) => JSON.stringify({ log: `starting worker ${i}\n`, stream: 'stderr', time: `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.123456789Z` })).join('\n') + '\n');
	const ds = JSON.parse(loglens(['summary', d, '--json'])) as { levels: Record<string, number> };
	assert.equal(ds.levels.unknown, 50);
	// A log that only starts its lines with RFC 3339 times stays what it is (not kubectl --timestamps).
	const go = Array.from({ length: 20 }, (_, i) => `2024-05-01T10:00:${String(i).padStart(2, '0')}Z ${i % 4 ? 'INFO' : 'ERROR'} request ${i} handled`);
	assert.ok(!detectFormat(go, { year: 2024 }).format.id.startsWith('kubectl'));
	// `docker logs -t` / `kubectl logs --timestamps` of a JSON logger without a time of its own: unwrapped.
	const stamped = Array.from({ length: 20 }, (_, i) => `2024-05-01T10:00:${String(i).padStart(2, '0')}.5Z {"level":"${i % 4 ? 'info' : 'error'}","msg":"request ${i}"}`);
	const sf = join(tmp.dir, 'stamped.log');
	writeFileSync(sf, stamped.join('\n') + '\n');
	const srows = jsonl<Row>(loglens(['entries', sf, '--jsonl']));
	assert.deepEqual(srows.map((r) => r.level), stamped.map((_, i) => (i % 4 ? 'info' : 'error')));
	assert.equal(srows[3].time, '2024-05-01T10:00:03.500Z');
	assert.equal(srows[3].message, 'request 3');
});

test('JSON variants: MongoDB, journald spacing and numbers, CLEF, ECS nested, epoch strings', () => {
	const mongo = JSON.parse(loglens(['summary', S('mongodb-4.4.4.log'), '--json'])) as { levels: Record<string, number>; entries: number };
	assert.equal(mongo.levels.info, mongo.entries);
	const ctx = { year: 2024 };
	const m = jsonFormat.parseHeader('{"t":{"$date":"2021-03-22T21:21:20.349+00:00"},"s":"W",  "c":"NETWORK",  "id":1, "ctx":"conn1","msg":"slow"}', ctx);
	assert.deepEqual([m?.level, m?.time, m?.logger, m?.message], [Level.Warning, Date.UTC(2021, 2, 22, 21, 21, 20, 349), 'NETWORK', 'slow']);
	const d1 = jsonFormat.parseHeader('{"t":{"$date":"2021-03-22T21:21:20.349+00:00"},"s":"D1","c":"X","msg":"dbg"}', ctx);
	assert.equal(d1?.level, Level.Debug);
	const j = jsonFormat.parseHeader('{ "__REALTIME_TIMESTAMP" : "1714557600123456", "PRIORITY" : "3", "SYSLOG_IDENTIFIER" : "sshd", "MESSAGE" : "bad" }', ctx);
	assert.deepEqual([j?.level, j?.time, j?.logger, j?.message], [Level.Error, 1714557600123.456, 'sshd', 'bad']);
	assert.equal(jsonFormat.parseHeader('{"PRIORITY":4,"MESSAGE":[104,105],"_COMM":"x"}', ctx)?.message, 'hi');
	const clef = jsonFormat.parseHeader('{"@t":"2024-05-01T10:00:00.123Z","@mt":"User {User} logged in from {Ip} ({{literal}})","User":"bob","Ip":"10.0.0.1"}', ctx);
	assert.deepEqual([clef?.level, clef?.message], [Level.Info, 'User bob logged in from 10.0.0.1 ({literal})']);
	assert.equal(jsonFormat.parseHeader('{"@t":"2024-05-01T10:00:00Z","@mt":"x","@l":"Error"}', ctx)?.level, Level.Error);
	assert.equal(jsonFormat.parseHeader('{"@timestamp":"2024-05-01T10:00:00Z","log":{"level":"warn","logger":"a"},"message":"m"}', ctx)?.level, Level.Warning);
	assert.equal(jsonFormat.parseHeader('{"ts":1714557600.5,"lvl":"eror","msg":"x"}', ctx)?.time, 1714557600500);
	assert.equal(jsonFormat.parseHeader('{"ts":"1714557600.25","level":"info"}', ctx)?.time, 1714557600250);
	assert.equal(levelName(jsonFormat.parseHeader('{"level":50,"time":1714557600000,"msg":"x"}', ctx)?.level ?? Level.Unknown), 'error');
});

test('key=value levels: logfmt behind a syslog PRI (firewalls), level= inside a syslog message', () => {
	const ctx = { year: 2024 };
	const fw = logfmtFormat.parseHeader('<189>date=2024-05-01 time=10:00:00 devname="FGT60E" devid="FGT60E1234" logid="0100032001" type="event" subtype="system" level="notice" vd="root" logdesc="Admin login successful" msg="Administrator admin logged in successfully"', ctx);
	assert.equal(fw?.level, Level.Notice);
	assert.equal(fw?.message, 'Administrator admin logged in successfully');
	assert.equal(fw?.time, new Date(2024, 4, 1, 10, 0, 0).getTime());
	assert.equal(logfmtFormat.parseHeader('<187>date=2024-05-01 time=10:00:00 devname="FGT" type="traffic" action="deny"', ctx)?.level, Level.Error);
	const sys = syslogFormat.parseHeader('<13>May  1 10:00:00 host app[12]: time=2024-05-01T10:00:00Z level=warn msg="disk almost full"', ctx);
	assert.equal(sys?.level, Level.Warning);
	assert.equal(syslogFormat.parseHeader('<11>May  1 10:00:00 host app[12]: failed hard', ctx)?.level, Level.Error);
});

test('parallel ranges never start inside a record the runtime cut', async () => {
	// Many long records (three 16 KiB CRI pieces each) so split points fall among P lines.
	const out: string[] = [];
	for (let i = 0; i < 400; i++) {
		const t = `2024-05-01T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000000123Z`;
		const text = `2024-05-01 10:00:00,${String(i % 1000).padStart(3, '0')} ${i % 3 ? 'INFO' : 'ERROR'} app: record ${i} ` + 'z'.repeat(40000);
		for (let k = 0; k < text.length; k += 16384) out.push(`${t} stdout ${k + 16384 < text.length ? 'P' : 'F'} ${text.slice(k, k + 16384)}`);
	}
	const f = join(tmp.dir, 'long.cri.log');
	writeFileSync(f, out.join('\n') + '\n');
	const one = await indexFile(f, { threads: 1, chunkSize: 65536 });
	const par = await indexFile(f, { threads: 3, workerScript: join(tmp.dir, 'indexWorker.js'), parallelMinBytes: 0, chunkSize: 65536 });
	assert.equal(par.ranges, 3);
	assert.equal(one.entryCount, 400);
	assert.equal(par.entryCount, 400);
	assert.deepEqual(par.levelCounts(), one.levelCounts());
	for (let e = 0; e < 400; e++) assert.equal(par.entryStartLine(e), one.entryStartLine(e));
});

test('Elasticsearch documents of wrapped logs: the inner message and levels, container.* from the file path, process.pid', async () => {
	const { textItems } = await import('../../src/core/elasticsearch/exportSources');
	const id = 'a'.repeat(64);
	const path = `/var/log/containers/web-7d4b9c-x2x9q_shop_app-${id}.log`;
	const docs = [...textItems(readFileSync(S('python-text.cri.log')), { hostName: 'h', filePath: path })].map((i) => i.doc);
	assert.equal(docs.length, 10);
	const err = docs.find((d) => d.log.level === 'error' && d.error);
	assert.ok(err);
	assert.equal(err.error?.type, 'KeyError');
	assert.match(err.message, /^query failed for user bob/);
	assert.deepEqual(err.container, { name: 'app', id });
	assert.equal(err.labels?.stream, 'stderr');
	assert.equal(err.log.file?.path, path);
	assert.equal(docs.filter((d) => d.log.level === 'critical').length, 1);
	// The record the runtime cut: one document, its level read from the whole record.
	const pino = [...textItems(readFileSync(S('pino.docker.log')), { hostName: 'h', filePath: `/var/lib/docker/containers/${id}/${id}-json.log` })].map((i) => i.doc);
	assert.deepEqual(pino.map((d) => d.log.level), jsonl<Rec>(readFileSync(S('pino.records.jsonl'), 'utf8')).map((r) => (r.level === 'critical' ? 'critical' : r.level)));
	assert.deepEqual(pino[0].container, { id, runtime: 'docker' });
	const journal = [...textItems(readFileSync(S('python-text.journal.json')), { hostName: 'h' })].map((i) => i.doc);
	assert.equal(journal[0].process?.pid, 2817);
	assert.equal(journal[0].process?.name, 'python-text');
});

test('journald: records a program sent as messages (journal, syslog, kernel) are never joined; its stdout lines are when the inner log says so', () => {
	const rec = (i: number, transport: string, ident: string, pid: string, pri: string, msg: string) => `{ "__CURSOR" : "s=1;i=${i}", "__REALTIME_TIMESTAMP" : "${1714557600000000 + i * 1000}", "PRIORITY" : "${pri}", "_TRANSPORT" : "${transport}", "SYSLOG_IDENTIFIER" : "${ident}", "_PID" : "${pid}", "MESSAGE" : ${JSON.stringify(msg)} }`;
	const lines: string[] = [];
	let i = 0;
	for (let k = 0; k < 20; k++) {
		lines.push(rec(i++, 'stdout', 'api', '10', '6', `2024-05-01 10:00:${String(k).padStart(2, '0')},000 ${k === 5 ? 'ERROR' : 'INFO'} api: request ${k}`));
		if (k === 5) for (const l of ['Traceback (most recent call last):', '  File "api.py", line 1, in <module>', 'ValueError: x']) lines.push(rec(i++, 'stdout', 'api', '10', '6', l));
		// The kernel's messages look like continuation lines to a Python reader: each is still an entry.
		lines.push(rec(i++, 'kernel', 'kernel', '', '4', `usb 1-${k}: reset high-speed USB device`), rec(i++, 'kernel', 'kernel', '', '6', `usb 1-${k}: new device`));
	}
	const f = join(tmp.dir, 'mixed.journal.json');
	writeFileSync(f, lines.join('\n') + '\n');
	const rows = jsonl<Row>(loglens(['entries', f, '--jsonl']));
	assert.equal(rows.length, 60);
	const err = rows.find((r) => r.level === 'error');
	assert.equal(err?.endLine, (err?.line ?? 0) + 3, 'the traceback records join the ERROR record');
	assert.equal(rows.filter((r) => r.logger === 'kernel').length, 40);
	assert.equal(rows.filter((r) => r.level === 'warning').length, 20);
});

test('every real log of the fixtures reads the same wrapped as CRI or Docker json-file as it does bare', () => {
	const files: string[] = [];
	const walk = (d: string) => {
		for (const f of readdirSync(d, { withFileTypes: true })) {
			const p = join(d, f.name);
			if (f.isDirectory()) walk(p);
			else if (!/(\.json|\.md|LICENSE|SOURCES|\.py|\.ini|\.ya?ml|\.toml|\.cfg|\.txt|\.csv)$/.test(f.name) && statSync(p).size > 0 && statSync(p).size < 4e6) files.push(p);
		}
	};
	walk(fixture('loghub'));
	walk(fixture('filebeat'));
	assert.ok(files.length >= 30, `${files.length} logs`);
	const ctx = { year: 2024 };
	for (const f of files) {
		const bare = readFileSync(f);
		const lines = bare.toString('latin1').split('\n');
		if (lines[lines.length - 1] === '') lines.pop();
		const stamp = (i: number) => `2024-05-01T10:00:00.${String(i).padStart(9, '0')}Z`;
		const cri = Buffer.from(lines.map((l, i) => `${stamp(i)} stdout F ${l}`).join('\n') + '\n', 'latin1');
		const docker = Buffer.from(lines.map((l, i) => JSON.stringify({ log: Buffer.from(l, 'latin1').toString('utf8') + '\n', stream: 'stdout', time: stamp(i) })).join('\n') + '\n');
		const a = LogIndex.fromText(bare, { ctx });
		for (const [kind, buf] of [['cri', cri], ['docker', docker]] as const) {
			const what = `${f.slice(fixture('').length)} as ${kind}`;
			const b = LogIndex.fromText(buf, { ctx });
			assert.ok(b.format.format.id.startsWith(`${kind}+`), `${what}: ${b.format.format.id}`);
			assert.equal(b.entryCount, a.entryCount, `${what}: entries (${a.format.format.id} → ${b.format.format.id})`);
			assert.deepEqual(b.levelCounts(), a.levelCounts(), `${what}: levels`);
			for (let e = 0; e < a.entryCount; e++) {
				if (a.entryStartLine(e) !== b.entryStartLine(e)) assert.fail(`${what}: entry ${e} starts at line ${b.entryStartLine(e) + 1}, bare ${a.entryStartLine(e) + 1}`);
				const t = a.entryTime(e);
				if (t === t && t !== b.entryTime(e)) assert.fail(`${what}: entry ${e} time ${b.entryTime(e)}, bare ${t}`);
			}
		}
	}
});
