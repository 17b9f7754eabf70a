// Connection problems as users meet them (refused, 401, TLS, a server that is not Elasticsearch),
// and the `loglens export` / `loglens es-search` commands end to end against the double.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createEsClient, describeEsError, testConnection } from '../../src/core/elasticsearch/connection';
import { esTarget, REAL_CLUSTER, writePythonLog } from '../esServer/target';
import { EsDouble } from '../esServer/server';
import { bundleCli, tempDir } from '../testUtil';

let tmp: { dir: string; cleanup: () => void };
let cli = '';
before(() => {
	tmp = tempDir('loglens-esc-');
	// Always from the current sources: dist/cli.js may predate them.
	cli = bundleCli(tmp.dir);
});
after(() => tmp.cleanup());

/** Runs the CLI without blocking the event loop (the double answers in this process). */
function loglens(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
	return new Promise((resolve) => {
		const p = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env } });
		let out = '', err = '';
		p.stdout.on('data', (c: Buffer) => (out += c.toString()));
		p.stderr.on('data', (c: Buffer) => (err += c.toString()));
		p.on('close', (code) => resolve({ code, out, err }));
	});
}

async function failure(url: string, credentials?: { apiKey: string }): Promise<string> {
	const c = createEsClient({ url, credentials, retry: { retries: 1, baseDelayMs: 5, maxDelayMs: 10 } });
	try {
		await testConnection(c);
		return 'no error';
	} catch (e) {
		return describeEsError(e, url);
	} finally {
		await c.close();
	}
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
	const s = createServer();
	await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
	const port = (s.address() as { port: number }).port;
	await new Promise<void>((r) => s.close(() => r()));
	return port;
}

test('connection test: refused, bad credentials, TLS against plain HTTP, not Elasticsearch', { skip: REAL_CLUSTER && 'needs the loopback double' }, async () => {
	assert.match(await failure(`http://127.0.0.1:${await closedPort()}`), /connection refused .*is Elasticsearch running/);
	const secured = new EsDouble({ apiKey: 'right-key' });
	const notEs = new EsDouble({ notElasticsearch: true });
	try {
		const url = await secured.start();
		assert.equal(await failure(url, { apiKey: 'right-key' }), 'no error');
		assert.match(await failure(url, { apiKey: 'wrong-key' }), /rejected the credentials \(401 Unauthorized\)/);
		assert.match(await failure(url), /401/);
		assert.match(await failure(url.replace('http:', 'https:')), /TLS error .*CA file|TLS error/);
		assert.match(await failure(await notEs.start()), /not Elasticsearch .*X-Elastic-Product/);
		assert.match(describeEsError(new Error('x')), /^x$/);
	} finally {
		await secured.close();
		await notEs.close();
	}
	assert.throws(() => createEsClient({}), /no Elasticsearch URL or Cloud ID/);
	assert.throws(() => createEsClient({ url: 'ftp://x' }), /only http and https/);
	assert.throws(() => createEsClient({ url: 'http://x', caFile: '/nonexistent/ca.pem' }), /cannot read the CA file/);
});

