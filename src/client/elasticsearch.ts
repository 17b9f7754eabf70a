/**
 * Elasticsearch, the UI half: Export to Elasticsearch… (the active log, a filtered tab, or a
 * followed log continuously), Open Logs from Elasticsearch…, Set Elasticsearch Credentials, Test
 * Elasticsearch Connection. The work runs in the language server (server/elasticsearchService.ts)
 * behind the protocol; this side prompts, shows progress and results, keeps credentials in
 * SecretStorage (passed with each request, never stored by the server) and keeps the resume
 * position of continuous exports in workspaceState. Every command takes an options argument that
 * skips its prompts (tests, keybindings, other extensions).
 *
 * Loaded on the first Elasticsearch command (elasticsearchCommands.ts); it imports nothing that
 * loads the Elasticsearch client — test/host/elasticsearch.test.ts checks the extension host never does.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Disposable } from './disposable';
import { setting } from './settings';
import type { ElasticsearchCommand } from './elasticsearchCommands';
import { SETTING_DEFAULTS } from '../shared/settings';
import { decodeFilterQuery, FILTER_SCHEME } from '../shared/schemes';
import {
	EsConnectionParams, EsTemplateRequest, EsTestConnectionRequest, ExportEndedNotification, ExportOutcome, ExportProgressNotification, ExportRequest,
	ExportStateNotification, LEVEL_ORDER, LevelName, SearchProgressNotification, SearchRequest, StopExportRequest,
} from '../shared/protocol';
import type { EsCredentials, EsServerInfo } from '../core/elasticsearch/connection';
import type { ExportState } from '../core/elasticsearch/exportSources';
import { templateName } from '../core/elasticsearch/indexTemplate';

/** Options of "Export to Elasticsearch…" (every field skips a prompt). */
export interface ExportCommandOptions {
	/** The log to export (file URI, path, or a filtered tab's URI); default: the active editor. */
	uri?: string;
	/** Default: the `logLens.elasticsearch.index` setting. */
	index?: string;
	/** Keep exporting what is appended (files only); resumes from the saved position. */
	follow?: boolean;
	/** Create the ECS index template when missing; undefined asks. */
	createTemplate?: boolean;
	/** Make the documents searchable right away (default true for one-shot exports). */
	refresh?: boolean;
}

/** Options of "Open Logs from Elasticsearch…". */
export interface OpenLogsOptions {
	index?: string;
	/** ISO time, HH:MM, or relative (`15m`, `2h`, `1d`); empty for no bound. */
	since?: string;
	until?: string;
	level?: LevelName;
	query?: string;
	limit?: number;
}

/** Options of "Set Elasticsearch Credentials". */
export interface CredentialOptions {
	apiKey?: string;
	username?: string;
	password?: string;
	/** Forget the stored credentials. */
	clear?: boolean;
}

/** What "Test Elasticsearch Connection" returns. */
export interface ConnectionTestResult {
	ok: boolean;
	message: string;
	info?: EsServerInfo;
}

/** A continuous export running in the server, as the status bar shows it. */
interface FollowJob {
	key: string;
	path: string;
	index: string;
	sent: number;
}

const SECRET_PREFIX = 'logLens.elasticsearch.credentials:';

