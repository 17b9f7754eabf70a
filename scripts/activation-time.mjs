#!/usr/bin/env node
// Times what loading the extension costs the extension host: `require('dist/extension.js')` in a
// fresh Node process (median of N, default 7), with `vscode` replaced by an inert stub, and lists
// which dist/ bundles that load pulled in. Usage: node scripts/activation-time.mjs [DIST_DIR] [N]
// (run `npm run build` first). The host tier checks the same in the real host (test/host/activation.test.ts).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const dist = resolve(process.argv[2] ?? 'dist');
const runs = Number(process.argv[3] ?? 7);
const child = `
const Module = require('node:module');
const load = Module._load;
const stub = new Proxy(function () {}, { get: (t, k) => (k === 'then' ? undefined : stub), apply: () => stub, construct: () => stub });
Module._load = function (req, ...rest) { return req === 'vscode' ? stub : load.call(this, req, ...rest); };
const t0 = process.hrtime.bigint();
require(${JSON.stringify(dist + '/extension.js')});
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const bundles = Object.keys(require.cache).filter((k) => k.startsWith(${JSON.stringify(dist + '/')})).map((k) => k.slice(${dist.length + 1}));
process.stdout.write(JSON.stringify({ ms, bundles }));
`;
const times = [];
let bundles = [];
for (let i = 0; i < runs; i++) {
	const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(r.stderr);
	const o = JSON.parse(r.stdout);
	times.push(o.ms);
	bundles = o.bundles;
}
times.sort((a, b) => a - b);
console.log(`require(${dist}/extension.js): median ${times[Math.floor(times.length / 2)].toFixed(1)} ms over ${runs} runs (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}); loaded: ${bundles.join(', ')}`);
