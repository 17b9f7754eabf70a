/**
 * Follow mode: a live editor tab (`loglens-follow:` document) showing a file as it grows, across
 * rotation, truncation and re-creation — or the output of a command (Follow Command Output…), which
 * the server runs (trusted workspaces only) and kills with its process group when the tab closes. The server follows the file and keeps the tab's text (the
 * last `logLens.follow.maxLines` lines); this side renders it, auto-scrolls while the cursor is at
 * the end, pauses when the user moves up, marks rotations, and raises coalesced alerts.
 */
import * as vscode from 'vscode';
import { setting } from './settings';
import * as path from 'path';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
	AlertEvent, AlertNotification, AlertRulesInvalidNotification, FilterSpec, FollowChangedNotification, FollowCommand, FollowContentRequest, FollowInfo,
	FollowMarker, FollowRestartRequest, FollowStartRequest, FollowStatus, FollowStopNotification, LEVEL_ORDER, LevelName,
} from '../shared/protocol';
import { joinCommandLine, splitCommandLine } from '../shared/commandLine';
import { LIVE_LANGUAGE } from './logDocuments';
import { Disposable } from './disposable';
import { formatCount } from '../shared/describeFilter';

import { FOLLOW_SCHEME } from '../shared/schemes';
export { FOLLOW_SCHEME };
const RECENT_KEY = 'logLens.recentFollows';
const RECENT_COMMANDS_KEY = 'logLens.recentCommands';
/** How often the status item's rate and counts are redrawn while lines arrive. */
const STATUS_INTERVAL_MS = 500;

/** What Follow Command Output… takes as an argument (tests, keybindings, other extensions). */
export interface FollowCommandArg {
	/** An argument list, or one command line (split like a shell would, but run without one). */
	command: string[] | string;
	shell?: boolean;
	name?: string;
	cwd?: string;
	filter?: FilterSpec;
}

interface Session {
	info: FollowInfo;
	/** Set for a command's output (it can be restarted). */
	command?: FollowCommand;
	uri: vscode.Uri;
	status?: FollowStatus;
	paused: boolean;
	markers: FollowMarker[];
	/** Bytes of the server's appended stream the tab holds (undefined until its text was fetched). */
	haveBytes?: number;
	/** Appends waiting while an edit is in flight; they go out together as one edit. */
	queue: { text: string; offset: number; readAt: number }[];
	applying: boolean;
	/** Lines the server dropped from the head (maxLines) before the tab's first line, and as of its latest status. */
	headLines: number;
	dropTo: { lines: number; bytes: number };
	/**
	 * The tab's document version when a whole-text fetch returned different text: edits wait until
	 * the document has that text (an edit built on the old version would fail and fetch again).
	 */
	awaitingText?: number;
	/** Lines the server had dropped when it sent `markers` (their lines count from there). */
	markersHead: number;
	/** The markers the tab's decorations show (see shownMarkers). */
	decorated?: string;
	/** The command's exit that was shown (notification, status bar). */
	exitShown?: FollowStatus['exit'];
	/** Lines arrive faster than anyone reads (the server says, src/core/follow/burst.ts): the tab does lighter work (see setBurst). */
	burst: boolean;
}

/** A short name for a command's tab: its program and first arguments. */
function commandName(argv: string[], shell?: boolean): string {
	const line = shell ? argv.join(' ') : joinCommandLine([path.basename(argv[0]), ...argv.slice(1)]);
	return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}

function sameCommand(a: FollowCommand, b: FollowCommand): boolean {
	return !!a.shell === !!b.shell && a.argv.length === b.argv.length && a.argv.every((x, i) => x === b.argv[i]);
}

/**
 * The markers as lines of the tab, which may not have deleted the head lines the server dropped
 * yet; with a key that changes when they do (decorations are sent again only then).
 */
function shownMarkers(s: Session, lineCount: number): { marks: { line: number; text: string; kind: FollowMarker['kind'] }[]; key: string } {
	const shift = s.markersHead - s.headLines;
	const marks = s.markers.map((m) => ({ line: m.line + shift, text: m.text, kind: m.kind })).filter((m) => m.line >= 0 && m.line < lineCount);
	return { marks, key: marks.map((m) => `${m.line}:${m.text}`).join('\n') };
}

