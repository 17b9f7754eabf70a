/**
 * Filtered tabs: Filter by Level / Text / Time / Logger, Clear Filter, Go to Source Line.
 * A filtered tab is a read-only virtual document `loglens-filter:/<name>?<state>`; its text comes
 * from the server (FilterRequest), with the filter and counts stated on the first line. Running a
 * filter in a filtered tab refines it (the new filter is ANDed with the old, over the original
 * source). The tab is refreshed when its source's index changes.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FilterRequest, FilterSpec, LEVEL_ORDER, LevelName, FilterResult, LevelCounts, FilterToFileRequest, ReleaseDocumentNotification } from '../shared/protocol';
import { Disposable } from './disposable';
import { describeFilter, formatCount } from '../shared/describeFilter';
import type { MergeView } from './mergeView';
import { LogDocuments, isLogDocument } from './logDocuments';
import { decodeFilterQuery, FILTER_SCHEME, FilterState, MERGE_SCHEME, WINDOW_SCHEME } from '../shared/schemes';
import { setting } from './settings';


/**
 * A filtered tab holds at most this much text (logLens.filter.maxEntries caps entries). VS Code
 * sends a virtual document's whole text from the renderer to the extension host and scans every
 * line of it there (document sync, link detection) synchronously: 16 MB of filter result stalled
 * the extension host's event loop for seconds, a few MB keeps each step in tens of milliseconds.
 * "Save Filter Result to File…" writes every match.
 */
const TAB_MAX_BYTES = 2 << 20;

const LEVEL_LABEL: Record<LevelName, string> = {
	trace: 'Trace', debug: 'Debug', info: 'Info', notice: 'Notice', warning: 'Warning', error: 'Error', critical: 'Critical', unknown: 'Unknown',
};
const LEVEL_ICON: Record<LevelName, string> = {
	trace: '$(debug-stackframe-dot)', debug: '$(debug)', info: '$(info)', notice: '$(bell)', warning: '$(warning)', error: '$(error)', critical: '$(flame)', unknown: '$(question)',
};

