// `npm run bench`: times the loglens CLI against grep, ripgrep and lnav on the same log in the same
// run and prints one table (median of 3 runs per timing), index bytes per line, peak RSS, the
// machine, and the template miner's grouping accuracy per Loghub set.
//
//   node scripts/bench.mjs [--big] [--huge] [--runs N] [--cli PATH] [--no-ga] [--follow-only]
//
// --cli times another build of the CLI (e.g. an older commit's) against the same baselines.
//
// The logs are written once by scripts/make-bench-log.py (CPython's logging) into
// ${XDG_CACHE_HOME:-~/.cache}/loglens-bench/: ~170 MB / 2,000,000 records; with --big (or
// BENCH_BIG=1) also ~1 GB; with --huge (BENCH_HUGE=1) also ~5 GB, run once for memory only.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const big = argv.includes('--big') || process.env.BENCH_BIG === '1';
const huge = argv.includes('--huge') || process.env.BENCH_HUGE === '1';
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 3;
const cli = argv.includes('--cli') ? argv[argv.indexOf('--cli') + 1] : join(root, 'dist', 'cli.js');
const followOnly = argv.includes('--follow-only');
const withGa = !argv.includes('--no-ga') && !followOnly;
if (!existsSync(cli)) {
	console.error(`${cli} is missing: run \`npm run build\` first (npm run bench does).`);
	process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), 'loglens-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// ---- the machine ----------------------------------------------------------------------------
function cpuModel() {
	try {
		const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
		if (m) return m[1].trim();
	} catch { /* not Linux */ }
	return cpus()[0]?.model ?? 'unknown';
}
const machine = { nproc: cpus().length, cpu: cpuModel(), load: loadavg().map((x) => x.toFixed(2)).join(' '), node: process.version };

// ---- tools ----------------------------------------------------------------------------------
function which(cmd) {
	const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : null;
}
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const rg = which('rg');
const lnav = which('lnav');
const grepVersion = spawnSync('grep', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];

