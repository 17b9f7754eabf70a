/**
 * "Log Lens: Show Statistics": a webview with entries over time stacked by level, the error rate,
 * top templates with sparklines and top loggers. The language server aggregates (see
 * `core/stats.ts`); this panel only forwards the buckets, so a two-million-entry log costs the
 * webview a few thousand numbers. Charts are drawn by uPlot (media/vendor): canvas-based and about
 * 50 KB, it draws tens of thousands of points in milliseconds where SVG/DOM chart libraries build
 * one element per bar. Clicking a bar or a template opens a filtered tab through `openFilter`.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import type { StatsResult } from '../core/stats';
import type { FilterSpec } from '../shared/protocol';
import { Disposable } from './disposable';
import { FILTER_SCHEME, isLogDocument } from './logDocuments';

/** Asks the server for the statistics of a document. `detail: false` is the fast, index-only answer. */
export type FetchStats = (uri: string, bucketMs?: number, detail?: boolean) => Promise<StatsResult>;
/** Opens a filtered tab (the lead passes a function running `logLens.applyFilter`). */
export type OpenFilter = (arg: { source: string; filter: FilterSpec }) => Thenable<unknown> | Promise<unknown>;

export const STATS_VIEW_TYPE = 'logLens.statistics';
export const SHOW_STATS_COMMAND = 'logLens.showStatistics';

/** What the webview keeps across reloads (`setState`) and the serializer gets back. */
interface PanelState { uri: string; bucketMs?: number }

/** Messages from the webview. */
export type StatsWebviewMessage =
	| { type: 'ready' }
	| { type: 'rendered' }
	| { type: 'setBucket'; bucketMs?: number }
	| { type: 'refresh' }
	| { type: 'filterTime'; since: number; until: number }
	| { type: 'filterTemplate'; templateId: number };

/** One statistics panel, for one log (a file or a filtered tab). */
export class StatsPanel extends Disposable {
	/** ms from the command (or a bucket change) to the webview's first paint of the result. */
	lastRenderMs: number | undefined;
	/** The last result shown (tests compare against it). */
	lastResult: StatsResult | undefined;
	private readonly _onDidRender = this._register(new vscode.EventEmitter<number>());
	/** Fires with `lastRenderMs` each time the webview has drawn a result. */
	readonly onDidRender = this._onDidRender.event;
	private readonly _onDidDispose = this._register(new vscode.EventEmitter<void>());
	readonly onDidDispose = this._onDidDispose.event;
	private requestStart = 0;
	private generation = 0;
	private ready = false;
	private refreshTimer: NodeJS.Timeout | undefined;

	constructor(
		readonly panel: vscode.WebviewPanel,
		private readonly extensionUri: vscode.Uri,
		readonly uri: string,
		private bucketMs: number | undefined,
		private readonly fetchStats: FetchStats,
		private readonly openFilter: OpenFilter,
		startedAt = Date.now(),
	) {
		super();
		this.requestStart = startedAt;
		const media = vscode.Uri.joinPath(extensionUri, 'media');
		panel.webview.options = { enableScripts: true, localResourceRoots: [media] };
		panel.title = `Statistics: ${displayName(uri)}`;
		panel.webview.html = this.html();
		this._register(panel.webview.onDidReceiveMessage((m: StatsWebviewMessage) => void this.onMessage(m)));
		this._register(panel.onDidDispose(() => {
			this._onDidDispose.fire();
			this.dispose();
		}));
		this._register({ dispose: () => clearTimeout(this.refreshTimer) });
	}

	/** Test hook: handles a message exactly as if the webview had posted it. */
	simulateMessage(m: StatsWebviewMessage): Promise<void> {
		return this.onMessage(m);
	}

	/** Fetches again (the log grew); coalesced so a followed log refreshes at most once a second. */
	scheduleRefresh(): void {
		if (this.refreshTimer) return;
		this.refreshTimer = setTimeout(() => {
			this.refreshTimer = undefined;
			void this.load(false);
		}, 1000);
	}

