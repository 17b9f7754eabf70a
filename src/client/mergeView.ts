/**
 * Merge Logs… and Open Rotated Set: one read-only tab with every entry of several files (or of a
 * rotated set, `.gz` included) in time order, each entry marked with its source file (a coloured
 * label before it, the full path on hover). Go to Source Line jumps to the right file and line.
 */
import * as vscode from 'vscode';
import { setting, updateSetting } from './settings';
import * as path from 'path';
import type { LanguageClient } from 'vscode-languageclient/node';
import { MergeContentRequest, MergeDropNotification, MergeInfo, MergeRequest, MergeSourceRequest } from '../shared/protocol';
import { Disposable } from './disposable';
import { isRotatedName } from '../core/follow/followRotation';
import { formatCount } from '../shared/describeFilter';

import { MERGE_SCHEME } from '../shared/schemes';
export { MERGE_SCHEME };
const PALETTE = ['charts.blue', 'charts.orange', 'charts.green', 'charts.purple', 'charts.yellow', 'charts.red', 'terminal.ansiCyan', 'terminal.ansiMagenta'];

interface Merged { info: MergeInfo; entryLines: number[]; entryFiles: number[] }

export class MergeView extends Disposable implements vscode.TextDocumentContentProvider {
	private readonly merges = new Map<string, Merged>();
	private readonly labelTypes: vscode.TextEditorDecorationType[] = [];

