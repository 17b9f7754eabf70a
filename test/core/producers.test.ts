// Zero-configuration detection on logs captured from the real producers (test/fixtures/producers/,
// each folder with the script that regenerates it and the producer's VERSION): Debian's
// PostgreSQL, Redis, nginx, Apache and MariaDB servers with their default log layouts; the npm
// libraries log4js and winston; CPython's `logging` with many format strings. Every fixture goes
// through `loglens entries FILE --jsonl` as users run it, and is compared with a truth found
// without our engine: for the servers a small regex per producer written here from its documented
// line layout; for the libraries and Python the records their generators wrote down.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { currentCli, fixture, tempDir } from '../testUtil';

let cli = '';
let tmp: { dir: string; cleanup: () => void };
before(() => {
	tmp = tempDir();
	cli = currentCli(tmp.dir);
});
after(() => tmp.cleanup());

interface Entry { line: number; endLine: number; level: string | null; time: string | null; logger: string | null; message: string }
/** One entry of the truth: where it starts, how many lines it has (when known), its level. */
interface Truth { line: number; lines?: number; level: string; time?: string | null; message?: string }

const P = (...parts: string[]): string => fixture('producers', ...parts);

/** The CLI's entries (once per file); the fixtures' times were written in UTC without a zone, so the CLI runs in UTC. */
const seen = new Map<string, Entry[]>();
function entries(path: string): Entry[] {
	const known = seen.get(path);
	if (known) return known;
	const r = spawnSync(process.execPath, [cli, 'entries', path, '--jsonl'], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, TZ: 'UTC' } });
	assert.equal(r.status, 0, r.stderr);
	const out = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
	seen.set(path, out);
	return out;
}

const RANK: Record<string, number> = { trace: 0, debug: 1, info: 2, notice: 3, warning: 4, error: 5, critical: 6 };
const atLeastError = (l: string | null | undefined): boolean => l === 'error' || l === 'critical';

interface Measure {
	n: number;
	/** Truth entries that start an entry of ours with the same level, and the ones that do not. */
	levels: number;
	levelMisses: string[];
	/** Entries of ours at error or above whose line lies in a truth entry below error. */
	falseErrors: string[];
	/** Per aspect: truth entries right, and the misses. */
	aspects: Record<'starts' | 'ends' | 'times' | 'messages', { ok: number; misses: string[] }>;
	entries: number;
}

/** Compares the CLI's entries for `path` with the truth, aspect by aspect. */
function measure(path: string, truth: Truth[]): Measure {
	const got = entries(path);
	const byLine = new Map(got.map((e) => [e.line, e]));
	const m: Measure = {
		n: truth.length, levels: 0, levelMisses: [], falseErrors: [], entries: got.length,
		aspects: { starts: { ok: 0, misses: [] }, ends: { ok: 0, misses: [] }, times: { ok: 0, misses: [] }, messages: { ok: 0, misses: [] } },
	};
	const aspect = (name: keyof Measure['aspects'], ok: boolean, miss: string): void => {
		if (ok) m.aspects[name].ok++;
		else m.aspects[name].misses.push(miss);
	};
	for (const t of truth) {
		const e = byLine.get(t.line);
		if (e?.level === t.level) m.levels++;
		else m.levelMisses.push(`line ${t.line}: want ${t.level}, got ${e ? e.level : 'no entry'}`);
		const end = t.line + (t.lines ?? 1) - 1;
		aspect('starts', e !== undefined, `line ${t.line}: no entry starts here`);
		aspect('ends', e?.endLine === end, `line ${t.line}: want end ${end}, got ${e?.endLine}`);
		aspect('times', t.time === undefined || t.time === null || e?.time === t.time, `line ${t.line}: want ${t.time}, got ${e?.time}`);
		aspect('messages', t.message === undefined || e?.message === t.message, `line ${t.line}: want ${JSON.stringify(t.message)}, got ${JSON.stringify(e?.message)}`);
	}
	const starts = truth.map((t) => t.line);
	for (const e of got) {
		if (!atLeastError(e.level)) continue;
		let i = starts.length - 1; // the truth entry that holds this line
		while (i >= 0 && starts[i] > e.line) i--;
		const t = truth[i];
		if (!t || RANK[t.level] < RANK.error) m.falseErrors.push(`line ${e.line}: ${e.level}, truth ${t ? t.level : 'none'}`);
	}
	return m;
}

