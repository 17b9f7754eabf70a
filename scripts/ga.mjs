// Measures grouping accuracy (GA) of the template miner on the Loghub-2k fixtures and prints, with
// `--why SET`, the ground-truth groups it gets wrong. Usage: node scripts/ga.mjs [--why Mac] [--n 20]
import * as esbuild from 'esbuild';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { groupingAccuracy, parseCsv } from './ga-e2e.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'ga-'));
const outfile = join(tmp, 'templates.cjs');
await esbuild.build({ entryPoints: ['src/core/templates/templates.ts'], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'warning' });
const { TemplateMiner } = createRequire(import.meta.url)(outfile);
rmSync(tmp, { recursive: true, force: true });

const args = process.argv.slice(2);
const why = args.includes('--why') ? args[args.indexOf('--why') + 1] : undefined;
const topN = args.includes('--n') ? Number(args[args.indexOf('--n') + 1]) : 15;
const root = 'test/fixtures/loghub';
const sets = readdirSync(root).filter((d) => !d.includes('.') && d !== 'LICENSE').sort();
let sum = 0; let totalUs = 0; let totalMsgs = 0;
for (const set of sets) {
	const rows = parseCsv(readFileSync(join(root, set, `${set}_2k.log_structured.csv`), 'utf8'));
	const head = rows[0]; const ci = head.indexOf('Content'); const ei = head.indexOf('EventId'); const ti = head.indexOf('EventTemplate');
	const data = rows.slice(1).filter((r) => r.length === head.length);
	const miner = new TemplateMiner();
	const t0 = process.hrtime.bigint();
	const ids = data.map((r) => miner.add(r[ci]));
	const us = Number(process.hrtime.bigint() - t0) / 1000;
	totalUs += us; totalMsgs += data.length;
	const pred = ids.map((id) => miner.resolve(id));
	const truth = data.map((r) => r[ei]);
	const bad = new Set();
	const ga = groupingAccuracy(pred, truth, (i) => bad.add(i)); sum += ga;
	console.log(`${set.padEnd(10)} GA ${ga.toFixed(4)}  groups ${new Set(pred).size}/${new Set(truth).size}  ${(us / data.length).toFixed(1)} µs/msg`);
	if (why === set) {
		// For each wrong true group: which predicted groups it spans, and what else those contain.
		const byTruth = new Map();
		for (let i = 0; i < data.length; i++) { if (!byTruth.has(truth[i])) byTruth.set(truth[i], []); byTruth.get(truth[i]).push(i); }
		const wrong = [...byTruth.entries()].filter(([, ls]) => ls.some((i) => bad.has(i)));
		const predSize = new Map();
		for (const p of pred) predSize.set(p, (predSize.get(p) ?? 0) + 1);
		wrong.sort((a, b) => b[1].length - a[1].length);
		for (const [t, ls] of wrong.slice(0, topN)) {
			console.log(`\n## ${t} (${ls.length}) ${data[ls[0]][ti]}`);
			const ps = [...new Set(ls.map((i) => pred[i]))];
			for (const p of ps.slice(0, 6)) {
				const members = [...new Set(pred.map((q, i) => (q === p ? truth[i] : null)).filter((x) => x))];
				const ex = ls.find((i) => pred[i] === p);
				console.log(`  pred ${p} [${miner.template(p)}] n=${predSize.get(p)} truths=${members.slice(0, 5).join(',')}${members.length > 5 ? '…' : ''}\n     e.g. ${data[ex][ci].slice(0, 160)}`);
			}
		}
	}
}
console.log(`average GA ${(sum / sets.length).toFixed(4)}  (${(totalUs / totalMsgs).toFixed(1)} µs/msg over ${totalMsgs} messages)`);
