// Elasticsearch end to end inside the real extension host, against the loopback double started in
// this process: credentials through the command (SecretStorage), connection test, Export to
// Elasticsearch… on a file and on a filtered tab, continuous export that resumes from
// workspaceState, and Open Logs from Elasticsearch… as a log tab. The work runs in the language
// server (the extension host shows UI only and never loads the Elasticsearch client).
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { execFile } from 'child_process';
import { EsDouble } from '../esServer/server';
import { closeAll, openLog, waitFor, workspacePath } from './hostUtil';

const API_KEY = 'aG9zdC10ZXN0OnNlY3JldA==';

interface Summary { sent: number; indexed: number; failed: number; aborted: boolean }

function python(src: string, ...args: string[]): Promise<void> {
	return new Promise((resolve, reject) => execFile('python3', ['-c', src, ...args], (err, _o, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve())));
}

const WRITER = `
import logging, sys
path, start, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
h = logging.FileHandler(path)
h.setFormatter(logging.Formatter('%(asctime)s - %(name)s - %(levelname)s - %(message)s'))
log = logging.getLogger('es.host'); log.addHandler(h); log.setLevel(logging.DEBUG); log.propagate = False
for i in range(start, start + n):
    if i % 7 == 3:
        try:
            int('x%d' % i)
        except ValueError:
            log.exception('record %06d failed', i)
    else:
        log.info('record %06d ok', i)
h.close()
`;

/** Header lines of a `%(asctime)s - …` log: one per entry. */
function entryCount(path: string): number {
	return fs.readFileSync(path, 'utf8').split('\n').filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - /.test(l)).length;
}