export function encodeFilterUri(state: FilterState, title: string): vscode.Uri {
	const safe = title.replace(/[/\\?#]/g, '_');
	return vscode.Uri.from({ scheme: FILTER_SCHEME, path: `/${safe}`, query: JSON.stringify(state) });
}

export function decodeFilterUri(uri: vscode.Uri): FilterState | undefined {
	return uri.scheme === FILTER_SCHEME ? decodeFilterQuery(uri.query) : undefined;
}

export class FilterFeature extends Disposable implements vscode.TextDocumentContentProvider {
	private readonly _onDidChange = this._register(new vscode.EventEmitter<vscode.Uri>());
	readonly onDidChange = this._onDidChange.event;
	/** Last result per filter URI: the line map for Go to Source Line. */
	private readonly results = new Map<string, FilterResult>();
	private readonly refreshTimers = new Map<string, NodeJS.Timeout>();
	/** Other virtual tabs whose lines lead back to a source (see `addSourceLocator`). */
	private readonly locators: ((uri: vscode.Uri, line: number) => vscode.Location | undefined)[] = [];
	private readonly _onDidShowPicker = this._register(new vscode.EventEmitter<vscode.QuickPick<vscode.QuickPickItem>>());
	/** Fires when a filter QuickPick is shown (tests drive it through the real QuickPick commands). */
	readonly onDidShowPicker = this._onDidShowPicker.event;

	constructor(private readonly client: LanguageClient, docs: LogDocuments, private readonly merged?: MergeView) {
		super();
		this._register(vscode.workspace.registerTextDocumentContentProvider(FILTER_SCHEME, this));
		this._register(vscode.languages.registerDefinitionProvider([{ scheme: FILTER_SCHEME }, { scheme: MERGE_SCHEME }], {
			provideDefinition: (doc, pos) => this.sourceLocation(doc.uri, pos.line) ?? this.merged?.sourceOf(doc.uri, pos.line),
		}));
		this._register(vscode.workspace.onDidCloseTextDocument((d) => {
			if (d.uri.scheme !== FILTER_SCHEME) return;
			this.results.delete(d.uri.toString());
			void client.sendNotification(ReleaseDocumentNotification.type, { uri: d.uri.toString() });
		}));
		// Live: when a source's index changes, refresh the open filtered tabs of that source (debounced).
		this._register(docs.onDidChangeSummary((s) => {
			for (const d of vscode.workspace.textDocuments) {
				const st = decodeFilterUri(d.uri);
				if (st?.source === s.uri) this.scheduleRefresh(d.uri);
			}
		}));
		this._register({ dispose: () => { for (const t of this.refreshTimers.values()) clearTimeout(t); } });
		const reg = (id: string, fn: (...a: never[]) => unknown) => this._register(vscode.commands.registerCommand(id, fn));
		reg('logLens.filterByLevel', (arg?: FilterSpec | LevelName) => this.filterByLevel(arg));
		reg('logLens.filterByText', (arg?: FilterSpec) => this.filterByText(arg));
		reg('logLens.filterByTime', (arg?: FilterSpec) => this.filterByTime(arg));
		reg('logLens.filterByLogger', (arg?: FilterSpec) => this.filterByLogger(arg));
		reg('logLens.applyFilter', (arg: { source?: string; filter: FilterSpec }) => this.open(arg.filter, arg.source ? vscode.Uri.parse(arg.source) : undefined));
		reg('logLens.clearFilter', () => this.clearFilter());
		reg('logLens.goToSourceLine', () => this.goToSourceLine());
		reg('logLens.saveFilterResult', (target?: string) => this.saveResult(target));
	}

	private scheduleRefresh(uri: vscode.Uri): void {
		const key = uri.toString();
		if (this.refreshTimers.has(key)) return;
		this.refreshTimers.set(key, setTimeout(() => {
			this.refreshTimers.delete(key);
			this._onDidChange.fire(uri);
		}, 300));
	}

	async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
		const st = decodeFilterUri(uri);
		if (!st) return '';
		const max = setting('filter.maxEntries', vscode.Uri.parse(st.source));
		const name = vscode.Uri.parse(st.source).path.split('/').pop() ?? '';
		// The server returns the tab's text with its header line and indexes it itself (the tab is
		// not synced back); the text is capped in bytes too, as VS Code copies a virtual document's
		// text through the extension host in one go (see TAB_MAX_BYTES).
		const r = await this.client.sendRequest(FilterRequest.type, { uri: st.source, filter: st.filter, maxEntries: max, maxBytes: TAB_MAX_BYTES, tab: { uri: uri.toString(), name } }, token);
		r.lineMap.unshift(-1);
		this.results.set(uri.toString(), r);
		return r.text;
	}

	/** The active log editor and the filter state it already carries (a filtered tab refines). */
	private target(): { source: vscode.Uri; base?: FilterSpec } | undefined {
		const doc = vscode.window.activeTextEditor?.document;
		if (!isLogDocument(doc)) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: open a log file first.'));
			return undefined;
		}
		const st = decodeFilterUri(doc.uri);
		if (st) return { source: vscode.Uri.parse(st.source), base: st.filter };
		// a large-log window filters the whole file, not the window
		if (doc.uri.scheme === WINDOW_SCHEME) return { source: vscode.Uri.file(doc.uri.query) };
		return { source: doc.uri };
	}

	/** Opens the filtered tab for `filter` over the active log (refining when it is a filtered tab). */
	async open(filter: FilterSpec, source?: vscode.Uri): Promise<vscode.TextEditor | undefined> {
		const t = source ? { source } : this.target();
		if (!t) return undefined;
		const spec: FilterSpec = t.base ? { ...filter, and: [t.base] } : filter;
		const name = t.source.path.split('/').pop() ?? 'log';
		const uri = encodeFilterUri({ source: t.source.toString(), filter: spec }, `${name} · ${describeFilter(spec)}.log`);
		let doc = await vscode.workspace.openTextDocument(uri);
		if (doc.languageId !== 'log') doc = await vscode.languages.setTextDocumentLanguage(doc, 'log');
		return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
	}

	private async filterByLevel(arg?: FilterSpec | LevelName): Promise<vscode.TextEditor | undefined> {
		if (typeof arg === 'string') return this.open({ minLevel: arg });
		if (arg) return this.open(arg);
		const t = this.target();
		if (!t) return undefined;
		const counts = await this.levelCounts(t.source, t.base);
		type Item = vscode.QuickPickItem & { level?: LevelName; choose?: boolean };
		const items: Item[] = [];
		let atOrAbove = 0;
		const above: Record<string, number> = {};
		for (let i = LEVEL_ORDER.length - 1; i >= 0; i--) {
			atOrAbove += counts[LEVEL_ORDER[i]] ?? 0;
			above[LEVEL_ORDER[i]] = atOrAbove;
		}
		for (let i = LEVEL_ORDER.length - 1; i >= 0; i--) {
			const l = LEVEL_ORDER[i];
			const label = i === LEVEL_ORDER.length - 1 ? LEVEL_LABEL[l] : `${LEVEL_LABEL[l]} and above`;
			items.push({ label: `${LEVEL_ICON[l]} ${label}`, description: `${formatCount(above[l])} entries`, level: l });
		}
		items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(checklist) Choose levels…', choose: true });
		const pick = await this.pick(items, { title: 'Log Lens: Filter by Level', placeholder: 'Show entries at or above a level' });
		if (!pick) return undefined;
		if (pick.level) return this.open({ minLevel: pick.level });
		const many = await vscode.window.showQuickPick(
			[...LEVEL_ORDER, 'unknown' as const].reverse().map((l) => ({ label: `${LEVEL_ICON[l]} ${LEVEL_LABEL[l]}`, description: `${formatCount(counts[l] ?? 0)} entries`, level: l })),
			{ canPickMany: true, title: 'Log Lens: Choose levels' });
		if (!many?.length) return undefined;
		return this.open({ levels: many.map((m) => m.level) });
	}

	/** Level counts of the source, or of what the base filter keeps of it. */
	/** Shows a QuickPick and resolves with the accepted item (undefined when dismissed). */
	private pick<T extends vscode.QuickPickItem>(items: T[], opts: { title: string; placeholder: string }): Promise<T | undefined> {
		const qp = vscode.window.createQuickPick<T>();
		qp.title = opts.title;
		qp.placeholder = opts.placeholder;
		qp.items = items;
		return new Promise<T | undefined>((resolve) => {
			let done = false;
			const finish = (v: T | undefined) => {
				if (done) return;
				done = true;
				resolve(v);
				qp.dispose();
			};
			qp.onDidAccept(() => finish(qp.selectedItems[0] ?? qp.activeItems[0]));
			qp.onDidHide(() => finish(undefined));
			qp.show();
			this._onDidShowPicker.fire(qp);
		});
	}

	private async levelCounts(source: vscode.Uri, base?: FilterSpec): Promise<LevelCounts> {
		const r = await this.client.sendRequest(FilterRequest.type, { uri: source.toString(), filter: base ?? {}, maxEntries: 0 });
		return r.levels;
	}

	private async filterByText(arg?: FilterSpec): Promise<vscode.TextEditor | undefined> {
		if (arg) return this.open(arg);
		const value = await vscode.window.showInputBox({
			title: 'Log Lens: Filter by Text or Regex',
			prompt: 'Text to keep. Prefix with "!" to exclude; wrap in /…/ for a regular expression (add i after the closing / to ignore case).',
			placeHolder: 'timeout   or   /conn(ection)? refused/i   or   !healthcheck',
		});
		if (!value) return undefined;
		const exclude = value.startsWith('!');
		const body = exclude ? value.slice(1) : value;
		const m = /^\/(.*)\/(i?)$/.exec(body);
		const spec: FilterSpec = m ? { regex: true, ignoreCase: m[2] === 'i' } : { ignoreCase: body === body.toLowerCase() };
		if (exclude) spec.exclude = m ? m[1] : body;
		else spec.include = m ? m[1] : body;
		return this.open(spec);
	}

	private async filterByTime(arg?: FilterSpec): Promise<vscode.TextEditor | undefined> {
		if (arg) return this.open(arg);
		const since = await vscode.window.showInputBox({ title: 'Log Lens: Filter by Time Range (1/2)', prompt: 'From: ISO time, HH:MM[:SS], or relative like 15m, 2h, 1d (empty = from the start)' });
		if (since === undefined) return undefined;
		const until = await vscode.window.showInputBox({ title: 'Log Lens: Filter by Time Range (2/2)', prompt: 'Until: ISO time or HH:MM[:SS] (empty = to the end)' });
		if (until === undefined) return undefined;
		return this.open({ since: since || undefined, until: until || undefined });
	}

	private async filterByLogger(arg?: FilterSpec): Promise<vscode.TextEditor | undefined> {
		if (arg) return this.open(arg);
		const logger = await vscode.window.showInputBox({ title: 'Log Lens: Filter by Logger', prompt: 'Logger name (its children match too: app.db matches app.db.pool)' });
		if (!logger) return undefined;
		return this.open({ logger });
	}

	private async clearFilter(): Promise<void> {
		const doc = vscode.window.activeTextEditor?.document;
		const st = doc && decodeFilterUri(doc.uri);
		if (!st) return;
		const source = vscode.Uri.parse(st.source);
		await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
		await vscode.window.showTextDocument(source, { preview: false });
	}

	/** Writes every matching entry (no cap) to a file chosen by the user. */
	private async saveResult(target?: string): Promise<{ entries: number; bytes: number } | undefined> {
		const doc = vscode.window.activeTextEditor?.document;
		const st = doc && decodeFilterUri(doc.uri);
		if (!st) return undefined;
		const src = vscode.Uri.parse(st.source);
		const dest = target ? vscode.Uri.file(target) : await vscode.window.showSaveDialog({ defaultUri: src.scheme === 'file' ? vscode.Uri.file(src.fsPath.replace(/(\.log)?$/, '.filtered.log')) : undefined, saveLabel: 'Save Filter Result' });
		if (!dest) return undefined;
		const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Log Lens: saving the filter result…', cancellable: true }, (_p, token) =>
			this.client.sendRequest(FilterToFileRequest.type, { uri: st.source, filter: st.filter, path: dest.fsPath }, token));
		void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: saved {0} entries to {1}', formatCount(r.entries), dest.fsPath));
		return r;
	}

	/** Go to Source Line works in another kind of tab too (the inner log of a wrapped log). */
	addSourceLocator(locate: (uri: vscode.Uri, line: number) => vscode.Location | undefined): vscode.Disposable {
		this.locators.push(locate);
		return { dispose: () => void this.locators.splice(this.locators.indexOf(locate), 1) };
	}

	/** Source location of a line of a filtered tab. */
	sourceLocation(uri: vscode.Uri, line: number): vscode.Location | undefined {
		const st = decodeFilterUri(uri);
		const r = this.results.get(uri.toString());
		if (!st || !r) return undefined;
		let src = r.lineMap[line];
		for (let l = line; (src === undefined || src < 0) && l < r.lineMap.length; l++) src = r.lineMap[l];
		if (src === undefined || src < 0) return undefined;
		return new vscode.Location(vscode.Uri.parse(st.source), new vscode.Position(src, 0));
	}

	private async goToSourceLine(): Promise<vscode.TextEditor | undefined> {
		const ed = vscode.window.activeTextEditor;
		if (!ed) return undefined;
		const at = ed.selection.active.line;
		const loc = this.sourceLocation(ed.document.uri, at) ?? this.locators.map((f) => f(ed.document.uri, at)).find((l) => l !== undefined) ?? await this.merged?.sourceOf(ed.document.uri, at);
		if (!loc) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: Go to Source Line works in a filtered, merged or inner-log tab.'));
			return undefined;
		}
		const doc = await vscode.workspace.openTextDocument(loc.uri);
		const line = Math.min(loc.range.start.line, doc.lineCount - 1);
		const target = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === loc.uri.toString());
		const editor = await vscode.window.showTextDocument(doc, { viewColumn: target?.viewColumn ?? vscode.ViewColumn.One, preview: false });
		editor.selection = new vscode.Selection(line, 0, line, doc.lineAt(line).text.length);
		editor.revealRange(editor.selection, vscode.TextEditorRevealType.InCenter);
		return editor;
	}
}
