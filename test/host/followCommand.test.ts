// Follow Command Output end to end: the language server runs a real CPython program that logs
// 10,000 records/s with tracebacks to stdout and stderr; the live tab shows every record once, each
// entry whole; closing the tab kills the program and what it started; an exit shows its code and
// Restart runs the command again in the same tab; filters and alerts work as in a file's tab.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { closeAll, openLog, waitFor } from './hostUtil';
import type { LogLensApi } from '../../src/client/extension';

const PRODUCER = path.join(process.env.LOGLENS_REPO ?? path.resolve(__dirname, '../../..'), 'test', 'fixtures', 'python', 'log_producer.py');

interface Entry { seq: number; level: string; lines: string[] }

function entries(text: string): Entry[] {
	const out: Entry[] = [];
	for (const line of text.split('\n')) {
		if (line === '') continue;
		const m = /^\S+ \S+ (\w+)\s+\[producer\] seq=(-?\d+) /.exec(line);
		if (m) out.push({ seq: Number(m[2]), level: m[1], lines: [line] });
		else if (out.length) out[out.length - 1].lines.push(line);
		else throw new Error(`a continuation line before any entry: ${line}`);
	}
	return out;
}

/** True when no process with this pid runs (gone, or a zombie not reaped yet). */
function gone(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch {
		return true;
	}
	try {
		return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return true;
	}
}

/**
 * The command's exit as the extension showed it. `next`: only an exit after this call (a restart);
 * otherwise one already shown counts too — a short command can exit before the test subscribes.
 */
function exitOf(api: LogLensApi, id: string, next = false): Promise<{ code: number | null; signal: string | null }> {
	const shown = [...api.follow.sessions.values()].find((s) => s.info.id === id)?.exitShown;
	if (!next && shown) return Promise.resolve(shown);
	return new Promise((resolve) => {
		const sub = api.follow.onDidExit((e) => {
			if (e.id !== id) return;
			sub.dispose();
			resolve(e.exit);
		});
	});
}

function statusText(api: LogLensApi): string {
	return (api.follow as unknown as { statusShown?: { text: string } }).statusShown?.text ?? '';
}

