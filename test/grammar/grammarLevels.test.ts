// Level tokens: the header's level word (or letter, or number) gets the scope of its level, on real
// logs whose level is known — Loghub's ground truth, CPython's logging, a real JVM, a real syslog
// handler — and every spelling the engine knows, put into real header lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../testUtil';
import { levelFromToken, levelFromSyslogSeverity, levelName, Level } from '../../src/core/levels';
import { loadGrammar, tokenizeLines, fixtureLines, levelTokens, levelOfScopes, scopesAtText, readCsv, OUR_GRAMMAR, type TokenizedLine } from './grammarHarness';

const grammar = loadGrammar(OUR_GRAMMAR());
async function tokenize(lines: readonly string[]): Promise<TokenizedLine[]> {
	return tokenizeLines((await grammar).grammar, lines);
}
const cache = new Map<string, Promise<TokenizedLine[]>>();
/** A fixture file tokenized once per test file (the Loghub sets are read by several tests). */
function tokenizeFixture(...parts: string[]): Promise<TokenizedLine[]> {
	const key = parts.join('/');
	let r = cache.get(key);
	if (!r) cache.set(key, (r = tokenize(fixtureLines(...parts))));
	return r;
}

/** Asserts the first level token of `line` is `text` (at `column`, by default its first occurrence) with level `level`. */
function assertHeaderLevel(line: TokenizedLine, text: string, level: string, column = line.text.indexOf(text)): void {
	const first = levelTokens(line)[0];
	assert.ok(first, `no level token in line ${line.lineNumber}: ${line.text}`);
	assert.equal(first.token.text, text, `header token of: ${line.text}`);
	assert.equal(first.token.start, column, `header token position in: ${line.text}`);
	assert.equal(first.level, level, `level of "${text}" in: ${line.text}`);
}

for (const set of ['Android', 'Apache', 'HDFS', 'Hadoop', 'Spark']) {
	test(`${set}: the first level token of each of the 2,000 lines is the ground-truth level`, async () => {
		const lines = await tokenizeFixture('loghub', set, `${set}_2k.log`);
		const truth = readCsv(fixture('loghub', set, `${set}_2k.log_structured.csv`));
		assert.equal(truth.length, lines.length);
		const seen = new Set<string>();
		for (let i = 0; i < lines.length; i++) {
			const word = truth[i].Level;
			const expected = levelName(levelFromToken(word));
			assert.notEqual(expected, 'unknown', `ground truth level ${word}`);
			const first = levelTokens(lines[i])[0];
			assert.ok(first, `no level token in ${set} line ${i + 1}: ${lines[i].text}`);
			assert.equal(first.token.text, word, `${set} line ${i + 1}: ${lines[i].text}`);
			assert.equal(first.level, expected, `${set} line ${i + 1}: ${lines[i].text}`);
			seen.add(expected);
		}
		assert.ok(seen.size >= 1);
	});
}

test('Loghub: message text after the header gets no level scope unless it is an upper-case level word', async () => {
	for (const set of ['Android', 'Apache', 'HDFS', 'Hadoop', 'Spark']) {
		for (const line of await tokenizeFixture('loghub', set, `${set}_2k.log`)) {
			for (const { token } of levelTokens(line).slice(1)) {
				assert.match(token.text, /^[A-Z]{4,}$/, `${set} line ${line.lineNumber}: message word "${token.text}" coloured as a level: ${line.text}`);
			}
		}
	}
	// Real lines whose message says "error" in words: only the header is a level.
	const hadoop = await tokenizeFixture('loghub', 'Hadoop', 'Hadoop_2k.log');
	const diag = hadoop.find((l) => / INFO .*Diagnostics report .*Error: java/.test(l.text))!;
	assert.equal(levelOfScopes(scopesAtText(diag, 'Error')), undefined);
	assertHeaderLevel(diag, 'INFO', 'info');
	const apache = await tokenizeFixture('loghub', 'Apache', 'Apache_2k.log');
	const state = apache.find((l) => /\[error\] mod_jk child workerEnv in error state/.test(l.text))!;
	assert.equal(levelOfScopes(scopesAtText(state, 'error', 2)), undefined);
	const py = await tokenizeFixture('grammar', 'python-logging.log');
	for (const l of py.filter((x) => x.text.includes('retrying after connection error'))) {
		assert.equal(levelOfScopes(scopesAtText(l, 'error')), undefined, l.text);
		assert.equal(levelTokens(l).length, 1, l.text);
		assert.equal(levelTokens(l)[0].level, 'info', l.text);
	}
	// "L1 I cache: 16K, L1 D cache" — single letters outside a logcat/glog header are not levels.
	const linux = await tokenizeFixture('loghub', 'Linux', 'Linux_2k.log');
	const cpu = linux.find((l) => l.text.includes('L1 I cache'))!;
	assert.deepEqual(levelTokens(cpu), []);
});