	constructor(private readonly client: LanguageClient) {
		super();
		this._register(vscode.workspace.registerTextDocumentContentProvider(MERGE_SCHEME, this));
		const reg = (id: string, fn: (...a: never[]) => unknown) => this._register(vscode.commands.registerCommand(id, fn));
		reg('logLens.mergeLogs', (paths?: string[]) => this.mergeLogs(paths));
		reg('logLens.openRotatedSet', (p?: string) => this.openRotatedSet(p));
		this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.decorateVisible()));
		this._register(vscode.workspace.onDidCloseTextDocument((d) => {
			if (d.uri.scheme !== MERGE_SCHEME) return;
			this.merges.delete(d.uri.query);
			void client.sendNotification(MergeDropNotification.type, { id: d.uri.query });
		}));
		this._register({ dispose: () => { for (const t of this.labelTypes) t.dispose(); } });
		this._register(vscode.workspace.onDidOpenTextDocument((d) => void this.offerRotatedSet(d)));
	}

	private readonly offered = new Set<string>();

	/** Opening a log that has rotated predecessors offers to show them as one timeline (once per file). */
	private async offerRotatedSet(doc: vscode.TextDocument): Promise<void> {
		if (doc.uri.scheme !== 'file' || doc.languageId !== 'log' || this.offered.has(doc.uri.fsPath)) return;
		if (!setting('rotatedSetPrompt')) return;
		this.offered.add(doc.uri.fsPath);
		const base = path.basename(doc.uri.fsPath).replace(/(\.\d+)?(\.gz)?$/, '');
		let names: [string, vscode.FileType][];
		try {
			names = await vscode.workspace.fs.readDirectory(vscode.Uri.file(path.dirname(doc.uri.fsPath)));
		} catch {
			return;
		}
		// the engine's naming rules (numbered, dated, logrotate dateext), with .gz archives too
		const rotated = names.filter(([n]) => isRotatedName(base, n.replace(/\.gz$/, '')));
		if (!rotated.length) return;
		const open = vscode.l10n.t('Open Rotated Set');
		const never = vscode.l10n.t('Don\'t Ask Again');
		const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0} has {1} rotated predecessor(s). Show them as one timeline?', base, rotated.length), open, never);
		if (choice === open) await this.openRotatedSet(path.join(path.dirname(doc.uri.fsPath), base));
		else if (choice === never) await updateSetting('rotatedSetPrompt', false, vscode.ConfigurationTarget.Global);
	}

	async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
		const r = await this.client.sendRequest(MergeContentRequest.type, { id: uri.query });
		const m = this.merges.get(uri.query);
		if (m) {
			m.entryLines = r.entryLines;
			m.entryFiles = r.entryFiles;
		}
		return r.text;
	}

	private async mergeLogs(paths?: string[]): Promise<vscode.TextEditor | undefined> {
		let list = paths;
		if (!list) {
			const uris = await vscode.window.showOpenDialog({ canSelectMany: true, canSelectFolders: true, openLabel: 'Merge', title: 'Log Lens: choose log files or a folder to merge' });
			if (!uris?.length) return undefined;
			list = [];
			for (const u of uris) {
				const st = await vscode.workspace.fs.stat(u);
				if (st.type & vscode.FileType.Directory) {
					for (const [name, type] of await vscode.workspace.fs.readDirectory(u)) {
						if (type & vscode.FileType.File && /\.log(\.\d+)?(\.gz)?$|\.log\.\d{4}-\d{2}-\d{2}/.test(name)) list.push(vscode.Uri.joinPath(u, name).fsPath);
					}
				} else list.push(u.fsPath);
			}
		}
		if (!list.length) return undefined;
		return this.open({ paths: list }, `Merged ${list.length} logs`);
	}

	private async openRotatedSet(p?: string): Promise<vscode.TextEditor | undefined> {
		const file = p ?? (vscode.window.activeTextEditor?.document.uri.scheme === 'file' ? vscode.window.activeTextEditor.document.uri.fsPath : undefined);
		if (!file) return undefined;
		return this.open({ paths: [file], rotated: true }, `${path.basename(file).replace(/(\.\d+)?(\.gz)?$/, '')} (rotated set)`);
	}

	private async open(params: { paths: string[]; rotated?: boolean }, title: string): Promise<vscode.TextEditor> {
		const info = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Log Lens: merging…') }, () =>
			this.client.sendRequest(MergeRequest.type, { ...params, maxEntries: setting('filter.maxEntries') }));
		this.merges.set(info.id, { info, entryLines: [], entryFiles: [] });
		const uri = vscode.Uri.from({ scheme: MERGE_SCHEME, path: `/${title}.log`, query: info.id });
		let doc = await vscode.workspace.openTextDocument(uri);
		if (doc.languageId !== 'log') doc = await vscode.languages.setTextDocumentLanguage(doc, 'log');
		const ed = await vscode.window.showTextDocument(doc, { preview: false });
		if (info.truncated) void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: the merge shows the first {0} entries (logLens.filter.maxEntries).', formatCount(info.entries)));
		this.decorateVisible();
		return ed;
	}

	private labelType(i: number): vscode.TextEditorDecorationType {
		while (this.labelTypes.length <= i) {
			const color = new vscode.ThemeColor(PALETTE[this.labelTypes.length % PALETTE.length]);
			this.labelTypes.push(vscode.window.createTextEditorDecorationType({
				borderColor: color, borderStyle: 'solid', borderWidth: '0 0 0 3px',
				before: { color, margin: '0 0.6em 0 0', fontStyle: 'italic' },
			}));
		}
		return this.labelTypes[i];
	}

	/** A coloured source label before every entry, and a coloured bar along the entry's lines. */
	private decorateVisible(): void {
		for (const ed of vscode.window.visibleTextEditors) {
			if (ed.document.uri.scheme !== MERGE_SCHEME) continue;
			const m = this.merges.get(ed.document.uri.query);
			if (!m) continue;
			const per = m.info.files.map(() => [] as vscode.DecorationOptions[]);
			for (let k = 0; k < m.entryLines.length; k++) {
				const f = m.entryFiles[k];
				const line = m.entryLines[k];
				if (line >= ed.document.lineCount || !per[f]) continue;
				per[f].push({ range: new vscode.Range(line, 0, line, 0), hoverMessage: m.info.files[f].path, renderOptions: { before: { contentText: m.info.files[f].label } } });
			}
			per.forEach((opts, i) => ed.setDecorations(this.labelType(i), opts));
		}
	}

	/** The file and line a line of a merged tab came from. */
	async sourceOf(uri: vscode.Uri, line: number): Promise<vscode.Location | undefined> {
		if (uri.scheme !== MERGE_SCHEME) return undefined;
		const r = await this.client.sendRequest(MergeSourceRequest.type, { id: uri.query, line });
		return r ? new vscode.Location(vscode.Uri.file(r.file), new vscode.Position(r.line, 0)) : undefined;
	}
}