	private async onMessage(m: StatsWebviewMessage): Promise<void> {
		switch (m.type) {
			case 'ready':
				this.ready = true;
				await this.load(true);
				return;
			case 'rendered':
				this.lastRenderMs = Date.now() - this.requestStart;
				this._onDidRender.fire(this.lastRenderMs);
				return;
			case 'setBucket':
				this.bucketMs = m.bucketMs && m.bucketMs > 0 ? m.bucketMs : undefined;
				this.requestStart = Date.now();
				await this.load(false);
				return;
			case 'refresh':
				this.requestStart = Date.now();
				await this.load(false);
				return;
			case 'filterTime':
				await this.openFilter(this.timeFilter(m.since, m.until));
				return;
			case 'filterTemplate':
				await this.openFilter({ source: this.uri, filter: templateFilter(this.lastResult?.topTemplates.find((t) => t.id === m.templateId)?.template ?? '') });
				return;
		}
	}

	/**
	 * A time-range filter. For a filtered tab it refines the tab's own filter over the original
	 * source, so Go to Source Line still lands in the real file.
	 */
	private timeFilter(since: number, until: number): { source: string; filter: FilterSpec } {
		const range: FilterSpec = { since: new Date(since).toISOString(), until: new Date(until).toISOString() };
		const u = vscode.Uri.parse(this.uri);
		if (u.scheme === FILTER_SCHEME) {
			try {
				const st = JSON.parse(u.query) as { source: string; filter: FilterSpec };
				return { source: st.source, filter: { ...range, and: [st.filter] } };
			} catch {
				// not one of ours: filter the tab itself
			}
		}
		return { source: this.uri, filter: range };
	}

	/**
	 * Sends a result to the webview. The first load asks for the index-only answer first (drawn at
	 * once), then for the one with templates and loggers, which reads every entry.
	 */
	private async load(first: boolean): Promise<void> {
		if (!this.ready) return;
		const gen = ++this.generation;
		const post = (msg: unknown) => void this.panel.webview.postMessage(msg);
		post({ type: 'loading' });
		try {
			if (first) {
				const quick = await this.fetchStats(this.uri, this.bucketMs, false);
				if (gen !== this.generation) return;
				this.lastResult = quick;
				post({ type: 'stats', uri: this.uri, title: displayName(this.uri), bucketMs: this.bucketMs ?? 0, data: quick });
			}
			const full = await this.fetchStats(this.uri, this.bucketMs, true);
			if (gen !== this.generation) return;
			this.lastResult = full;
			post({ type: 'stats', uri: this.uri, title: displayName(this.uri), bucketMs: this.bucketMs ?? 0, data: full });
		} catch (e) {
			if (gen !== this.generation) return;
			post({ type: 'error', message: `Could not compute the statistics of ${displayName(this.uri)}: ${(e as Error).message ?? String(e)}` });
		}
	}

	private html(): string {
		const w = this.panel.webview;
		const nonce = makeNonce();
		const res = (...p: string[]) => w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', ...p)).toString();
		const state: PanelState = { uri: this.uri, bucketMs: this.bucketMs };
		const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${w.cspSource} 'unsafe-inline'; img-src ${w.cspSource} data:; font-src ${w.cspSource}`;
		return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${res('vendor', 'uPlot.min.css')}">
<link rel="stylesheet" href="${res('stats', 'stats.css')}">
<title>Log Lens Statistics</title>
</head>
<body>
<main id="app" data-state="${escapeAttr(JSON.stringify(state))}" aria-busy="true">
<p class="status" role="status" id="status">Computing statistics…</p>
</main>
<script nonce="${nonce}" src="${res('vendor', 'uPlot.iife.min.js')}"></script>
<script nonce="${nonce}" src="${res('stats', 'stats.js')}"></script>
</body>
</html>`;
	}
}