suite('Follow Command Output', () => {
	teardown(async () => {
		await vscode.commands.executeCommand('logLens.stopFollowing');
		await vscode.workspace.getConfiguration('logLens').update('alerts', undefined, vscode.ConfigurationTarget.Workspace);
		await closeAll();
	});

	test('a Python program logging 10,000 records/s with tracebacks to stdout and stderr: every record once, entries whole, exit code shown', async () => {
		const { api } = await openLog('basic.log');
		const COUNT = 30_000;
		const EXC = 50;
		const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.followCommand', {
			command: ['python3', PRODUCER, '--mode', 'streams', '--count', String(COUNT), '--rate', '10000', '--exc-every', String(EXC)],
		});
		assert.ok(ed, 'a tab opened');
		assert.strictEqual(ed.document.uri.scheme, 'loglens-follow');
		// a command opens light (no grammar) until the server knows its rate
		assert.ok(['log-live', 'log'].includes(ed.document.languageId), ed.document.languageId);
		const session = [...api.follow.sessions.values()].find((s) => s.uri.toString() === ed.document.uri.toString())!;
		assert.ok(session.info.pid && session.info.pid > 0, 'the server runs it');
		const exit = await exitOf(api, session.info.id);
		assert.deepStrictEqual(exit, { code: 0, signal: null });
		const doc = ed.document;
		await waitFor(() => doc.languageId === 'log', `the tab in the log language once the command's lines have stopped (is ${doc.languageId})`, 10_000);
		await waitFor(() => entries(doc.getText()).length === COUNT, `all ${COUNT} records in the tab (have ${entries(doc.getText()).length})`, 60_000);
		const got = entries(doc.getText());
		assert.deepStrictEqual(got.map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: COUNT }, (_, i) => i), 'every record once');
		for (const stream of [got.filter((e) => e.level === 'ERROR'), got.filter((e) => e.level !== 'ERROR')]) {
			assert.ok(stream.every((e, i) => i === 0 || e.seq > stream[i - 1].seq), 'each stream in order');
		}
		for (const e of got) {
			if (e.seq % EXC === 0) {
				assert.strictEqual(e.lines[1], 'Traceback (most recent call last):', `entry ${e.seq}`);
				assert.match(e.lines[e.lines.length - 1], new RegExp(`^(KeyError: 'k${e.seq}'|ValueError: v${e.seq})$`), `entry ${e.seq} whole`);
			} else assert.strictEqual(e.lines.length, 1, `entry ${e.seq}: ${e.lines.join(' | ')}`);
		}
		// the exit: a final mark in the tab, the status bar, and (a notification with Restart)
		assert.ok(session.markers.some((m) => m.kind === 'exited' && /exited with code 0/.test(m.text)), 'a final mark in the tab');
		assert.match(statusText(api), /exited with code 0 · Restart/);
		// the tab is a log: entry navigation goes from the first record (with its traceback, if it has one) to the second
		ed.selection = new vscode.Selection(0, 0, 0, 0);
		const second = doc.getText().split('\n').findIndex((l, i) => i > 0 && /\[producer\] seq=/.test(l));
		assert.ok(second >= 1);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.nextEntry'), second);
	});

	test('closing the tab kills the command and what it started (no orphan)', async () => {
		const { api } = await openLog('basic.log');
		const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.followCommand', {
			command: ['python3', PRODUCER, '--mode', 'streams', '--count', '100000000', '--rate', '100', '--spawn-sleeper'],
		});
		const m = await waitFor(() => /pids main=(\d+) child=(\d+)/.exec(ed.document.getText()), 'the pids line');
		const [main, child] = [Number(m[1]), Number(m[2])];
		assert.ok(!gone(main) && !gone(child), 'both run');
		assert.strictEqual([...api.follow.sessions.values()][0].info.pid, main);
		await vscode.window.showTextDocument(ed.document);
		await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
		await waitFor(() => api.follow.sessions.size === 0, 'the session stopped');
		await waitFor(() => gone(main) && gone(child), `pids ${main} and ${child} gone`, 10_000);
	});

	test('an exit shows its code; Restart runs the command again in the same tab', async () => {
		const { api } = await openLog('basic.log');
		const src = 'import sys; print("2024-05-01 12:00:00,000 ERROR [job] failing run", flush=True); sys.exit(3)';
		const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.followCommand', { command: ['python3', '-c', src], name: 'job' });
		const s = [...api.follow.sessions.values()][0];
		const first = exitOf(api, s.info.id);
		assert.deepStrictEqual(await first, { code: 3, signal: null });
		assert.match(statusText(api), /job exited with code 3 · Restart/);
		await waitFor(() => s.decorated?.includes('exited with code 3'), 'the exit mark drawn in the tab');
		const again = exitOf(api, s.info.id, true);
		await vscode.commands.executeCommand('logLens.restartFollowCommand', s.info.id);
		assert.deepStrictEqual(await again, { code: 3, signal: null });
		await waitFor(() => ed.document.getText().split('failing run').length === 3, 'the second run\'s output in the same tab');
		assert.ok(s.markers.some((m) => m.kind === 'restarted'), 'the restart marked');
		assert.strictEqual(s.markers.filter((m) => m.kind === 'exited').length, 2);

		const missing = await vscode.commands.executeCommand('logLens.followCommand', { command: ['no-such-command-here'] });
		assert.strictEqual(missing, undefined, 'a command that cannot start opens no tab');
	});

	test('filtered and alerting like a file: only ERROR entries, whole; one alert for the burst', async () => {
		const { api } = await openLog('basic.log');
		await vscode.workspace.getConfiguration('logLens').update('alerts', [{ name: 'verr', level: 'error', pattern: 'ValueError', message: 'ValueError seen' }], vscode.ConfigurationTarget.Workspace);
		const shown: number[] = [];
		const sub = api.follow.onDidShowAlert((e) => shown.push(e.count));
		const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.followCommand', {
			command: ['python3', PRODUCER, '--mode', 'streams', '--count', '2000', '--rate', '0', '--exc-every', '5'], filter: { minLevel: 'error' },
		});
		const s = [...api.follow.sessions.values()][0];
		await exitOf(api, s.info.id);
		// ERROR records: log.exception every 10th (i % 5 == 0, even i / 5) plus the level cycle's ERROR slot (i % 7 == 5, not an exception record)
		const want = Array.from({ length: 2000 }, (_, i) => i).filter((i) => (i % 5 === 0 && (i / 5) % 2 === 0) || (i % 5 !== 0 && i % 7 === 5));
		await waitFor(() => entries(ed.document.getText()).length === want.length, `${want.length} ERROR entries (have ${entries(ed.document.getText()).length})`).catch((e) => {
			const x = s as unknown as Record<string, unknown>;
			console.log('DEBUG', JSON.stringify({ have: x.haveBytes, q: (x.queue as unknown[]).length, applying: x.applying, awaiting: x.awaitingText, ver: ed.document.version, len: Buffer.byteLength(ed.document.getText()), st: { ...s.status, append: undefined, markers: undefined }, fetches: api.follow.counts.fetches }));
			throw e;
		});
		const got = entries(ed.document.getText());
		assert.deepStrictEqual(got.map((e) => e.seq), want);
		for (const e of got) if (e.seq % 5 === 0) assert.strictEqual(e.lines.at(-1), `ValueError: v${e.seq}`);
		// the ValueError tracebacks (log.exception, every 10th record) match the rule: one notification for the burst
		await waitFor(() => api.follow.alerts.filter((a) => a.rule === 'verr').reduce((n, a) => n + a.count, 0) === 200, 'all 200 matches counted');
		assert.strictEqual(shown.length, 1, `one notification (got ${shown.length})`);
		sub.dispose();
	});
});