test('loglens export --create-template then es-search: ECS documents and their original text back', async () => {
	const log = join(tmp.dir, 'cli.log');
	writePythonLog(log, 300, false);
	const t = await esTarget({ basic: { username: 'elastic', password: 's3cret' } });
	try {
		const auth = t.double ? ['--user', 'elastic', '--password-env', 'ES_PW'] : [];
		const env = { ES_PW: 's3cret' };
		const state = join(tmp.dir, 'cli.state.json');
		const r = await loglens(['export', log, '--es', t.url, '--index', t.index, '--create-template', '--state', state, '--json', ...auth], env);
		assert.equal(r.code, 0, r.err);
		const s = JSON.parse(r.out) as { indexed: number; failed: number; sent: number };
		assert.equal(s.indexed, 300);
		assert.equal(s.failed, 0);
		assert.match(r.err, /created index template loglens-/);
		const st = JSON.parse(readFileSync(state, 'utf8')) as { offset: number; index: string };
		assert.equal(st.index, t.index);
		assert.equal(st.offset, statSync(log).size, 'the whole file was acknowledged');
		// Run again with the state: nothing left to send.
		const again = await loglens(['export', log, '--es', t.url, '--index', t.index, '--state', state, '--json', ...auth], env);
		assert.equal(again.code, 0, again.err);
		assert.equal((JSON.parse(again.out) as { sent: number }).sent, 0);
		assert.match(again.err, /resuming at byte/);

		const q = await loglens(['es-search', '--es', t.url, '--index', t.index, '--level', 'error', '--query', 'order failed', ...auth], env);
		assert.equal(q.code, 0, q.err);
		const text = q.out;
		const expected = readFileSync(log, 'utf8').split('\n').filter((l) => / - order \d+ failed$/.test(l));
		const headers = text.split('\n').filter((l) => /^\d{4}-\d\d-\d\d /.test(l));
		assert.deepEqual(headers, expected, 'each hit prints as its original header line');
		assert.match(text, /Traceback \(most recent call last\):\n {2}File/);
		const lim = await loglens(['es-search', '--es', t.url, '--index', t.index, '--limit', '7', '--jsonl', ...auth], env);
		assert.equal(lim.out.trim().split('\n').length, 7);
		if (t.double) assert.deepEqual(t.double.violations, []);
		// Bad credentials and a bad option are one-line errors with status 2.
		if (t.double) {
			const bad = await loglens(['export', log, '--es', t.url, '--index', t.index, '--user', 'elastic', '--password-env', 'ES_PW'], { ES_PW: 'nope' });
			assert.equal(bad.code, 2);
			assert.match(bad.err, /^loglens: .*401 Unauthorized/);
		}
		const noPw = await loglens(['export', log, '--es', t.url, '--index', t.index, '--user', 'elastic']);
		assert.equal(noPw.code, 2);
		assert.match(noPw.err, /--password-env/);
	} finally {
		await t.close();
	}
});

test('loglens export --follow --state: appended records arrive, Ctrl+C sends the rest and saves the position, a restart resumes', { skip: REAL_CLUSTER && 'counts documents in the double' }, async () => {
	const log = join(tmp.dir, 'follow-cli.log');
	const state = join(tmp.dir, 'follow-cli.state.json');
	writePythonLog(log, 50, false);
	const t = await esTarget();
	const d = t.double!;
	const waitDocs = async (n: number) => {
		const deadline = Date.now() + 30_000;
		while (d.docs(t.index).size < n) {
			if (Date.now() > deadline) throw new Error(`timed out: ${d.docs(t.index).size} of ${n} documents`);
			await new Promise((r) => setTimeout(r, 50));
		}
	};
	const start = () => {
		const p = spawn(process.execPath, [cli, 'export', log, '--es', t.url, '--index', t.index, '--follow', '--state', state]);
		let err = '';
		p.stderr.on('data', (c: Buffer) => (err += c.toString()));
		const exited = new Promise<{ code: number | null; err: string }>((r) => p.on('close', (code) => r({ code, err })));
		return { p, exited };
	};
	try {
		const a = start();
		await waitDocs(50);
		writePythonLog(log, 30, false); // FileHandler appends
		await waitDocs(80);
		a.p.kill('SIGINT');
		const ra = await a.exited;
		assert.equal(ra.code, 0, ra.err);
		assert.equal((JSON.parse(readFileSync(state, 'utf8')) as { offset: number }).offset, statSync(log).size, 'the whole file is acknowledged');
		const before = d.stats.itemsReceived;
		writePythonLog(log, 20, false);
		const b = start();
		await waitDocs(100);
		b.p.kill('SIGINT');
		const rb = await b.exited;
		assert.equal(rb.code, 0, rb.err);
		assert.match(rb.err, /resuming at byte \d+/);
		assert.ok(d.stats.itemsReceived - before <= 40, `resumed, not restarted (${d.stats.itemsReceived - before} sent)`);
		assert.equal(d.docs(t.index).size, 100);
		assert.deepEqual(d.violations, []);
	} finally {
		await t.close();
	}
});
