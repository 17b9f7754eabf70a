// Non-level tokens on real lines: timestamps in the shapes real producers write, ids, addresses,
// URLs, paths, numbers, strings, key=value pairs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { INITIAL } from 'vscode-textmate';
import { loadGrammar, tokenizeLines, fixtureLines, scopesOf, scopesAtText, OUR_GRAMMAR, type TokenizedLine } from './grammarHarness';

const grammar = loadGrammar(OUR_GRAMMAR());
/** The first line of a fixture matching `re`, tokenized in context (so multi-line state is real). */
async function lineOf(re: RegExp, ...parts: string[]): Promise<TokenizedLine> {
	const lines = tokenizeLines((await grammar).grammar, fixtureLines(...parts));
	const l = lines.find((x) => re.test(x.text));
	assert.ok(l, `no line in ${parts.join('/')} matches ${re}`);
	return l;
}
function assertHas(scopes: readonly string[], scope: string, what: string): void {
	assert.ok(scopes.includes(scope), `${what} should have ${scope}, has [${scopes.join(' ')}]`);
}
function assertScope(line: TokenizedLine, text: string, scope: string, occurrence = 1): void {
	const scopes = scopesOf(line, text, occurrence);
	assert.ok(scopes.includes(scope), `"${text}" should have ${scope}, has [${scopes.join(' ')}]: ${line.text}`);
}

test('timestamps: ISO, comma millis, yyMMdd HHmmss, syslog, Apache ctime, yy/MM/dd, logcat, compact, JUL, strftime %z', async () => {
	const hadoop = await lineOf(/^2015-10-18 18:01:47,978/, 'loghub', 'Hadoop', 'Hadoop_2k.log');
	assertScope(hadoop, '2015-10-18', 'log.date');
	assertScope(hadoop, '18:01:47,978', 'log.date');
	assertScope(await lineOf(/^081109 203615/, 'loghub', 'HDFS', 'HDFS_2k.log'), '081109 203615', 'log.date');
	assertScope(await lineOf(/^Jun 14 15:16:01/, 'loghub', 'Linux', 'Linux_2k.log'), 'Jun 14 15:16:01', 'log.date');
	assertScope(await lineOf(/^Jul {2}1 09:00:55/, 'loghub', 'Mac', 'Mac_2k.log'), 'Jul  1 09:00:55', 'log.date');
	assertScope(await lineOf(/^\[Sun Dec 04 04:47:44 2005\]/, 'loghub', 'Apache', 'Apache_2k.log'), 'Sun Dec 04 04:47:44 2005', 'log.date');
	const spark = await lineOf(/^17\/06\/09 20:10:40/, 'loghub', 'Spark', 'Spark_2k.log');
	assertScope(spark, '17/06/09', 'log.date');
	assertScope(spark, '20:10:40', 'log.date');
	const android = await lineOf(/^03-17 16:13:38\.811/, 'loghub', 'Android', 'Android_2k.log');
	assertScope(android, '03-17', 'log.date');
	assertScope(android, '16:13:38.811', 'log.date');
	const health = await lineOf(/^20171223-22:15:29:606/, 'loghub', 'HealthApp', 'HealthApp_2k.log');
	assertScope(health, '20171223', 'log.date');
	assertScope(health, '22:15:29:606', 'log.date');
	const proxifier = await lineOf(/^\[10\.30 16:49:06\]/, 'loghub', 'Proxifier', 'Proxifier_2k.log');
	assertScope(proxifier, '10.30', 'log.date');
	assertScope(proxifier, '16:49:06', 'log.date');
	const jul = await lineOf(/^\w{3} \d+, \d{4} \d+:\d\d:\d\d [AP]M/, 'grammar', 'java-traces.log');
	assertScope(jul, /^\w{3} \d+, \d{4} \d+:\d\d:\d\d [AP]M/.exec(jul.text)![0], 'log.date');
	const iso = await lineOf(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}\]/, 'grammar', 'python-logging.log');
	assertScope(iso, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}/.exec(iso.text)![0], 'log.date');
	const zulu = await lineOf(/^2024-03-17T16:13:38\.811Z\tINFO/, 'grammar', 'documented-formats.log');
	assertScope(zulu, '2024-03-17T16:13:38.811Z', 'log.date');
	// A timestamp inside a quoted value keeps the date colour (logrus time="…").
	const logrus = await lineOf(/^time="/, 'grammar', 'documented-formats.log');
	assertHas(scopesAtText(logrus, '2024-03-17T16:13:38Z'), 'log.date', logrus.text);
	assertHas(scopesAtText(logrus, '"2024'), 'log.string', logrus.text);
});

