/**
 * The Problems tree: Level (count) → Template (count, first/last time) → Occurrences, for the active
 * log and pinned logs. Children are fetched lazily from the server (pages of 200 with "Show more"),
 * the tree refreshes live as the index grows, and the view's badge counts errors.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { LevelName, Occurrence, OccurrencesRequest, ProblemsRequest, ProblemTemplate, ProblemsResult, LEVEL_ORDER } from '../shared/protocol';
import { Disposable } from './disposable';
import { FILTER_SCHEME, LogDocuments, isLogDocument } from './logDocuments';
import { FOLLOW_SCHEME } from '../shared/schemes';
import type { FollowMode } from './followMode';
import { AlertEvent, AnomaliesRequest, Signal } from '../shared/protocol';
import { formatCount } from '../shared/describeFilter';

const PAGE = 200;

export type ProblemNode =
	| { kind: 'file'; uri: string }
	| { kind: 'level'; uri: string; level: LevelName; count: number; templates: ProblemTemplate[] }
	| { kind: 'template'; uri: string; level: LevelName; t: ProblemTemplate }
	| { kind: 'occurrence'; uri: string; o: Occurrence }
	| { kind: 'more'; uri: string; parent: ProblemNode; offset: number }
	| { kind: 'info'; label: string }
	| { kind: 'alerts' }
	| { kind: 'anomalies'; uri: string; signals: Signal[] }
	| { kind: 'anomaly'; uri: string; s: Signal }
	| { kind: 'alert'; a: AlertEvent };

const LEVEL_ICON: Record<LevelName, [string, string | undefined]> = {
	critical: ['flame', 'errorForeground'], error: ['error', 'errorForeground'], warning: ['warning', 'editorWarning.foreground'],
	notice: ['bell', 'editorInfo.foreground'], info: ['info', 'editorInfo.foreground'], debug: ['debug', undefined], trace: ['debug-stackframe-dot', undefined], unknown: ['question', undefined],
};

function levelIcon(l: LevelName): vscode.ThemeIcon {
	const [id, color] = LEVEL_ICON[l];
	return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

function shortTime(iso: string | null): string {
	return iso ? iso.replace('T', ' ').replace('Z', '').slice(0, 23) : '—';
}

export class ProblemsTree extends Disposable implements vscode.TreeDataProvider<ProblemNode> {
	private readonly _onDidChangeTreeData = this._register(new vscode.EventEmitter<ProblemNode | undefined>());
	readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
	readonly view: vscode.TreeView<ProblemNode>;
	private readonly pinned = new Set<string>();
	private activeUri: string | undefined;
	minLevel: LevelName = 'warning';
	mode: 'template' | 'time' = 'template';
	private readonly results = new Map<string, ProblemsResult>();
	private readonly signals = new Map<string, Signal[]>();
	/** Extra occurrence pages loaded through "Show more", per parent node key. */
	private readonly pages = new Map<string, number>();
	private refreshTimer: NodeJS.Timeout | undefined;
	private readonly _onDidRefresh = this._register(new vscode.EventEmitter<void>());
	/** Fires after the tree data was re-fetched (tests wait on it). */
	readonly onDidRefresh = this._onDidRefresh.event;

	constructor(private readonly client: LanguageClient, docs: LogDocuments, private readonly workspaceState: vscode.Memento, private readonly follow?: FollowMode) {
		super();
		for (const u of workspaceState.get<string[]>('logLens.pinned', [])) this.pinned.add(u);
		this.view = this._register(vscode.window.createTreeView('logLens.problems', { treeDataProvider: this, showCollapseAll: true }));
		this._register(vscode.window.onDidChangeActiveTextEditor((ed) => this.setActive(ed)));
		this._register(docs.onDidChangeSummary((s) => { if (s.uri === this.activeUri || this.pinned.has(s.uri)) this.scheduleRefresh(); }));
		const reg = (id: string, fn: (...a: never[]) => unknown) => this._register(vscode.commands.registerCommand(id, fn));
		reg('logLens.problems.refresh', () => this.refresh());
		reg('logLens.problems.groupByTemplate', () => this.setMode('template'));
		reg('logLens.problems.flatByTime', () => this.setMode('time'));
		reg('logLens.problems.minimumLevel', (level?: LevelName) => this.chooseMinLevel(level));
		reg('logLens.problems.pin', () => this.pin());
		reg('logLens.problems.unpin', (n?: ProblemNode) => this.unpin(n));
		reg('logLens.problems.filterToTemplate', (n?: ProblemNode) => this.filterToTemplate(n));
		reg('logLens.problems.copyTemplate', (n?: ProblemNode) => this.copyTemplate(n));
		reg('logLens.problems.copyOccurrences', (n?: ProblemNode) => this.copyOccurrences(n));
		reg('logLens.problems.showMore', (n: ProblemNode) => this.showMore(n));
		if (follow) this._register(follow.onDidChangeAlerts(() => this._onDidChangeTreeData.fire(undefined)));
		reg('logLens.revealAlert', (a: AlertEvent) => this.follow?.reveal(a));
		reg('logLens.revealEntry', (uri: string, line: number, endLine?: number) => revealEntry(uri, line, endLine));
		void vscode.commands.executeCommand('setContext', 'logLens.problemsMode', this.mode);
		this._register({ dispose: () => clearTimeout(this.refreshTimer) });
		this.setActive(vscode.window.activeTextEditor);
	}

	private setActive(ed: vscode.TextEditor | undefined): void {
		if (!ed) return; // focus moved to a panel or the tree itself: keep showing the last log
		const uri = isLogDocument(ed.document) ? ed.document.uri.toString() : undefined;
		void vscode.commands.executeCommand('setContext', 'logLens.hasLog', !!uri || this.pinned.size > 0);
		if (uri === this.activeUri || (!uri && !this.activeUri)) return;
		if (!uri) return;
		this.activeUri = uri;
		void this.refresh();
	}

	private uris(): string[] {
		const list = [...this.pinned];
		if (this.activeUri && !this.pinned.has(this.activeUri)) list.unshift(this.activeUri);
		return list;
	}

	private scheduleRefresh(): void {
		if (this.refreshTimer) return;
		this.refreshTimer = setTimeout(() => { this.refreshTimer = undefined; void this.refresh(); }, 400);
	}

	/** Re-fetches the groups of every shown log and redraws. */
	async refresh(): Promise<void> {
		const uris = this.uris();
		await Promise.all(uris.map(async (uri) => {
			try {
				const [problems, signals] = await Promise.all([
					this.client.sendRequest(ProblemsRequest.type, { uri, minLevel: this.minLevel }),
					// a live follow tab raises anomaly alerts itself (logLens.follow.anomalyAlerts)
					uri.startsWith(`${FOLLOW_SCHEME}:`) ? Promise.resolve([]) : this.client.sendRequest(AnomaliesRequest.type, { uri }).catch(() => []),
				]);
				this.results.set(uri, problems);
				this.signals.set(uri, signals);
			} catch {
				this.results.delete(uri);
			}
		}));
		for (const k of [...this.results.keys()]) if (!uris.includes(k)) this.results.delete(k);
		let errors = 0;
		for (const r of this.results.values()) for (const l of r.levels) if (l.level === 'error' || l.level === 'critical') errors += l.count;
		this.view.badge = errors ? { value: errors, tooltip: `${formatCount(errors)} errors` } : undefined;
		const first = uris[0] ? this.results.get(uris[0]) : undefined;
		this.view.description = first ? `≥ ${this.minLevel} · ${this.mode === 'template' ? 'by template' : 'by time'}` : undefined;
		this._onDidChangeTreeData.fire(undefined);
		this._onDidRefresh.fire();
	}

	private async setMode(mode: 'template' | 'time'): Promise<void> {
		this.mode = mode;
		await vscode.commands.executeCommand('setContext', 'logLens.problemsMode', mode);
		await this.refresh();
	}

	private async chooseMinLevel(level?: LevelName): Promise<void> {
		const pick = level ?? (await vscode.window.showQuickPick([...LEVEL_ORDER].reverse().map((l) => ({ label: l, picked: l === this.minLevel })), { title: 'Log Lens: Problems minimum level' }))?.label as LevelName | undefined;
		if (!pick) return;
		this.minLevel = pick;
		await this.refresh();
	}

	private async pin(): Promise<void> {
		const doc = vscode.window.activeTextEditor?.document;
		if (!isLogDocument(doc)) return;
		this.pinned.add(doc.uri.toString());
		await this.workspaceState.update('logLens.pinned', [...this.pinned]);
		await this.refresh();
	}

	private async unpin(n?: ProblemNode): Promise<void> {
		if (n?.kind !== 'file') return;
		this.pinned.delete(n.uri);
		await this.workspaceState.update('logLens.pinned', [...this.pinned]);
		await this.refresh();
	}

	getTreeItem(n: ProblemNode): vscode.TreeItem {
		switch (n.kind) {
			case 'file': {
				const u = vscode.Uri.parse(n.uri);
				const it = new vscode.TreeItem(u.scheme === FILTER_SCHEME ? u.path.slice(1) : u.path.split('/').pop() ?? n.uri, vscode.TreeItemCollapsibleState.Expanded);
				it.resourceUri = u.scheme === 'file' ? u : undefined;
				it.contextValue = this.pinned.has(n.uri) ? 'pinnedFile' : 'file';
				it.description = this.pinned.has(n.uri) ? 'pinned' : 'active';
				return it;
			}
			case 'level': {
				const it = new vscode.TreeItem(`${n.level[0].toUpperCase()}${n.level.slice(1)}`, n.level === 'error' || n.level === 'critical' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
				it.description = `${formatCount(n.count)}`;
				it.iconPath = levelIcon(n.level);
				it.contextValue = 'level';
				it.accessibilityInformation = { label: `${n.level}: ${n.count} entries in ${n.templates.length} message kinds` };
				it.id = `${n.uri}|${n.level}|${this.mode}`;
				return it;
			}
			case 'template': {
				const it = new vscode.TreeItem(n.t.template || '(empty message)', vscode.TreeItemCollapsibleState.Collapsed);
				it.description = `×${formatCount(n.t.count)} · ${shortTime(n.t.first)} → ${shortTime(n.t.last)}`;
				it.tooltip = new vscode.MarkdownString(`**${formatCount(n.t.count)}** ${n.level} entries of this kind\n\nfirst ${n.t.first ?? '—'} · last ${n.t.last ?? '—'}\n\n\`\`\`\n${n.t.template}\n\`\`\``);
				it.iconPath = levelIcon(n.level);
				it.contextValue = 'template';
				it.accessibilityInformation = { label: `${n.level} message kind, ${n.t.count} times: ${n.t.template}` };
				it.id = `${n.uri}|${n.level}|t${n.t.id}`;
				return it;
			}
			case 'occurrence': {
				const label = n.o.message.length > 200 ? `${n.o.message.slice(0, 200)}…` : n.o.message;
				const it = new vscode.TreeItem(label || '(empty)', vscode.TreeItemCollapsibleState.None);
				it.description = `${shortTime(n.o.time)} · line ${formatCount(n.o.line + 1)}`;
				it.iconPath = levelIcon(n.o.level);
				it.command = { command: 'logLens.revealEntry', title: 'Reveal', arguments: [n.uri, n.o.line, n.o.endLine] };
				it.contextValue = 'occurrence';
				it.accessibilityInformation = { label: `${n.o.level} at line ${n.o.line + 1}${n.o.time ? `, ${n.o.time}` : ''}: ${n.o.message}` };
				return it;
			}
			case 'more': {
				const it = new vscode.TreeItem('Show more…', vscode.TreeItemCollapsibleState.None);
				it.command = { command: 'logLens.problems.showMore', title: 'Show more', arguments: [n] };
				it.iconPath = new vscode.ThemeIcon('ellipsis');
				return it;
			}
			case 'info':
				return new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
			case 'anomalies': {
				const it = new vscode.TreeItem('Anomalies', vscode.TreeItemCollapsibleState.Collapsed);
				it.description = `${n.signals.length}`;
				it.iconPath = new vscode.ThemeIcon('pulse', new vscode.ThemeColor('editorWarning.foreground'));
				it.tooltip = 'New message kinds, rate spikes and silences learned from this log';
				it.accessibilityInformation = { label: `Anomalies: ${n.signals.length}` };
				return it;
			}
			case 'anomaly': {
				const icon = n.s.kind === 'new-template' ? 'sparkle' : n.s.kind === 'rate-spike' ? 'graph-line' : 'mute';
				const it = new vscode.TreeItem(n.s.message, vscode.TreeItemCollapsibleState.None);
				it.description = `${n.s.kind} · ${Number.isFinite(n.s.time) ? shortTime(new Date(n.s.time).toISOString()) : ''}`;
				it.iconPath = new vscode.ThemeIcon(icon);
				if (n.s.line !== undefined) it.command = { command: 'logLens.revealEntry', title: 'Reveal', arguments: [n.uri, n.s.line] };
				it.accessibilityInformation = { label: `Anomaly, ${n.s.kind}: ${n.s.message}` };
				return it;
			}
			case 'alerts': {
				const it = new vscode.TreeItem('Alerts', vscode.TreeItemCollapsibleState.Expanded);
				it.description = `${this.follow?.alerts.length ?? 0}`;
				it.iconPath = new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('editorWarning.foreground'));
				it.contextValue = 'alerts';
				it.accessibilityInformation = { label: `Alerts: ${this.follow?.alerts.length ?? 0}` };
				return it;
			}
			case 'alert': {
				const it = new vscode.TreeItem(`${n.a.message}${n.a.count > 1 ? ` (×${n.a.count})` : ''}`, vscode.TreeItemCollapsibleState.None);
				it.description = `${new Date(n.a.time).toLocaleTimeString()} · ${n.a.text.slice(0, 120)}`;
				it.iconPath = new vscode.ThemeIcon('bell', new vscode.ThemeColor('editorWarning.foreground'));
				it.command = { command: 'logLens.revealAlert', title: 'Show', arguments: [n.a] };
				it.accessibilityInformation = { label: `Alert ${n.a.message}, ${n.a.count} matches: ${n.a.text}` };
				return it;
			}
		}
	}

	async getChildren(n?: ProblemNode): Promise<ProblemNode[]> {
		if (!n) {
			const uris = this.uris();
			const alerts: ProblemNode[] = this.follow?.alerts.length ? [{ kind: 'alerts' }] : [];
			if (uris.length > 1) return [...alerts, ...uris.map((uri): ProblemNode => ({ kind: 'file', uri }))];
			return [...alerts, ...(uris.length ? this.levelNodes(uris[0]) : [])];
		}
		if (n.kind === 'anomalies') return n.signals.slice(0, 1000).map((s) => ({ kind: 'anomaly', uri: n.uri, s }));
		if (n.kind === 'alerts') return [...(this.follow?.alerts ?? [])].reverse().slice(0, 500).map((a) => ({ kind: 'alert', a }));
		if (n.kind === 'file') return this.levelNodes(n.uri);
		if (n.kind === 'level') {
			if (this.mode === 'template') return n.templates.map((t) => ({ kind: 'template', uri: n.uri, level: n.level, t }));
			return this.occurrencePage(n, { level: n.level }, 0);
		}
		if (n.kind === 'template') return this.occurrencePage(n, { level: n.level, templateId: n.t.id }, 0);
		return [];
	}

	getParent(): undefined {
		return undefined;
	}

	private levelNodes(uri: string): ProblemNode[] {
		const r = this.results.get(uri);
		if (!r) return [{ kind: 'info', label: 'Indexing…' }];
		const signals = this.signals.get(uri) ?? [];
		const anomalies: ProblemNode[] = signals.length ? [{ kind: 'anomalies', uri, signals }] : [];
		if (!r.levels.length) return [...anomalies, { kind: 'info', label: `No entries at ${r.minLevel} or above` }];
		return [...r.levels.map((l): ProblemNode => ({ kind: 'level', uri, level: l.level, count: l.count, templates: l.templates })), ...anomalies];
	}

	private key(n: ProblemNode): string {
		return n.kind === 'template' ? `${n.uri}|${n.level}|t${n.t.id}` : n.kind === 'level' ? `${n.uri}|${n.level}` : '';
	}

	private async occurrencePage(parent: ProblemNode, sel: { level?: LevelName; templateId?: number }, offset: number): Promise<ProblemNode[]> {
		const uri = 'uri' in parent ? parent.uri : '';
		const pages = this.pages.get(this.key(parent)) ?? 1;
		const limit = offset === 0 ? PAGE * pages : PAGE;
		const r = await this.client.sendRequest(OccurrencesRequest.type, { uri, minLevel: this.minLevel, ...sel, offset, limit });
		const nodes: ProblemNode[] = r.items.map((o) => ({ kind: 'occurrence', uri, o }));
		if (offset + r.items.length < r.total) nodes.push({ kind: 'more', uri, parent, offset: offset + r.items.length });
		return nodes;
	}

	private showMore(n: ProblemNode): void {
		if (n.kind !== 'more') return;
		const k = this.key(n.parent);
		this.pages.set(k, (this.pages.get(k) ?? 1) + 1);
		this._onDidChangeTreeData.fire(n.parent);
	}

	private node(n?: ProblemNode): ProblemNode | undefined {
		return n ?? this.view.selection[0];
	}

	private async filterToTemplate(arg?: ProblemNode): Promise<vscode.TextEditor | undefined> {
		const n = this.node(arg);
		if (n?.kind !== 'template') return undefined;
		return vscode.commands.executeCommand<vscode.TextEditor>('logLens.applyFilter', { source: n.uri, filter: { templateId: n.t.id, templateLevel: this.minLevel, levels: [n.level] } });
	}

	private async copyTemplate(arg?: ProblemNode): Promise<void> {
		const n = this.node(arg);
		if (n?.kind === 'template') await vscode.env.clipboard.writeText(n.t.template);
	}

	private async copyOccurrences(arg?: ProblemNode): Promise<void> {
		const n = this.node(arg);
		if (n?.kind !== 'template' && n?.kind !== 'level') return;
		const r = await this.client.sendRequest(OccurrencesRequest.type, { uri: n.uri, minLevel: this.minLevel, level: n.level, templateId: n.kind === 'template' ? n.t.id : undefined, offset: 0, limit: 100_000 });
		await vscode.env.clipboard.writeText(r.items.map((o) => `${o.line + 1}: ${o.time ?? ''} ${o.message}`).join('\n') + '\n');
		if (r.total > r.items.length) void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: copied the first {0} of {1} occurrences.', formatCount(r.items.length), formatCount(r.total)));
	}
}

/** Opens a log and selects an entry's header line (its body stays visible below). */
export async function revealEntry(uri: string, line: number, endLine?: number): Promise<vscode.TextEditor> {
	const u = vscode.Uri.parse(uri);
	const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri);
	const doc = visible?.document ?? await vscode.workspace.openTextDocument(u);
	const ed = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn, preserveFocus: false, preview: false });
	const l = Math.min(line, doc.lineCount - 1);
	ed.selection = new vscode.Selection(l, 0, l, doc.lineAt(l).text.length);
	ed.revealRange(new vscode.Range(l, 0, Math.min(endLine ?? l, doc.lineCount - 1), 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
	return ed;
}
