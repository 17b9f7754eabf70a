/**
 * Which documents are logs, and their summaries as the server last reported them. Summaries
 * arrive through IndexChangedNotification; features listen to `onDidChangeSummary`.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { IndexChangedNotification, LogSummary, SummaryRequest, OpenLogNotification, CloseLogNotification } from '../shared/protocol';
import { Disposable } from './disposable';

import { FILTER_SCHEME } from '../shared/schemes';
export { FILTER_SCHEME };

/** A follow tab's language while it bursts (no grammar; see followMode.ts). */
export const LIVE_LANGUAGE = 'log-live';

export function isLogDocument(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
	return !!doc && (doc.languageId === 'log' || doc.languageId === LIVE_LANGUAGE);
}

export class LogDocuments extends Disposable {
	private readonly summaries = new Map<string, LogSummary>();
	private readonly _onDidChangeSummary = this._register(new vscode.EventEmitter<LogSummary>());
	readonly onDidChangeSummary = this._onDidChangeSummary.event;
	private readonly openedByTab = new Set<string>();

	constructor(private readonly client: LanguageClient) {
		super();
		this._register(client.onNotification(IndexChangedNotification.type, (s) => {
			this.summaries.set(s.uri, s);
			this._onDidChangeSummary.fire(s);
		}));
		// Files over 50 MB are shown in tabs but never synced to extensions: tell the server about
		// log tabs directly so it indexes them from disk.
		this._register(vscode.window.tabGroups.onDidChangeTabs(() => this.syncTabs()));
		this.syncTabs();
	}

	get(uri: vscode.Uri): LogSummary | undefined {
		return this.summaries.get(uri.toString());
	}

	async summary(uri: vscode.Uri): Promise<LogSummary> {
		const s = await this.client.sendRequest(SummaryRequest.type, { uri: uri.toString() });
		this.summaries.set(s.uri, s);
		return s;
	}

	private syncTabs(): void {
		const now = new Set<string>();
		for (const group of vscode.window.tabGroups.all) {
			for (const tab of group.tabs) {
				const input = tab.input;
				if (input instanceof vscode.TabInputText && input.uri.scheme === 'file' && /\.log(\.[\w-]+)?$/i.test(input.uri.path)) {
					now.add(input.uri.toString());
				}
			}
		}
		for (const uri of now) {
			if (!this.openedByTab.has(uri)) void this.client.sendNotification(OpenLogNotification.type, { uri });
		}
		for (const uri of this.openedByTab) {
			if (!now.has(uri)) void this.client.sendNotification(CloseLogNotification.type, { uri });
		}
		this.openedByTab.clear();
		for (const u of now) this.openedByTab.add(u);
	}
}
