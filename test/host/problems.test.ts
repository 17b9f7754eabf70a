// The Problems tree end to end: counts per level and template, an occurrence click reveals the
// entry, appending error lines to the file updates the tree, Filter to This Template opens a tab.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { openLog, closeAll, waitFor, workspacePath } from './hostUtil';
import type { ProblemNode } from '../../src/client/problemsTree';

suite('Problems tree', () => {
	teardown(closeAll);

	test('levels and templates with counts; click reveals; live update; filter to template', async () => {
		const rel = 'problems-live.log';
		const lines = [
			'2024-05-01 10:00:00,000 - app - INFO - started',
			'2024-05-01 10:00:01,000 - app.db - ERROR - connection to db-1 refused after 30 ms',
			'2024-05-01 10:00:02,000 - app.db - ERROR - connection to db-2 refused after 12 ms',
			'2024-05-01 10:00:03,000 - app.db - WARNING - slow query 812 ms',
			'2024-05-01 10:00:04,000 - app - ERROR - job 7 failed',
			'Traceback (most recent call last):',
			'  File "/app/jobs.py", line 3, in run',
			'ValueError: bad amount',
			'2024-05-01 10:00:05,000 - app.db - ERROR - connection to db-3 refused after 9 ms',
			'2024-05-01 10:00:06,000 - app.db - WARNING - slow query 90 ms',
			'',
		];
		fs.writeFileSync(workspacePath(rel), lines.join('\n'));
		const { api, editor } = await openLog(rel);
		const tree = api.problems;
		await vscode.commands.executeCommand('workbench.view.extension.logLens');
		const levelsOnly = (r: ProblemNode[]) => r.filter((n) => n.kind === 'level');
		const roots = await waitFor(async () => {
			const r = levelsOnly(await tree.getChildren());
			return r.length && r[0].kind === 'level' && r[0].count === 4 ? r : undefined;
		}, 'level nodes');
		const byLevel = Object.fromEntries(roots.map((n) => [n.kind === 'level' ? n.level : '', n]));
		assert.deepStrictEqual(roots.map((n) => (n.kind === 'level' ? `${n.level}:${n.count}` : '')), ['error:4', 'warning:2']);
		const errTemplates = await tree.getChildren(byLevel.error);
		const labels = errTemplates.map((n) => (n.kind === 'template' ? `${n.t.count} ${n.t.template}` : ''));
		assert.ok(labels.includes('3 connection to <*> refused after <*>'), labels.join(' | '));
		assert.ok(labels.some((l) => l.startsWith('1 ') && l.includes('ValueError')), labels.join(' | '));
		assert.strictEqual(tree.view.badge?.value, 4);
		const item = tree.getTreeItem(errTemplates[0]);
		assert.match(String(item.description), /^×3 · 2024-05-01 10:00:01\.000 → 2024-05-01 10:00:05\.000$/);

		// occurrences of the first template; clicking the second reveals line 3 (0-based 2)
		const occ = await tree.getChildren(errTemplates[0]);
		assert.strictEqual(occ.length, 3);
		const click = tree.getTreeItem(occ[1]).command!;
		await vscode.commands.executeCommand(click.command, ...(click.arguments ?? []));
		const active = vscode.window.activeTextEditor!;
		assert.strictEqual(active.document.uri.toString(), editor.document.uri.toString());
		assert.strictEqual(active.selection.start.line, 2);

		// Filter to This Template opens a filtered tab with exactly those entries
		const fed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.problems.filterToTemplate', errTemplates[0]);
		const fl = fed.document.getText().split('\n').filter((l) => /^\d{4}-/.test(l));
		assert.deepStrictEqual(fl.map((l) => l.replace(/^.* - ERROR - /, '')), ['connection to db-1 refused after 30 ms', 'connection to db-2 refused after 12 ms', 'connection to db-3 refused after 9 ms']);

		// appending to the file updates the tree live (and the filtered tab, which is the active log now)
		fs.appendFileSync(workspacePath(rel), '2024-05-01 10:00:07,000 - app.db - ERROR - connection to db-9 refused after 1 ms\n2024-05-01 10:00:08,000 - app - CRITICAL - out of memory\n');
		await waitFor(() => /db-9 refused/.test(fed.document.getText()), 'filtered tab updated after append');
		await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn });
		const after = await waitFor(async () => {
			const r = levelsOnly(await tree.getChildren());
			const err = r.find((n): n is Extract<ProblemNode, { kind: 'level' }> => n.kind === 'level' && n.level === 'error');
			return err?.count === 5 && r[0].kind === 'level' && r[0].level === 'critical' ? r : undefined;
		}, 'tree updated after append');
		assert.strictEqual(after.length, 3);
		assert.strictEqual(tree.view.badge?.value, 6);
	});
});
