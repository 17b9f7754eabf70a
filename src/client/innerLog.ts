/**
 * Show Inner Log: a wrapped log (Kubernetes CRI, Docker json-file, journald JSON, kubectl output)
 * stays in the editor as written; this command opens what the program itself wrote, unwrapped and
 * without escape sequences, as a read-only tab `loglens-inner:/<name> (inner log).log?<source>`.
 * The server indexes the tab with the inner format (hover, levels); Go to Source Line (and F12)
 * leads back to the wrapper line.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { InnerLogRequest, InnerLogResult, ReleaseDocumentNotification } from '../shared/protocol';
import { formatCount } from '../shared/describeFilter';
import { Disposable } from './disposable';
import type { FilterFeature } from './filterCommand';
import { isLogDocument } from './logDocuments';

export const INNER_SCHEME = 'loglens-inner';

/** A tab holds at most this much text (see TAB_MAX_BYTES in filterCommand.ts for why). */
const TAB_MAX_BYTES = 2 << 20;

export class InnerLogFeature extends Disposable implements vscode.TextDocumentContentProvider {
	/** Last result per tab URI: the line map for Go to Source Line. */
	private readonly results = new Map<string, InnerLogResult>();

	constructor(private readonly client: LanguageClient, filters: FilterFeature) {
		super();
		this._register(vscode.workspace.registerTextDocumentContentProvider(INNER_SCHEME, this));
		this._register(vscode.languages.registerDefinitionProvider({ scheme: INNER_SCHEME }, { provideDefinition: (doc, pos) => this.sourceLocation(doc.uri, pos.line) }));
		this._register(filters.addSourceLocator((uri, line) => this.sourceLocation(uri, line)));
		this._register(vscode.workspace.onDidCloseTextDocument((d) => {
			if (d.uri.scheme !== INNER_SCHEME) return;
			this.results.delete(d.uri.toString());
			void client.sendNotification(ReleaseDocumentNotification.type, { uri: d.uri.toString() });
		}));
		this._register(vscode.commands.registerCommand('logLens.showInnerLog', () => this.show()));
	}

	/** Opens the inner log of the active log beside it; tells the user when the log is not wrapped. */
	async show(): Promise<vscode.TextEditor | undefined> {
		const doc = vscode.window.activeTextEditor?.document;
		if (!isLogDocument(doc)) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: open a log file first.'));
			return undefined;
		}
		const source = doc.uri.scheme === 'loglens-window' ? vscode.Uri.file(doc.uri.query) : doc.uri;
		const name = source.path.split('/').pop() ?? 'log';
		const uri = vscode.Uri.from({ scheme: INNER_SCHEME, path: `/${name.replace(/[\\?#]/g, '_')} (inner log).log`, query: source.toString() });
		const r = await this.fetch(uri);
		if (!r) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0} is not a wrapped log (Kubernetes, Docker, journald or kubectl output): its text is already the log.', name));
			return undefined;
		}
		let tab = await vscode.workspace.openTextDocument(uri);
		if (tab.languageId !== 'log') tab = await vscode.languages.setTextDocumentLanguage(tab, 'log');
		const editor = await vscode.window.showTextDocument(tab, { viewColumn: vscode.ViewColumn.Beside, preview: false });
		if (r.truncated) void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: the inner log tab shows the first {0} of {1} entries.', formatCount(r.entries), formatCount(r.totalEntries)));
		return editor;
	}

	private async fetch(uri: vscode.Uri, token?: vscode.CancellationToken): Promise<InnerLogResult | null> {
		const r = await this.client.sendRequest(InnerLogRequest.type, { uri: uri.query, maxBytes: TAB_MAX_BYTES, tab: uri.toString() }, token);
		if (r) this.results.set(uri.toString(), r);
		return r;
	}

	async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
		const known = this.results.get(uri.toString());
		const r = known ?? (await this.fetch(uri, token));
		return r?.text ?? '';
	}

	/** The wrapper line a line of an inner-log tab comes from. */
	sourceLocation(uri: vscode.Uri, line: number): vscode.Location | undefined {
		if (uri.scheme !== INNER_SCHEME) return undefined;
		const src = this.results.get(uri.toString())?.lineMap[line];
		if (src === undefined) return undefined;
		return new vscode.Location(vscode.Uri.parse(uri.query), new vscode.Position(src, 0));
	}
}
