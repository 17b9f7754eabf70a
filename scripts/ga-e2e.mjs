#!/usr/bin/env node
// Template grouping accuracy measured end to end: `loglens templates FILE --jsonl` on the raw
// Loghub lines (header parsing included), against Loghub's EventId per line.
// Usage: node scripts/ga-e2e.mjs [loghubDir] [--why SET] [--json]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const why = args.includes('--why') ? args[args.indexOf('--why') + 1] : undefined;
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--why') ?? join(root, 'test/fixtures/loghub');

/**
 * Grouping accuracy: a line is right when its predicted group and its true group hold the same
 * lines; `onWrong(i)` is called for each line that is not.
 */
export function groupingAccuracy(pred, truth, onWrong = () => {}) {
	const predSize = new Map(); const truthSize = new Map(); const pair = new Map();
	for (let i = 0; i < pred.length; i++) {
		predSize.set(pred[i], (predSize.get(pred[i]) ?? 0) + 1);
		truthSize.set(truth[i], (truthSize.get(truth[i]) ?? 0) + 1);
		const k = pred[i] + '\u0000' + truth[i]; pair.set(k, (pair.get(k) ?? 0) + 1);
	}
	let ok = 0;
	for (let i = 0; i < pred.length; i++) {
		const n = pair.get(pred[i] + '\u0000' + truth[i]);
		if (n === predSize.get(pred[i]) && n === truthSize.get(truth[i])) ok++;
		else onWrong(i);
	}
	return ok / pred.length;
}

/** RFC 4180 rows. */
export function parseCsv(text) {
	const rows = []; let row = []; let field = ''; let i = 0; let quoted = false;
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"') { if (text[i + 1] === '"') { field += '"'; i += 2; continue; } quoted = false; i++; continue; }
			field += c; i++; continue;
		}
		if (c === '"') { quoted = true; i++; continue; }
		if (c === ',') { row.push(field); field = ''; i++; continue; }
		if (c === '\n' || c === '\r') { if (c === '\r' && text[i + 1] === '\n') i++; row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
		field += c; i++;
	}
	if (field !== '' || row.length) { row.push(field); rows.push(row); }
	return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();

function main() {
const sets = readdirSync(dir).filter((d) => existsSync(join(dir, d, `${d}_2k.log_structured.csv`))).sort();
const out = [];
for (const set of sets) {
	const rows = parseCsv(readFileSync(join(dir, set, `${set}_2k.log_structured.csv`), 'utf8'));
	const head = rows[0]; const li = head.indexOf('LineId'); const ei = head.indexOf('EventId'); const ci = head.indexOf('Content');
	const data = rows.slice(1).filter((r) => r.length === head.length);
	const jsonl = execFileSync(process.execPath, [(process.env.LOGLENS_CLI ?? join(root, 'dist/cli.js')), 'templates', join(dir, set, `${set}_2k.log`), '--jsonl'], { maxBuffer: 1 << 28 }).toString();
	const byLine = new Map();
	for (const l of jsonl.split('\n')) if (l) { const o = JSON.parse(l); byLine.set(o.line, o); }
	const pred = data.map((r) => byLine.get(Number(r[li]))?.templateId ?? -1);
	const truth = data.map((r) => r[ei]);
	const wrong = new Map();
	const ga = groupingAccuracy(pred, truth, (i) => {
		if (!wrong.has(truth[i])) wrong.set(truth[i], { line: Number(data[i][li]), content: data[i][ci], ours: byLine.get(Number(data[i][li]))?.template });
	});
	out.push({ set, ga });
	if (why === set) for (const [k, w] of [...wrong].slice(0, 25)) console.log(k, JSON.stringify(w));
}
if (args.includes('--json')) console.log(JSON.stringify(out));
else {
	for (const r of out) console.log(`${r.set.padEnd(12)} ${r.ga.toFixed(4)}`);
	console.log(`${'Average'.padEnd(12)} ${(out.reduce((a, r) => a + r.ga, 0) / out.length).toFixed(4)}`);
}
}
