#!/usr/bin/env node
// Per-file level accuracy on Filebeat's module test fixtures (real server logs with the level
// Filebeat read for each event). Usage: node scripts/fb-accuracy.mjs [corpusDir] [--json] [--verbose]
// An expected event at byte offset O counts as right when one of our entries starts on the line
// holding O with the canonical level of Filebeat's log.level.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const asJson = args.includes('--json');
const dir = args.find((a) => !a.startsWith('--')) ?? join(root, '../shared/corpus/filebeat/filebeat');
const CANON = { warn: 'warning', warning: 'warning', err: 'error', error: 'error', crit: 'critical', critical: 'critical', fatal: 'critical', emerg: 'critical', emergency: 'critical', alert: 'critical', panic: 'critical', severe: 'error', info: 'info', information: 'info', informational: 'info', notice: 'notice', note: 'info', system: 'info', log: 'info', debug: 'debug', trace: 'trace', verbose: 'trace' };
const LETTERS = { i: 'info', w: 'warning', e: 'error', f: 'critical', d: 'debug' };
// PostgreSQL's DETAIL/HINT/STATEMENT/CONTEXT/QUERY/LOCATION lines explain the entry above: Filebeat
// makes them events of their own, Log Lens keeps them in that entry (no entry may start there).
const SECONDARY = new Set(['detail', 'hint', 'statement', 'context', 'query', 'location']);
function canon(l) { const k = String(l).toLowerCase(); if (/^debug\d$/.test(k)) return 'debug'; return CANON[k] ?? LETTERS[k] ?? k; }
function walk(d, out = []) { for (const n of readdirSync(d)) { const p = join(d, n); if (statSync(p).isDirectory()) walk(p, out); else if (p.endsWith('-expected.json')) out.push(p); } return out; }
const rows = [];
for (const exp of walk(dir).sort()) {
	const log = exp.slice(0, -'-expected.json'.length);
	const expected = JSON.parse(readFileSync(exp, 'utf8'));
	const buf = readFileSync(log);
	const lineStarts = [0];
	for (let i = 0; i < buf.length; i++) if (buf[i] === 10 && i + 1 < buf.length) lineStarts.push(i + 1);
	const lineOf = (off) => { let lo = 0, hi = lineStarts.length - 1; while (lo < hi) { const m = (lo + hi + 1) >> 1; if (lineStarts[m] <= off) lo = m; else hi = m - 1; } return lo + 1; };
	const out = execFileSync(process.execPath, [(process.env.LOGLENS_CLI ?? join(root, 'dist/cli.js')), 'entries', log, '--jsonl'], { maxBuffer: 1 << 28 }).toString();
	const byLine = new Map();
	for (const l of out.split('\n')) if (l) { const e = JSON.parse(l); byLine.set(e.line, e); }
	const fmt = JSON.parse(execFileSync(process.execPath, [(process.env.LOGLENS_CLI ?? join(root, 'dist/cli.js')), 'summary', log, '--json']).toString()).format;
	let ok = 0, n = 0, falseHigh = 0;
	const misses = [];
	for (const d of expected) {
		if (d['log.level'] === undefined) continue;
		n++;
		const line = lineOf(d['log.offset'] ?? 0);
		const e = byLine.get(line);
		const want = canon(d['log.level']);
		const got = e?.level ?? (e ? 'unknown' : 'no-entry');
		if (got === want || (SECONDARY.has(want) && got === 'no-entry')) ok++;
		else { misses.push({ line, want, got }); if ((got === 'error' || got === 'critical') && want !== 'error' && want !== 'critical') falseHigh++; }
	}
	let extraHigh = 0;
	const expectedLines = new Set(expected.map((d) => lineOf(d['log.offset'] ?? 0)));
	for (const [line, e] of byLine) if (!expectedLines.has(line) && (e.level === 'error' || e.level === 'critical')) extraHigh++;
	rows.push({ file: relative(dir, log), format: fmt, events: n, ok, accuracy: n ? ok / n : 1, falseHigh: falseHigh + extraHigh, entries: byLine.size, misses: misses.slice(0, verbose ? 20 : 3) });
}
if (asJson) console.log(JSON.stringify(rows, null, 1));
else {
	for (const r of rows) console.log(`${r.accuracy.toFixed(3)}  ${String(r.ok).padStart(4)}/${String(r.events).padEnd(4)} falseHigh=${r.falseHigh} entries=${r.entries} ${r.format.padEnd(14)} ${r.file}${r.accuracy < 1 ? '  e.g. ' + JSON.stringify(r.misses) : ''}`);
	console.log(`mean per-file accuracy ${(rows.reduce((a, r) => a + r.accuracy, 0) / rows.length).toFixed(3)}; min ${Math.min(...rows.map((r) => r.accuracy)).toFixed(3)}`);
}
