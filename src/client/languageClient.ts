/** Starts the Log Lens language server (dist/server.js, a separate Node process over IPC). */
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

export const LOG_SELECTOR: vscode.DocumentSelector = [{ language: 'log' }];

export async function startLanguageClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): Promise<LanguageClient> {
	const module = context.asAbsolutePath('dist/server.js');
	const serverOptions: ServerOptions = {
		run: { module, transport: TransportKind.ipc },
		debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
	};
	const clientOptions: LanguageClientOptions = {
		documentSelector: [{ language: 'log' }],
		outputChannel: output,
		synchronize: { configurationSection: 'logLens' },
		initializationOptions: { storagePath: context.storageUri?.fsPath },
		middleware: {
			// A follow tab's text lives in the server already (it is the follow buffer): syncing
			// megabytes of it on every update would be pure waste.
			didOpen: (doc, next) => (doc.uri.scheme === 'loglens-follow' ? Promise.resolve() : next(doc)),
			didChange: (e, next) => (e.document.uri.scheme === 'loglens-follow' ? Promise.resolve() : next(e)),
			didClose: (doc, next) => (doc.uri.scheme === 'loglens-follow' ? Promise.resolve() : next(doc)),
		},
	};
	const client = new LanguageClient('logLens', 'Log Lens', serverOptions, clientOptions);
	await client.start();
	return client;
}