export class FollowMode extends Disposable implements vscode.TextDocumentContentProvider {
	private readonly _onDidChange = this._register(new vscode.EventEmitter<vscode.Uri>());
	readonly onDidChange = this._onDidChange.event;
	readonly sessions = new Map<string, Session>();
	private readonly statusItem = this._register(vscode.window.createStatusBarItem('logLens.follow', vscode.StatusBarAlignment.Left, 50));
	private readonly markerType = this._register(vscode.window.createTextEditorDecorationType({
		isWholeLine: true,
		borderColor: new vscode.ThemeColor('editorWarning.foreground'),
		borderStyle: 'dashed',
		borderWidth: '1px 0 0 0',
		overviewRulerColor: new vscode.ThemeColor('editorWarning.foreground'),
		overviewRulerLane: vscode.OverviewRulerLane.Left,
	}));
	private readonly _onDidShowAlert = this._register(new vscode.EventEmitter<{ event: AlertEvent; count: number }>());
	/** Fires when an alert notification is shown (once per burst); tests count them. */
	readonly onDidShowAlert = this._onDidShowAlert.event;
	/** Alerts received, newest last (the Problems tree's Alerts group). */
	readonly alerts: AlertEvent[] = [];
	private readonly _onDidChangeAlerts = this._register(new vscode.EventEmitter<void>());
	readonly onDidChangeAlerts = this._onDidChangeAlerts.event;
	private readonly openAlert = new Map<string, { count: number }>();
	private readonly muted = new Map<string, number>();
	private readonly reportedInvalid = new Set<string>();
	/** What the status item shows (undefined: hidden), and the pending throttled redraw. */
	private statusShown: { text: string; tooltip: string; alerting: boolean; label: string; command: string } | undefined;
	private statusTimer: NodeJS.Timeout | undefined;
	/** Whole-text fetches of follow tabs (the content provider), head trims applied as edits and bursts begun, for tests. */
	readonly counts = { fetches: 0, headDrops: 0, bursts: 0 };
	/** Time from the server reading bytes to the tab holding them (ms), one per server read, for the latency report. */
	readonly latencies: number[] = [];
	private readonly _onDidExit = this._register(new vscode.EventEmitter<{ id: string; exit: NonNullable<FollowStatus['exit']> }>());
	private readonly _onDidChangeBurst = this._register(new vscode.EventEmitter<{ id: string; burst: boolean }>());
	/** Fires when a tab's language has switched for a burst or back after it. */
	readonly onDidChangeBurst = this._onDidChangeBurst.event;
	/** Fires when a followed command has exited and that was shown (notification, status bar, tab); tests wait on it. */
	readonly onDidExit = this._onDidExit.event;