// ---- the logs -------------------------------------------------------------------------------
function makeLogs() {
	const args = [join(root, 'scripts', 'make-bench-log.py')];
	if (big) args.push('--big');
	if (huge) args.push('--huge');
	const r = spawnSync('python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
	if (r.status !== 0) {
		console.error('make-bench-log.py failed');
		process.exit(2);
	}
	return r.stdout.trim().split('\n').filter(Boolean);
}

// ---- timing ---------------------------------------------------------------------------------
/**
 * Runs a command once with stdout to a file (GNU grep stops early when stdout is /dev/null);
 * returns wall seconds, peak RSS in KB (from /usr/bin/time when present) and the output path.
 */
function runOnce(cmd, args, name) {
	const out = join(tmp, `${name}.out`);
	const rssFile = join(tmp, `${name}.rss`);
	const full = GNU_TIME ? [GNU_TIME, '-f', '%M', '-o', rssFile, cmd, ...args] : [cmd, ...args];
	const t0 = process.hrtime.bigint();
	const r = spawnSync('sh', ['-c', `exec "$@" > '${out}'`, 'sh', ...full], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	if (r.status !== 0 && !(cmd === 'grep' && r.status === 1)) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
	const rss = GNU_TIME && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN;
	return { secs, rss, out, stderr: r.stderr };
}

/** Median wall time of `runs` runs (and the largest peak RSS seen). */
function timeIt(cmd, args, name) {
	const times = [];
	let rss = NaN, last;
	for (let i = 0; i < runs; i++) {
		last = runOnce(cmd, args, name);
		times.push(last.secs);
		rss = Number.isNaN(rss) ? last.rss : Math.max(rss, last.rss);
	}
	times.sort((a, b) => a - b);
	return { secs: times[times.length >> 1], rss, out: last.out, stderr: last.stderr, all: times };
}

const node = process.execPath;
// Builds older than the --stats flag (for --cli) are timed without it.
const statsFlag = spawnSync(process.execPath, [cli, 'summary', '--help'], { encoding: 'utf8' }).status === 0 && spawnSync(process.execPath, [cli, 'summary', '-', '--stats'], { input: '', encoding: 'utf8' }).status === 0;
const loglens = (...a) => [node, [cli, ...a]];

// ---- one log --------------------------------------------------------------------------------
const rows = [];
const notes = [];
function row(op, ours, base, goal, check) {
	const ratio = base === undefined || base === null ? null : ours / base;
	rows.push({ op, ours, base, ratio, goal, met: check === undefined ? '' : check(ratio) ? 'yes' : 'NO' });
}

function benchLog(file, label) {
	const size = statSync(file).size;
	console.error(`\n== ${label}: ${file} (${(size / 1e6).toFixed(0)} MB) ==`);
	const WARN = ' - (WARNING|ERROR|CRITICAL) - ';
	const ERR = ' - (ERROR|CRITICAL) - ';

	// `summary` tallies in one pass (no index: it needs no random access); `summary --stats` builds
	// the index the editor uses (line offsets, entries) and reports its size.
	const sum = timeIt(...loglens('summary', file, '--json'), 'summary');
	const s = JSON.parse(readFileSync(sum.out, 'utf8'));
	const full = statsFlag ? timeIt(...loglens('summary', file, '--json', '--stats'), 'index') : null;
	const stats = full ? JSON.parse(full.stderr.trim().split('\n').pop()) : { bytesPerLine: NaN, maxRssKB: NaN };
	const grepC = timeIt('grep', ['-c', '-E', WARN, file], 'grepc');
	const grepCount = Number(readFileSync(grepC.out, 'utf8').trim());
	const ours = s.levels.warning + s.levels.error + s.levels.critical;
	console.error(`summary: ${s.lines} lines, ${s.entries} entries, format ${s.format}; warning+ ${ours} (grep -c ${grepCount}${ours === grepCount ? ', same' : ', DIFFERENT'})`);
	row(`summary vs grep -c [${label}]`, sum.secs, grepC.secs, '≤ 2×', (r) => r <= 2);
	if (full) row(`index (summary --stats) vs grep -c [${label}]`, full.secs, grepC.secs, '≤ 2×', (r) => r <= 2);
	if (rg) {
		const rgC = timeIt(rg, ['-c', '-e', WARN, file], 'rgc');
		row(`summary vs rg -c [${label}]`, sum.secs, rgC.secs, '-');
	}
	if (lnav) {
		// Headless: lnav indexes the whole file to answer the SQL query, then prints the count.
		const q = ";SELECT count(*) AS n FROM all_logs WHERE log_level IN ('warning','error','critical')";
		const fq = ';SELECT log_format, count(*) AS n FROM all_logs GROUP BY log_format ORDER BY n DESC LIMIT 1';
		const l = timeIt(lnav, ['-n', '-c', q, '-c', ':write-csv-to -', file], 'lnav');
		const n = Number(readFileSync(l.out, 'utf8').trim().split('\n').pop());
		const f = runOnce(lnav, ['-n', '-c', fq, '-c', ':write-csv-to -', file], 'lnavfmt');
		const fmt = readFileSync(f.out, 'utf8').trim().split('\n').pop();
		notes.push(`lnav (${label}): format ${fmt.split(',')[0]}, warning+ count ${n}${n === ours ? ' (same as ours)' : ` (ours ${ours})`}`);
		row(`summary vs lnav [${label}]`, sum.secs, l.secs, '≤ 0.1× (10× faster)', (r) => r <= 0.1);
		if (full) row(`index (summary --stats) vs lnav [${label}]`, full.secs, l.secs, '≤ 0.1× (10× faster)', (r) => r <= 0.1);
	}
	rows.push({ op: `index bytes/line [${label}]`, ours: stats.bytesPerLine, unit: 'B', goal: '≤ 16', met: Number.isNaN(stats.bytesPerLine) ? '' : stats.bytesPerLine <= 16 ? 'yes' : 'NO' });
	if (full) rows.push({ op: `index peak RSS [${label}]`, ours: (Number.isNaN(full.rss) ? stats.maxRssKB : full.rss) / 1024, unit: 'MB' });
	rows.push({ op: `summary peak RSS [${label}]`, ours: sum.rss / 1024, unit: 'MB' });

	const filt = timeIt(...loglens('filter', file, '--level', 'error'), 'filter');
	const grepF = timeIt('grep', ['-E', ERR, file], 'grepf');
	const fLines = countLines(filt.out), gLines = countLines(grepF.out);
	notes.push(`filter (${label}): ours ${fLines} lines (entries whole, tracebacks included), grep ${gLines} lines (header lines only)`);
	row(`filter --level error > file vs grep -E [${label}]`, filt.secs, grepF.secs, '≤ 1.5×', (r) => r <= 1.5);
	if (rg) {
		const rgF = timeIt(rg, ['-e', ERR, file], 'rgf');
		row(`filter --level error > file vs rg [${label}]`, filt.secs, rgF.secs, '-');
	}
	rows.push({ op: `filter peak RSS [${label}]`, ours: filt.rss / 1024, unit: 'MB' });

	const tpl = timeIt(...loglens('templates', file), 'templates');
	row(`templates vs summary [${label}]`, tpl.secs, sum.secs, '≤ 3×', (r) => r <= 3);
	rows.push({ op: `templates peak RSS [${label}]`, ours: tpl.rss / 1024, unit: 'MB' });

	const ent = timeIt(...loglens('entries', file, '--jsonl'), 'entries');
	rows.push({ op: `entries --jsonl per entry [${label}]`, ours: (ent.secs / s.entries) * 1e6, unit: 'µs' });
	return s;
}

function countLines(path) {
	const b = readFileSync(path);
	let n = 0;
	for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
	return n;
}

// ---- wrapped logs ---------------------------------------------------------------------------
/**
 * The log as a Kubernetes node keeps a container's stderr (CRI: `<RFC3339Nano> stderr F <line>`, as
 * containerd writes it), made once beside it: `bench.cri.log`.
 */
function criCopy(file) {
	const out = file.replace(/\.log$/, '.cri.log');
	if (existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs) return out;
	const src = openSync(file, 'r');
	const dst = openSync(out + '.tmp', 'w');
	const buf = Buffer.allocUnsafe(4 << 20);
	let carry = Buffer.alloc(0);
	let ns = BigInt(Date.UTC(2024, 4, 1, 10)) * 1000000n;
	for (;;) {
		const n = readSync(src, buf, 0, buf.length, null);
		if (n === 0) break;
		const chunk = Buffer.concat([carry, buf.subarray(0, n)]);
		const parts = [];
		let p = 0;
		for (let nl = chunk.indexOf(10); nl >= 0; p = nl + 1, nl = chunk.indexOf(10, p)) {
			ns += 21600123n;
			const frac = String(ns % 1000000000n).padStart(9, '0').replace(/0+$/, '');
			const stamp = new Date(Number(ns / 1000000n)).toISOString().slice(0, 19) + (frac ? '.' + frac : '') + 'Z';
			parts.push(Buffer.from(stamp + ' stderr F '), chunk.subarray(p, nl + 1));
		}
		writeSync(dst, Buffer.concat(parts));
		carry = Buffer.from(chunk.subarray(p));
	}
	closeSync(src);
	closeSync(dst);
	renameSync(out + '.tmp', out);
	return out;
}

/** `summary` of the CRI-wrapped copy against the log itself: unwrapping costs at most half again. */
function benchWrapped(file, label) {
	const cri = criCopy(file);
	console.error(`\n== CRI-wrapped ${label}: ${cri} (${(statSync(cri).size / 1e6).toFixed(0)} MB) ==`);
	const plain = timeIt(...loglens('summary', file, '--json'), 'wsummary');
	const wrapped = timeIt(...loglens('summary', cri, '--json'), 'csummary');
	const a = JSON.parse(readFileSync(plain.out, 'utf8'));
	const b = JSON.parse(readFileSync(wrapped.out, 'utf8'));
	const same = a.entries === b.entries && JSON.stringify(a.levels) === JSON.stringify(b.levels);
	notes.push(`CRI-wrapped ${label}: format ${b.format}, ${b.entries} entries, levels ${same ? 'the same as the log itself' : 'DIFFERENT from the log itself'}`);
	row(`summary CRI-wrapped vs the log itself [${label}]`, wrapped.secs, plain.secs, '≤ 1.5×', (r) => r <= 1.5 && same);
}

// ---- run ------------------------------------------------------------------------------------
const started = Date.now();
console.error(`machine: ${machine.nproc} CPUs, ${machine.cpu}, load average at start ${machine.load}, node ${machine.node}`);
const logs = followOnly ? [] : makeLogs();
if (logs[0]) benchLog(logs[0], '170 MB');
if (logs[0]) benchWrapped(logs[0], '170 MB');
const bigLog = logs.find((p) => p.endsWith('bench-1g.log'));
if (bigLog) benchLog(bigLog, '1 GB');
const hugeLog = logs.find((p) => p.endsWith('bench-5g.log'));
if (hugeLog) {
	// Memory only, once: the index must stay ≤ 16 B/line, filter in constant memory.
	console.error(`\n== 5 GB: ${hugeLog} (memory) ==`);
	const sum = runOnce(...loglens('summary', hugeLog, '--json', '--stats'), 'hsummary');
	const stats = JSON.parse(sum.stderr.trim().split('\n').pop());
	rows.push({ op: 'index bytes/line [5 GB]', ours: stats.bytesPerLine, unit: 'B', goal: '≤ 16', met: stats.bytesPerLine <= 16 ? 'yes' : 'NO' });
	rows.push({ op: 'summary peak RSS [5 GB]', ours: sum.rss / 1024, unit: 'MB' });
	rows.push({ op: 'summary time [5 GB]', ours: sum.secs, unit: 's' });
	const filt = runOnce(...loglens('filter', hugeLog, '--level', 'error'), 'hfilter');
	rows.push({ op: 'filter peak RSS [5 GB] (constant?)', ours: filt.rss / 1024, unit: 'MB' });
	rows.push({ op: 'filter time [5 GB]', ours: filt.secs, unit: 's' });
}

// ---- follow latency ----------------------------------------------------------------------------
// CPython's logging appends timestamped records at a steady rate while `loglens follow` and
// `tail -F` follow the same file; latency = when a follower printed the record − when it was written.
const FOLLOW_PRODUCER = `
import logging, sys, time
path, n, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
h = logging.FileHandler(path)
h.setFormatter(logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s'))
log = logging.getLogger('bench'); log.addHandler(h); log.setLevel(logging.INFO); log.propagate = False
t0 = time.time()
for i in range(n):
    log.info('seq=%06d t=%.6f payload', i, time.time())
    if i % 100 == 99:
        d = t0 + (i + 1) / rate - time.time()
        if d > 0: time.sleep(d)
h.close()
`;

function follower(cmd, args) {
	const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
	const lat = [];
	let rest = '';
	const f = { p, lat, warm: false };
	p.stdout.setEncoding('utf8');
	p.stdout.on('data', (d) => {
		const now = Date.now();
		const text = rest + d;
		if (text.includes('WARMUP')) f.warm = true;
		const cut = text.lastIndexOf('\n');
		rest = text.slice(cut + 1);
		for (const m of text.slice(0, cut + 1).matchAll(/ t=(\d+\.\d+) /g)) lat.push(now - Number(m[1]) * 1000);
	});
	return f;
}

async function followLatency(rate, n) {
	const file = join(tmp, 'follow.log');
	writeFileSync(file, '');
	const ours = follower(node, [cli, 'follow', file, '-n', '0', '-q']);
	const tail = follower('tail', ['-F', '-n', '0', file]);
	// Both followers are up once each has printed a warm-up record (appended until they have).
	for (let deadline = Date.now() + 15_000; !(ours.warm && tail.warm); ) {
		if (Date.now() > deadline) throw new Error('follow bench: the followers never printed the warm-up record');
		appendFileSync(file, '2024-05-01 10:00:00,000 - bench - INFO - WARMUP\n');
		await new Promise((r) => setTimeout(r, 100));
	}
	const py = spawn('python3', ['-c', FOLLOW_PRODUCER, file, String(n), String(rate)], { stdio: 'ignore' });
	await new Promise((r) => py.on('exit', r));
	const deadline = Date.now() + 10_000;
	while ((ours.lat.length < n || tail.lat.length < n) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
	ours.p.kill('SIGTERM');
	tail.p.kill('SIGTERM');
	const pct = (a, q) => {
		const s = a.slice().sort((x, y) => x - y);
		return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * q))] : NaN;
	};
	return { ours: { n: ours.lat.length, p50: pct(ours.lat, 0.5), p99: pct(ours.lat, 0.99) }, tail: { n: tail.lat.length, p50: pct(tail.lat, 0.5), p99: pct(tail.lat, 0.99) } };
}

