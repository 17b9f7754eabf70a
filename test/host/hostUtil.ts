// Helpers for the suites that run inside the real extension host.
import * as vscode from 'vscode';
import * as path from 'path';
import type { LogLensApi } from '../../src/client/extension';

export const EXTENSION_ID = 'loglens.log-lens';

/** The throw-away workspace folder the driver prepared (a copy of test/fixtures/workspace). */
export function workspacePath(...parts: string[]): string {
	const root = process.env.LOGLENS_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
	if (!root) throw new Error('no test workspace');
	return path.join(root, ...parts);
}

/** Polls `fn` until it returns a truthy value or the deadline passes (never a fixed sleep). */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 20_000, everyMs = 50): Promise<NonNullable<T>> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const v = await fn();
			if (v) return v as NonNullable<T>;
		} catch (e) {
			last = e;
		}
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

/** Opens a file of the test workspace in an editor and returns the activated extension's API. */
export async function openLog(rel: string): Promise<{ editor: vscode.TextEditor; api: LogLensApi }> {
	const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(workspacePath(rel)));
	const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.One });
	const ext = vscode.extensions.getExtension<LogLensApi>(EXTENSION_ID);
	if (!ext) throw new Error(`extension ${EXTENSION_ID} not installed`);
	const api = await waitFor(async () => (ext.isActive ? ext.exports : await ext.activate()), 'activation');
	return { editor, api };
}

export async function closeAll(): Promise<void> {
	await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
