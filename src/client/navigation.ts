/** Next/Previous Error, Warning-or-worse and Entry, and Go to Timestamp, answered by the server's index. */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { GotoTimeRequest, NavigateRequest, NavigationKind, EntryTextRequest } from '../shared/protocol';
import { Disposable } from './disposable';
import { isLogDocument } from './logDocuments';
import { LargeLog } from './largeLog';

export class Navigation extends Disposable {
	constructor(private readonly client: LanguageClient, private readonly large?: LargeLog) {
		super();
		const nav = (id: string, kind: NavigationKind, direction: 'next' | 'previous') =>
			this._register(vscode.commands.registerCommand(id, () => this.go(kind, direction)));
		nav('logLens.nextError', 'error', 'next');
		nav('logLens.previousError', 'error', 'previous');
		nav('logLens.nextWarning', 'warning', 'next');
		nav('logLens.previousWarning', 'warning', 'previous');
		nav('logLens.nextEntry', 'entry', 'next');
		nav('logLens.previousEntry', 'entry', 'previous');
		this._register(vscode.commands.registerCommand('logLens.goToTimestamp', (time?: string) => this.goToTime(time)));
		this._register(vscode.commands.registerCommand('logLens.copyEntry', () => this.copyEntry()));
	}

	/** Copies the whole entry at the cursor: the header with its traceback or stack trace. */
	async copyEntry(): Promise<string | undefined> {
		const ed = vscode.window.activeTextEditor;
		if (!ed || !isLogDocument(ed.document)) return undefined;
		const r = await this.client.sendRequest(EntryTextRequest.type, { uri: ed.document.uri.toString(), line: ed.selection.active.line });
		if (!r) return undefined;
		await vscode.env.clipboard.writeText(r.text);
		void vscode.window.setStatusBarMessage(vscode.l10n.t('Log Lens: copied lines {0}–{1}', r.line + 1, r.endLine + 1), 3000);
		return r.text;
	}

	/** Moves the selection to the next/previous entry of `kind`; returns the new 0-based line or undefined. */
	async go(kind: NavigationKind, direction: 'next' | 'previous'): Promise<number | undefined> {
		const ed = vscode.window.activeTextEditor;
		if (!ed || !isLogDocument(ed.document)) return undefined;
		// a large-log window navigates the whole file, moving the window as needed
		if (this.large && LargeLog.isWindow(ed.document.uri)) return this.large.navigate(kind, direction);
		const r = await this.client.sendRequest(NavigateRequest.type, { uri: ed.document.uri.toString(), line: ed.selection.active.line, direction, kind });
		const what = kind === 'error' ? 'error' : kind === 'warning' ? 'warning or error' : 'entry';
		if (r.line === null) {
			void vscode.window.setStatusBarMessage(vscode.l10n.t('Log Lens: no {0} in this log', what), 4000);
			return undefined;
		}
		if (r.wrapped) void vscode.window.setStatusBarMessage(vscode.l10n.t('Log Lens: wrapped to the {0} {1}', direction === 'next' ? 'first' : 'last', what), 4000);
		this.reveal(ed, r.line);
		return r.line;
	}

	private reveal(ed: vscode.TextEditor, line: number): void {
		const l = Math.min(line, ed.document.lineCount - 1);
		ed.selection = new vscode.Selection(l, 0, l, 0);
		ed.revealRange(new vscode.Range(l, 0, l, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
	}

	async goToTime(time?: string): Promise<number | undefined> {
		const ed = vscode.window.activeTextEditor;
		if (!ed || !isLogDocument(ed.document)) return undefined;
		const t = time ?? await vscode.window.showInputBox({ title: 'Log Lens: Go to Timestamp', prompt: 'A time like 14:03:22 or 2024-05-01T14:03:22 — goes to the nearest entry' });
		if (!t) return undefined;
		if (this.large && LargeLog.isWindow(ed.document.uri)) return this.large.goToTime(t);
		const r = await this.client.sendRequest(GotoTimeRequest.type, { uri: ed.document.uri.toString(), time: t });
		if (r.error || r.line === null) {
			void vscode.window.showWarningMessage(vscode.l10n.t('Log Lens: {0}', r.error ?? 'this log has no timestamps'));
			return undefined;
		}
		this.reveal(ed, r.line);
		return r.line;
	}
}