{
	const rate = 10000, n = 30000;
	const f = await followLatency(rate, n);
	notes.push(`follow at ${rate.toLocaleString('en-US')} lines/s, ${n.toLocaleString('en-US')} records by CPython logging: loglens follow printed ${f.ours.n}, tail -F ${f.tail.n}`);
	// tail -F's p50 is below the clock's resolution (ms): no ratio against ~0.
	rows.push({ op: `follow latency p50 vs tail -F [${rate / 1000}k lines/s]`, ours: f.ours.p50, base: f.tail.p50, ratio: f.tail.p50 >= 1 ? f.ours.p50 / f.tail.p50 : null, unit: 'ms', goal: '-', met: '' });
	rows.push({ op: `follow latency p99 vs tail -F [${rate / 1000}k lines/s]`, ours: f.ours.p99, base: f.tail.p99, ratio: f.tail.p99 >= 1 ? f.ours.p99 / f.tail.p99 : null, unit: 'ms', goal: '≤ 100 ms', met: f.ours.p99 <= 100 ? 'yes' : 'NO' });
}

// Grouping accuracy per Loghub set (scripts/ga.mjs).
const ga = withGa ? spawnSync(node, [join(root, 'scripts', 'ga.mjs')], { cwd: root, encoding: 'utf8' }) : { stdout: '(skipped)' };