test('ids and addresses: GUID, IPv4 with port, IPv6, URL, Unix and Windows paths, MAC-free times', async () => {
	const py = await lineOf(/request_id=/, 'grammar', 'python-logging.log');
	assertScope(py, '3f2a9c1e-7b4d-4e8a-9c1e-0123456789ab', 'log.guid');
	assertScope(await lineOf(/10\.251\.73\.220:50010/, 'loghub', 'HDFS', 'HDFS_2k.log'), '10.251.73.220:50010', 'log.ip');
	const linux = await lineOf(/rhost=218\.188\.2\.4/, 'loghub', 'Linux', 'Linux_2k.log');
	assertScope(linux, 'rhost', 'log.key');
	assertScope(linux, '218.188.2.4', 'log.ip');
	assertScope(await lineOf(/\[173\.234\.31\.186\]/, 'loghub', 'OpenSSH', 'OpenSSH_2k.log'), '173.234.31.186', 'log.ip');
	assertScope(await lineOf(/2001:db8::1/, 'grammar', 'python-logging.log'), '2001:db8::1', 'log.ip');
	assertScope(await lineOf(/wiki\.apache\.org/, 'loghub', 'Hadoop', 'Hadoop_2k.log'), 'http://wiki.apache.org/hadoop/NoRouteToHost', 'log.url');
	assertScope(await lineOf(/http:\/\/example\.com/, 'grammar', 'python-logging.log'), 'http://example.com:8080/health', 'log.url');
	assertScope(await lineOf(/workers2\.properties/, 'loghub', 'Apache', 'Apache_2k.log'), '/etc/httpd/conf/workers2.properties', 'log.path');
	assertScope(await lineOf(/for file \/tmp\/hadoop-yarn\/staging/, 'loghub', 'Hadoop', 'Hadoop_2k.log'), '/tmp/hadoop-yarn/staging/msrabi/.staging/job_1445144423722_0020/job_1445144423722_0020_1.jhist', 'log.path');
	const cbs = await lineOf(/cbscore\.dll/, 'grammar', 'documented-formats.log');
	assertScope(cbs, /C:\\Windows\\\S+/.exec(cbs.text)![0], 'log.path');
	assertScope(await lineOf(/config reloaded/, 'grammar', 'python-logging.log'), '/etc/app/config.yaml', 'log.path');
	// Times are not IPv6 or MAC addresses, and "::listenerCallback" is not an address.
	const mac = await lineOf(/::listenerCallback/, 'loghub', 'Mac', 'Mac_2k.log');
	assert.ok(!scopesAtText(mac, '::listenerCallback').includes('log.ip'));
	assert.ok(!scopesAtText(mac, '09:00:55').includes('log.ip'));
});

test('numbers, hex, units, strings, key=value, constants', async () => {
	const hdfs = await lineOf(/size 67108864$/, 'loghub', 'HDFS', 'HDFS_2k.log');
	assertScope(hdfs, '67108864', 'log.number');
	const android = await lineOf(/flags=0x1, tag="View Lock"/, 'loghub', 'Android', 'Android_2k.log');
	assertScope(android, 'lock', 'log.key');
	assertScope(android, '233570404', 'log.number');
	assertScope(android, '0x1', 'log.number');
	assertScope(android, '"View Lock"', 'log.string');
	assertScope(android, 'ws', 'log.key');
	assertScope(android, 'null', 'log.constant');
	assertScope(android, 'com.android.systemui', 'log.value');
	const py = await lineOf(/took 3\.5ms/, 'grammar', 'python-logging.log');
	assertScope(py, '3.5ms', 'log.number');
	const port = await lineOf(/'eighty'$/, 'grammar', 'python-logging.log');
	assertScope(port, "'eighty'", 'log.string');
	// An apostrophe is not a quote: "can't get client address" has no string.
	const linux = await lineOf(/can't get client address/, 'loghub', 'Linux', 'Linux_2k.log');
	assert.ok(!scopesAtText(linux, "can't").includes('log.string'));
	// Block ids are identifiers, not numbers.
	const blk = await lineOf(/blk_38865049064139660/, 'loghub', 'HDFS', 'HDFS_2k.log');
	assert.ok(!scopesAtText(blk, '38865049064139660').includes('log.number'));
});

test('long pathological lines tokenize in bounded time (no catastrophic backtracking)', async () => {
	const g = (await grammar).grammar;
	// Repetitions that make careless patterns backtrack: dotted names, paths, colons, quotes, key=value, hex.
	const units = ['a', 'a.', 'a/', '/a', '1.', 'ab:', '"a', 'a=', '-1', '\t1', 'Ab1.', 'aException.', '1.2.3.4.', 'level=', 'Jan 1 ', 'a-b/', '0x', 'File "', '  at a.b('];
	for (const unit of units) {
		const line = unit.repeat(Math.ceil(10000 / unit.length)).slice(0, 10000);
		const t0 = performance.now();
		g.tokenizeLine(line, INITIAL);
		const ms = performance.now() - t0;
		// Measured ≈ 5–300 ms; exponential backtracking would take minutes.
		assert.ok(ms < 3000, `${JSON.stringify(unit)} × 10,000 chars took ${ms.toFixed(0)} ms`);
	}
});
