// Export to Elasticsearch with the REAL client, against the loopback double in test/esServer (or a
// real cluster when ELASTICSEARCH_URL is set: the fault-injection tests are skipped then). Input
// logs are written by CPython's logging; what logging recorded for each record is the ground truth.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { documentId, EcsDocument, fileKey } from '../../src/core/elasticsearch/ecs';
import { FileSource } from '../../src/core/byteSource';
import { entryText } from '../../src/core/entryReader';
import { indexFile } from '../../src/core/index/indexFile';
import { compilePythonFormat } from '../../src/core/python/formatString';
import { bulkExport, ExportSummary, formatSummary, ResumePoint } from '../../src/core/elasticsearch/bulkExport';
import { createEsClient } from '../../src/core/elasticsearch/connection';
import { fileItems, fileRefOf, followItems, planResume } from '../../src/core/elasticsearch/exportSources';
import { stateAt } from '../../src/core/elasticsearch/exportState';
import { searchLogs } from '../../src/core/elasticsearch/search';
import { ensureIndexTemplate } from '../../src/core/elasticsearch/indexTemplate';
import { esTarget, EsTarget, PY_LOG_FORMAT, PyRecord, REAL_CLUSTER, writePythonLog } from '../esServer/target';
import { fixture, tempDir } from '../testUtil';

let tmp: { dir: string; cleanup: () => void };
before(() => {
	tmp = tempDir('loglens-es-');
});
after(() => tmp.cleanup());

const pyFormat = () => compilePythonFormat({ format: PY_LOG_FORMAT });

async function withTarget(fn: (t: EsTarget, client: Client) => Promise<void>, opts = {}): Promise<void> {
	const t = await esTarget(opts);
	const client = createEsClient(t.conn);
	try {
		await fn(t, client);
		if (t.double) assert.deepEqual(t.double.violations, [], 'every request followed the protocol');
	} finally {
		await client.close();
		await t.close();
	}
}

/** Every document of the index, read back through search_after paging, in file order. */
async function readBack(client: Client, index: string): Promise<{ id: string; doc: EcsDocument }[]> {
	const out: { id: string; doc: EcsDocument }[] = [];
	for await (const h of searchLogs(client, { index, limit: 1_000_000, pageSize: 1000 })) out.push({ id: h.id, doc: h.source as unknown as EcsDocument });
	return out.sort((a, b) => (a.doc.log.file?.path ?? '').localeCompare(b.doc.log.file?.path ?? '') || a.doc.log.offset - b.doc.log.offset);
}

/** The ids the engine's own index says the file must produce. */
async function expectedIds(path: string): Promise<{ ids: string[]; texts: Map<string, string> }> {
	const idx = await indexFile(path, { format: pyFormat() });
	const src = new FileSource(path);
	const key = (await fileRefOf(path)).key;
	const ids: string[] = [];
	const texts = new Map<string, string>();
	for (let e = 0; e < idx.entryCount; e++) {
		const id = documentId(key, idx.lineStart(idx.entryStartLine(e)));
		ids.push(id);
		texts.set(id, entryText(idx, src, e));
	}
	src.close();
	return { ids, texts };
}

function okSummary(s: ExportSummary): void {
	assert.equal(s.error, undefined, `export error: ${String(s.error)}`);
	assert.equal(s.aborted, false);
}