/**
 * The statistics feature: the command, the panels (one per log) and their restoration after a
 * window reload.
 */
export class StatsView extends Disposable {
	private readonly panels = new Map<string, StatsPanel>();
	private readonly _onDidCreatePanel = this._register(new vscode.EventEmitter<StatsPanel>());
	/** Fires for every new panel (tests wait on it). */
	readonly onDidCreatePanel = this._onDidCreatePanel.event;

	constructor(
		private readonly extensionUri: vscode.Uri,
		private readonly fetchStats: FetchStats,
		private readonly openFilter: OpenFilter,
		onDidChangeIndex?: vscode.Event<{ uri: string }>,
	) {
		super();
		this._register(vscode.commands.registerCommand(SHOW_STATS_COMMAND, (uri?: vscode.Uri | string) => this.show(uri)));
		this._register(vscode.window.registerWebviewPanelSerializer(STATS_VIEW_TYPE, {
			deserializeWebviewPanel: async (panel, state: PanelState | undefined) => {
				if (!state?.uri) {
					panel.dispose();
					return;
				}
				this.adopt(new StatsPanel(panel, this.extensionUri, state.uri, state.bucketMs, this.fetchStats, this.openFilter));
			},
		}));
		if (onDidChangeIndex) this._register(onDidChangeIndex((s) => this.panels.get(s.uri)?.scheduleRefresh()));
		this._register({ dispose: () => { for (const p of [...this.panels.values()]) p.panel.dispose(); } });
	}

	/** The panel of a log, if open. */
	panelFor(uri: string): StatsPanel | undefined {
		return this.panels.get(uri);
	}

	/** Shows (or reveals) the statistics of `uri`, or of the active log editor. Resolves with the panel. */
	async show(uri?: vscode.Uri | string): Promise<StatsPanel | undefined> {
		const started = Date.now();
		let target = typeof uri === 'string' ? uri : uri?.toString();
		if (!target) {
			const doc = vscode.window.activeTextEditor?.document;
			if (!isLogDocument(doc)) {
				void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: open a log file (or a filtered tab) to see its statistics.'));
				return undefined;
			}
			target = doc.uri.toString();
		}
		const open = this.panels.get(target);
		if (open) {
			open.panel.reveal();
			return open;
		}
		const panel = vscode.window.createWebviewPanel(STATS_VIEW_TYPE, `Statistics: ${displayName(target)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
			enableScripts: true,
			retainContextWhenHidden: false,
			localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')],
		});
		return this.adopt(new StatsPanel(panel, this.extensionUri, target, undefined, this.fetchStats, this.openFilter, started));
	}

	private adopt(p: StatsPanel): StatsPanel {
		this.panels.set(p.uri, p);
		p.onDidDispose(() => { if (this.panels.get(p.uri) === p) this.panels.delete(p.uri); });
		this._onDidCreatePanel.fire(p);
		return p;
	}
}

function displayName(uri: string): string {
	const u = vscode.Uri.parse(uri);
	return decodeURIComponent(u.path.split('/').pop() ?? uri);
}

function makeNonce(): string {
	return randomBytes(18).toString('base64').replace(/[+/=]/g, 'x');
}

function escapeAttr(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * A filter matching a template's entries by its text (`<*>` = any text), so it does not depend on
 * which miner produced the template. Traceback groups (`Type <*> (raised at File "f", line N, in g)`)
 * match the exception type and the raising frame.
 */
export function templateFilter(template: string): FilterSpec {
	const esc = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
	const tb = /^(\S+) <\*> \(raised at (File ".*", line \d+, in .*)\)$/.exec(template);
	if (tb) return { include: esc(tb[2]), regex: true, and: [{ include: `(?m)^${esc(tb[1])}(:|$)`, regex: true }] };
	// masked tokens are joined by single spaces; the raw text may have more
	return { include: template.split('<*>').map((part) => esc(part).replace(/ +/g, '\\s+')).join('.*?'), regex: true };
}
