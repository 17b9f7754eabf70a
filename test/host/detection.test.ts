// Zero-configuration detection in the editor, end to end in the real extension host: a real
// PostgreSQL log (Filebeat's fixture) gets its levels and keeps DETAIL/HINT/STATEMENT lines in their
// entry; an access log's levels are derived from the HTTP status, hover says so, and the
// logLens.statusLevels setting turns that off.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { openLog, closeAll, waitFor, workspacePath } from './hostUtil';

async function hoverText(uri: vscode.Uri, line: number): Promise<string> {
	const hovers = await waitFor(async () => {
		const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(line, 3));
		return h?.length ? h : undefined;
	}, 'hover');
	return hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n');
}

suite('Detection in the editor', () => {
	teardown(closeAll);

	test('a real PostgreSQL log: levels from LOG/ERROR/FATAL, DETAIL and STATEMENT lines inside their entry', async () => {
		const src = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'filebeat', 'filebeat', 'module', 'postgresql', 'log', 'test', 'postgresql-ubuntu-9.5.log');
		fs.copyFileSync(src, workspacePath('postgresql.log'));
		const { editor, api } = await openLog('postgresql.log');
		const s = await waitFor(async () => { const x = await api.docs.summary(editor.document.uri); return x.state === 'ready' && x.entries > 0 ? x : undefined; }, 'summary');
		assert.strictEqual(s.format, 'postgresql');
		assert.strictEqual(s.entries, 18);
		assert.strictEqual(s.levels.error, 7);
		assert.strictEqual(s.levels.info, 11);
		const lines = editor.document.getText().split('\n');
		const detail = lines.findIndex((l) => / DETAIL: /.test(l));
		assert.ok(detail > 0);
		const md = await hoverText(editor.document.uri, detail);
		assert.match(md, /\| level \| error/);
		assert.match(md, new RegExp(`\\| lines \\| ${detail}–`), 'the DETAIL line belongs to the entry above');
	});

	test('an access log: levels derived from the HTTP status, shown as derived; the setting turns them off', async () => {
		fs.writeFileSync(workspacePath('access.log'), [
			'10.0.0.1 - - [01/May/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 512 "-" "curl/8"',
			'10.0.0.1 - - [01/May/2024:10:00:01 +0000] "GET /missing HTTP/1.1" 404 12 "-" "curl/8"',
			'10.0.0.1 - - [01/May/2024:10:00:02 +0000] "POST /api HTTP/1.1" 503 0 "-" "curl/8"',
		].join('\n') + '\n');
		const { editor, api } = await openLog('access.log');
		const s = await waitFor(async () => { const x = await api.docs.summary(editor.document.uri); return x.state === 'ready' && x.entries === 3 ? x : undefined; }, 'summary');
		assert.deepStrictEqual([s.levels.info, s.levels.warning, s.levels.error], [1, 1, 1]);
		assert.match(await hoverText(editor.document.uri, 1), /\| level \| warning \(derived from HTTP status `404`/);
		const cfg = vscode.workspace.getConfiguration('logLens');
		await cfg.update('statusLevels', false, vscode.ConfigurationTarget.Workspace);
		try {
			const off = await waitFor(async () => { const x = await api.docs.summary(editor.document.uri); return x.state === 'ready' && x.levels.unknown === 3 ? x : undefined; }, 'levels off');
			assert.strictEqual(off.levels.error, 0);
			assert.match(await hoverText(editor.document.uri, 1), /\| level \| unknown/);
		} finally {
			await cfg.update('statusLevels', undefined, vscode.ConfigurationTarget.Workspace);
		}
	});
});