// ---- report ---------------------------------------------------------------------------------
const fmt = (x, unit) => (x === undefined || x === null || Number.isNaN(x) ? '-' : unit === 'B' || unit === 'µs' ? `${x.toFixed(2)} ${unit}` : unit === 'MB' || unit === 'ms' ? `${x.toFixed(0)} ${unit}` : `${x.toFixed(3)} s`);
const table = [['operation', 'ours', 'baseline', 'ratio', 'goal', 'met?']];
for (const r of rows) table.push([r.op, fmt(r.ours, r.unit ?? 's'), r.base === undefined ? '-' : fmt(r.base, r.unit === 'ms' ? 'ms' : 's'), r.ratio === undefined || r.ratio === null ? '-' : `${r.ratio.toFixed(2)}×`, r.goal ?? '-', r.met ?? '']);
const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
const line = (r) => '| ' + r.map((v, c) => v.padEnd(widths[c])).join(' | ') + ' |';
console.log(`\nLog Lens bench — ${machine.nproc} CPUs (${machine.cpu}), load average at start ${machine.load}, node ${machine.node}; median of ${runs} runs; ${grepVersion}${rg ? ', ripgrep ' + spawnSync(rg, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].split(' ')[1] : ''}${lnav ? ', ' + spawnSync(lnav, ['-V'], { encoding: 'utf8' }).stdout.trim() : ''}\n`);
console.log(line(table[0]));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of table.slice(1)) console.log(line(r));
console.log('');
for (const n of notes) console.log(`- ${n}`);
if (!GNU_TIME) console.log('- peak RSS from process.resourceUsage() (no /usr/bin/time)');
console.log(`\nGrouping accuracy (scripts/ga.mjs):\n${ga.stdout.trim()}`);
console.log(`\nload average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}; bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
