// Text that is not plain UTF-8 in the real editor (issue 18): a UTF-16 log with a BOM and CRLF, as
// Windows PowerShell 5.1 writes it, opens as text in VS Code and gets its levels, decorations and
// hover on the lines VS Code shows; NULs in a Spring Boot log (a stray one, a crash's zeros) leave
// it a log; a log whose head is a copytruncate hole (VS Code calls it binary) opens as a Large Log
// window with its levels.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { closeAll, openLog, waitFor, workspacePath } from './hostUtil';
import type { LogSummary } from '../../src/shared/protocol';

type Api = Awaited<ReturnType<typeof openLog>>['api'];

function summary(api: Api, file: string): Promise<LogSummary> {
	return api.client.sendRequest<LogSummary>('logLens/summary', { uri: vscode.Uri.file(file).toString() });
}

const PS_LINES = [
	'2024-05-01 10:00:00,000 - app - INFO - démarrage du service',
	'2024-05-01 10:00:01,000 - app - ERROR - échec 🚀 ファイル',
	'Traceback (most recent call last):',
	'  File "app.py", line 3, in <module>',
	'ValueError: ü',
	'2024-05-01 10:00:02,000 - app - WARNING - retrying',
	'2024-05-01 10:00:03,000 - app - INFO - done',
];

suite('Text that is not plain UTF-8', () => {
	teardown(closeAll);

	for (const enc of ['le', 'be'] as const) {
		test(`a UTF-16${enc.toUpperCase()} log with a BOM and CRLF: levels, decorations and hover on the lines VS Code shows`, async () => {
			const file = workspacePath(`ps-utf16${enc}.log`);
			const bytes = Buffer.from('\ufeff' + PS_LINES.join('\r\n') + '\r\n', 'utf16le');
			if (enc === 'be') bytes.swap16();
			fs.writeFileSync(file, bytes);
			const { api, editor } = await openLog(`ps-utf16${enc}.log`);
			assert.strictEqual(editor.document.lineAt(1).text, PS_LINES[1], 'VS Code decoded the file');
			const s = await waitFor(async () => { const r = await summary(api, file); return r.state === 'ready' ? r : undefined; }, 'indexed');
			assert.deepStrictEqual([s.lines, s.entries, s.levels.info, s.levels.error, s.levels.warning, s.bytes], [PS_LINES.length, 4, 2, 1, 1, bytes.length]);
			assert.strictEqual(editor.document.lineCount, s.lines + 1, 'the same lines as the editor (and its empty last one)');
			await waitFor(() => /\$\(error\) 1 \$\(warning\) 1 · Python/.test(api.statusBar.item.text), `status bar text (${api.statusBar.item.text})`);
			const ranges = await waitFor(() => api.decorations.applied.get(editor.document.uri.toString()), 'decorations');
			assert.deepStrictEqual(ranges.map((r) => [r.start.line, r.end.line]), [[2, 4]], 'the traceback lines of the error');
			const hovers = await waitFor(async () => {
				const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(3, 2));
				return h.length ? h : undefined;
			}, 'hover');
			const md = hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n');
			assert.match(md, /\| level \| error \|/);
			assert.match(md, /\*\*ValueError\*\*: ü/);
		});
	}

	test('a stray NUL and a crash\'s run of zeros leave a Spring Boot log a log with its levels', async () => {
		const lines: string[] = [];
		for (let i = 0; i < 120; i++) lines.push(`2024-05-01 12:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}  ${['INFO', 'WARN', 'ERROR', 'DEBUG'][i % 4].padStart(5)} 4242 --- [nio-8080-exec-1] c.e.demo.OrderController : order ${i} handled`);
		let text = Buffer.from(lines.join('\n') + '\n');
		// After VS Code's own 512-byte binary probe (which would refuse the file), as in the issue.
		const stray = text.indexOf('order 20 handled') + 8;
		text = Buffer.concat([text.subarray(0, stray), Buffer.from([0]), text.subarray(stray)]);
		const crash = text.indexOf('2024-05-01 12:00:00.060');
		text = Buffer.concat([text.subarray(0, crash), Buffer.alloc(4096), text.subarray(crash)]);
		const file = workspacePath('spring-nul.log');
		fs.writeFileSync(file, text);
		const { api } = await openLog('spring-nul.log');
		const s = await waitFor(async () => { const r = await summary(api, file); return r.state === 'ready' ? r : undefined; }, 'indexed');
		assert.deepStrictEqual([s.lines, s.entries, s.levels.info, s.levels.warning, s.levels.error, s.levels.debug], [120, 120, 30, 30, 30, 30]);
		await waitFor(() => /\$\(error\) 30 \$\(warning\) 30/.test(api.statusBar.item.text), `status bar text (${api.statusBar.item.text})`);
	});

	test('a copytruncate hole at the head (VS Code calls the file binary) opens as a Large Log window with its levels', async () => {
		const file = workspacePath('hole.log');
		const records = Array.from({ length: 50 }, (_, i) => `2024-05-01 10:00:${String(i).padStart(2, '0')},000 - app - ${i % 5 === 4 ? 'ERROR' : 'INFO'} - after rotation ${i}`);
		fs.writeFileSync(file, Buffer.concat([Buffer.alloc(1 << 20), Buffer.from(records.join('\n') + '\n')]));
		const { api } = await openLog('app.log');
		const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.openLargeLog', file);
		assert.strictEqual(ed.document.uri.scheme, 'loglens-window');
		const s = await waitFor(async () => { const r = await summary(api, file); return r.state === 'ready' ? r : undefined; }, 'indexed');
		assert.deepStrictEqual([s.lines, s.entries, s.levels.info, s.levels.error, s.format], [50, 50, 40, 10, 'python']);
		await waitFor(() => ed.document.lineCount >= 50, 'window text');
		assert.ok(ed.document.lineAt(0).text.endsWith(records[0]), 'the hole is part of the first line');
		assert.strictEqual(ed.document.lineAt(4).text, records[4]);
	});
});
