// Wrapped logs end to end: a Python service's log as a Kubernetes node keeps it (CRI) opens as
// written, while hover, the Problems tree and Show Inner Log read the inner log; Go to Source Line
// leads from the inner log back to the wrapper line.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { closeAll, openLog, waitFor, workspacePath } from './hostUtil';
import { fixture } from '../testUtil';

/** The hover at a position once the server answers. */
async function hoverAt(uri: vscode.Uri, line: number): Promise<string> {
	const h = await waitFor(async () => {
		const r = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, 5));
		return r?.length ? r : undefined;
	}, 'hover');
	return hoverText(h);
}

function hoverText(h: vscode.Hover[]): string {
	return h.flatMap((x) => x.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

suite('Wrapped logs', () => {
	teardown(closeAll);

	test('CRI-wrapped Python log: inner levels in hover and Problems; Show Inner Log; Go to Source Line', async () => {
		const rel = 'python-service.cri.log';
		fs.copyFileSync(fixture('structured', 'python-text.cri.log'), workspacePath(rel));
		const inner = fs.readFileSync(fixture('structured', 'python-text.log'), 'utf8');
		const { api, editor } = await openLog(rel);
		const uri = editor.document.uri;
		const s = await waitFor(async () => {
			const x = await api.docs.summary(uri);
			return x.state === 'ready' ? x : undefined;
		}, 'index');
		assert.strictEqual(s.format, 'cri+python');
		assert.deepStrictEqual([s.levels.critical, s.levels.error, s.levels.warning, s.levels.info, s.levels.debug, s.levels.unknown], [1, 2, 1, 5, 1, 0]);

		// Hover on the wrapper line of the ERROR record: the inner level, the stream, the traceback's exception.
		const errLine = editor.document.getText().split('\n').findIndex((l) => l.includes(' ERROR app.db: query failed'));
		const hover = await hoverAt(uri, errLine);
		assert.match(hover, /\| level \| error \|/);
		assert.match(hover, /\| stream \| stderr \|/);
		assert.match(hover, /\*\*KeyError\*\*: 'missing'/);
		assert.match(hover, new RegExp(`\\| lines \\| ${errLine + 1}–${errLine + 6} \\|`));

		// The Problems tree counts inner levels: no false criticals from CRI's F flag.
		await vscode.commands.executeCommand('workbench.view.extension.logLens');
		const roots = await waitFor(async () => {
			const r = (await api.problems.getChildren()).filter((n) => n.kind === 'level');
			return r.length ? r : undefined;
		}, 'problems');
		assert.deepStrictEqual(roots.map((n) => (n.kind === 'level' ? `${n.level}:${n.count}` : '')), ['critical:1', 'error:2', 'warning:1']);

		// Show Inner Log: exactly what the service wrote, in a read-only tab.
		const tab = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.showInnerLog');
		assert.ok(tab);
		assert.strictEqual(tab.document.uri.scheme, 'loglens-inner');
		assert.strictEqual(tab.document.getText(), inner.replace(/\n$/, ''));
		assert.strictEqual(tab.document.languageId, 'log');
		// Its own index reads the inner log: hover on its ERROR line.
		const innerErr = tab.document.getText().split('\n').findIndex((l) => l.includes(' ERROR app.db: query failed'));
		const innerHover = await hoverAt(tab.document.uri, innerErr);
		assert.match(innerHover, /\| level \| error \|/);

		// Go to Source Line from the traceback's last line and from the second piece of the long record.
		const lines = tab.document.getText().split('\n');
		const exc = lines.indexOf("KeyError: 'missing'");
		tab.selection = new vscode.Selection(exc, 0, exc, 0);
		const back = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.goToSourceLine');
		assert.strictEqual(back?.document.uri.toString(), uri.toString());
		assert.match(back.document.lineAt(back.selection.start.line).text, / stderr F KeyError: 'missing'$/);
		const long = lines.findIndex((l) => l.includes(' INFO app.web: payload '));
		const tab2 = await vscode.window.showTextDocument(tab.document, { viewColumn: tab.viewColumn, preview: false });
		tab2.selection = new vscode.Selection(long, 0, long, 0);
		const back2 = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.goToSourceLine');
		assert.match(back2!.document.lineAt(back2!.selection.start.line).text, / stderr P \d{4}-\d\d-\d\d .* INFO app\.web: payload /);

		// A log that is not wrapped: the command says so and opens nothing.
		await closeAll();
		fs.writeFileSync(workspacePath('plain-python.log'), inner);
		await openLog('plain-python.log');
		assert.strictEqual(await vscode.commands.executeCommand('logLens.showInnerLog'), undefined);
	});
});