test('CPython logging: every record header in seven real formats carries its level', async () => {
	const lines = await tokenizeFixture('grammar', 'python-logging.log');
	const names = ['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'];
	const headerWord = new RegExp(`(?<![\\w])(${names.join('|')})(?![\\w])`);
	let records = 0;
	const levels = new Set<string>();
	let inTraceback = false;
	for (const line of lines) {
		if (line.text.startsWith('Traceback')) inTraceback = true;
		const m = headerWord.exec(line.text);
		if (line.text.startsWith('#') || line.text === '' || /^\s/.test(line.text) || !m) continue;
		if (inTraceback && !/^\S+[ :]|^\{|^\[/.test(line.text)) continue;
		if (/^[\w.]+(Error|Declined): /.test(line.text) || /^(During|The above)/.test(line.text)) continue; // exception lines
		inTraceback = false;
		const expected = levelName(levelFromToken(m[1]));
		assertHeaderLevel(line, m[1], expected);
		levels.add(expected);
		records++;
	}
	assert.equal(records, 7 * 13, 'seven formats × thirteen records');
	assert.deepEqual([...levels].sort(), ['critical', 'debug', 'error', 'info', 'notice', 'trace', 'warning']);
});

test('java.util.logging: FINEST … SEVERE at the start of the line (real JVM output)', async () => {
	const lines = await tokenizeFixture('grammar', 'java-traces.log');
	const expected: Record<string, string> = { FINEST: 'trace', FINER: 'trace', FINE: 'debug', CONFIG: 'debug', INFO: 'info', WARNING: 'warning', SEVERE: 'error' };
	let n = 0;
	for (const line of lines) {
		const m = /^([A-Z]+): /.exec(line.text);
		if (!m || !(m[1] in expected)) continue;
		assertHeaderLevel(line, m[1], expected[m[1]]);
		assert.equal(levelName(levelFromToken(m[1])), expected[m[1]], 'grammar and engine agree');
		n++;
	}
	assert.equal(n, 8);
});

test('syslog <PRI>: the severity is PRI % 8 (real SysLogHandler datagrams)', async () => {
	const lines = (await tokenizeFixture('grammar', 'python-syslog.log')).filter((l) => l.text.startsWith('<'));
	assert.equal(lines.length, 10);
	for (const line of lines) {
		const pri = /^<(\d+)>/.exec(line.text)![1];
		assertHeaderLevel(line, pri, levelName(levelFromSyslogSeverity(Number(pri) % 8)));
	}
});

test('documented formats: logcat, glog, Ruby, .NET, Apache 2.4, logrus, pino, ECS, zap, Go, Rust, log4j, nginx, spdlog, RFC 3164/5424, CBS', async () => {
	const lines = await tokenizeFixture('grammar', 'documented-formats.log');
	const cases: [RegExp, string, string][] = [
		[/^I\/ActivityManager/, 'I', 'info'], [/^E\/AndroidRuntime/, 'E', 'error'], [/^W\/System\.err/, 'W', 'warning'],
		[/^D\/dalvikvm/, 'D', 'debug'], [/^V\/WindowManager/, 'V', 'trace'], [/^F\/libc/, 'F', 'critical'],
		[/^03-17 .* E\/AndroidRuntime/, 'E', 'error'],
		[/^I0317/, 'I', 'info'], [/^W0317/, 'W', 'warning'], [/^E0317/, 'E', 'error'], [/^F0317/, 'F', 'critical'],
		[/^E, \[/, 'E', 'error'], [/^I, \[/, 'I', 'info'], [/^W, \[/, 'W', 'warning'], [/^D, \[/, 'D', 'debug'], [/^F, \[/, 'F', 'critical'],
		[/^info: /, 'info', 'info'], [/^warn: /, 'warn', 'warning'], [/^fail: /, 'fail', 'error'], [/^crit: /, 'crit', 'critical'],
		[/^dbug: /, 'dbug', 'debug'], [/^trce: /, 'trce', 'trace'],
		[/\[core:error\]/, 'error', 'error'], [/\[mpm_event:notice\]/, 'notice', 'notice'], [/\[ssl:warn\]/, 'warn', 'warning'],
		[/level=warning/, 'warning', 'warning'], [/level=error/, 'error', 'error'], [/level=info/, 'info', 'info'], [/level=debug/, 'debug', 'debug'],
		[/level=trace/, 'trace', 'trace'], [/level=fatal/, 'fatal', 'critical'], [/level=panic/, 'panic', 'critical'],
		[/"level":30/, '30', 'info'], [/"level":50/, '50', 'error'], [/"level":40/, '40', 'warning'], [/"level":20/, '20', 'debug'],
		[/"level":10/, '10', 'trace'], [/"level":60/, '60', 'critical'],
		[/"log.level":"error"/, 'error', 'error'], [/"severity":"WARNING"/, 'WARNING', 'warning'],
		[/Z\tINFO\t/, 'INFO', 'info'], [/Z\terror\t/, 'error', 'error'], [/Z\twarn\t/, 'warn', 'warning'],
		[/^panic: /, 'panic', 'critical'], [/^\[.* ERROR my_crate/, 'ERROR', 'error'], [/Z {2}WARN my_crate/, 'WARN', 'warning'],
		[/\[main\] ERROR com/, 'ERROR', 'error'],
		[/\[error\] 1234#/, 'error', 'error'], [/\[crit\]/, 'crit', 'critical'], [/\[emerg\]/, 'emerg', 'critical'], [/\[alert\]/, 'alert', 'critical'],
		[/\[app\] \[error\]/, 'error', 'error'], [/\[app\] \[warning\]/, 'warning', 'warning'], [/\[app\] \[critical\]/, 'critical', 'critical'], [/\[app\] \[E\]/, 'E', 'error'],
		[/^<34>/, '34', 'critical'], [/^<165>/, '165', 'notice'],
		[/, Info {4}/, 'Info', 'info'], [/, Error {4}/, 'Error', 'error'], [/, Warning {4}/, 'Warning', 'warning'],
	];
	for (const [re, text, level] of cases) {
		const line = lines.find((l) => re.test(l.text));
		assert.ok(line, `no line matches ${re}`);
		assertHeaderLevel(line, text, level);
	}
	// Go's "goroutine 1 [running]:" and the Windows path letters are not levels.
	for (const line of lines.filter((l) => /^goroutine|^main\.main|^\t\//.test(l.text))) assert.deepEqual(levelTokens(line), [], line.text);
});

test('real syslog lines: "sshd[24200]: error:" and "xinetd[…]: warning:" (Loghub OpenSSH, Linux)', async () => {
	const ssh = (await tokenizeFixture('loghub', 'OpenSSH', 'OpenSSH_2k.log')).filter((l) => /\]: error: /.test(l.text));
	const linux = (await tokenizeFixture('loghub', 'Linux', 'Linux_2k.log')).filter((l) => /\]: warning: /.test(l.text));
	assert.ok(ssh.length > 10 && linux.length > 0);
	for (const l of ssh) assertHeaderLevel(l, 'error', 'error');
	for (const l of linux) assertHeaderLevel(l, 'warning', 'warning');
});

/**
 * Every spelling the engine (src/core/levels.ts) maps to a level, in upper, lower and title case, put
 * into the level position of real header lines. The grammar must give it the level the engine gives it.
 */
const SPELLINGS = [
	'TRACE', 'TRC', 'VERBOSE', 'VERB', 'FINEST', 'FINER',
	'DEBUG', 'DBG', 'DEBU', 'FINE', 'CONFIG',
	'INFO', 'INF', 'INFORMATION', 'INFORMATIONAL',
	'NOTICE', 'NOTE',
	'WARN', 'WARNING', 'WRN',
	'ERROR', 'ERR', 'SEVERE', 'FAIL', 'FAILURE',
	'CRITICAL', 'CRIT', 'FATAL', 'FTL', 'EMERG', 'EMERGENCY', 'ALERT', 'PANIC', 'DPANIC',
];
const cases = (w: string): string[] => [w, w.toLowerCase(), w[0] + w.slice(1).toLowerCase()];

test('every level spelling, in any case, in four real header positions', async () => {
	const hadoop = fixtureLines('loghub', 'Hadoop', 'Hadoop_2k.log')[0]; // "2015-10-18 18:01:47,978 INFO [main] …"
	const apache = fixtureLines('loghub', 'Apache', 'Apache_2k.log')[0]; // "[Sun Dec 04 04:47:44 2005] [notice] …"
	const py = fixtureLines('grammar', 'python-logging.log').find((l) => l.startsWith('INFO:'))!; // "INFO:app.worker:…"
	const logrus = fixtureLines('grammar', 'documented-formats.log').find((l) => l.includes('level=info'))!;
	assert.ok(hadoop.includes(' INFO [main]') && apache.includes('[notice]') && py && logrus);
	let checked = 0;
	for (const spelling of SPELLINGS) {
		const expected = levelName(levelFromToken(spelling));
		assert.notEqual(expected, 'unknown', `${spelling} is not a level in src/core/levels.ts any more`);
		for (const w of cases(spelling)) {
			const variants = [
				hadoop.replace(' INFO [main]', ` ${w} [main]`),
				apache.replace('[notice]', `[${w}]`),
				py.replace(/^INFO:/, `${w}:`),
				logrus.replace('level=info', `level=${w}`),
			];
			for (const line of await tokenize(variants)) {
				assertHeaderLevel(line, w, expected);
				checked++;
			}
		}
	}
	assert.equal(checked, SPELLINGS.length * 3 * 4);
});

test('single-letter levels in brackets: [T] [V] [D] [I] [N] [W] [E] [F] [C]', async () => {
	const apache = fixtureLines('loghub', 'Apache', 'Apache_2k.log')[0];
	for (const letter of ['T', 'V', 'D', 'I', 'N', 'W', 'E', 'F', 'C']) {
		const expected = levelName(levelFromToken(letter));
		assert.notEqual(levelFromToken(letter), Level.Unknown);
		const [line] = await tokenize([apache.replace('[notice]', `[${letter}]`)]);
		assertHeaderLevel(line, letter, expected, line.text.indexOf(`[${letter}]`) + 1);
	}
	// …but an index like arr[i] is not a level.
	const [idx] = await tokenize(['2024-03-17 16:13:38,811 INFO value of arr[i] is 3']);
	assert.deepEqual(levelTokens(idx).map((x) => x.token.text), ['INFO']);
});

/**
 * Filebeat's real server logs (test/fixtures/filebeat): the grammar colours the level the engine
 * reads from each producer's own spelling — PostgreSQL `LOG:  `, MySQL `[Note]`/`[System]`, Icinga
 * `information/Component:`, Redis markers, nats `[INF]`, Elasticsearch `[WARN ]`.
 */
test('real server logs: PostgreSQL, MySQL, Icinga, Redis, nats, Elasticsearch level spellings', async () => {
	const fb = (...p: string[]) => tokenizeFixture('filebeat', 'filebeat', 'module', ...p);
	const checks: [TokenizedLine[], RegExp, string][] = [
		[await fb('postgresql', 'log', 'test', 'postgresql-ubuntu-9.5.log'), / (LOG|ERROR|FATAL):  /, ''],
		[await fb('mysql', 'error', 'test', 'mysql-ubuntu-8.0.15.log'), / \[(System|Warning)\] /, ''],
		[await fb('mysql', 'error', 'test', 'mysql-darwin-brew-5.7.10.log'), / \[(Note|Warning)\] /, ''],
		[await fb('icinga', 'main', 'test', 'test.log'), /\] (information|warning)\//, ''],
		[await fb('nats', 'log', 'test', 'test.log'), / \[(INF|DBG|TRC)\] /, ''],
		[await fb('elasticsearch', 'server', 'test', 'test.log'), /\]\[(INFO|WARN) \]/, ''],
	];
	let n = 0;
	for (const [lines, re] of checks) {
		for (const line of lines) {
			const m = re.exec(line.text);
			if (!m) continue;
			assertHeaderLevel(line, m[1], levelName(levelFromToken(m[1])), m.index + m[0].indexOf(m[1]));
			n++;
		}
	}
	assert.ok(n > 60, `${n} header lines checked`);
	const redis = await fb('redis', 'log', 'test', 'test.log');
	const markers = { '*': 'notice', '.': 'debug', '#': 'warning', '-': 'trace' } as Record<string, string>;
	let r = 0;
	for (const line of redis) {
		const m = / \d{2}:\d{2}:\d{2}\.\d{3} ([*.#-]) /.exec(line.text);
		if (!m) continue;
		assertHeaderLevel(line, m[1], markers[m[1]], m.index + m[0].length - 2);
		r++;
	}
	assert.ok(r >= 1);
	// PostgreSQL's DETAIL/STATEMENT lines carry no level colour, and "LOG" in a message is plain text.
	const [stmt, prose] = await tokenize(['2017-04-03 22:35:22.389 CEST [3474] postgres@mydb STATEMENT:  select 1', '2017-04-03 22:35:22.389 CEST [3474] postgres@mydb LOG:  the LOG: file moved']);
	assert.deepEqual(levelTokens(stmt), []);
	assert.deepEqual(levelTokens(prose).map((t) => t.token.text), ['LOG']);
});
