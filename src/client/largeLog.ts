/**
 * Open Large Log: a read-only window of N lines of a file too big for the editor, read from disk
 * by the server's index. Navigation (line, time, next/previous error) moves the window when the
 * target is outside it, so a 1 GB log is browsed like any other. The status bar says where the
 * window is; indexing shows a cancellable progress notification.
 */
import * as vscode from 'vscode';
import * as path from 'path';
import type { LanguageClient } from 'vscode-languageclient/node';
import { GotoTimeRequest, NavigateRequest, NavigationKind, WindowRequest, WindowResult, SummaryRequest, CloseWindowNotification } from '../shared/protocol';
import { Disposable } from './disposable';
import { formatCount } from '../shared/describeFilter';

import { WINDOW_SCHEME } from '../shared/schemes';
export { WINDOW_SCHEME };
const WINDOW_LINES = 5000;

interface WindowState { path: string; start: number; last?: WindowResult; pendingReveal?: number }

export class LargeLog extends Disposable implements vscode.TextDocumentContentProvider {
	private readonly _onDidChange = this._register(new vscode.EventEmitter<vscode.Uri>());
	readonly onDidChange = this._onDidChange.event;
	private readonly windows = new Map<string, WindowState>();
	private readonly status = this._register(vscode.window.createStatusBarItem('logLens.window', vscode.StatusBarAlignment.Right, 99));

	constructor(private readonly client: LanguageClient) {
		super();
		this._register(vscode.workspace.registerTextDocumentContentProvider(WINDOW_SCHEME, this));
		const reg = (id: string, fn: (...a: never[]) => unknown) => this._register(vscode.commands.registerCommand(id, fn));
		reg('logLens.openLargeLog', (p?: string) => this.open(p));
		reg('logLens.window.goToLine', (line?: number) => this.goToLine(line));
		reg('logLens.window.earlier', () => this.page(-1));
		reg('logLens.window.later', () => this.page(1));
		this._register(vscode.window.onDidChangeActiveTextEditor(() => this.renderStatus()));
		this._register(vscode.workspace.onDidChangeTextDocument((e) => {
			const st = this.state(e.document.uri);
			if (st?.pendingReveal !== undefined) void this.revealAbsolute(e.document.uri, st.pendingReveal);
		}));
		this._register(vscode.workspace.onDidCloseTextDocument((d) => {
			const st = this.state(d.uri);
			if (!st) return;
			this.windows.delete(d.uri.toString());
			const releaseFile = ![...this.windows.values()].some((w) => w.path === st.path);
			void client.sendNotification(CloseWindowNotification.type, { path: st.path, uri: d.uri.toString(), releaseFile });
		}));
	}

	static isWindow(uri: vscode.Uri): boolean {
		return uri.scheme === WINDOW_SCHEME;
	}

	private state(uri: vscode.Uri): WindowState | undefined {
		return uri.scheme === WINDOW_SCHEME ? this.windows.get(uri.toString()) : undefined;
	}

