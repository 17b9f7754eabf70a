// Many logs as one, in the real host: Merge Logs orders the entries of two files by time (each
// entry whole, marked with its source) and Go to Source Line opens the right file at the right
// line; Open Rotated Set shows app.log with its predecessors as one timeline, every record once.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { closeAll, workspacePath, openLog } from './hostUtil';

suite('Many logs as one', () => {
	teardown(closeAll);

	test('Merge Logs: time order, entries whole, Go to Source Line', async () => {
		await openLog('basic.log');
		const a = workspacePath('merge-a.log'), b = workspacePath('merge-b.log');
		fs.writeFileSync(a, [
			'2024-05-01 10:00:00,000 - a - INFO - a1',
			'2024-05-01 10:00:02,000 - a - ERROR - a2 failed',
			'Traceback (most recent call last):',
			'  File "/x.py", line 1, in f',
			'ValueError: a2',
			'2024-05-01 10:00:04,000 - a - INFO - a3',
			''].join('\n'));
		fs.writeFileSync(b, [
			'{"time": "2024-05-01T10:00:01Z", "level": "info", "msg": "b1"}',
			'{"time": "2024-05-01T10:00:03Z", "level": "warning", "msg": "b2"}',
			''].join('\n'));
		// a has no zone (local time); write b's times in the same local wall clock for a fair check
		const off = -new Date(2024, 4, 1, 10).getTimezoneOffset();
		const z = `${off >= 0 ? '+' : '-'}${String(Math.floor(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
		fs.writeFileSync(b, fs.readFileSync(b, 'utf8').replace(/Z"/g, `${z}"`));
		const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.mergeLogs', [a, b]);
		assert.strictEqual(ed.document.uri.scheme, 'loglens-merge');
		const msgs = ed.document.getText().split('\n').map((l) => /(a\d|b\d)/.exec(l)?.[1]).filter(Boolean);
		assert.deepStrictEqual(msgs.filter((m, i) => msgs.indexOf(m) === i), ['a1', 'b1', 'a2', 'b2', 'a3']);
		assert.match(ed.document.getText(), /a2 failed\nTraceback \(most recent call last\):\n {2}File "\/x\.py", line 1, in f\nValueError: a2\n/);
		const line = ed.document.getText().split('\n').findIndex((l) => l.includes('b2'));
		ed.selection = new vscode.Selection(line, 0, line, 0);
		const src = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.goToSourceLine');
		assert.strictEqual(src.document.uri.fsPath, b);
		assert.strictEqual(src.selection.active.line, 1);
	});

	test('Open Rotated Set: app.log.2, app.log.1, app.log as one timeline, each record once', async () => {
		await openLog('basic.log');
		const parts = ['app.log.2', 'app.log.1', 'app.log'].map((f) => fs.readFileSync(workspacePath(f), 'utf8'));
		const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.openRotatedSet', workspacePath('app.log'));
		const expected = parts.join('').split('\n').filter((l) => /^\d{4}-/.test(l));
		const got = ed.document.getText().split('\n').filter((l) => /^\d{4}-/.test(l));
		assert.strictEqual(got.length, expected.length);
		assert.deepStrictEqual(got, expected, 'oldest file first, in time order, every record once');
	});
});

suite('ANSI colour codes', () => {
	teardown(closeAll);

	test('levels survive ANSI codes; the escapes are hidden in the editor', async () => {
		const { api, editor } = await openLog('ansi.log');
		const s = await api.client.sendRequest<{ levels: Record<string, number>; entries: number }>('logLens/summary', { uri: editor.document.uri.toString() });
		assert.strictEqual(s.entries, 3);
		assert.deepStrictEqual([s.levels.info, s.levels.error, s.levels.warning], [1, 1, 1]);
		const { waitFor } = await import('./hostUtil');
		await waitFor(() => api.ansi.hidden.get(editor.document.uri.toString()) === 10, 'escapes hidden');
	});
});