test('a CPython log becomes ECS documents that match what logging recorded, record by record', async () => {
	const log = join(tmp.dir, 'ecs.log');
	const truth = writePythonLog(log, 400);
	await withTarget(async (t, client) => {
		assert.equal(await ensureIndexTemplate(client, t.index, true), 'created');
		const s = await bulkExport(client, fileItems(log, { format: pyFormat(), hostName: 'test-host' }), { index: t.index, refresh: true });
		okSummary(s);
		assert.equal(s.indexed, truth.length);
		assert.equal(s.failed, 0);
		const docs = await readBack(client, t.index);
		assert.equal(docs.length, truth.length, 'one document per logging record');
		const { ids, texts } = await expectedIds(log);
		assert.deepEqual(docs.map((d) => d.id), ids, 'ids: file identity + entry offset, in file order');
		const levels: Record<string, string> = { DEBUG: 'debug', INFO: 'info', WARNING: 'warning', ERROR: 'error', CRITICAL: 'critical' };
		docs.forEach(({ id, doc }, i) => {
			const r: PyRecord = truth[i];
			const where = `record ${i} (${r.message.slice(0, 40)})`;
			assert.equal(doc.message, r.message, where);
			assert.equal(doc.log.level, levels[r.levelname], where);
			assert.equal(doc.log.logger, r.name, where);
			assert.equal(doc.log.origin?.file?.line, r.lineno, where);
			assert.equal(doc.log.origin?.function, r.funcName, where);
			assert.equal(doc.log.origin?.file?.name, r.filename, where);
			assert.equal(doc.python?.lineno, r.lineno);
			assert.equal(doc.python?.levelname, r.levelname);
			assert.ok(Math.abs(Date.parse(doc['@timestamp']) - Math.floor(r.created * 1000)) <= 1, `${where}: @timestamp ${doc['@timestamp']} vs created ${r.created}`);
			assert.equal(doc.event.original, texts.get(id), `${where}: event.original is the entry's text`);
			assert.equal(doc.event.id, id);
			assert.equal(doc.ecs.version, '8.11.0');
			assert.equal(doc.host?.name, 'test-host');
			assert.equal(doc.log.file?.path, log);
			if (r.exc_type) {
				assert.equal(doc.error?.type, r.exc_type, where);
				assert.equal(doc.error?.message, r.exc_message, where);
				assert.match(doc.error?.stack_trace ?? '', /^Traceback \(most recent call last\):\n {2}File ".*", line \d+, in \w+/, where);
				assert.ok(doc.event.original?.endsWith(doc.error?.stack_trace ?? '\0'), 'the trace is the end of the entry');
			} else assert.equal(doc.error, undefined, where);
		});
		const chained = docs.find((d) => d.doc.error?.type === 'RuntimeError');
		assert.ok(chained, 'a chained exception was logged');
		assert.match(chained.doc.error?.stack_trace ?? '', /KeyError[\s\S]*direct cause[\s\S]*RuntimeError: wrapped/);
		assert.ok(docs.some((d) => d.doc.message.includes('\n  indented third')), 'multi-line messages stay whole');
		if (t.double) {
			// The template the double received has the ECS mappings (checked strictly by the double).
			assert.equal(t.double.templates.size, 1);
			for (const n of t.double.stats.bulkBytes) assert.ok(n > 0);
		}
	});
});