	async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
		const st = this.windows.get(uri.toString()) ?? { path: uri.query, start: 0 };
		this.windows.set(uri.toString(), st);
		const r = await this.client.sendRequest(WindowRequest.type, { path: st.path, startLine: st.start, count: WINDOW_LINES, uri: uri.toString() });
		st.start = r.startLine;
		st.last = r;
		this.renderStatus();
		return r.text;
	}

	/** Opens a window on `filePath` (asks for a file when not given), indexing with progress. */
	async open(filePath?: string): Promise<vscode.TextEditor | undefined> {
		const target = filePath ?? (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Open Large Log' }))?.[0]?.fsPath;
		if (!target) return undefined;
		const uri = vscode.Uri.from({ scheme: WINDOW_SCHEME, path: `/${path.basename(target)}`, query: target });
		this.windows.set(uri.toString(), { path: target, start: 0 });
		const fileUri = vscode.Uri.file(target).toString();
		let doc = await vscode.workspace.openTextDocument(uri);
		if (doc.languageId !== 'log') doc = await vscode.languages.setTextDocumentLanguage(doc, 'log');
		const ed = await vscode.window.showTextDocument(doc, { preview: false });
		// Indexing progress (cancellable: closes the window and frees the index).
		void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Log Lens: indexing ${path.basename(target)}`, cancellable: true }, async (progress, token) => {
			let reported = 0;
			for (;;) {
				if (token.isCancellationRequested) {
					await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
					return;
				}
				const s = await this.client.sendRequest(SummaryRequest.type, { uri: fileUri });
				const pct = s.bytes ? Math.floor((100 * s.indexedBytes) / s.bytes) : 100;
				progress.report({ increment: pct - reported, message: `${pct}% · ${formatCount(s.lines)} lines` });
				reported = pct;
				if (s.state !== 'indexing') {
					const st = this.windows.get(uri.toString());
					if (st?.last && st.last.lines === WINDOW_LINES && st.start + st.last.lines < s.lines) {
						// the window was full of complete lines: its text is final, only the totals
						// changed (no refetch of half a megabyte through the editor)
						st.last = { ...st.last, state: s.state, totalLines: s.lines, totalEntries: s.entries, indexedBytes: s.indexedBytes, bytes: s.bytes };
						this.renderStatus();
					} else {
						this._onDidChange.fire(uri);
					}
					return;
				}
				await new Promise((r) => setTimeout(r, 250));
			}
		});
		return ed;
	}

	/** Moves the window so `line` (absolute, 0-based) is inside it, then selects it. */
	async revealAbsolute(uri: vscode.Uri, line: number): Promise<void> {
		const st = this.state(uri);
		if (!st) return;
		const inside = st.last && line >= st.start && line < st.start + st.last.lines;
		if (!inside) {
			st.start = Math.max(0, line - Math.floor(WINDOW_LINES / 2));
			st.pendingReveal = line;
			this._onDidChange.fire(uri);
			return;
		}
		st.pendingReveal = undefined;
		const ed = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
		if (!ed) return;
		const rel = line - st.start;
		ed.selection = new vscode.Selection(rel, 0, rel, 0);
		ed.revealRange(new vscode.Range(rel, 0, rel, 0), vscode.TextEditorRevealType.InCenter);
		this.renderStatus();
	}

	/** Next/previous entry of a kind across the whole file; resolves with the absolute line. */
	async navigate(kind: NavigationKind, direction: 'next' | 'previous'): Promise<number | undefined> {
		const ed = vscode.window.activeTextEditor;
		const st = ed && this.state(ed.document.uri);
		if (!ed || !st) return undefined;
		const r = await this.client.sendRequest(NavigateRequest.type, { uri: vscode.Uri.file(st.path).toString(), line: st.start + ed.selection.active.line, direction, kind });
		if (r.line === null) return undefined;
		if (r.wrapped) void vscode.window.setStatusBarMessage(vscode.l10n.t('Log Lens: wrapped around {0}', path.basename(st.path)), 4000);
		await this.revealAbsolute(ed.document.uri, r.line);
		return r.line;
	}

	async goToTime(time: string): Promise<number | undefined> {
		const ed = vscode.window.activeTextEditor;
		const st = ed && this.state(ed.document.uri);
		if (!ed || !st) return undefined;
		const r = await this.client.sendRequest(GotoTimeRequest.type, { uri: vscode.Uri.file(st.path).toString(), time });
		if (r.line === null) {
			void vscode.window.showWarningMessage(vscode.l10n.t('Log Lens: {0}', r.error ?? 'no timestamps'));
			return undefined;
		}
		await this.revealAbsolute(ed.document.uri, r.line);
		return r.line;
	}

	private async goToLine(line?: number): Promise<number | undefined> {
		const ed = vscode.window.activeTextEditor;
		const st = ed && this.state(ed.document.uri);
		if (!ed || !st) return undefined;
		const input = line !== undefined ? String(line) : await vscode.window.showInputBox({ title: 'Log Lens: Go to Line in Large Log', prompt: `1–${formatCount(st.last?.totalLines ?? 0)}` });
		const n = Number(input?.replace(/[,_ ]/g, ''));
		if (!Number.isFinite(n) || n < 1) return undefined;
		await this.revealAbsolute(ed.document.uri, n - 1);
		return n - 1;
	}

	private async page(dir: 1 | -1): Promise<void> {
		const ed = vscode.window.activeTextEditor;
		const st = ed && this.state(ed.document.uri);
		if (!ed || !st) return;
		st.start = Math.max(0, st.start + dir * WINDOW_LINES);
		this._onDidChange.fire(ed.document.uri);
	}

	private renderStatus(): void {
		const ed = vscode.window.activeTextEditor;
		const st = ed && this.state(ed.document.uri);
		if (!st?.last) {
			this.status.hide();
			return;
		}
		const r = st.last;
		const from = r.startLine + 1, to = r.startLine + r.lines;
		this.status.text = `$(book) Lines ${formatCount(from)}–${formatCount(to)} of ${formatCount(r.totalLines)}${r.state === 'indexing' ? ' (indexing…)' : ''}`;
		this.status.tooltip = `${st.path}\nA window of the file; Log Lens: Go to Line in Large Log moves it.`;
		this.status.command = 'logLens.window.goToLine';
		this.status.show();
	}
}