suite('Elasticsearch', () => {
	let es: EsDouble;
	const config = () => vscode.workspace.getConfiguration('logLens.elasticsearch');

	suiteSetup(async () => {
		es = new EsDouble({ apiKey: API_KEY });
		await es.start();
		await config().update('url', es.url, vscode.ConfigurationTarget.Workspace);
		await config().update('index', 'loglens-host', vscode.ConfigurationTarget.Workspace);
	});
	suiteTeardown(async () => {
		await vscode.commands.executeCommand('logLens.setElasticsearchCredentials', { clear: true });
		await config().update('url', undefined, vscode.ConfigurationTarget.Workspace);
		await config().update('index', undefined, vscode.ConfigurationTarget.Workspace);
		await es.close();
	});
	teardown(closeAll);

	test('credentials, connection test, export of a file and of a filtered tab, Open Logs from Elasticsearch', async () => {
		const { editor } = await openLog('traceback.log');
		await vscode.commands.executeCommand('logLens.setElasticsearchCredentials', { clear: true });
		const denied = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('logLens.testElasticsearchConnection');
		assert.strictEqual(denied.ok, false);
		assert.match(denied.message, /401 Unauthorized/);
		assert.strictEqual(await vscode.commands.executeCommand('logLens.setElasticsearchCredentials', { apiKey: API_KEY }), true);
		const ok = await vscode.commands.executeCommand<{ ok: boolean; message: string }>('logLens.testElasticsearchConnection');
		assert.strictEqual(ok.ok, true, ok.message);
		assert.match(ok.message, /loglens-test \(Elasticsearch 8\.19\.0\)/);
		assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('logLens').inspect('elasticsearch')?.workspaceValue ?? {}).includes(API_KEY), 'the key is not in settings');

		const path = editor.document.uri.fsPath;
		const s = await vscode.commands.executeCommand<Summary>('logLens.exportToElasticsearch', { uri: editor.document.uri.toString(), index: 'host-file', createTemplate: true });
		assert.ok(s, 'export returned a summary');
		assert.strictEqual(s.failed, 0);
		assert.strictEqual(s.indexed, entryCount(path));
		const docs = [...es.docs('host-file').values()] as { message: string; log: { level?: string; file?: { path: string } }; error?: { type: string }; event: { original: string } }[];
		assert.strictEqual(docs.length, entryCount(path));
		assert.deepStrictEqual(docs.filter((d) => d.error).map((d) => d.error!.type).sort(), ['ValueError', 'java.lang.NumberFormatException']);
		assert.ok(docs.every((d) => d.log.file?.path === path));
		assert.ok(es.templates.has('loglens-host-file'), 'the ECS template was created');

		// A filtered tab exports only what it shows.
		const fed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.filterByLevel', 'error');
		assert.ok(fed && fed.document.uri.scheme === 'loglens-filter');
		const fs2 = await vscode.commands.executeCommand<Summary>('logLens.exportToElasticsearch', { uri: fed.document.uri.toString(), index: 'host-errors', createTemplate: false });
		assert.strictEqual(fs2.indexed, 2);
		const errIds = [...es.docs('host-errors').keys()].sort();
		const fileIds = [...es.docs('host-file').entries()].filter(([, d]) => (d as { log: { level?: string } }).log.level === 'error').map(([id]) => id).sort();
		assert.deepStrictEqual(errIds, fileIds, 'the same entries get the same ids whichever tab exported them');

		// Read back as a log tab.
		const back = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.openFromElasticsearch', { index: 'host-file', level: 'error' });
		assert.ok(back);
		assert.strictEqual(back.document.languageId, 'log');
		assert.strictEqual(back.document.isUntitled, true);
		const text = back.document.getText();
		assert.match(text.split('\n')[0], /^# Log Lens: 2 entries from Elasticsearch index 'host-file' \(≥error\)/);
		const src = fs.readFileSync(path, 'utf8');
		assert.ok(text.includes(src.slice(src.indexOf('2024-05-01 10:00:01,250'), src.indexOf('2024-05-01 10:00:02,000') - 1)), 'the traceback entry comes back whole');
		assert.deepStrictEqual(es.violations, []);
	});

	test('continuous export: appended records arrive; a restart resumes from the saved position', async () => {
		await vscode.commands.executeCommand('logLens.setElasticsearchCredentials', { apiKey: API_KEY });
		const path = workspacePath('es-follow.log');
		fs.writeFileSync(path, '');
		await python(WRITER, path, '0', '50');
		const started = await vscode.commands.executeCommand<{ following: string }>('logLens.exportToElasticsearch', { uri: path, index: 'host-follow', follow: true, createTemplate: true });
		assert.ok(started?.following);
		await waitFor(() => es.docs('host-follow').size === 50, 'the first 50 records');
		await python(WRITER, path, '50', '30');
		await waitFor(() => es.docs('host-follow').size === 80, 'appended records');
		const stopped = await vscode.commands.executeCommand<Summary[]>('logLens.stopElasticsearchExport', { uri: path });
		assert.strictEqual(stopped.length, 1);
		const receivedBefore = es.stats.itemsReceived;
		// Written while nothing exports; the restart resumes at the acknowledged offset.
		await python(WRITER, path, '80', '20');
		await vscode.commands.executeCommand('logLens.exportToElasticsearch', { uri: path, index: 'host-follow', follow: true, createTemplate: false });
		await waitFor(() => es.docs('host-follow').size === 100, 'records written while stopped');
		await vscode.commands.executeCommand('logLens.stopElasticsearchExport', { uri: path });
		assert.ok(es.stats.itemsReceived - receivedBefore <= 40, `resumed, not restarted (${es.stats.itemsReceived - receivedBefore} documents sent again)`);
		const seqs = [...es.docs('host-follow').values()].map((d) => Number(/record (\d{6})/.exec(String((d as { message: string }).message))?.[1]));
		assert.deepStrictEqual(seqs.sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i), 'every record once');
		assert.strictEqual(entryCount(path), 100);
		assert.deepStrictEqual(es.violations, []);
	});

	test('the extension host never loads the Elasticsearch client: export and search ran in the language server', () => {
		const loaded = Object.keys(require.cache).filter((k) => k.replace(/\\/g, '/').endsWith('/dist/elastic.js'));
		assert.deepStrictEqual(loaded, []);
	});
});