test('faults: 429, 500, 503, item-level 429, dropped connections and refused documents — nothing lost, nothing duplicated', { skip: REAL_CLUSTER && 'fault injection needs the loopback double' }, async () => {
	const log = join(tmp.dir, 'faults.log');
	const truth = writePythonLog(log, 3000, true);
	const rejected = new Set<string>();
	await withTarget(async (t, client) => {
		const d = t.double!;
		d.faults.push(
			{ kind: 'status', status: 429, retryAfter: '0' },
			{ kind: 'status', status: 500 },
			{ kind: 'drop', when: 'before' },
			{ kind: 'items', every: 3, status: 429, type: 'es_rejected_execution_exception', reason: 'rejected execution (queue capacity 200)' },
			{ kind: 'status', status: 503 },
			{ kind: 'drop', when: 'after' },
			{ kind: 'status', status: 502 },
		);
		const s = await bulkExport(client, fileItems(log, { format: pyFormat() }), { index: t.index, flushBytes: 60_000, concurrency: 3, itemRetryWaitMs: 20, refresh: true });
		okSummary(s);
		assert.deepEqual(d.faults, [], 'every injected fault was hit');
		assert.deepEqual([...d.stats.faultsApplied].sort(), ['drop-after', 'drop-before', 'items-429', 'status-429', 'status-500', 'status-502', 'status-503'].sort());
		const { ids } = await expectedIds(log);
		const stored = d.docs(t.index);
		assert.equal(stored.size, truth.length);
		assert.deepEqual([...stored.keys()].sort(), [...ids].sort(), 'the indexed set equals the file\'s entries');
		assert.ok(d.stats.overwrites > 0, 'the request dropped after indexing was sent again and overwrote');
		assert.ok(s.retried > 0, 'item-level 429s were retried by the bulk helper');
		assert.equal(s.failed, 0);
		assert.ok(d.stats.bulkRequests >= 10, `batches by size (${d.stats.bulkRequests} requests)`);
		// Batches close once they pass flushBytes (retried leftovers of item-level 429s are smaller).
		for (const n of d.stats.bulkBytes) assert.ok(n < 60_000 + 20_000, `batch of ${n} bytes`);
		assert.ok(d.stats.bulkBytes.filter((n) => n >= 60_000).length >= 8);
	});
	// Refused for good: counted and reported with the first reasons while the rest still go in.
	await withTarget(async (t, client) => {
		const s = await bulkExport(client, fileItems(log, { format: pyFormat() }), { index: t.index, flushBytes: 100_000, refresh: true });
		okSummary(s);
		assert.equal(s.failed, rejected.size);
		assert.equal(s.indexed, truth.length - rejected.size);
		assert.equal(t.double!.docs(t.index).size, truth.length - rejected.size);
		for (const id of rejected) assert.equal(t.double!.docs(t.index).has(id), false);
		assert.equal(s.firstErrors.length, 5);
		assert.deepEqual(s.errorCounts, { mapper_parsing_exception: rejected.size });
		assert.match(s.firstErrors[0].reason, /failed to parse field \[message\]/);
		assert.match(formatSummary(s, t.index), new RegExp(`${rejected.size} refused \\(${rejected.size} mapper_parsing_exception\\)`));
	}, {
		reject: (id: string, src: Record<string, unknown>) => {
			if (!/^request \d*12 ok$/.test(String(src.message))) return undefined;
			rejected.add(id);
			return { status: 400, type: 'mapper_parsing_exception', reason: 'failed to parse field [message] of type [long]' };
		},
	});
	assert.ok(rejected.size > 5);
});

test('exporting again overwrites: same ids, same count', async () => {
	const log = join(tmp.dir, 'again.log');
	writePythonLog(log, 500, false);
	await withTarget(async (t, client) => {
		const a = await bulkExport(client, fileItems(log), { index: t.index, refresh: true });
		const b = await bulkExport(client, fileItems(log), { index: t.index, refresh: true });
		okSummary(a);
		okSummary(b);
		const docs = await readBack(client, t.index);
		assert.equal(docs.length, 500);
		assert.equal(new Set(docs.map((d) => d.id)).size, 500);
		if (t.double) assert.equal(t.double.stats.overwrites, 500);
	});
});

test('cancel, then resume from the acknowledged offset; resume after rotation finishes the rotated file', async () => {
	const log = join(tmp.dir, 'resume.log');
	writePythonLog(log, 3000, false);
	await withTarget(async (t, client) => {
		const cancel = new AbortController();
		let state: ResumePoint | undefined;
		const first = await bulkExport(client, fileItems(log, { signal: cancel.signal }), {
			index: t.index, flushBytes: 30_000, concurrency: 2, signal: cancel.signal,
			onAcknowledged: (at) => {
				state = at;
				if (at.offset > 100_000) cancel.abort();
			},
		});
		assert.equal(first.aborted, true);
		assert.ok(state && state.offset > 100_000);
		const plan = await planResume(log, stateAt(t.index, state));
		assert.equal(plan.fromOffset, state.offset, plan.note);
		assert.equal(plan.rotated, undefined);
		const oldIds = (await expectedIds(log)).ids;

		// Rotated while stopped: app.log → app.log.1 (same inode and first line: same ids), a new app.log.
		renameSync(log, `${log}.1`);
		writePythonLog(log, 200, false);
		const plan2 = await planResume(log, stateAt(t.index, state));
		assert.deepEqual(plan2.rotated, { path: `${log}.1`, offset: state.offset }, plan2.note);
		assert.equal(plan2.fromOffset, 0);
		const items = (async function* () {
			yield* fileItems(plan2.rotated!.path, { fromOffset: plan2.rotated!.offset });
			yield* fileItems(log, { fromOffset: plan2.fromOffset });
		})();
		const second = await bulkExport(client, items, { index: t.index, refresh: true });
		okSummary(second);
		const newIds = (await expectedIds(log)).ids;
		assert.ok(second.sent < oldIds.length, `the second run starts where the first was acknowledged (${second.sent} sent)`);
		const all = await readBack(client, t.index);
		assert.equal(all.length, oldIds.length + newIds.length, 'nothing lost, nothing twice');
		assert.deepEqual(new Set(all.map((d) => d.id)), new Set([...oldIds, ...newIds]));
	});
});

