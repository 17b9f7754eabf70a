/**
 * The Elasticsearch commands, registered at activation without loading anything of Elasticsearch:
 * the UI (elasticsearch.ts) is imported on the first command, and the work — with the
 * Elasticsearch client — runs in the language server. Measured with scripts/activation-time.mjs:
 * loading dist/extension.js took ≈263 ms while it pulled in the Elasticsearch client bundle,
 * ≈80 ms without. Import nothing from './elasticsearch' here except types — a static import would
 * load it with the extension again (test/host/activation.test.ts checks).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ElasticsearchFeature } from './elasticsearch';

export const ELASTICSEARCH_COMMANDS = [
	'logLens.exportToElasticsearch',
	'logLens.stopElasticsearchExport',
	'logLens.openFromElasticsearch',
	'logLens.setElasticsearchCredentials',
	'logLens.testElasticsearchConnection',
] as const;
export type ElasticsearchCommand = (typeof ELASTICSEARCH_COMMANDS)[number];

/** Registers the commands; dispose stops continuous exports after sending what was read. */
export function registerElasticsearch(context: vscode.ExtensionContext, client: LanguageClient): vscode.Disposable {
	let feature: Promise<ElasticsearchFeature> | undefined;
	let loaded: ElasticsearchFeature | undefined;
	let disposed = false;
	const load = (): Promise<ElasticsearchFeature> => (feature ??= import('./elasticsearch').then((m) => {
		loaded = new m.ElasticsearchFeature(context, client);
		if (disposed) loaded.dispose();
		return loaded;
	}));
	const commands = ELASTICSEARCH_COMMANDS.map((id) => vscode.commands.registerCommand(id, async (arg?: unknown) => (await load()).run(id, arg)));
	return new vscode.Disposable(() => {
		disposed = true;
		for (const c of commands) c.dispose();
		loaded?.dispose();
	});
}
