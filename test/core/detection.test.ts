// Zero-configuration detection on real logs nobody in this repo wrote: Filebeat's module test
// fixtures (the level Filebeat read for each event) and Loghub's raw lines (messages and template
// groups end to end), through the CLI as users run it.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentCli, fixture, groupingAccuracy, parseCsv, tempDir } from '../testUtil';

let cli = '';
let tmp: { dir: string; cleanup: () => void };
before(() => {
	tmp = tempDir();
	cli = currentCli(tmp.dir);
});
after(() => tmp.cleanup());

interface Entry { line: number; endLine: number; level: string | null; time: string | null; logger: string | null; message: string }

function entries(path: string): Entry[] {
	const r = spawnSync(process.execPath, [cli, 'entries', path, '--jsonl'], { encoding: 'utf8', maxBuffer: 1 << 28 });
	assert.equal(r.status, 0, r.stderr);
	return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
}

function summaryFormat(path: string): string {
	const r = spawnSync(process.execPath, [cli, 'summary', path, '--json'], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return (JSON.parse(r.stdout) as { format: string }).format;
}

/** Filebeat's level spellings to canonical names (its README: warn → warning, crit/fatal → critical …). */
const CANON: Record<string, string> = {
	warn: 'warning', err: 'error', crit: 'critical', fatal: 'critical', emerg: 'critical', alert: 'critical', panic: 'critical',
	information: 'info', informational: 'info', note: 'info', system: 'info', log: 'info', i: 'info', w: 'warning', e: 'error', f: 'critical', d: 'debug',
};
/** PostgreSQL lines that explain the entry above: Filebeat makes them events, Log Lens keeps them in that entry. */
const SECONDARY = new Set(['detail', 'hint', 'statement', 'context', 'query', 'location']);
const canon = (l: string): string => (/^debug\d$/i.test(l) ? 'debug' : CANON[l.toLowerCase()] ?? l.toLowerCase());

function expectedFiles(dir: string, out: string[] = []): string[] {
	for (const n of readdirSync(dir)) {
		const p = join(dir, n);
		if (statSync(p).isDirectory()) expectedFiles(p, out);
		else if (p.endsWith('-expected.json')) out.push(p);
	}
	return out.sort();
}

const FORMATS: Record<string, string> = {
	'postgresql-ubuntu-9.5.log': 'postgresql', 'postgresql-13-default.log': 'postgresql', 'mysql-ubuntu-8.0.15.log': 'mysql',
	'mysql-darwin-brew-5.7.10.log': 'mysql', 'redis/log/test/test.log': 'redis', 'icinga/main/test/test.log': 'icinga',
	'other_elasticsearch_deprecation.log': 'elasticsearch', 'logstash-plain-7.4.log': 'elasticsearch',
};

for (const exp of expectedFiles(fixture('filebeat', 'filebeat'))) {
	const log = exp.slice(0, -'-expected.json'.length);
	const name = log.slice(log.indexOf('module/') + 'module/'.length);
	test(`Filebeat ${name}: every event's level, no false error or critical`, () => {
		const want = JSON.parse(readFileSync(exp, 'utf8')) as { 'log.offset'?: number; 'log.level'?: string }[];
		const buf = readFileSync(log);
		const starts = [0];
		for (let i = 0; i < buf.length - 1; i++) if (buf[i] === 10) starts.push(i + 1);
		const lineOf = (off: number): number => {
			let lo = 0, hi = starts.length - 1;
			while (lo < hi) {
				const m = (lo + hi + 1) >> 1;
				if (starts[m] <= off) lo = m;
				else hi = m - 1;
			}
			return lo + 1;
		};
		const got = new Map(entries(log).map((e) => [e.line, e]));
		let ok = 0, n = 0;
		const wrong: string[] = [];
		const eventLines = new Set<number>();
		for (const d of want) {
			if (d['log.level'] === undefined) continue;
			n++;
			const line = lineOf(d['log.offset'] ?? 0);
			eventLines.add(line);
			const level = canon(d['log.level']);
			const e = got.get(line);
			if (SECONDARY.has(level) ? e === undefined : e?.level === level) ok++;
			else wrong.push(`line ${line}: want ${level}, got ${e ? e.level : 'no entry'}`);
			if (e && (e.level === 'error' || e.level === 'critical')) assert.ok(level === 'error' || level === 'critical', `false ${e.level} at line ${line}`);
		}
		for (const [line, e] of got) {
			if (!eventLines.has(line)) assert.ok(e.level !== 'error' && e.level !== 'critical', `an entry Filebeat does not have, at ${e.level}, line ${line}`);
		}
		assert.ok(ok / n >= 0.99, `${ok}/${n} right: ${wrong.slice(0, 5).join('; ')}`);
		const base = Object.keys(FORMATS).find((k) => name.endsWith(k));
		if (base) assert.equal(summaryFormat(log), FORMATS[base]);
	});
}

/**
 * End-to-end floors on Loghub's raw lines: message (header and message apart) against Loghub's
 * `Content`, and grouping accuracy of `templates --jsonl` against its EventId. Apache's `[client …]`
 * is a header field of ours and part of Loghub's content; Linux and Mac are held down by the miner
 * (the same figures as on Loghub's pre-parsed messages), not by header parsing.
 */
const FLOORS: Record<string, { message: number; ga: number }> = {
	Android: { message: 1, ga: 0.96 }, Apache: { message: 0.98, ga: 1 }, HDFS: { message: 1, ga: 1 }, Hadoop: { message: 1, ga: 0.99 },
	HealthApp: { message: 1, ga: 0.99 }, Linux: { message: 1, ga: 0.81 }, Mac: { message: 1, ga: 0.93 }, OpenSSH: { message: 1, ga: 1 },
	Proxifier: { message: 1, ga: 1 }, Spark: { message: 1, ga: 1 },
};

for (const [set, floor] of Object.entries(FLOORS)) {
	test(`Loghub ${set} raw lines: messages without header fields, template groups end to end`, () => {
		const dir = fixture('loghub', set);
		const rows = parseCsv(readFileSync(join(dir, `${set}_2k.log_structured.csv`), 'utf8'));
		const head = rows[0];
		const li = head.indexOf('LineId'), ci = head.indexOf('Content'), ei = head.indexOf('EventId');
		const data = rows.slice(1).filter((r) => r.length === head.length);
		const byLine = new Map(entries(join(dir, `${set}_2k.log`)).map((e) => [e.line, e]));
		const msgOk = data.filter((r) => byLine.get(Number(r[li]))?.message.trim() === r[ci].trim()).length;
		assert.ok(msgOk / data.length >= floor.message, `messages ${msgOk}/${data.length}`);
		const t = spawnSync(process.execPath, [cli, 'templates', join(dir, `${set}_2k.log`), '--jsonl'], { encoding: 'utf8', maxBuffer: 1 << 28 });
		assert.equal(t.status, 0, t.stderr);
		const tid = new Map(t.stdout.split('\n').filter(Boolean).map((l) => { const o = JSON.parse(l) as { line: number; templateId: number }; return [o.line, o.templateId]; }));
		const pred = data.map((r) => tid.get(Number(r[li])) ?? -1);
		const truth = data.map((r) => r[ei]);
		const ga = groupingAccuracy(pred, truth);
		assert.ok(ga >= floor.ga, `GA ${ga.toFixed(4)} < ${floor.ga}`);
	});
}

test('a constant one-letter column is not a level unless it is a quiet one; a varying one is', () => {
	const lines = (col: (i: number) => string) => Array.from({ length: 40 }, (_, i) => `2024-05-01T10:00:${String(i).padStart(2, '0')}.123456789Z stdout ${col(i)} request ${i} served\n`).join('');
	const p1 = join(tmp.dir, 'flag.log');
	writeFileSync(p1, lines(() => 'F'));
	assert.ok(entries(p1).every((e) => e.level === null), 'a constant F flag read as a level');
	const p2 = join(tmp.dir, 'quiet.log');
	writeFileSync(p2, Array.from({ length: 30 }, (_, i) => `2024-05-01T10:00:${String(i).padStart(2, '0')}.123+0000 I NETWORK  [conn${i}] end connection\n`).join(''));
	assert.ok(entries(p2).every((e) => e.level === 'info'));
	const p3 = join(tmp.dir, 'varying.log');
	writeFileSync(p3, lines((i) => 'IIIWIE'[i % 6]));
	assert.deepEqual(entries(p3).slice(0, 6).map((e) => e.level), ['info', 'info', 'info', 'warning', 'info', 'error']);
});

test('PostgreSQL: zone abbreviation read, DETAIL/HINT/STATEMENT lines stay in their entry', () => {
	const p = fixture('filebeat', 'filebeat', 'module', 'postgresql', 'log', 'test', 'postgresql-ubuntu-9.5.log');
	const es = entries(p);
	assert.equal(es[0].time, '2017-04-03T20:32:14.322Z');
	const withDetail = es.find((e) => e.endLine > e.line);
	assert.ok(withDetail, 'an entry spans its DETAIL/HINT/STATEMENT lines');
});

test('access log: the level is derived from the HTTP status and says so; other formats never carry levelFrom', () => {
	const p = join(tmp.dir, 'access.log');
	writeFileSync(p, [
		'10.0.0.1 - - [01/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8"',
		'10.0.0.1 - - [01/May/2024:10:00:01 +0000] "GET /missing HTTP/1.1" 404 12 "-" "curl/8"',
		'10.0.0.1 - bob [01/May/2024:10:00:02 +0000] "POST /api HTTP/1.1" 503 0 "-" "curl/8"',
	].join('\n') + '\n');
	const es = entries(p);
	assert.deepEqual(es.map((e) => [e.level, (e as Entry & { levelFrom?: string }).levelFrom]), [['info', 'status'], ['warning', 'status'], ['error', 'status']]);
	const py = entries(fixture('filebeat', 'filebeat', 'module', 'kafka', 'log', 'test', 'server.log'));
	assert.ok(py.every((e) => !('levelFrom' in e)));
});