	constructor(private readonly client: LanguageClient, private readonly state: vscode.Memento) {
		super();
		this._register(vscode.workspace.registerTextDocumentContentProvider(FOLLOW_SCHEME, this));
		this._register(client.onNotification(FollowChangedNotification.type, (st) => this.onChanged(st)));
		this._register(client.onNotification(AlertNotification.type, (a) => this.onAlert(a)));
		this._register(client.onNotification(AlertRulesInvalidNotification.type, (p) => {
			for (const e of p.errors) {
				if (this.reportedInvalid.has(e)) continue;
				this.reportedInvalid.add(e);
				void vscode.window.showWarningMessage(vscode.l10n.t('Log Lens: {0}. Fix it in the logLens.alerts setting.', e), 'Open Settings').then((a) => {
					if (a) void vscode.commands.executeCommand('workbench.action.openSettings', 'logLens.alerts');
				});
			}
		}));
		this._register(vscode.workspace.onDidChangeTextDocument((e) => {
			const s = this.sessionOf(e.document.uri);
			if (!s) return;
			if (s.awaitingText !== undefined && e.document.version > s.awaitingText) {
				s.awaitingText = undefined;
				if (!s.applying && (s.queue.length || s.dropTo.lines > s.headLines)) void this.drain(s);
			}
			this.afterUpdate(s);
		}));
		this._register(vscode.workspace.onDidOpenTextDocument((d) => {
			const s = this.sessionOf(d.uri);
			if (s && !s.applying && s.awaitingText === undefined && s.queue.length) void this.drain(s);
		}));
		this._register(vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)));
		this._register(vscode.window.onDidChangeVisibleTextEditors(() => { for (const s of this.sessions.values()) this.decorate(s); }));
		this._register(vscode.window.onDidChangeActiveTextEditor(() => {
			this.renderStatus();
			void vscode.commands.executeCommand('setContext', 'logLens.activeFollowIsCommand', this.activeSession()?.command !== undefined);
		}));
		this._register(vscode.window.tabGroups.onDidChangeTabs((e) => {
			if (!e.closed.length) return;
			for (const s of [...this.sessions.values()]) if (!this.isOpen(s)) void this.stop(s.info.id);
		}));
		const reg = (id: string, fn: (...a: never[]) => unknown) => this._register(vscode.commands.registerCommand(id, fn));
		reg('logLens.followFile', (p?: string | { path: string; filter?: FilterSpec; fromStart?: boolean }) => this.followFile(p));
		reg('logLens.followActive', () => this.followActive());
		reg('logLens.followWithFilter', (p?: { path: string; filter: FilterSpec }) => this.followWithFilter(p));
		reg('logLens.followCommand', (a?: FollowCommandArg) => this.followCommand(a));
		reg('logLens.restartFollowCommand', (id?: string) => this.restart(id));
		reg('logLens.stopFollowing', () => this.stopActive());
		reg('logLens.toggleAutoScroll', () => this.toggleAutoScroll());
		reg('logLens.clearAlerts', () => { this.alerts.length = 0; this.openAlert.clear(); this._onDidChangeAlerts.fire(); this.renderStatus(); });
		this.statusItem.name = 'Log Lens Follow';
		this.statusItem.command = 'logLens.toggleAutoScroll';
		this._register({ dispose: () => { for (const id of [...this.sessions.keys()]) void this.client.sendNotification(FollowStopNotification.type, { id }); } });
		this._register({ dispose: () => clearTimeout(this.statusTimer) });
	}

	private sessionOf(uri: vscode.Uri): Session | undefined {
		return uri.scheme === FOLLOW_SCHEME ? this.sessions.get(uri.query) : undefined;
	}

	private isOpen(s: Session): boolean {
		return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === s.uri.toString()));
	}

	async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
		const s = this.sessionOf(uri);
		if (!s) return `Log Lens: this follow session has ended. Run "Log Lens: Follow Log File…" to follow again.\n`;
		const r = await this.client.sendRequest(FollowContentRequest.type, { id: s.info.id });
		this.counts.fetches++;
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
		s.awaitingText = doc && doc.getText() !== r.text ? doc.version : undefined;
		s.markers = r.markers;
		s.markersHead = r.droppedLines;
		s.haveBytes = r.totalOut;
		s.headLines = r.droppedLines;
		if (r.droppedLines > s.dropTo.lines) s.dropTo = { lines: r.droppedLines, bytes: r.droppedBytes };
		return r.text;
	}

	/** Starts following `path` (or, with `command`, that command's output) and opens its live tab. */
	async start(filePath: string, opts: { filter?: FilterSpec; fromStart?: boolean; command?: FollowCommand } = {}): Promise<vscode.TextEditor> {
		const info = await this.client.sendRequest(FollowStartRequest.type, {
			burstLinesPerSecond: setting('follow.burstLinesPerSecond'),
			path: filePath, fromStart: opts.fromStart, filter: opts.filter, command: opts.command,
			maxLines: setting('follow.maxLines'), usePolling: setting('follow.usePolling'), pollIntervalMs: setting('follow.pollIntervalMs'),
			anomalyAlerts: setting('follow.anomalyAlerts'),
		});
		const uri = vscode.Uri.parse(info.uri);
		const s: Session = { info, command: opts.command, uri, paused: false, markers: [], queue: [], applying: false, headLines: 0, dropTo: { lines: 0, bytes: 0 }, markersHead: 0, burst: info.burst === true };
		if (s.burst) this.counts.bursts++;
		this.sessions.set(info.id, s);
		if (!opts.command) {
			const recent = [filePath, ...this.state.get<string[]>(RECENT_KEY, []).filter((p) => p !== filePath)].slice(0, 10);
			await this.state.update(RECENT_KEY, recent);
		}
		let doc = await vscode.workspace.openTextDocument(uri);
		// a log being written opens light (no grammar, no per-change features) until the server knows its rate
		const lang = s.burst ? LIVE_LANGUAGE : 'log';
		if (doc.languageId !== lang) doc = await vscode.languages.setTextDocumentLanguage(doc, lang);
		const ed = await vscode.window.showTextDocument(doc, { preview: false });
		// the server may have decided while the tab opened
		if (doc.languageId !== (s.burst ? LIVE_LANGUAGE : 'log')) this.setBurst(s, s.burst);
		await vscode.commands.executeCommand('setContext', 'logLens.following', true);
		await this.setCommandContext();
		this.afterUpdate(s);
		return ed;
	}

	private async setCommandContext(): Promise<void> {
		await vscode.commands.executeCommand('setContext', 'logLens.followingCommand', [...this.sessions.values()].some((x) => x.command));
		await vscode.commands.executeCommand('setContext', 'logLens.activeFollowIsCommand', this.activeSession()?.command !== undefined);
	}

	/**
	 * Follow Command Output…: a preset (`logLens.follow.commands`), a recent command or a typed one,
	 * run by the server in a live tab. Never in Restricted Mode: a workspace must not get to run
	 * commands (its presets are ignored there by VS Code too, as a restricted setting).
	 */
	private async followCommand(arg?: FollowCommandArg): Promise<vscode.TextEditor | undefined> {
		if (!vscode.workspace.isTrusted) {
			void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: Follow Command Output runs a program, which Restricted Mode does not allow. Trust this workspace to use it.'), 'Manage Workspace Trust').then((a) => {
				if (a) void vscode.commands.executeCommand('workbench.trust.manage');
			});
			return undefined;
		}
		let cmd: FollowCommand | undefined;
		if (arg?.command) {
			const argv = typeof arg.command === 'string' ? splitCommandLine(arg.command).argv : arg.command;
			cmd = argv.length ? { argv, shell: arg.shell, cwd: arg.cwd, name: arg.name ?? commandName(argv, arg.shell) } : undefined;
		} else cmd = await this.pickCommand();
		if (!cmd) return undefined;
		// a preset's relative cwd is relative to the workspace folder, as is the default
		const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
		cmd.cwd = cmd.cwd && root && !path.isAbsolute(cmd.cwd) ? path.join(root, cmd.cwd) : (cmd.cwd ?? root);
		const recent = [{ ...cmd, cwd: undefined }, ...this.state.get<FollowCommand[]>(RECENT_COMMANDS_KEY, []).filter((c) => !sameCommand(c, cmd))].slice(0, 10);
		await this.state.update(RECENT_COMMANDS_KEY, recent);
		try {
			return await this.start(cmd.name, { command: cmd, filter: arg?.filter });
		} catch (e) {
			void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: {0}', e instanceof Error ? e.message : String(e)));
			return undefined;
		}
	}

	private async pickCommand(): Promise<FollowCommand | undefined> {
		type Item = vscode.QuickPickItem & { cmd?: FollowCommand };
		const presets = setting('follow.commands').filter((c) => Array.isArray(c.command) && c.command.length > 0);
		const recent = this.state.get<FollowCommand[]>(RECENT_COMMANDS_KEY, []);
		const items: Item[] = [{ label: '$(edit) Enter a command…', description: 'run without a shell unless it needs one' }];
		if (presets.length) items.push({ label: 'logLens.follow.commands', kind: vscode.QuickPickItemKind.Separator }, ...presets.map((p) => ({ label: `$(terminal) ${p.name}`, description: joinCommandLine(p.command), cmd: { argv: p.command, shell: p.shell, cwd: p.cwd, name: p.name } })));
		if (recent.length) items.push({ label: 'recent', kind: vscode.QuickPickItemKind.Separator }, ...recent.map((c) => ({ label: `$(history) ${c.name}`, description: c.shell ? `sh -c ${c.argv.join(' ')}` : joinCommandLine(c.argv), cmd: c })));
		const pick = await vscode.window.showQuickPick(items, { title: 'Log Lens: Follow Command Output' });
		if (!pick) return undefined;
		if (pick.cmd) return { ...pick.cmd };
		const line = await vscode.window.showInputBox({
			title: 'Log Lens: Follow Command Output', prompt: 'A command whose stdout and stderr the tab follows, e.g. kubectl logs -f deploy/api',
			validateInput: (v) => splitCommandLine(v).error ?? (v.trim() ? undefined : 'Enter a command'),
		});
		if (!line) return undefined;
		const parsed = splitCommandLine(line);
		let shell = false;
		if (parsed.shellSyntax) {
			const how = await vscode.window.showQuickPick([
				{ label: 'Run with the shell', description: `sh -c — pipes, redirections and variables work`, shell: true },
				{ label: 'Run as arguments', description: 'no shell: those characters are passed on as they are', shell: false },
			], { title: 'The command uses shell syntax' });
			if (!how) return undefined;
			shell = how.shell;
		}
		const argv = shell ? [line.trim()] : parsed.argv;
		return { argv, shell, name: commandName(argv, shell) };
	}

	/** Runs a command session's command again in its tab (the notification's Restart, the title button). */
	private async restart(id?: string): Promise<void> {
		const s = (id ? this.sessions.get(id) : undefined) ?? this.activeSession() ?? [...this.sessions.values()].find((x) => x.command);
		if (!s?.command) return;
		if (!vscode.workspace.isTrusted) {
			void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: Restricted Mode does not allow running commands.'));
			return;
		}
		try {
			s.info = await this.client.sendRequest(FollowRestartRequest.type, { id: s.info.id });
			s.exitShown = undefined;
			this.renderStatus();
		} catch (e) {
			void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: {0}', e instanceof Error ? e.message : String(e)));
		}
	}

	/** Once per exit: a notification with Restart, and the status bar item (the tab shows a final mark line). */
	private showExit(s: Session, exit: NonNullable<FollowStatus['exit']>): void {
		const how = exit.code !== null ? `exited with code ${exit.code}` : `was ended by ${exit.signal}`;
		const text = vscode.l10n.t('Log Lens: {0} {1}.', s.info.path, how);
		const show = exit.code === 0 ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
		void show(text, 'Restart').then((a) => {
			if (a === 'Restart' && this.sessions.has(s.info.id)) void this.restart(s.info.id);
		});
		this.renderStatus();
		this._onDidExit.fire({ id: s.info.id, exit });
	}

	private async followFile(arg?: string | { path: string; filter?: FilterSpec; fromStart?: boolean }): Promise<vscode.TextEditor | undefined> {
		if (typeof arg === 'string') return this.start(arg);
		if (arg?.path) return this.start(arg.path, arg);
		const recent = this.state.get<string[]>(RECENT_KEY, []);
		type Item = vscode.QuickPickItem & { path?: string };
		const items: Item[] = [{ label: '$(folder-opened) Browse…', description: 'choose a file (it may not exist yet: following waits for it)' }];
		if (recent.length) items.push({ label: 'recent', kind: vscode.QuickPickItemKind.Separator }, ...recent.map((p) => ({ label: `$(history) ${path.basename(p)}`, description: p, path: p })));
		const pick = await vscode.window.showQuickPick(items, { title: 'Log Lens: Follow Log File' });
		if (!pick) return undefined;
		let target = pick.path;
		if (!target) {
			const uris = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Follow', filters: { Logs: ['log', 'txt', 'out', 'err', '*'] } });
			target = uris?.[0]?.fsPath;
		}
		return target ? this.start(target) : undefined;
	}

	private async followActive(): Promise<vscode.TextEditor | undefined> {
		const doc = vscode.window.activeTextEditor?.document;
		if (!doc || doc.uri.scheme !== 'file') {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: Follow Active Log needs a log file open from disk.'));
			return undefined;
		}
		return this.start(doc.uri.fsPath);
	}

	private async followWithFilter(arg?: { path: string; filter: FilterSpec }): Promise<vscode.TextEditor | undefined> {
		if (arg) return this.start(arg.path, { filter: arg.filter });
		const doc = vscode.window.activeTextEditor?.document;
		const target = doc?.uri.scheme === 'file' ? doc.uri.fsPath : (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Follow' }))?.[0]?.fsPath;
		if (!target) return undefined;
		const level = await vscode.window.showQuickPick([...LEVEL_ORDER].reverse().map((l) => ({ label: l })), { title: 'Follow with filter (1/2): minimum level' });
		if (!level) return undefined;
		const include = await vscode.window.showInputBox({ title: 'Follow with filter (2/2): keep entries containing (optional)', prompt: 'Text to match; empty keeps every entry at that level' });
		if (include === undefined) return undefined;
		return this.start(target, { filter: { minLevel: level.label as LevelName, include: include || undefined, ignoreCase: true } });
	}

	private async stopActive(): Promise<void> {
		const s = this.activeSession() ?? [...this.sessions.values()][0];
		if (s) await this.stop(s.info.id);
	}

	async stop(id: string): Promise<void> {
		const s = this.sessions.get(id);
		if (!s) return;
		this.sessions.delete(id);
		await this.client.sendNotification(FollowStopNotification.type, { id });
		await vscode.commands.executeCommand('setContext', 'logLens.following', this.sessions.size > 0);
		if (s.command) await this.setCommandContext();
		this.renderStatus();
	}

	private activeSession(): Session | undefined {
		const uri = vscode.window.activeTextEditor?.document.uri;
		return uri ? this.sessionOf(uri) : undefined;
	}

	private toggleAutoScroll(): void {
		const s = this.activeSession() ?? [...this.sessions.values()][0];
		if (!s) return;
		s.paused = !s.paused;
		if (!s.paused) this.afterUpdate(s);
		this.renderStatus();
	}

	private onChanged(st: FollowStatus): void {
		const s = this.sessions.get(st.id);
		if (!s) return;
		const stateChanged = s.status?.state !== st.state;
		s.status = st;
		if (st.state === 'exited' && st.exit && s.exitShown === undefined) {
			s.exitShown = st.exit;
			this.showExit(s, st.exit);
		}
		s.markers = st.markers;
		s.markersHead = st.droppedLines;
		const append = st.append;
		if (st.droppedLines > s.dropTo.lines) s.dropTo = { lines: st.droppedLines, bytes: st.droppedBytes };
		if (st.burst !== undefined && st.burst !== s.burst) this.setBurst(s, st.burst);
		if (st.reset || s.haveBytes === undefined) {
			// rebuilt, or the tab is not open yet: the whole text is fetched (the content provider)
			if (s.haveBytes !== undefined || st.reset) this.refetch(s);
		} else {
			if (append !== undefined) s.queue.push({ text: append, offset: st.appendOffset, readAt: st.readAt });
			if (!s.applying && s.awaitingText === undefined && (s.queue.length || s.dropTo.lines > s.headLines)) void this.drain(s);
		}
		if (!s.applying && !s.queue.length && s.haveBytes !== undefined && st.append === undefined) {
			// a mark without new text (a command's exit): no edit will redraw the marks, so draw them now
			const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === s.uri.toString());
			if (doc && shownMarkers(s, doc.lineCount).key !== s.decorated) this.decorate(s);
		}
		// the rate and counts change with every append: redraw them a few times a second only
		if (stateChanged) this.renderStatus();
		else this.statusTimer ??= setTimeout(() => {
			this.statusTimer = undefined;
			this.renderStatus();
		}, STATUS_INTERVAL_MS);
	}

	/**
	 * Bursts: while the server says lines arrive faster than `logLens.follow.burstLinesPerSecond`
	 * (src/core/follow/burst.ts), the tab is in a language without a grammar. Measured in
	 * this host (test/host/followBurst.test.ts): at 10,000 lines/s the grammar's tokenizer worker fell
	 * behind, and every late result re-counted the lines of all edits it had not seen (VS Code's
	 * setTokensAndStates), 8 of 45 s of the workbench's main thread — still 2.5 of 38 s with a
	 * one-rule grammar; the LSP folding and outline requests, entry marks and the Problems tree
	 * followed every change too. Those features are not asked for a language they do not serve; all
	 * of them run again, once, when the burst ends.
	 */
	private setBurst(s: Session, on: boolean): void {
		if (on && !s.burst) this.counts.bursts++;
		s.burst = on;
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === s.uri.toString());
		const want = on ? LIVE_LANGUAGE : 'log';
		if (doc && doc.languageId !== want) {
			void vscode.languages.setTextDocumentLanguage(doc, want).then(() => {
				// the switch may have raced the next burst state: the latest one wins
				const now = s.burst ? LIVE_LANGUAGE : 'log';
				if (doc.languageId !== now && this.sessions.has(s.info.id)) this.setBurst(s, s.burst);
				else this._onDidChangeBurst.fire({ id: s.info.id, burst: s.burst });
			}, () => undefined);
		}
		this.renderStatus();
	}

	/** The tab's whole text is fetched again (the content provider); its marks are redrawn after. */
	private refetch(s: Session): void {
		s.decorated = undefined;
		this._onDidChange.fire(s.uri);
	}

	/**
	 * Applies queued appends (and head trims); what arrives meanwhile is batched into the next single
	 * edit: one edit in flight at a time, as large as the workbench's pace makes it.
	 */
	private async drain(s: Session): Promise<void> {
		s.applying = true;
		try {
			while (s.awaitingText === undefined && (s.queue.length || (s.haveBytes !== undefined && s.dropTo.lines > s.headLines))) {
				const batch = s.queue.splice(0);
				const done = await this.applyBatch(s, batch.map((b) => b.text).join(''), batch[0]?.offset ?? s.haveBytes ?? 0);
				if (done === 'notOpen') {
					// its text was fetched but the document is not open in this host yet: it resumes when it opens
					s.queue.unshift(...batch);
					break;
				}
				// nothing applied (the text is fetched whole): a later status resumes
				if (!done) break;
				const now = Date.now();
				for (const b of batch) if (b.readAt) this.latencies.push(now - b.readAt);
				if (this.latencies.length > 10_000) this.latencies.splice(0, this.latencies.length - 5000);
			}
		} finally {
			s.applying = false;
		}
	}

	/**
	 * Appends the new lines as an edit at the end of the tab: VS Code then tokenizes only those
	 * lines, instead of re-reading and re-colouring the whole tab. Lines the server dropped from the
	 * head (maxLines) are deleted in the same edit.
	 */
	private async applyBatch(s: Session, text: string, offset: number): Promise<boolean | 'notOpen'> {
		if (s.haveBytes === undefined) return false;
		let bytes = Buffer.from(text, 'utf8');
		if (offset > s.haveBytes) {
			// a gap (an append was missed): fetch the whole text instead
			this.refetch(s);
			return false;
		}
		if (offset < s.haveBytes) bytes = bytes.subarray(s.haveBytes - offset); // already in the tab
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === s.uri.toString());
		if (!doc) return 'notOpen';
		const drop = s.dropTo.lines - s.headLines;
		if (drop > 0 && (s.dropTo.bytes > s.haveBytes || drop >= doc.lineCount)) {
			// the lines to drop are not all in the tab yet (it is far behind): fetch the whole text instead
			s.headLines = s.dropTo.lines;
			this.refetch(s);
			return false;
		}
		if (!bytes.length && drop <= 0) return true;
		const we = new vscode.WorkspaceEdit();
		if (bytes.length) we.insert(s.uri, doc.lineAt(doc.lineCount - 1).range.end, bytes.toString('utf8'));
		if (drop > 0) we.delete(s.uri, new vscode.Range(0, 0, drop, 0));
		s.haveBytes += bytes.length;
		s.headLines = s.dropTo.lines;
		if (drop > 0) this.counts.headDrops++;
		// The scroll follows when the edit is in (`afterUpdate`): sent with the edit, the workbench
		// could run it first and clamp it to the old end.
		const ok = await vscode.workspace.applyEdit(we);
		if (!ok) this.refetch(s);
		return ok;
	}

	/**
	 * After the tab's text changed: scroll to the end unless paused, redraw rotation marks. Every
	 * call here is a message the workbench must process (and re-render for) before it can apply the
	 * next append, so only what changed is sent.
	 */
	private afterUpdate(s: Session): void {
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === s.uri.toString());
		const last = Math.max(0, (doc?.lineCount ?? 1) - 1);
		this.scrollToEnd(s, last);
		if (doc && shownMarkers(s, doc.lineCount).key !== s.decorated) this.decorate(s);
	}

	/** Puts the cursor on `last` and reveals it in the tab's visible editors, unless paused. */
	private scrollToEnd(s: Session, last: number): void {
		for (const ed of vscode.window.visibleTextEditors) {
			if (ed.document.uri.toString() !== s.uri.toString() || s.paused) continue;
			const sel = ed.selection;
			if (!sel.isEmpty || sel.active.line !== last || sel.active.character !== 0) ed.selection = new vscode.Selection(last, 0, last, 0);
			// Two lines, not one: the workbench then scrolls to the left edge instead of measuring
			// the line's text in the page for a horizontal reveal (a forced layout per append).
			ed.revealRange(new vscode.Range(Math.max(0, last - 1), 0, last, 0), vscode.TextEditorRevealType.Default);
		}
	}

	private decorate(s: Session): void {
		for (const ed of vscode.window.visibleTextEditors) {
			if (ed.document.uri.toString() !== s.uri.toString()) continue;
			const { marks, key } = shownMarkers(s, ed.document.lineCount);
			s.decorated = key;
			ed.setDecorations(this.markerType, marks.map((m) => ({
				range: new vscode.Range(m.line, 0, m.line, 0),
				hoverMessage: `Log Lens: ${m.text}`,
				renderOptions: { after: { contentText: `  ${m.kind === 'exited' ? '■' : m.kind === 'restarted' ? '▶' : '⟳'} ${m.text}`, color: new vscode.ThemeColor('editorWarning.foreground'), fontStyle: 'italic' } },
			})));
		}
	}

	/** The user moved the cursor: up pauses auto-scroll, back to the end resumes it. */
	private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
		const s = this.sessionOf(e.textEditor.document.uri);
		if (!s || e.kind === undefined || e.kind === vscode.TextEditorSelectionChangeKind.Command) return;
		const atEnd = e.selections[0].active.line >= e.textEditor.document.lineCount - 2;
		if (s.paused === atEnd) {
			s.paused = !atEnd;
			this.renderStatus();
		}
	}

	/** Every property set is a message to the workbench, which redraws the item: only changes are set. */
	private renderStatus(): void {
		if (this.statusTimer) clearTimeout(this.statusTimer);
		this.statusTimer = undefined;
		const s = this.activeSession() ?? [...this.sessions.values()][0];
		if (!s) {
			this.statusItem.hide();
			this.statusShown = undefined;
			return;
		}
		const name = s.command ? s.info.path : path.basename(s.info.path);
		const st = s.status;
		const alerting = [...this.openAlert.keys()].length > 0;
		const exit = st?.state === 'exited' ? st.exit : undefined;
		let text: string;
		if (exit) text = `$(debug-restart) ${name} ${exit.code !== null ? `exited with code ${exit.code}` : `ended by ${exit.signal}`} · Restart`;
		else if (st?.state === 'missing') text = `$(warning) ${name} missing · waiting`;
		else if (s.paused) text = `$(debug-pause) Paused · ${name}`;
		else text = `$(${s.command ? 'terminal' : 'pulse'}) Following ${name} · ${formatCount(st?.rate ?? 0)} lines/s${s.burst ? ' · burst' : ''}`;
		if (alerting) text = `$(bell-dot) ${text}`;
		const what = s.command ? (s.command.shell ? `sh -c ${s.command.argv.join(' ')}` : joinCommandLine(s.command.argv)) : s.info.path;
		const shown = this.statusShown;
		const tooltip = `${what}\n${formatCount(st?.received ?? 0)} lines received, ${formatCount(st?.lines ?? 0)} in the tab${s.burst ? '\nA burst: no colours; folding, outline, entry marks and the Problems tree catch up when it ends' : ''}\nClick to ${exit ? 'run it again' : s.paused ? 'resume auto-scroll' : 'pause auto-scroll'}`;
		const command = exit ? `restart:${s.info.id}` : 'toggle';
		if (shown?.command !== command) this.statusItem.command = exit ? { command: 'logLens.restartFollowCommand', title: 'Restart', arguments: [s.info.id] } : 'logLens.toggleAutoScroll';
		const label = `Log Lens: ${exit ? `${name} ${exit.code !== null ? `exited with code ${exit.code}` : `ended by ${exit.signal}`}` : `${s.paused ? 'paused' : 'following'} ${name}`}${alerting ? ', alerts raised' : ''}`;
		if (shown?.text !== text) this.statusItem.text = text;
		if (shown?.tooltip !== tooltip) this.statusItem.tooltip = tooltip;
		if (shown?.alerting !== alerting) this.statusItem.backgroundColor = alerting ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
		if (shown?.label !== label) this.statusItem.accessibilityInformation = { label };
		if (!shown) this.statusItem.show();
		this.statusShown = { text, tooltip, alerting, label, command };
	}

	/** Coalesced: while a rule's notification is open, further matches only raise its count. */
	private onAlert(a: AlertEvent): void {
		this.alerts.push(a);
		if (this.alerts.length > 1000) this.alerts.splice(0, this.alerts.length - 1000);
		this._onDidChangeAlerts.fire();
		if ((this.muted.get(a.rule) ?? 0) > Date.now()) return;
		const open = this.openAlert.get(a.rule);
		if (open) {
			open.count += a.count;
			this.renderStatus();
			return;
		}
		const entry = { count: a.count };
		this.openAlert.set(a.rule, entry);
		this.renderStatus();
		this._onDidShowAlert.fire({ event: a, count: a.count });
		const text = `Log Lens alert: ${a.message} — ${a.count === 1 ? 'a match' : `${a.count} matches`} in ${path.basename(a.path)}: ${a.text.slice(0, 160)}`;
		void vscode.window.showWarningMessage(text, 'Show', 'Mute for 10 minutes').then(async (choice) => {
			this.openAlert.delete(a.rule);
			this.renderStatus();
			if (choice === 'Show') await this.reveal(a);
			else if (choice === 'Mute for 10 minutes') this.muted.set(a.rule, Date.now() + 10 * 60_000);
		});
	}

	async reveal(a: AlertEvent): Promise<void> {
		const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(a.uri));
		const ed = await vscode.window.showTextDocument(doc, { preview: false });
		const s = this.sessionOf(doc.uri);
		if (s) s.paused = true;
		const l = Math.min(a.line, doc.lineCount - 1);
		ed.selection = new vscode.Selection(l, 0, l, 0);
		ed.revealRange(new vscode.Range(l, 0, l, 0), vscode.TextEditorRevealType.InCenter);
		this.renderStatus();
	}
}
