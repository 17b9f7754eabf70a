/**
 * Whole-entry awareness a line grammar cannot give: the continuation lines of error and critical
 * entries (tracebacks, stack traces) get a tinted background and a gutter bar, so a traceback reads
 * as part of its ERROR line. Ranges come from the server's index.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EntryRangesRequest } from '../shared/protocol';
import { Disposable } from './disposable';
import { LogDocuments, isLogDocument } from './logDocuments';
import { affects, setting } from './settings';

export class EntryDecorations extends Disposable {
	private readonly errorBody = this._register(vscode.window.createTextEditorDecorationType({
		isWholeLine: true,
		backgroundColor: new vscode.ThemeColor('logLens.errorEntryBackground'),
		borderColor: new vscode.ThemeColor('logLens.errorEntryBorder'),
		borderStyle: 'solid',
		borderWidth: '0 0 0 2px',
		overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.errorForeground'),
		overviewRulerLane: vscode.OverviewRulerLane.Right,
	}));
	/** Last applied ranges per document, for tests and for re-applying when an editor is shown again. */
	readonly applied = new Map<string, vscode.Range[]>();

	constructor(private readonly client: LanguageClient, docs: LogDocuments) {
		super();
		this._register(vscode.window.onDidChangeVisibleTextEditors(() => void this.updateVisible()));
		this._register(docs.onDidChangeSummary((s) => {
			for (const ed of vscode.window.visibleTextEditors) if (ed.document.uri.toString() === s.uri) void this.update(ed);
		}));
		this._register(vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, 'entryDecorations')) void this.updateVisible(); }));
		void this.updateVisible();
	}

	private async updateVisible(): Promise<void> {
		await Promise.all(vscode.window.visibleTextEditors.map((ed) => this.update(ed)));
	}

	async update(ed: vscode.TextEditor): Promise<void> {
		if (!isLogDocument(ed.document)) return;
		if (!setting('entryDecorations', ed.document.uri)) {
			ed.setDecorations(this.errorBody, []);
			return;
		}
		try {
			const r = await this.client.sendRequest(EntryRangesRequest.type, { uri: ed.document.uri.toString(), minLevel: 'error' });
			const ranges = r.ranges.map(([a, b]) => new vscode.Range(a, 0, b, 0));
			this.applied.set(ed.document.uri.toString(), ranges);
			ed.setDecorations(this.errorBody, ranges);
		} catch {
			// document closed or server restarting: nothing to decorate
		}
	}
}
