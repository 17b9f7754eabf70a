// Python logging integration in the real host: Open Project Logs finds the dictConfig of a sample
// project and opens its log with the format the config declares; every LogRecord field of the
// format shows in the hover; a logLens.formats setting applies a format string by glob.
import * as assert from 'assert';
import * as path from 'path';
import * as vscode from 'vscode';
import { execFileSync } from 'child_process';
import { closeAll, waitFor, workspacePath, openLog } from './hostUtil';
import type { LogSummary } from '../../src/shared/protocol';

suite('Python logging', () => {
	teardown(closeAll);

	test('Open Project Logs opens the log with its configured format; hover shows the fields', async () => {
		const { api } = await openLog('basic.log');
		const target = workspacePath('pyproject-demo', 'service.log');
		const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.openProjectLogs', { path: target });
		assert.ok(ed, 'an editor was opened');
		assert.strictEqual(ed.document.uri.fsPath, target);
		const s = await waitFor(async () => {
			const r = await api.client.sendRequest<LogSummary>('logLens/summary', { uri: ed.document.uri.toString() });
			return r.format === 'python-format' && r.state === 'ready' ? r : undefined;
		}, 'configured format applied');
		assert.strictEqual(s.entries, 4);
		assert.strictEqual(s.levels.warning, 1);
		assert.strictEqual(s.levels.error, 1);
		// datefmt %d/%m/%Y: 01/05/2024 is the 1st of May
		assert.match(s.first ?? '', /^2024-05-01T/);
		const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', ed.document.uri, new vscode.Position(2, 3));
		const md = hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n');
		assert.match(md, /\| funcName \| connect \|/);
		assert.match(md, /\| lineno \| 44 \|/);
		assert.match(md, /\| logger \| svc\.db \|/);
	});

	test('logLens.formats applies a Python format string by glob', async () => {
		const cfg = vscode.workspace.getConfiguration('logLens');
		await cfg.update('formats', [{ glob: '**/worker.log', format: '[%(asctime)s] %(levelname)-8s %(name)s: %(message)s' }], vscode.ConfigurationTarget.Workspace);
		try {
			const { api, editor } = await openLog('worker.log');
			const s = await waitFor(async () => {
				const r = await api.client.sendRequest<LogSummary>('logLens/summary', { uri: editor.document.uri.toString() });
				return r.format === 'python-format' && r.state === 'ready' ? r : undefined;
			}, 'format from settings');
			assert.ok(s.levels.error > 0 && s.levels.warning > 0);
		} finally {
			await cfg.update('formats', undefined, vscode.ConfigurationTarget.Workspace);
		}
	});

	test('logLens.formats applies a regex by glob: the same entries as loglens --format', async () => {
		const regex = '^\\[(?<time>[^\\]]+)\\] (?<level>[A-Z]+)\\s+(?<logger>[\\w.]+): (?<message>.*)';
		const cfg = vscode.workspace.getConfiguration('logLens');
		await cfg.update('formats', [{ glob: '**/worker.log', regex }], vscode.ConfigurationTarget.Workspace);
		try {
			const { api, editor } = await openLog('worker.log');
			const s = await waitFor(async () => {
				const r = await api.client.sendRequest<LogSummary>('logLens/summary', { uri: editor.document.uri.toString() });
				return r.format === 'regex' && r.state === 'ready' ? r : undefined;
			}, 'regex format from settings');
			const repo = process.env.LOGLENS_REPO ?? path.resolve(__dirname, '../../..');
			const cli = JSON.parse(execFileSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'summary', editor.document.uri.fsPath, '--json', '--format', regex], { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } })) as { entries: number; levels: Record<string, number>; first: string; last: string; format: string };
			assert.strictEqual(cli.format, 'regex');
			assert.ok(s.levels.error > 0 && s.levels.warning > 0, 'levels read from the level group');
			assert.deepStrictEqual({ entries: s.entries, levels: s.levels, first: s.first, last: s.last }, { entries: cli.entries, levels: cli.levels, first: cli.first, last: cli.last });
		} finally {
			await cfg.update('formats', undefined, vscode.ConfigurationTarget.Workspace);
		}
	});

	test('hover on a chained traceback shows the chain; Copy Traceback copies the whole entry', async () => {
		const { editor } = await openLog('app.log');
		const lines = editor.document.getText().split('\n');
		const head = lines.findIndex((l, i) => / - ERROR - order pricing failed/.test(l) && lines[i + 1]?.startsWith('Traceback'));
		assert.ok(head >= 0, 'fixture has a chained traceback');
		const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(head + 3, 2));
		const md = hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n');
		assert.match(md, /Exception chain, oldest first/);
		assert.match(md, /1\. \*\*ValueError\*\*: invalid literal for int\(\) with base 10: '12,50'.* — the direct cause of the next/);
		assert.match(md, /2\. \*\*RuntimeError\*\*: could not price order/);
		editor.selection = new vscode.Selection(head + 2, 0, head + 2, 0);
		const copied = await vscode.commands.executeCommand<string>('logLens.copyEntry');
		assert.strictEqual(await vscode.env.clipboard.readText(), copied);
		const end = lines.findIndex((l, i) => i > head && /^RuntimeError: /.test(l));
		assert.strictEqual(copied, lines.slice(head, end + 1).join('\n'));
	});
});
