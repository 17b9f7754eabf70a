/** Starts the Log Lens language server (dist/server.js, a separate Node process over IPC). */
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { FOLLOW_SCHEME } from './followMode';
import { WINDOW_SCHEME } from './largeLog';
import { FILTER_SCHEME } from './logDocuments';
import { affects, serverSettings } from './settings';
import { ServerSettingsNotification } from '../shared/protocol';

export const LOG_SELECTOR: vscode.DocumentSelector = [{ language: 'log' }];

/** Documents whose text the server produced and indexes itself (never synced). */
const SERVER_SIDE_SCHEMES = new Set([FOLLOW_SCHEME, WINDOW_SCHEME, FILTER_SCHEME]);

function serverSide(uri: vscode.Uri): boolean {
	return SERVER_SIDE_SCHEMES.has(uri.scheme);
}

/**
 * The client, not yet started: features register their handlers on it first (requests sent before
 * it runs wait for the start), so activation does not wait for the server process.
 */
export function createLanguageClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): LanguageClient {
	const module = context.asAbsolutePath('dist/server.js');
	const serverOptions: ServerOptions = {
		// LOGLENS_SERVER_EXECARGV: Node flags for the server (profiling it: `--cpu-prof --cpu-prof-dir=DIR`)
		run: { module, transport: TransportKind.ipc, options: process.env.LOGLENS_SERVER_EXECARGV ? { execArgv: process.env.LOGLENS_SERVER_EXECARGV.split(' ') } : undefined },
		debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
	};
	const clientOptions: LanguageClientOptions = {
		documentSelector: [{ language: 'log' }],
		outputChannel: output,
		initializationOptions: { storagePath: context.storageUri?.fsPath, settings: serverSettings() },
		middleware: {
			// A follow tab's, large-log window's or filtered tab's text comes from the server, which indexes it
			// there: syncing it back (megabytes, on every update) would be pure waste, and the
			// serialising is done on the extension host's event loop.
			didOpen: (doc, next) => (serverSide(doc.uri) ? Promise.resolve() : next(doc)),
			didChange: (e, next) => (serverSide(e.document.uri) ? Promise.resolve() : next(e)),
			didClose: (doc, next) => (serverSide(doc.uri) ? Promise.resolve() : next(doc)),
		},
	};
	const client = new LanguageClient('logLens', 'Log Lens', serverOptions, clientOptions);
	// The server's settings, pushed on every change (it does not read settings itself). Trust
	// changes what restricted settings (pathMappings, alerts) read as.
	const send = () => void client.sendNotification(ServerSettingsNotification.type, serverSettings()).catch(() => undefined);
	context.subscriptions.push(
		vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, '')) send(); }),
		vscode.workspace.onDidGrantWorkspaceTrust(send),
	);
	return client;
}