/** A request failure's message (the server describes Elasticsearch errors for the user). */
function messageOf(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

function isCancelled(e: unknown): boolean {
	return (e as { code?: number })?.code === -32800; // LSP RequestCancelled
}

export class ElasticsearchFeature extends Disposable {
	private readonly follows = new Map<string, FollowJob>();
	private readonly status: vscode.StatusBarItem;
	private nextId = 0;
	/** Progress callbacks of running one-shot exports and searches, by request id. */
	private readonly progress = new Map<string, (p: { indexed?: number; failed?: number; sourceBytes?: number; totalBytes?: number; read?: number }) => void>();

	constructor(private readonly context: vscode.ExtensionContext, private readonly client: LanguageClient) {
		super();
		this.status = this._register(vscode.window.createStatusBarItem('logLens.elasticsearch', vscode.StatusBarAlignment.Left, 10));
		this.status.name = 'Log Lens: Elasticsearch export';
		this.status.command = 'logLens.stopElasticsearchExport';
		this._register(client.onNotification(ExportProgressNotification.type, (p) => {
			const job = this.follows.get(p.id);
			if (job) {
				job.sent = p.indexed;
				this.updateStatus();
			} else this.progress.get(p.id)?.(p);
		}));
		this._register(client.onNotification(SearchProgressNotification.type, (p) => this.progress.get(p.id)?.(p)));
		this._register(client.onNotification(ExportStateNotification.type, (p) => void this.context.workspaceState.update(p.id, p.state)));
		this._register(client.onNotification(ExportEndedNotification.type, (p) => {
			const job = this.follows.get(p.id);
			if (!job) return;
			this.follows.delete(p.id);
			this.updateStatus();
			if (p.outcome.error !== undefined) this.showFailure(p.outcome.error, `continuous export of ${job.path} stopped`);
		}));
	}

	/** Runs one of the commands (registered, lazily, by elasticsearchCommands.ts). */
	run(id: ElasticsearchCommand, arg: unknown): Promise<unknown> {
		switch (id) {
			case 'logLens.exportToElasticsearch': return this.exportCommand(arg instanceof vscode.Uri ? { uri: arg.toString() } : (arg as ExportCommandOptions | undefined));
			case 'logLens.stopElasticsearchExport': return this.stopCommand(arg as { uri?: string } | undefined);
			case 'logLens.openFromElasticsearch': return this.openLogs(arg as OpenLogsOptions | undefined);
			case 'logLens.setElasticsearchCredentials': return this.setCredentials(arg as CredentialOptions | undefined);
			case 'logLens.testElasticsearchConnection': return this.testConnectionCommand();
		}
	}

	// ---- connection ------------------------------------------------------------------------------

	private settings() {
		return {
			url: setting('elasticsearch.url').trim(),
			cloudId: setting('elasticsearch.cloudId').trim(),
			caFile: setting('elasticsearch.caFile').trim(),
			index: setting('elasticsearch.index').trim() || SETTING_DEFAULTS['elasticsearch.index'],
		};
	}

	/** SecretStorage key: credentials belong to one cluster. */
	private secretKey(): string {
		const s = this.settings();
		return SECRET_PREFIX + (s.cloudId || s.url);
	}

	private async credentials(): Promise<EsCredentials | undefined> {
		const raw = await this.context.secrets.get(this.secretKey());
		if (!raw) return undefined;
		try {
			const v = JSON.parse(raw) as EsCredentials;
			return 'apiKey' in v || 'username' in v ? v : undefined;
		} catch {
			return undefined;
		}
	}

	/** Where to connect and the stored credentials, for one request; undefined (after saying why) when not possible. */
	private async connection(): Promise<EsConnectionParams | undefined> {
		// A workspace's settings choose where logs (and the stored credentials) go: only when trusted.
		if (!vscode.workspace.isTrusted) {
			void vscode.window.showErrorMessage('Log Lens: Elasticsearch is disabled in Restricted Mode: trust the workspace to export or read logs.');
			return undefined;
		}
		const s = this.settings();
		if (!s.url && !s.cloudId) {
			const pick = await vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: set logLens.elasticsearch.url (or cloudId) first.'), 'Open Settings');
			if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'logLens.elasticsearch');
			return undefined;
		}
		return { url: s.url || undefined, cloudId: s.cloudId || undefined, caFile: s.caFile ? this.resolvePath(s.caFile) : undefined, credentials: await this.credentials() };
	}

	private resolvePath(p: string): string {
		const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
		return p.replace(/^\$\{workspaceFolder\}/, folder ?? '');
	}

	private where(): string {
		const s = this.settings();
		return s.url || 'Elastic Cloud';
	}

	/** Shows a failure (as the server described it) with the step that fixes it; returns the message. */
	private showFailure(e: unknown, what: string): string {
		const msg = typeof e === 'string' ? e : messageOf(e);
		const actions = /401|credentials|privilege/.test(msg) ? ['Set Credentials'] : /TLS|refused|resolve|not Elasticsearch|URL|url/.test(msg) ? ['Open Settings'] : [];
		void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: {0}: {1}', what, msg), ...actions).then((pick) => {
			if (pick === 'Set Credentials') void vscode.commands.executeCommand('logLens.setElasticsearchCredentials');
			if (pick === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'logLens.elasticsearch');
		});
		return msg;
	}

	private async setCredentials(arg?: CredentialOptions): Promise<boolean> {
		const key = this.secretKey();
		if (arg?.clear) {
			await this.context.secrets.delete(key);
			return true;
		}
		let creds: EsCredentials | undefined;
		if (arg?.apiKey) creds = { apiKey: arg.apiKey };
		else if (arg?.username !== undefined && arg.password !== undefined) creds = { username: arg.username, password: arg.password };
		else {
			const kind = await vscode.window.showQuickPick([
				{ label: '$(key) API key', description: 'encoded id:key, as Kibana shows it', how: 'apiKey' as const },
				{ label: '$(account) User and password', how: 'basic' as const },
				{ label: '$(trash) Forget stored credentials', how: 'clear' as const },
			], { title: `Log Lens: Elasticsearch credentials for ${this.where()}` });
			if (!kind) return false;
			if (kind.how === 'clear') {
				await this.context.secrets.delete(key);
				void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: Elasticsearch credentials forgotten.'));
				return true;
			}
			if (kind.how === 'apiKey') {
				const apiKey = await vscode.window.showInputBox({ title: 'Log Lens: Elasticsearch API key', password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code\'s secret storage, never in settings.' });
				if (!apiKey) return false;
				creds = { apiKey: apiKey.trim() };
			} else {
				const username = await vscode.window.showInputBox({ title: 'Log Lens: Elasticsearch user', ignoreFocusOut: true });
				if (!username) return false;
				const password = await vscode.window.showInputBox({ title: `Log Lens: password of ${username}`, password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code\'s secret storage, never in settings.' });
				if (password === undefined) return false;
				creds = { username, password };
			}
		}
		await this.context.secrets.store(key, JSON.stringify(creds));
		if (!arg) void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: credentials stored for {0}.', this.where()), 'Test Connection').then((p) => {
			if (p) void vscode.commands.executeCommand('logLens.testElasticsearchConnection');
		});
		return true;
	}

	private async testConnectionCommand(): Promise<ConnectionTestResult> {
		const connection = await this.connection();
		if (!connection) return { ok: false, message: 'not configured' };
		try {
			const info = await this.client.sendRequest(EsTestConnectionRequest.type, { connection });
			const message = `connected to ${info.clusterName} (Elasticsearch ${info.version}) at ${this.where()}`;
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0}.', message));
			return { ok: true, message, info };
		} catch (e) {
			return { ok: false, message: this.showFailure(e, 'Elasticsearch connection failed') };
		}
	}

	// ---- export ----------------------------------------------------------------------------------

	/**
	 * What to export: the URI the server reads (a file, or a filtered tab over one) and, when the
	 * source is not a saved file, its text.
	 */
	private exportSource(uriText?: string): { uri: string; path?: string; text?: string; label: string } | undefined {
		const uri = uriText ? (/^[a-z][\w+.-]+:/i.test(uriText) && !/^[a-z]:[\\/]/i.test(uriText) ? vscode.Uri.parse(uriText) : vscode.Uri.file(uriText)) : vscode.window.activeTextEditor?.document.uri;
		if (!uri) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: open a log file first.'));
			return undefined;
		}
		let source = uri;
		if (uri.scheme === FILTER_SCHEME) {
			const st = decodeFilterQuery(uri.query);
			if (!st) return undefined;
			source = vscode.Uri.parse(st.source);
		}
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === source.toString());
		const label = source.path.split('/').pop() ?? 'log';
		if (source.scheme === 'file' && !doc?.isDirty) return { uri: uri.toString(), path: source.fsPath, label };
		if (doc) return { uri: uri.toString(), text: doc.getText(), label };
		void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: cannot read {0} for export.', source.toString()));
		return undefined;
	}

	private async exportCommand(arg?: ExportCommandOptions): Promise<ExportOutcome | { following: string } | undefined> {
		const src = this.exportSource(arg?.uri);
		if (!src) return undefined;
		let index = arg?.index;
		if (!index) {
			index = await vscode.window.showInputBox({ title: `Log Lens: Export ${src.label} to Elasticsearch`, prompt: `Index at ${this.where()}`, value: this.settings().index, ignoreFocusOut: true, validateInput: validIndex });
			if (!index) return undefined;
		}
		if (validIndex(index)) {
			void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: {0}', validIndex(index) ?? ''));
			return undefined;
		}
		let follow = arg?.follow;
		if (follow === undefined && !arg && src.path) {
			const how = await vscode.window.showQuickPick([
				{ label: '$(cloud-upload) Export the entries now', follow: false },
				{ label: '$(debug-continue) Export now and keep exporting what is appended', description: 'resumes where it stopped after a restart or rotation', follow: true },
			], { title: `Log Lens: Export ${src.label} to '${index}'` });
			if (!how) return undefined;
			follow = how.follow;
		}
		if (follow && !src.path) {
			void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: only a file on disk can be exported continuously.'));
			return undefined;
		}
		const connection = await this.connection();
		if (!connection) return undefined;
		try {
			await this.client.sendRequest(EsTestConnectionRequest.type, { connection });
			await this.ensureTemplate(connection, index, arg?.createTemplate);
		} catch (e) {
			this.showFailure(e, 'cannot export');
			return undefined;
		}
		if (follow && src.path) return this.startFollow(connection, src.uri, src.path, index);
		return this.exportOnce(connection, src, index, arg?.refresh ?? true, !!arg);
	}

	private async ensureTemplate(connection: EsConnectionParams, index: string, create: boolean | undefined): Promise<void> {
		const state = await this.client.sendRequest(EsTemplateRequest.type, { connection, index, create: create === true });
		if (state !== 'missing' || create === false) return;
		const pick = await vscode.window.showInformationMessage(
			`Log Lens: there is no index template with ECS mappings for '${index}' (@timestamp as date, log.level as keyword, message as text, error.stack_trace as wildcard). Create it?`,
			'Create Template', 'Export Without');
		if (pick === 'Create Template') {
			await this.client.sendRequest(EsTemplateRequest.type, { connection, index, create: true });
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: created index template {0}.', templateName(index)));
		}
	}

	private async exportOnce(connection: EsConnectionParams, src: { uri: string; text?: string; label: string }, index: string, refresh: boolean, quiet: boolean): Promise<ExportOutcome | undefined> {
		const title = `Log Lens: exporting ${src.label} to '${index}'`;
		const id = `export-${++this.nextId}`;
		let outcome: ExportOutcome;
		try {
			outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
				let reported = 0;
				this.progress.set(id, (p) => {
					const pct = p.totalBytes ? Math.min(100, ((p.sourceBytes ?? 0) / p.totalBytes) * 100) : 0;
					progress.report({ increment: pct - reported, message: `${(p.indexed ?? 0).toLocaleString('en-US')} indexed${p.failed ? `, ${p.failed} refused` : ''}` });
					reported = pct;
				});
				const r = await this.client.sendRequest(ExportRequest.type, { id, connection, uri: src.uri, text: src.text, index, refresh }, token);
				return r as ExportOutcome;
			});
		} catch (e) {
			if (isCancelled(e)) void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: export cancelled.'));
			else this.showFailure(e, 'cannot export');
			return undefined;
		} finally {
			this.progress.delete(id);
		}
		const text = outcome.text;
		if (outcome.error !== undefined) {
			this.showFailure(outcome.error, `export stopped after ${outcome.indexed} entries`);
		} else if (outcome.failed > 0) {
			void vscode.window.showWarningMessage(vscode.l10n.t('Log Lens: {0}; {1} refused.', text.split('\n')[0], outcome.failed), { modal: false, detail: text }, 'Show Reasons').then((p) => {
				if (p) void vscode.workspace.openTextDocument({ content: text, language: 'plaintext' }).then((d) => vscode.window.showTextDocument(d));
			});
		} else if (!quiet || outcome.aborted) void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0}', text.replace(/\n/g, ' ')));
		return outcome;
	}

	/** workspaceState key of a continuous export's position (also its id in the server). */
	private stateKey(path: string, index: string): string {
		return `logLens.elasticsearch.follow:${index}:${path}`;
	}

	private async startFollow(connection: EsConnectionParams, uri: string, path: string, index: string): Promise<{ following: string } | undefined> {
		const key = this.stateKey(path, index);
		if (this.follows.has(key)) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0} is already being exported to \'{1}\'.', path, index));
			return { following: key };
		}
		const state = this.context.workspaceState.get<ExportState>(key);
		this.follows.set(key, { key, path, index, sent: 0 });
		try {
			await this.client.sendRequest(ExportRequest.type, { id: key, connection, uri, index, follow: true, state });
		} catch (e) {
			this.follows.delete(key);
			this.showFailure(e, 'cannot export');
			return undefined;
		}
		this.updateStatus();
		void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: exporting {0} to \'{1}\' continuously{2}. Stop it from the status bar.', path.split(/[\\/]/).pop() ?? path, index, state ? ' (resuming)' : ''));
		return { following: key };
	}

	private updateStatus(): void {
		const jobs = [...this.follows.values()];
		if (jobs.length === 0) {
			this.status.hide();
			return;
		}
		const sent = jobs.reduce((n, j) => n + j.sent, 0);
		this.status.text = `$(cloud-upload) ${sent.toLocaleString('en-US')}`;
		this.status.tooltip = `Log Lens: exporting to Elasticsearch continuously:\n${jobs.map((j) => `${j.path} → ${j.index}`).join('\n')}\nClick to stop.`;
		this.status.show();
	}

	/** Stops continuous exports (the one for `uri`, or a chosen one, or all); resolves when their last documents are sent. */
	private async stopCommand(arg?: { uri?: string }): Promise<ExportOutcome[]> {
		let jobs = [...this.follows.values()];
		if (arg?.uri) {
			const p = arg.uri.startsWith('file:') ? vscode.Uri.parse(arg.uri).fsPath : arg.uri;
			jobs = jobs.filter((j) => j.path === p);
		} else if (jobs.length > 1) {
			const pick = await vscode.window.showQuickPick([{ label: 'All', jobs }, ...jobs.map((j) => ({ label: `${j.path} → ${j.index}`, jobs: [j] }))], { title: 'Log Lens: Stop continuous export' });
			if (!pick) return [];
			jobs = pick.jobs;
		}
		if (jobs.length === 0) return [];
		const outcomes = await this.client.sendRequest(StopExportRequest.type, { ids: jobs.map((j) => j.key) });
		for (const j of jobs) this.follows.delete(j.key);
		this.updateStatus();
		return outcomes;
	}

	// ---- read back -------------------------------------------------------------------------------

	private async openLogs(arg?: OpenLogsOptions): Promise<vscode.TextEditor | undefined> {
		const o: OpenLogsOptions = { ...arg };
		if (!o.index) {
			o.index = await vscode.window.showInputBox({ title: 'Log Lens: Open Logs from Elasticsearch (1/4)', prompt: 'Index or pattern', value: this.settings().index, ignoreFocusOut: true });
			if (!o.index) return undefined;
		}
		if (!arg) {
			const range = await vscode.window.showQuickPick([
				{ label: 'Last 15 minutes', since: '15m' }, { label: 'Last hour', since: '1h' }, { label: 'Last 24 hours', since: '1d' },
				{ label: 'Last 7 days', since: '7d' }, { label: 'Any time', since: '' }, { label: 'Custom…', since: undefined },
			], { title: 'Log Lens: Open Logs from Elasticsearch (2/4): time range' });
			if (!range) return undefined;
			if (range.since === undefined) {
				o.since = await vscode.window.showInputBox({ title: 'From', prompt: 'ISO time, HH:MM[:SS], or 15m / 2h / 1d ago (empty: from the start)' });
				if (o.since === undefined) return undefined;
				o.until = await vscode.window.showInputBox({ title: 'Until', prompt: 'ISO time or HH:MM[:SS] (empty: until now)' });
				if (o.until === undefined) return undefined;
			} else o.since = range.since;
			const lv = await vscode.window.showQuickPick([{ label: 'Any level', level: undefined }, ...[...LEVEL_ORDER].reverse().map((l) => ({ label: `${l[0].toUpperCase()}${l.slice(1)} and above`, level: l }))], { title: 'Log Lens: Open Logs from Elasticsearch (3/4): level' });
			if (!lv) return undefined;
			o.level = lv.level;
			o.query = await vscode.window.showInputBox({ title: 'Log Lens: Open Logs from Elasticsearch (4/4): text', prompt: 'Words that must all occur (empty: any)', ignoreFocusOut: true });
			if (o.query === undefined) return undefined;
		}
		const connection = await this.connection();
		if (!connection) return undefined;
		const limit = o.limit ?? 10_000;
		const id = `search-${++this.nextId}`;
		let lines: string[];
		try {
			lines = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Log Lens: reading '${o.index}'`, cancellable: true }, async (progress, token) => {
				this.progress.set(id, (p) => progress.report({ message: `${(p.read ?? 0).toLocaleString('en-US')} entries` }));
				return (await this.client.sendRequest(SearchRequest.type, { id, connection, index: o.index!, since: o.since || undefined, until: o.until || undefined, minLevel: o.level, query: o.query || undefined, limit }, token)).lines;
			});
		} catch (e) {
			if (!isCancelled(e)) this.showFailure(e, `cannot read '${o.index}'`);
			return undefined;
		} finally {
			this.progress.delete(id);
		}
		const n = lines.length;
		const what = [o.level ? `≥${o.level}` : '', o.query ? `"${o.query}"` : '', o.since ? `since ${o.since}` : '', o.until ? `until ${o.until}` : ''].filter(Boolean).join(', ');
		const head = `# Log Lens: ${n.toLocaleString('en-US')} entries from Elasticsearch index '${o.index}'${what ? ` (${what})` : ''}${n >= limit ? ` — first ${n.toLocaleString('en-US')} shown` : ''}`;
		const doc = await vscode.workspace.openTextDocument({ language: 'log', content: `${head}\n${lines.join('\n')}${lines.length ? '\n' : ''}` });
		return vscode.window.showTextDocument(doc, { preview: false });
	}
}

/** Elasticsearch's index name rules; undefined when valid. */
function validIndex(name: string): string | undefined {
	if (!name) return 'an index name is required';
	if (name !== name.toLowerCase()) return 'index names are lower case';
	if (/[\\/*?"<>| ,#:]/.test(name)) return 'index names cannot contain \\ / * ? " < > | space , # :';
	if (/^[-_+]/.test(name) || name === '.' || name === '..') return 'index names cannot start with - _ +';
	return undefined;
}

