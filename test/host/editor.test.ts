// In the editor, end to end in the real extension host: Filter by Level (arguments and QuickPick),
// refinement, Go to Source Line, next/previous error with wrap, Go to Timestamp, hover, folding,
// links, status bar, entry decorations, and bad inputs.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { openLog, closeAll, waitFor, workspacePath } from './hostUtil';
import type { LogSummary } from '../../src/shared/protocol';

const isFiltered = (e?: vscode.TextEditor) => e?.document.uri.scheme === 'loglens-filter';

suite('Editor features', () => {
	teardown(closeAll);

	test('Filter by Level with an argument: warning and above, tracebacks whole, header states the filter', async () => {
		const { editor } = await openLog('app.log');
		const src = editor.document.getText().split('\n');
		const fed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.filterByLevel', 'warning');
		assert.ok(fed && isFiltered(fed), 'filtered editor returned');
		const lines = fed.document.getText().split('\n');
		assert.match(lines[0], /^# Log Lens filter: ≥warning — \d+ of \d+ entries from app\.log/);
		const body = lines.slice(1).filter((l) => l.length);
		const headers = body.filter((l) => /^\d{4}-\d{2}-\d{2} /.test(l));
		assert.ok(headers.length > 0);
		for (const h of headers) assert.match(h, / - (WARNING|ERROR|CRITICAL) - /, h);
		const expected = src.filter((l) => / - (WARNING|ERROR|CRITICAL) - /.test(l)).length;
		assert.strictEqual(headers.length, expected, 'every warning-or-worse entry, no other');
		// tracebacks stay whole: every Traceback line is followed by its frames up to the exception
		const tb = body.findIndex((l) => l.startsWith('Traceback'));
		if (tb >= 0) assert.match(body.slice(tb).join('\n'), /^Traceback[\s\S]*?\n\w+(\.\w+)*(Error|Exception)\b/);
		assert.strictEqual(fed.document.languageId, 'log');
	});

	test('Filter by Level through the QuickPick, then refine in the filtered tab', async () => {
		const { api } = await openLog('app.log');
		const shown = new Promise<vscode.QuickPick<vscode.QuickPickItem>>((r) => { const d = api.filters.onDidShowPicker((qp) => { d.dispose(); r(qp); }); });
		const done = vscode.commands.executeCommand<vscode.TextEditor>('logLens.filterByLevel');
		const qp = await shown;
		assert.match(qp.items[1].label, /Error and above/);
		assert.match(qp.items[1].description ?? '', /^\d[\d,]* entries$/);
		// the QuickPick lists Critical first, then Error and above: move to the second row, accept
		await waitFor(() => qp.activeItems.length > 0, 'quick pick rendered');
		await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
		await waitFor(() => qp.activeItems[0] === qp.items[1], 'second row active');
		await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
		const fed = await done;
		assert.ok(fed && isFiltered(fed));
		const headers = fed.document.getText().split('\n').filter((l) => /^\d{4}-/.test(l));
		assert.ok(headers.length > 0);
		for (const h of headers) assert.match(h, / - (ERROR|CRITICAL) - /);
		// refine: text filter in the filtered tab keeps only timeouts among the errors
		const refined = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.filterByText', { include: 'upstream timeout' });
		assert.ok(refined && isFiltered(refined));
		const rh = refined.document.getText().split('\n').filter((l) => /^\d{4}-/.test(l));
		assert.ok(rh.length > 0 && rh.length < headers.length);
		for (const h of rh) assert.match(h, / - ERROR - upstream timeout/);
		assert.match(refined.document.getText().split('\n')[0], /"upstream timeout", ≥error/);
	});

	test('Go to Source Line lands on the same entry in the original file', async () => {
		const { editor } = await openLog('traceback.log');
		const fed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.filterByLevel', 'error');
		assert.ok(fed);
		const lines = fed.document.getText().split('\n');
		const target = lines.findIndex((l) => l.startsWith('ValueError'));
		fed.selection = new vscode.Selection(target, 0, target, 0);
		const src = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.goToSourceLine');
		assert.ok(src);
		assert.strictEqual(src.document.uri.toString(), editor.document.uri.toString());
		assert.strictEqual(src.document.lineAt(src.selection.active.line).text, lines[target]);
		assert.strictEqual(src.selection.active.line, 7);
		// the same through Go to Definition (Ctrl+Click)
		const defs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', fed.document.uri, new vscode.Position(target, 2));
		assert.strictEqual(defs?.[0]?.range.start.line, 7);
	});

	test('Next/Previous Error move the selection and wrap', async () => {
		const { editor } = await openLog('traceback.log');
		editor.selection = new vscode.Selection(0, 0, 0, 0);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.nextError'), 1);
		assert.strictEqual(editor.selection.active.line, 1);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.nextError'), 9);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.nextError'), 1, 'wraps to the first error');
		assert.strictEqual(await vscode.commands.executeCommand('logLens.previousError'), 9, 'wraps backwards');
		editor.selection = new vscode.Selection(0, 0, 0, 0);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.nextWarning'), 1);
		editor.selection = new vscode.Selection(2, 0, 2, 0);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.nextWarning'), 8, 'warning after the error');
		assert.strictEqual(await vscode.commands.executeCommand('logLens.nextEntry'), 9);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.previousEntry'), 8);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.goToTimestamp', '10:00:03'), 9);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.goToTimestamp', '2024-05-01T10:00:02'), 8);
	});

	test('hover shows parsed fields and time deltas', async () => {
		const { editor } = await openLog('traceback.log');
		const hovers = await waitFor(async () => {
			const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(1, 5));
			return h?.length ? h : undefined;
		}, 'hover');
		const md = hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n');
		assert.match(md, /\| level \| error \|/);
		assert.match(md, /\| logger \| svc\.orders \|/);
		assert.match(md, /since previous entry \| \+1\.249 s/);
		assert.match(md, /since first entry \| \+1\.249 s/);
		assert.match(md, /ValueError/);
	});

	test('folding ranges cover multi-line entries; links open workspace files at the line', async () => {
		await vscode.workspace.getConfiguration('logLens').update('pathMappings', { '/app/': '${workspaceFolder}/' }, vscode.ConfigurationTarget.Workspace);
		try {
			const { editor } = await openLog('traceback.log');
			const folds = await waitFor(async () => (await vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', editor.document.uri))?.filter((f) => f.end > f.start), 'folding');
			assert.deepStrictEqual(folds.map((f) => [f.start, f.end]), [[1, 7], [9, 13]]);
			const links = await waitFor(async () => {
				const l = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', editor.document.uri);
				return l && l.length >= 3 ? l : undefined;
			}, 'links');
			const targets = links.map((l) => `${l.range.start.line}:${l.target?.path.split('/').slice(-2).join('/')}#${l.target?.fragment}`);
			assert.ok(targets.includes('3:service/orders.py#L9'), targets.join(' '));
			assert.ok(targets.includes('5:service/orders.py#L5'), targets.join(' '));
			assert.ok(targets.includes('12:example/OrderService.java#L5'), targets.join(' '));
		} finally {
			await vscode.workspace.getConfiguration('logLens').update('pathMappings', undefined, vscode.ConfigurationTarget.Workspace);
		}
	});

	test('status bar shows counts and format; error tracebacks are decorated', async () => {
		const { api } = await openLog('traceback.log');
		await waitFor(() => /\$\(error\) 2 \$\(warning\) 1 · Python/.test(api.statusBar.item.text), `status bar text (${api.statusBar.item.text})`);
		const uri = vscode.window.activeTextEditor!.document.uri.toString();
		const ranges = await waitFor(() => api.decorations.applied.get(uri), 'decorations');
		assert.deepStrictEqual(ranges.map((r) => [r.start.line, r.end.line]), [[2, 7], [10, 13]]);
	});

	test('document symbols: an outline by time with the warnings and errors', async () => {
		const { editor } = await openLog('traceback.log');
		const syms = await waitFor(async () => (await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', editor.document.uri)), 'symbols');
		const names = syms.flatMap((s) => (s.children ?? []).map((c) => c.name));
		assert.ok(names.some((n) => n.startsWith('ERROR ValueError')), names.join(' | '));
		assert.ok(names.some((n) => n.startsWith('WARNING retrying order 17')), names.join(' | '));
	});

	test('bad inputs: empty, binary, a 1 MB line, a file deleted while open', async () => {
		fs.writeFileSync(workspacePath('empty.log'), '');
		fs.writeFileSync(workspacePath('binary.log'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0, 0, 10, 0, 0]));
		fs.writeFileSync(workspacePath('longline.log'), `2024-05-01 10:00:00,000 - x - ERROR - ${'y'.repeat(1 << 20)}\n2024-05-01 10:00:01,000 - x - INFO - after\n`);
		fs.writeFileSync(workspacePath('doomed.log'), '2024-05-01 10:00:00,000 - x - INFO - soon gone\n');
		const summary = (api: { client: { sendRequest<R>(m: string, p: unknown): Promise<R> } }, rel: string) =>
			api.client.sendRequest<LogSummary>('logLens/summary', { uri: vscode.Uri.file(workspacePath(rel)).toString() });
		const { api } = await openLog('empty.log');
		const e = await summary(api, 'empty.log');
		assert.strictEqual(e.entries, 0);
		assert.strictEqual(e.state, 'ready');
		await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(workspacePath('binary.log')));
		await openLog('binary.log').catch(() => undefined);
		const b = await waitFor(async () => { const s = await summary(api, 'binary.log'); return s.state === 'binary' ? s : undefined; }, 'binary state');
		assert.match(b.message ?? '', /binary/);
		await openLog('longline.log');
		const l = await summary(api, 'longline.log');
		assert.strictEqual(l.entries, 2);
		assert.strictEqual(l.levels.error, 1);
		await openLog('doomed.log');
		await waitFor(async () => (await summary(api, 'doomed.log')).state === 'ready', 'doomed indexed');
		fs.unlinkSync(workspacePath('doomed.log'));
		await waitFor(async () => (await summary(api, 'doomed.log')).state === 'missing', 'missing state after delete', 10_000);
		await waitFor(() => /missing/i.test(api.statusBar.item.text), 'status bar says missing');
	});
});

