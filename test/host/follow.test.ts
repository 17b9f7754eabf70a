// Follow mode end to end: a real CPython producer appends (and rotates) while the live tab shows
// every line once and in order; an alert rule fires one notification for a burst.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { execFile } from 'child_process';
import { closeAll, waitFor, workspacePath, openLog } from './hostUtil';

function python(src: string, ...args: string[]): Promise<void> {
	return new Promise((resolve, reject) => execFile('python3', ['-c', src, ...args], (err, _o, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve())));
}

const PRODUCER = `
import logging, logging.handlers, sys, time
path, n, kind, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
if kind == 'rotating':
    h = logging.handlers.RotatingFileHandler(path, maxBytes=300000, backupCount=10)
else:
    h = logging.FileHandler(path)
h.setFormatter(logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s'))
log = logging.getLogger('producer'); log.addHandler(h); log.setLevel(logging.DEBUG); log.propagate = False
t0 = time.time()
for i in range(n):
    if kind == 'burst':
        log.error('boom %d', i)
    else:
        log.info('seq=%06d t=%.6f payload', i, time.time())
    if rate > 0 and i % 100 == 99:
        delay = t0 + (i + 1) / rate - time.time()
        if delay > 0: time.sleep(delay)
h.close()
`;

function seqs(text: string): number[] {
	return [...text.matchAll(/seq=(\d{6})/g)].map((m) => Number(m[1]));
}

