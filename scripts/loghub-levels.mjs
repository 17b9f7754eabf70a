#!/usr/bin/env node
// Per-set level and message accuracy on Loghub's 2k samples: for sets with a `Level` column, the
// share of lines whose entry level equals it (canonical names); for all, the share of lines whose
// entry message equals Loghub's `Content` (header and message apart).
// Usage: node scripts/loghub-levels.mjs [loghubDir]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from './ga-e2e.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? join(root, 'test/fixtures/loghub');
const CANON = { i: 'info', info: 'info', information: 'info', w: 'warning', warn: 'warning', warning: 'warning', e: 'error', error: 'error', err: 'error', fatal: 'critical', f: 'critical', critical: 'critical', severe: 'error', failure: 'error', fail: 'error', d: 'debug', debug: 'debug', v: 'trace', verbose: 'trace', trace: 'trace', notice: 'notice' };
for (const set of readdirSync(dir).filter((d) => existsSync(join(dir, d, `${d}_2k.log_structured.csv`))).sort()) {
	const rows = parseCsv(readFileSync(join(dir, set, `${set}_2k.log_structured.csv`), 'utf8'));
	const h = rows[0]; const li = h.indexOf('LineId'); const lv = h.indexOf('Level'); const ci = h.indexOf('Content');
	const data = rows.slice(1).filter((r) => r.length === h.length);
	const out = execFileSync(process.execPath, [(process.env.LOGLENS_CLI ?? join(root, 'dist/cli.js')), 'entries', join(dir, set, `${set}_2k.log`), '--jsonl'], { maxBuffer: 1 << 28 }).toString();
	const byLine = new Map(out.split('\n').filter(Boolean).map((l) => { const e = JSON.parse(l); return [e.line, e]; }));
	let lvOk = 0, msgOk = 0; const lvMiss = [], msgMiss = [];
	for (const r of data) {
		const e = byLine.get(Number(r[li]));
		if (lv >= 0) { const want = CANON[r[lv].toLowerCase()] ?? r[lv].toLowerCase(); if (e?.level === want) lvOk++; else if (lvMiss.length < 2) lvMiss.push([r[lv], e?.level ?? 'no-entry']); }
		if (e && e.message.trim() === r[ci].trim()) msgOk++; else if (msgMiss.length < 2) msgMiss.push([r[ci].slice(0, 80), e?.message.slice(0, 80) ?? 'no-entry']);
	}
	const fmt = JSON.parse(execFileSync(process.execPath, [(process.env.LOGLENS_CLI ?? join(root, 'dist/cli.js')), 'summary', join(dir, set, `${set}_2k.log`), '--json']).toString()).format;
	console.log(`${set.padEnd(12)} ${fmt.padEnd(12)} level ${lv >= 0 ? (lvOk / data.length).toFixed(3) : '  -  '}  message ${(msgOk / data.length).toFixed(3)}  ${lvMiss.length ? JSON.stringify(lvMiss) : ''} ${msgOk < data.length ? JSON.stringify(msgMiss) : ''}`);
}
