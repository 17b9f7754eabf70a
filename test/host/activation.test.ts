// Activation in the real extension host: the commands are registered without waiting for the
// language server, nothing of Elasticsearch (dist/elastic.js, 1.26 MB minified) is loaded until an
// Elasticsearch command runs, and the extension reports its activation time (also written to the
// `Log Lens` output channel). Tagged @vsix: the packaged extension too.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { closeAll, openLog } from './hostUtil';

/** Modules of this extension host process whose path ends in dist/<name>. */
function loadedBundles(name: string): string[] {
	return Object.keys(require.cache).filter((k) => k.replace(/\\/g, '/').endsWith(`/dist/${name}`));
}

suite('Activation @vsix', () => {
	teardown(closeAll);

	test('registers its commands, reports its time, loads no Elasticsearch code', async () => {
		const { api } = await openLog('app.log');
		assert.strictEqual(typeof api.activationMs, 'number');
		assert.ok(api.activationMs > 0, 'activation time measured');
		console.log(`    activation: ${api.activationMs.toFixed(0)} ms (load + activate, from the Log Lens output channel line)`);
		assert.ok(loadedBundles('extension.js').length > 0, 'the extension bundle is in this process');
		assert.deepStrictEqual(loadedBundles('elastic.js'), [], 'dist/elastic.js not loaded by activation');
		const all = await vscode.commands.getCommands(true);
		for (const c of ['logLens.exportToElasticsearch', 'logLens.openFromElasticsearch', 'logLens.testElasticsearchConnection', 'logLens.filterByLevel']) assert.ok(all.includes(c), `${c} registered`);
		await api.ready;
		assert.ok(api.client.isRunning(), 'language server running once ready');
	});
});
