/**
 * Elasticsearch: Export to Elasticsearch… (the active log, a filtered tab, or a followed log
 * continuously), Open Logs from Elasticsearch…, Set Elasticsearch Credentials, Test Elasticsearch
 * Connection. Credentials live only in SecretStorage; where to connect comes from the
 * `logLens.elasticsearch.*` settings. Every command takes an options argument that skips its
 * prompts (tests, keybindings, other extensions).
 */
import * as vscode from 'vscode';
import type { Client } from '@elastic/elasticsearch';
import { Disposable } from './disposable';
import { setting } from './settings';
import { SETTING_DEFAULTS } from '../shared/settings';
import type { ElasticsearchCommand } from './elasticsearchCommands';
import { FILTER_SCHEME } from './logDocuments';
import { FilterSpec, LEVEL_ORDER, LevelName } from '../shared/protocol';
import { CompiledFilter, parseFilterLevel, parseTimeBound } from '../core/filter';
import { LogFormat } from '../core/format';
import { compilePythonFormat } from '../core/python/formatString';
import { bulkExport, ExportItem, ExportSummary, formatSummary } from '../core/elasticsearch/bulkExport';
import { createEsClient, describeEsError, EsConnectionOptions, EsCredentials, EsServerInfo, testConnection } from '../core/elasticsearch/connection';
import { ExportState, fileItems, followItems, planResume, textItems } from '../core/elasticsearch/exportSources';
import { isExportState, stateAt, ThrottledStateWriter } from '../core/elasticsearch/exportState';
import { ensureIndexTemplate, templateName } from '../core/elasticsearch/indexTemplate';
import { hitToLogText, LogSearch, searchLogs } from '../core/elasticsearch/search';
import { compileUserFilter, globToRegExp } from '../core/userFilter';

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

interface FollowJob {
	key: string;
	path: string;
	index: string;
	stop: AbortController;
	cancel: AbortController;
	done: Promise<ExportSummary>;
	sent: number;
}

const SECRET_PREFIX = 'logLens.elasticsearch.credentials:';

export class ElasticsearchFeature extends Disposable {
	private readonly follows = new Map<string, FollowJob>();
	private readonly status: vscode.StatusBarItem;