/** One line for the test's diagnostics: each share as right/all. */
function summary(m: Measure): string {
	const a = Object.entries(m.aspects).map(([k, v]) => `${k} ${v.ok}/${m.n}`).join(', ');
	return `levels ${m.levels}/${m.n} (${(m.levels / m.n).toFixed(3)}), false error/critical ${m.falseErrors.length}, ${a}, ${m.entries} entries`;
}

/** Level accuracy ≥ 0.99 and no false error/critical; the problems, or none. */
function levelProblems(m: Measure): string[] {
	const out: string[] = [];
	if (m.falseErrors.length) out.push(`false error/critical: ${m.falseErrors.slice(0, 8).join('; ')}`);
	if (m.levels / m.n < 0.99) out.push(`levels ${m.levels}/${m.n} right: ${m.levelMisses.slice(0, 8).join('; ')}`);
	return out;
}

/** Each named aspect right for ≥ 0.99 of the truth entries; the problems, or none. */
function aspectProblems(m: Measure, names: (keyof Measure['aspects'])[]): string[] {
	const out: string[] = [];
	for (const a of names) {
		const { ok, misses } = m.aspects[a];
		if (ok / m.n < 0.99) out.push(`${a} ${ok}/${m.n} right: ${misses.slice(0, 6).join('; ')}`);
	}
	return out;
}

// ---- Servers: a truth from each producer's documented line layout -------------------------------