suite('Highlights', () => {
	teardown(async () => {
		await vscode.workspace.getConfiguration('logLens').update('highlights', undefined, vscode.ConfigurationTarget.Workspace);
		await closeAll();
	});

	test('logLens.highlights colours matches; a catastrophic or invalid pattern gets one clear message', async () => {
		const { api, editor } = await openLog('traceback.log');
		await vscode.workspace.getConfiguration('logLens').update('highlights', [
			{ pattern: 'order 17', backgroundColor: '#ff000033' },
			{ pattern: '(a+)+$', regex: true, color: '#00ff00' },
			{ pattern: '(?<=x)y', regex: true, color: '#0000ff' },
		], vscode.ConfigurationTarget.Workspace);
		const key = `${editor.document.uri.toString()}|order 17`;
		await waitFor(() => api.highlights.applied.get(key) === 2, 'two "order 17" matches decorated');
		// (a+)+$ runs in linear time (RE2): no freeze, no matches here; lookbehind is refused clearly
		assert.strictEqual(api.highlights.applied.get(`${editor.document.uri.toString()}|(a+)+$`), 0);
		assert.strictEqual(api.highlights.errors.length, 1);
		assert.match(api.highlights.errors[0], /invalid regular expression \/\(\?<=x\)y\/.*lookaround/);
	});
});