suite('Follow mode', () => {
	teardown(async () => {
		await vscode.commands.executeCommand('logLens.stopFollowing');
		await vscode.commands.executeCommand('logLens.clearAlerts');
		await vscode.workspace.getConfiguration('logLens').update('alerts', undefined, vscode.ConfigurationTarget.Workspace);
		await closeAll();
	});

	test('a Python process appends; the tab shows every line once, in order, with a rotation mark', async () => {
		const { api } = await openLog('basic.log');
		const file = workspacePath('follow-live.log');
		fs.writeFileSync(file, '');
		const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.followFile', file);
		assert.strictEqual(ed.document.uri.scheme, 'loglens-follow');
		// a file written just now opens light (no grammar) and is a log once the server knows its rate
		await waitFor(() => ed.document.languageId === 'log', `the tab in the log language (is ${ed.document.languageId})`, 10_000);
		// LOGLENS_FOLLOW_RATE / LOGLENS_FOLLOW_LINES change the producer's rate and volume
		const rate = Number(process.env.LOGLENS_FOLLOW_RATE || 10000);
		const n = Number(process.env.LOGLENS_FOLLOW_LINES || 20000);
		const doc = ed.document;
		// latency per line: from the producer's clock in the record to the tab showing it
		const lat: number[] = [];
		let seen = doc.lineCount;
		const sub = vscode.workspace.onDidChangeTextDocument((e) => {
			if (e.document !== doc) return;
			const now = Date.now();
			for (let l = Math.max(0, seen - 1); l < doc.lineCount; l++) {
				const m = / t=(\d+\.\d+) /.exec(doc.lineAt(l).text);
				if (m) lat.push(now - Number(m[1]) * 1000);
			}
			seen = doc.lineCount;
		});
		const bursts = api.follow.counts.bursts;
		await python(PRODUCER, file, String(n), 'rotating', String(rate));
		await waitFor(() => seqs(doc.getText()).length === n, `all ${n} lines in the tab (have ${seqs(doc.getText()).length})`, 30_000);
		const got = seqs(doc.getText());
		assert.deepStrictEqual(got, Array.from({ length: n }, (_, i) => i), 'every line once, in order');
		const session = [...api.follow.sessions.values()][0];
		assert.ok(session.markers.some((m) => m.kind === 'rotated'), 'rotation marked in the tab');
		// thousands of lines a second are a burst: the tab went without a grammar and is a log again after it
		if (rate >= 1000) {
			assert.strictEqual(api.follow.counts.bursts, bursts + 1, 'one burst');
			await waitFor(() => doc.languageId === 'log', 'the tab back in the log language after the burst', 10_000);
			assert.strictEqual([...api.follow.sessions.values()][0].burst, false, 'the burst has ended');
		}
		// auto-scroll: the cursor sits on the last line
		const active = vscode.window.visibleTextEditors.find((e) => e.document === doc)!;
		assert.ok(active.selection.active.line >= doc.lineCount - 2);
		// and the view shows it: the scroll went out after the last edit was in, not clamped to the end before it
		await waitFor(() => (active.visibleRanges.at(-1)?.end.line ?? 0) >= doc.lineCount - 2, `the last line is visible (view ends at ${active.visibleRanges.at(-1)?.end.line}, ${doc.lineCount} lines)`, 5_000);
		// the follow tab is a log: next/previous entry and folding work on it
		active.selection = new vscode.Selection(0, 0, 0, 0);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.nextEntry'), 1);
		sub.dispose();
		const p = lat.sort((a, b) => a - b);
		const srv = api.follow.latencies.slice().sort((a, b) => a - b);
		console.log(`  of which server read → tab updated: p50=${srv[Math.floor(srv.length * 0.5)]} ms p99=${srv[Math.floor(srv.length * 0.99)]} ms (${srv.length} server reads)`);
		console.log(`follow tab latency at ${rate.toLocaleString('en-US')} lines/s (record written → line in the tab): lines=${p.length} p50=${p[Math.floor(p.length * 0.5)]?.toFixed(0)} ms p99=${p[Math.floor(p.length * 0.99)]?.toFixed(0)} ms max=${p[p.length - 1]?.toFixed(0)} ms`);
	});

	test('the tab keeps the last maxLines lines: the head is dropped in the edits that append', async () => {
		const { api } = await openLog('basic.log');
		const cfg = vscode.workspace.getConfiguration('logLens.follow');
		await cfg.update('maxLines', 1000, vscode.ConfigurationTarget.Workspace);
		try {
			const file = workspacePath('follow-cap.log');
			fs.writeFileSync(file, '');
			const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.followFile', file);
			const doc = ed.document;
			const before = { ...api.follow.counts };
			// 4,000 records of 83 bytes: one rotation (at 300 KB), within the last 1,000 lines
			await python(PRODUCER, file, '4000', 'rotating', '2000');
			await waitFor(() => seqs(doc.getText()).at(-1) === 3999, `the last line in the tab (have ${seqs(doc.getText()).at(-1)})`);
			const got = seqs(doc.getText());
			// the server trims once the tab is 10% over the cap, back to the cap
			assert.ok(got.length >= 1000 && got.length <= 1100, `the last 1,000–1,100 lines (have ${got.length})`);
			assert.deepStrictEqual(got, Array.from({ length: got.length }, (_, i) => 4000 - got.length + i), 'the last lines, once each, in order');
			assert.strictEqual(doc.lineCount, got.length + 1, 'nothing but those lines');
			assert.ok(api.follow.counts.headDrops > before.headDrops, 'the head was dropped by edits');
			// the rotation mark is drawn on the new file's first line, wherever the head was when it came
			const firstOfNew = seqs(fs.readFileSync(file, 'utf8'))[0];
			const session = [...api.follow.sessions.values()][0];
			await waitFor(() => session.decorated !== undefined && /^\d+:rotated/m.test(session.decorated), 'the rotation mark drawn');
			const markLine = Number(/^(\d+):rotated/m.exec(session.decorated!)![1]);
			assert.deepStrictEqual(seqs(doc.lineAt(markLine).text), [firstOfNew], 'the mark on the first line of the new file');
			console.log(`  maxLines 1,000: ${api.follow.counts.headDrops - before.headDrops} head drops, ${api.follow.counts.fetches - before.fetches} whole-text fetches`);
		} finally {
			await cfg.update('maxLines', undefined, vscode.ConfigurationTarget.Workspace);
		}
	});

	test('an alert rule fires one notification for a burst, with its count', async () => {
		const { api } = await openLog('basic.log');
		await vscode.workspace.getConfiguration('logLens').update('alerts', [{ name: 'boom', level: 'error', pattern: 'boom', message: 'Boom seen' }], vscode.ConfigurationTarget.Workspace);
		const file = workspacePath('follow-alert.log');
		fs.writeFileSync(file, '');
		const shown: number[] = [];
		const sub = api.follow.onDidShowAlert((e) => shown.push(e.count));
		try {
			await vscode.commands.executeCommand('logLens.followFile', file);
			await python(PRODUCER, file, '300', 'burst', '0');
			await waitFor(() => api.follow.alerts.filter((a) => a.rule === 'boom').reduce((s, a) => s + a.count, 0) === 300, 'all 300 matches counted', 20_000);
			assert.strictEqual(shown.length, 1, `one notification for the burst (got ${shown.length})`);
			const tree = await api.problems.getChildren();
			assert.strictEqual(tree[0].kind, 'alerts', 'an Alerts group in the Problems tree');
		} finally {
			sub.dispose();
		}
	});

	test('an invalid alert rule gets a clear message naming it', async () => {
		await openLog('basic.log');
		await vscode.workspace.getConfiguration('logLens').update('alerts', [{ name: 'broken', pattern: '(a', regex: true }], vscode.ConfigurationTarget.Workspace);
		// the server reports it; the client shows it once (observable through the invalid set)
		const ext = vscode.extensions.getExtension<{ follow: { ['reportedInvalid']?: Set<string> } }>('loglens.log-lens')!;
		await waitFor(() => [...((ext.exports.follow as unknown as { reportedInvalid: Set<string> }).reportedInvalid)].some((e) => /alert rule "broken" has an invalid pattern/.test(e)), 'invalid rule reported');
	});
});