	constructor(private readonly context: vscode.ExtensionContext) {
		super();
		this.status = this._register(vscode.window.createStatusBarItem('logLens.elasticsearch', vscode.StatusBarAlignment.Left, 10));
		this.status.name = 'Log Lens: Elasticsearch export';
		this.status.command = 'logLens.stopElasticsearchExport';
		this._register({ dispose: () => void this.stopAll() });
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

	private async connection(): Promise<EsConnectionOptions | undefined> {
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

	private async client(): Promise<Client | undefined> {
		// A workspace's settings choose where logs (and the stored credentials) go: only when trusted.
		if (!vscode.workspace.isTrusted) {
			void vscode.window.showErrorMessage('Log Lens: Elasticsearch is disabled in Restricted Mode: trust the workspace to export or read logs.');
			return undefined;
		}
		const conn = await this.connection();
		if (!conn) return undefined;
		try {
			return createEsClient(conn);
		} catch (e) {
			void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: {0}', describeEsError(e)));
			return undefined;
		}
	}

	private where(): string {
		const s = this.settings();
		return s.url || 'Elastic Cloud';
	}

	/** Shows a connection failure with the step that fixes it. */
	private async showFailure(e: unknown, what: string): Promise<string> {
		const msg = describeEsError(e, this.where());
		const actions = /401|credentials|privilege/.test(msg) ? ['Set Credentials'] : /TLS|refused|resolve|not Elasticsearch|URL/.test(msg) ? ['Open Settings'] : [];
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
		const client = await this.client();
		if (!client) return { ok: false, message: 'not configured' };
		try {
			const info = await testConnection(client);
			const message = `connected to ${info.clusterName} (Elasticsearch ${info.version}) at ${this.where()}`;
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0}.', message));
			return { ok: true, message, info };
		} catch (e) {
			return { ok: false, message: await this.showFailure(e, 'Elasticsearch connection failed') };
		} finally {
			await client.close();
		}
	}

	// ---- export ----------------------------------------------------------------------------------

	/** The log to export: a file (maybe with a filter from a filtered tab) or editor text. */
	private async exportSource(uriText?: string): Promise<{ path?: string; doc?: vscode.TextDocument; filters: CompiledFilter[]; label: string } | undefined> {
		let uri = uriText ? (/^[a-z][\w+.-]+:/i.test(uriText) && !/^[a-z]:[\\/]/i.test(uriText) ? vscode.Uri.parse(uriText) : vscode.Uri.file(uriText)) : vscode.window.activeTextEditor?.document.uri;
		if (!uri) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: open a log file first.'));
			return undefined;
		}
		let filters: CompiledFilter[] = [];
		if (uri.scheme === FILTER_SCHEME) {
			let st: { source: string; filter: FilterSpec };
			try {
				st = JSON.parse(uri.query) as { source: string; filter: FilterSpec };
			} catch {
				return undefined;
			}
			filters = compileUserFilter(st.filter, Date.now());
			uri = vscode.Uri.parse(st.source);
		}
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri!.toString());
		const label = uri.path.split('/').pop() ?? 'log';
		if (uri.scheme === 'file' && !doc?.isDirty) return { path: uri.fsPath, doc, filters, label };
		if (doc) return { doc, filters, label };
		void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: cannot read {0} for export.', uri.toString()));
		return undefined;
	}

	/** A format from `logLens.formats` whose glob matches the document. */
	private configuredFormat(doc: vscode.TextDocument | undefined, path: string | undefined): LogFormat | string | undefined {
		const entries = setting('formats', doc?.uri ?? (path ? vscode.Uri.file(path) : undefined));
		for (const f of entries) {
			if (!f.glob) continue;
			const matches = doc ? vscode.languages.match({ pattern: f.glob }, doc) > 0 : path !== undefined && globToRegExp(f.glob).test(path);
			if (!matches) continue;
			if (f.format) {
				try {
					return compilePythonFormat({ format: f.format, style: f.style, datefmt: f.datefmt ?? null });
				} catch {
					continue;
				}
			}
			if (f.formatId) return f.formatId;
		}
		return undefined;
	}

	private async exportCommand(arg?: ExportCommandOptions): Promise<ExportSummary | { following: string } | undefined> {
		const src = await this.exportSource(arg?.uri);
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
		const client = await this.client();
		if (!client) return undefined;
		let closeClient = true;
		try {
			try {
				await testConnection(client);
				await this.ensureTemplate(client, index, arg?.createTemplate);
			} catch (e) {
				await this.showFailure(e, 'cannot export');
				return undefined;
			}
			const format = this.configuredFormat(src.doc, src.path);
			const filter = src.filters.length ? src.filters : undefined;
			if (follow && src.path) {
				closeClient = false;
				return this.startFollow(client, src.path, index, format, filter);
			}
			return await this.exportOnce(client, src, index, format, filter, arg?.refresh ?? true, !!arg);
		} finally {
			if (closeClient) await client.close();
		}
	}

	private async ensureTemplate(client: Client, index: string, create: boolean | undefined): Promise<void> {
		const state = await ensureIndexTemplate(client, index, create === true);
		if (state !== 'missing' || create === false) return;
		const pick = await vscode.window.showInformationMessage(
			`Log Lens: there is no index template with ECS mappings for '${index}' (@timestamp as date, log.level as keyword, message as text, error.stack_trace as wildcard). Create it?`,
			'Create Template', 'Export Without');
		if (pick === 'Create Template') {
			await ensureIndexTemplate(client, index, true);
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: created index template {0}.', templateName(index)));
		}
	}

	private async exportOnce(client: Client, src: { path?: string; doc?: vscode.TextDocument; label: string }, index: string, format: LogFormat | string | undefined, filter: CompiledFilter[] | undefined, refresh: boolean, quiet: boolean): Promise<ExportSummary | undefined> {
		const title = `Log Lens: exporting ${src.label} to '${index}'`;
		const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
			const cancel = new AbortController();
			const sub = token.onCancellationRequested(() => cancel.abort());
			let total = 0;
			let reported = 0;
			const items: AsyncIterable<ExportItem> | Iterable<ExportItem> = src.path
				? fileItems(src.path, { format, filter, signal: cancel.signal, onRead: (_b, t) => (total = t) })
				: textItems(Buffer.from(src.doc?.getText() ?? '', 'utf8'), { format, filter, filePath: src.doc?.uri.scheme === 'file' ? src.doc.uri.fsPath : undefined });
			if (!src.path) total = Buffer.byteLength(src.doc?.getText() ?? '');
			try {
				return await bulkExport(client, items, {
					index, signal: cancel.signal, refresh,
					onProgress: (p) => {
						const pct = total > 0 ? Math.min(100, (p.sourceBytes / total) * 100) : 0;
						progress.report({ increment: pct - reported, message: `${p.indexed.toLocaleString('en-US')} indexed${p.failed ? `, ${p.failed} refused` : ''}` });
						reported = pct;
					},
				});
			} finally {
				sub.dispose();
			}
		});
		const text = formatSummary(summary, index);
		if (summary.error !== undefined) {
			await this.showFailure(summary.error, `export stopped after ${summary.indexed} entries`);
		} else if (summary.failed > 0) {
			void vscode.window.showWarningMessage(vscode.l10n.t('Log Lens: {0}; {1} refused.', text.split('\n')[0], summary.failed), { modal: false, detail: text }, 'Show Reasons').then((p) => {
				if (p) void vscode.workspace.openTextDocument({ content: text, language: 'plaintext' }).then((d) => vscode.window.showTextDocument(d));
			});
		} else if (!quiet || summary.aborted) void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0}', text.replace(/\n/g, ' ')));
		return summary;
	}

	private stateKey(path: string, index: string): string {
		return `logLens.elasticsearch.follow:${index}:${path}`;
	}

	private startFollow(client: Client, path: string, index: string, format: LogFormat | string | undefined, filter: CompiledFilter[] | undefined): { following: string } {
		const key = this.stateKey(path, index);
		if (this.follows.has(key)) {
			void client.close();
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0} is already being exported to \'{1}\'.', path, index));
			return { following: key };
		}
		const saved = this.context.workspaceState.get<unknown>(key);
		const state = isExportState(saved, index) ? saved : undefined;
		const writer = new ThrottledStateWriter(async (s: ExportState) => {
			await this.context.workspaceState.update(key, s);
		});
		const job: FollowJob = { key, path, index, stop: new AbortController(), cancel: new AbortController(), done: Promise.resolve({} as ExportSummary), sent: 0 };
		job.done = (async () => {
			const plan = await planResume(path, state);
			const items = followItems(path, { format, filter, plan, stop: job.stop.signal, signal: job.cancel.signal });
			try {
				return await bulkExport(client, items, {
					index, concurrency: 1, flushIntervalMs: 1000, signal: job.cancel.signal,
					onAcknowledged: (at) => writer.update(stateAt(index, at)),
					onProgress: (p) => {
						job.sent = p.indexed;
						this.updateStatus();
					},
				});
			} finally {
				await writer.flush();
				await client.close();
			}
		})();
		this.follows.set(key, job);
		this.updateStatus();
		void job.done.then((s) => {
			this.follows.delete(key);
			this.updateStatus();
			if (s.error !== undefined) void this.showFailure(s.error, `continuous export of ${path} stopped`);
		}, (e: unknown) => {
			this.follows.delete(key);
			this.updateStatus();
			void this.showFailure(e, `continuous export of ${path} stopped`);
		});
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
	private async stopCommand(arg?: { uri?: string }): Promise<ExportSummary[]> {
		let jobs = [...this.follows.values()];
		if (arg?.uri) {
			const p = arg.uri.startsWith('file:') ? vscode.Uri.parse(arg.uri).fsPath : arg.uri;
			jobs = jobs.filter((j) => j.path === p);
		} else if (jobs.length > 1) {
			const pick = await vscode.window.showQuickPick([{ label: 'All', jobs }, ...jobs.map((j) => ({ label: `${j.path} → ${j.index}`, jobs: [j] }))], { title: 'Log Lens: Stop continuous export' });
			if (!pick) return [];
			jobs = pick.jobs;
		}
		for (const j of jobs) j.stop.abort();
		return Promise.all(jobs.map((j) => j.done));
	}

	private async stopAll(): Promise<void> {
		for (const j of this.follows.values()) j.stop.abort();
		await Promise.all([...this.follows.values()].map((j) => j.done.catch(() => undefined)));
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
		const search: LogSearch = { index: o.index, query: o.query || undefined, limit: o.limit ?? 10_000 };
		try {
			if (o.since) search.since = parseTimeBound(o.since);
			if (o.until) search.until = parseTimeBound(o.until);
			if (o.level) search.minLevel = parseFilterLevel(o.level);
		} catch (e) {
			void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: {0}', (e as Error).message));
			return undefined;
		}
		const client = await this.client();
		if (!client) return undefined;
		const lines: string[] = [];
		let n = 0;
		try {
			await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Log Lens: reading '${o.index}'`, cancellable: true }, async (progress, token) => {
				const cancel = new AbortController();
				const sub = token.onCancellationRequested(() => cancel.abort());
				try {
					for await (const h of searchLogs(client, { ...search, signal: cancel.signal })) {
						lines.push(hitToLogText(h));
						if (++n % 1000 === 0) progress.report({ message: `${n.toLocaleString('en-US')} entries` });
					}
				} finally {
					sub.dispose();
				}
			});
		} catch (e) {
			if (!(e instanceof Error && /abort/i.test(e.name + e.message))) {
				await this.showFailure(e, `cannot read '${o.index}'`);
				return undefined;
			}
		} finally {
			await client.close();
		}
		const what = [o.level ? `≥${o.level}` : '', o.query ? `"${o.query}"` : '', o.since ? `since ${o.since}` : '', o.until ? `until ${o.until}` : ''].filter(Boolean).join(', ');
		const head = `# Log Lens: ${n.toLocaleString('en-US')} entries from Elasticsearch index '${o.index}'${what ? ` (${what})` : ''}${n >= (search.limit ?? 0) ? ` — first ${n.toLocaleString('en-US')} shown` : ''}`;
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