test('follow: CPython writes through a RotatingFileHandler while exporting; every record once', async () => {
	const log = join(tmp.dir, 'follow.log');
	const count = 4000;
	await withTarget(async (t, client) => {
		const stop = new AbortController();
		const acks: ResumePoint[] = [];
		const exporting = bulkExport(client, followItems(log, { stop: stop.signal, idleMs: 100, pollIntervalMs: 50 }), {
			index: t.index, concurrency: 1, flushIntervalMs: 100, flushBytes: 200_000, onAcknowledged: (a) => acks.push(a),
		});
		const producer = spawn('python3', [fixture('python', 'log_producer.py'), '--path', log, '--mode', 'rotating', '--count', String(count), '--rate', '4000', '--max-bytes', '60000', '--backup-count', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		producer.stdout.on('data', (c: Buffer) => (out += c.toString()));
		const code = await new Promise<number | null>((r) => producer.on('exit', r));
		assert.equal(code, 0);
		const report = JSON.parse(out) as { rollovers: number };
		assert.ok(report.rollovers >= 3, `rotated ${report.rollovers} times`);
		// Wait (with a deadline) until the last record is in, then stop: the rest is sent, then it ends.
		const deadline = Date.now() + 30_000;
		const lastSeq = `seq=${count - 1} `;
		for (;;) {
			await client.indices.refresh({ index: t.index }).catch(() => undefined);
			const hits = await client.count({ index: t.index }).catch(() => ({ count: 0 }));
			if (hits.count >= count) break;
			if (Date.now() > deadline) throw new Error(`timed out: ${hits.count} of ${count} documents`);
			await new Promise((r) => setTimeout(r, 100));
		}
		stop.abort();
		const s = await exporting;
		okSummary(s);
		await client.indices.refresh({ index: t.index });
		const docs = await readBack(client, t.index);
		const seqs = new Map<number, number>();
		for (const d of docs) {
			const m = /seq=(\d+) /.exec(d.doc.event.original ?? '');
			assert.ok(m, `every document is a producer record: ${d.doc.event.original}`);
			seqs.set(+m[1], (seqs.get(+m[1]) ?? 0) + 1);
		}
		assert.equal(docs.length, count, 'no duplicates');
		for (let i = 0; i < count; i++) assert.equal(seqs.get(i), 1, `record seq=${i} exactly once`);
		assert.ok(docs.some((d) => d.doc.event.original?.includes(lastSeq)));
		assert.ok(new Set(docs.map((d) => d.doc.log.file?.path)).size >= 1);
		assert.ok(acks.length > 0 && acks[acks.length - 1].offset > 0, 'acknowledged positions were reported');
	});
});

test('search_after paging, level floor, text and time range read back exactly', async () => {
	const log = join(tmp.dir, 'search.log');
	const truth = writePythonLog(log, 600);
	await withTarget(async (t, client) => {
		await ensureIndexTemplate(client, t.index, true);
		okSummary(await bulkExport(client, fileItems(log, { format: pyFormat() }), { index: t.index, refresh: true }));
		const all: string[] = [];
		for await (const h of searchLogs(client, { index: t.index, pageSize: 7, limit: 100_000 })) all.push(h.id);
		assert.equal(all.length, 600);
		assert.equal(new Set(all).size, 600, 'pages neither repeat nor skip, though many entries share a millisecond');
		const warnUp: string[] = [];
		for await (const h of searchLogs(client, { index: t.index, minLevel: 4 /* warning */, pageSize: 13 })) warnUp.push(String((h.source as unknown as EcsDocument).log.level));
		assert.equal(warnUp.length, truth.filter((r) => ['WARNING', 'ERROR', 'CRITICAL'].includes(r.levelname)).length);
		const failed: string[] = [];
		for await (const h of searchLogs(client, { index: t.index, query: 'order failed' })) failed.push((h.source as unknown as EcsDocument).message);
		assert.equal(failed.length, truth.filter((r) => /^order \d+ failed$/.test(r.message)).length);
		const mid = truth[300].created * 1000;
		const since: number[] = [];
		for await (const h of searchLogs(client, { index: t.index, since: Math.floor(mid), limit: 50 })) since.push(Date.parse((h.source as unknown as EcsDocument)['@timestamp']));
		assert.equal(since.length, 50);
		assert.ok(since.every((x, i) => x >= Math.floor(mid) && (i === 0 || x >= since[i - 1])));
	});
});

test('the file key follows the inode and the first line, not the path', () => {
	const a = fileKey({ dev: 1, ino: 2 }, Buffer.from('2024-01-01 first\nsecond\n'));
	assert.equal(a, fileKey({ dev: 1, ino: 2 }, Buffer.from('2024-01-01 first\r\nother\n')));
	assert.notEqual(a, fileKey({ dev: 1, ino: 3 }, Buffer.from('2024-01-01 first\n')));
	assert.notEqual(a, fileKey({ dev: 1, ino: 2 }, Buffer.from('2024-01-02 first\n')));
	assert.equal(documentId(a, 42), `${a}-0000000000042`);
});

test('toEcs: fields named by the producer map to ECS and python.*; made-up field names only to labels', async () => {
	const { toEcs } = await import('../../src/core/elasticsearch/ecs');
	const { textItems } = await import('../../src/core/elasticsearch/exportSources');
	// python-json-logger style: the keys are LogRecord attribute names.
	const json = Buffer.from('{"asctime": "2024-05-01 10:00:00,123", "levelname": "ERROR", "name": "svc.api", "lineno": 42, "funcName": "handle", "pathname": "/app/api.py", "process": 7, "request_id": "r-1", "message": "boom"}\n');
	const [j] = [...textItems(json, { hostName: 'h' })];
	assert.equal(j.doc.log.level, 'error');
	assert.equal(j.doc.log.origin?.file?.line, 42);
	assert.equal(j.doc.log.origin?.function, 'handle');
	assert.equal(j.doc.log.origin?.file?.name, '/app/api.py');
	assert.equal(j.doc.process?.pid, 7);
	assert.equal(j.doc.python?.lineno, 42);
	assert.equal(j.doc.labels?.request_id, 'r-1');
	// A generic layout names a bracketed field `thread`: that is not Python's thread id.
	const text = Buffer.from('2024-05-01 10:00:00,123 INFO [worker-3] started\n2024-05-01 10:00:01,000 INFO [worker-3] more\n');
	const [g] = [...textItems(text, { hostName: 'h' })];
	assert.equal(g.doc.python, undefined);
	assert.equal(g.doc.process, undefined);
	assert.equal(g.doc.log.level, 'info');
	// No time of its own: the previous entry's, and a tag says so.
	const d = toEcs({ line: 0, endLine: 0, startOffset: 5, endOffset: 9, level: 7, time: NaN, message: 'x', fields: {}, text: 'x' }, { fileKey: 'k', fallbackTime: 0 });
	assert.equal(d['@timestamp'], '1970-01-01T00:00:00.000Z');
	assert.deepEqual(d.tags, ['loglens_time_inherited']);
	assert.equal(d.log.level, undefined);
});
