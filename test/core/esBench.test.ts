// Export throughput on a ~200k-entry CPython log against the loopback double: `loglens export`
// runs as its own process (the client), the double in this one (the server). Runs only with
// LOGLENS_ES_BENCH=1 (it takes a while); prints documents per second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { esTarget, writePythonLog } from '../esServer/target';
import { bundleCli, tempDir } from '../testUtil';

test('throughput: 200k CPython entries through loglens export', { skip: process.env.LOGLENS_ES_BENCH !== '1' && 'set LOGLENS_ES_BENCH=1' }, async () => {
	const tmp = tempDir('loglens-esbench-');
	const t = await esTarget();
	try {
		const cli = bundleCli(tmp.dir);
		const log = join(tmp.dir, 'bench.log');
		const n = 200_000;
		writePythonLog(log, n, false);
		const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
			const p = spawn(process.execPath, [cli, 'export', log, '--es', t.url, '--index', t.index, '--create-template', '--json']);
			let out = '', err = '';
			p.stdout.on('data', (c: Buffer) => (out += c.toString()));
			p.stderr.on('data', (c: Buffer) => (err += c.toString()));
			p.on('close', (code) => resolve({ code, out, err }));
		});
		assert.equal(r.code, 0, r.err);
		const s = JSON.parse(r.out) as { indexed: number; ms: number; docsPerSecond: number; bytes: number };
		assert.equal(s.indexed, n);
		assert.equal(t.double?.docs(t.index).size ?? n, n);
		const mb = statSync(log).size / 1e6;
		console.log(`esBench: ${n} entries (${mb.toFixed(1)} MB log, ${(s.bytes / 1e6).toFixed(1)} MB NDJSON) in ${(s.ms / 1000).toFixed(1)} s = ${s.docsPerSecond} docs/s, ${t.double?.stats.bulkRequests} bulk requests`);
	} finally {
		await t.close();
		tmp.cleanup();
	}
});