interface Oracle {
	/** Matches the first line of an entry; group 1 is the time, group 2 the level, as the producer writes them. */
	header: RegExp;
	/** The canonical level of the producer's word, or undefined for a line that continues the entry above. */
	level: (word: string) => string | undefined;
	/** The time (UTC: the capture ran in UTC) as an ISO string, to the millisecond. */
	time: (text: string) => string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const iso = (y: string, mon: number, d: string, hms: string, ms = '000'): string =>
	`${y}-${String(mon).padStart(2, '0')}-${d.padStart(2, '0')}T${hms.padStart(8, '0')}.${ms.slice(0, 3).padEnd(3, '0')}Z`;

/** Lines that match `header` start entries; every other line continues the entry above. */
function serverTruth(path: string, o: Oracle): Truth[] {
	const lines = readFileSync(path, 'utf8').split('\n');
	if (lines[lines.length - 1] === '') lines.pop();
	const out: Truth[] = [];
	lines.forEach((text, i) => {
		const m = o.header.exec(text);
		const level = m ? o.level(m[2]) : undefined;
		if (m && level !== undefined) out.push({ line: i + 1, level, time: o.time(m[1]) });
	});
	// an entry runs to the line before the next one
	out.forEach((t, i) => (t.lines = (i + 1 < out.length ? out[i + 1].line : lines.length + 1) - t.line));
	return out;
}

const ORACLES: Record<string, { file: string; oracle: Oracle }> = {
	// postgresql.conf (Debian): log_line_prefix = '%m [%p] %q%u@%d '; the severity then two spaces.
	// DETAIL/HINT/CONTEXT/STATEMENT/QUERY/LOCATION explain the message above; DEBUG (elog.c writes
	// DEBUG for debug1–5) is debug,
	// LOG and INFO informational, FATAL and PANIC end the session or server.
	postgresql: {
		file: 'postgresql/postgresql.log',
		oracle: {
			header: /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC \[\d+\] (?:\S*@\S* )?([A-Z]+[1-5]?):  /,
			time: (t) => t.replace(' ', 'T') + 'Z',
			level: (w) => ({ LOG: 'info', INFO: 'info', NOTICE: 'notice', WARNING: 'warning', ERROR: 'error', FATAL: 'critical', PANIC: 'critical' } as Record<string, string>)[w]
				?? (/^DEBUG[1-5]?$/.test(w) ? 'debug' : undefined),
		},
	},
	// Redis (server.c serverLogRaw): `pid:role dd Mon yyyy HH:MM:SS.mmm <mark> msg`, role X/C/S/M,
	// marks `.` debug, `-` verbose, `*` notice, `#` warning. Redis orders them debug < verbose <
	// notice < warning, so verbose is read as debug (never below `.`).
	redis: {
		file: 'redis/redis.log',
		oracle: {
			header: /^\d+:[XCSM] (\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3}) ([.\-*#]) /,
			time: (t) => {
				const [d, mon, y, hms] = t.split(' ');
				return iso(y, MONTHS.indexOf(mon) + 1, d, hms.slice(0, 8), hms.slice(9));
			},
			level: (w) => ({ '.': 'debug', '-': 'debug', '*': 'notice', '#': 'warning' } as Record<string, string>)[w],
		},
	},
	// nginx (ngx_log.c): `yyyy/mm/dd HH:MM:SS [level] pid#tid: msg`; crit, alert and emerg are critical.
	nginx: {
		file: 'nginx/error.log',
		oracle: {
			header: /^(\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d) \[(debug|info|notice|warn|error|crit|alert|emerg)\] \d+#\d+: /,
			time: (t) => t.replace(/\//g, '-').replace(' ', 'T') + '.000Z',
			level: (w) => ({ debug: 'debug', info: 'info', notice: 'notice', warn: 'warning', error: 'error', crit: 'critical', alert: 'critical', emerg: 'critical' } as Record<string, string>)[w],
		},
	},
	// Apache httpd 2.4 default ErrorLogFormat: `[Www Mmm dd HH:MM:SS.uuuuuu yyyy] [module:level] [pid N:tid N] msg`;
	// lines without that header (AH00558 at startup, written to stderr) continue the entry above.
	apache: {
		file: 'apache/error.log',
		oracle: {
			header: /^\[(\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4})\] \[(?:[\w-]+:)?(emerg|alert|crit|error|warn|notice|info|debug|trace[1-8])\] \[pid \d+(?::tid \d+)?\] /,
			time: (t) => {
				const [, mon, d, hms, y] = t.split(' ');
				return iso(y, MONTHS.indexOf(mon) + 1, d, hms.slice(0, 8), hms.slice(9));
			},
			level: (w) => ({ emerg: 'critical', alert: 'critical', crit: 'critical', error: 'error', warn: 'warning', notice: 'notice', info: 'info', debug: 'debug' } as Record<string, string>)[w] ?? 'trace',
		},
	},
	// MariaDB (log.cc print_buffer_to_file): `yyyy-mm-dd HH:MM:SS thread [Note|Warning|ERROR] msg`,
	// the hour padded with a space; the `Version: …` line after "ready for connections" has no header.
	mariadb: {
		file: 'mariadb/error.log',
		oracle: {
			header: /^(\d{4}-\d\d-\d\d [ \d]\d:\d\d:\d\d) \d+ \[(Note|Warning|ERROR|System)\] /,
			time: (t) => {
				const [ymd, hms] = t.split(/ +/);
				const [y, mon, d] = ymd.split('-');
				return iso(y, Number(mon), d, hms);
			},
			level: (w) => ({ Note: 'info', System: 'info', Warning: 'warning', ERROR: 'error' } as Record<string, string>)[w],
		},
	},
};

for (const [name, { file, oracle }] of Object.entries(ORACLES)) {
	test(`producer ${name} (${readFileSync(P(name, 'VERSION'), 'utf8').trim().split('\n')[0]}): every entry's level from the documented layout, no false error or critical`, (t) => {
		const truth = serverTruth(P(file), oracle);
		assert.ok(truth.length >= 20, `${file}: only ${truth.length} entries`);
		// the fixture has several levels, or it would not test level reading
		assert.ok(new Set(truth.map((t) => t.level)).size >= 3, `${file}: levels ${[...new Set(truth.map((t) => t.level))]}`);
		const m = measure(P(file), truth);
		t.diagnostic(summary(m));
		assert.deepEqual(levelProblems(m), [], file);
	});
	test(`producer ${name}: every entry's extent (continuation lines inside) and time`, () => {
		assert.deepEqual(aspectProblems(measure(P(file), serverTruth(P(file), oracle)), ['starts', 'ends', 'times']), [], file);
	});
}

// ---- Libraries: the records their generators wrote down ------------------------------------------

interface RecordedFiles { files: Record<string, { records: { line: number; lines: number; level: string; time?: string | null; message: string }[] }> }

const LIBRARY_LEVELS: Record<string, Record<string, string>> = {
	// log4js levels (lib/levels.js): TRACE < DEBUG < INFO < WARN < ERROR < FATAL
	log4js: { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warning', ERROR: 'error', FATAL: 'critical' },
	// winston's npm levels: error 0, warn 1, info 2, http 3, verbose 4, debug 5, silly 6 (lower is
	// more severe): http is request logging at info, silly is the lowest. The word `verbose` is read
	// as trace everywhere (Serilog, .NET, Android and NLog rank it lowest); winston ranks it just
	// above debug — both below info, so nothing at info or above changes.
	winston: { error: 'error', warn: 'warning', info: 'info', http: 'info', verbose: 'trace', debug: 'debug', silly: 'trace' },
};

for (const lib of ['log4js', 'winston']) {
	const recorded = JSON.parse(readFileSync(P(lib, 'truth.json'), 'utf8')) as RecordedFiles;
	const version = readFileSync(P(lib, 'VERSION'), 'utf8').trim();
	for (const [file, { records }] of Object.entries(recorded.files)) {
		test(`producer ${lib} ${file} (${version}): every record's level and extent, no false error or critical`, (t) => {
			const truth: Truth[] = records.map((r) => ({ line: r.line, lines: r.lines, level: LIBRARY_LEVELS[lib][r.level] }));
			assert.ok(truth.every((t) => t.level !== undefined));
			const m = measure(P(lib, file), truth);
			t.diagnostic(summary(m));
			// the stack lines of an Error stay in its entry: starts and ends as the records
			assert.deepEqual([...levelProblems(m), ...aspectProblems(m, ['starts', 'ends'])], [], file);
		});
	}
}

// ---- CPython logging: one log per format string ---------------------------------------------------

interface PythonTruth {
	python: string;
	files: Record<string, { format: string; style: string; datefmt: string | null; records: { line: number; lines: number; level: string; time: string | null; message: string }[] }>;
}

const python = JSON.parse(readFileSync(P('python', 'truth.json'), 'utf8')) as PythonTruth;
for (const [file, spec] of Object.entries(python.files)) {
	const fmt = spec.format.replace(/\t/g, '\\t') + (spec.datefmt ? `, datefmt ${spec.datefmt}` : '') + (spec.style !== '%' ? `, style ${spec.style}` : '');
	const truth = (): Truth[] => spec.records.map((r) => ({ line: r.line, lines: r.lines, level: r.level, time: r.time, message: r.message }));
	test(`producer CPython ${python.python} logging ${file} (${fmt}): every record's level, no false error or critical`, (t) => {
		const m = measure(P('python', file), truth());
		t.diagnostic(summary(m));
		assert.deepEqual(levelProblems(m), [], file);
	});
	test(`producer CPython ${python.python} logging ${file}: every record's extent (traceback and multi-line message inside), time and message`, () => {
		const m = measure(P('python', file), truth());
		const problems = aspectProblems(m, ['starts', 'ends', 'times', 'messages']);
		if (m.entries !== m.n) problems.push(`${m.entries} entries for ${m.n} records`);
		assert.deepEqual(problems, [], file);
	});
}
