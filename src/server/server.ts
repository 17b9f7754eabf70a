/**
 * The Log Lens language server: owns the index of every open log (read from disk for files) and
 * answers the editor features (folding, outline, hover, links) and Log Lens's own requests
 * (summary, filter, navigation). Never writes to stdout: that is the JSON-RPC channel.
 */
import {
	createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, InitializeResult, CancellationToken,
	ResponseError, ErrorCodes,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import * as os from 'os';
import { LogStore, summarize } from './logStore';
import {
	SummaryRequest, IndexChangedNotification, OpenLogNotification, CloseLogNotification, FilterRequest, NavigateRequest,
	GotoTimeRequest, EntryRangesRequest, ProblemsRequest, OccurrencesRequest, SetFormatRequest, DiscoverLoggingRequest, EntryTextRequest, FollowStartRequest, FollowRestartRequest, FollowStopNotification, FollowContentRequest,
	FollowChangedNotification, ServerSettingsNotification, MergeDropNotification,
	EsTestConnectionRequest, EsTemplateRequest, ExportRequest, ExportProgressNotification, ExportStateNotification, ExportEndedNotification, StopExportRequest, SearchRequest, SearchProgressNotification, AlertNotification, AlertRulesInvalidNotification, StatsRequest, AnomaliesRequest, WindowRequest, CloseWindowNotification, ReleaseDocumentNotification, FilterToFileRequest, MergeRequest, MergeContentRequest, MergeSourceRequest,
	InnerLogRequest,
} from '../shared/protocol';
import { innerLogOf } from './innerLogService';
import { merge, mergeContent, mergeSource, dropMerge } from './mergeService';
import { windowOf, derivedDoc, filterToFile } from './windowService';
import { stats, anomalies } from './statsService';
import { FollowService } from './followService';
import { AlertEngine } from './alerts';
import { entryText } from '../core/entryReader';
import { setFormatSettings, setFileFormat, setStatusLevels } from './formatSettings';
import { discoverLogs } from './discoveryService';
import { URI } from 'vscode-uri';
import { problems, occurrences, templateOf } from './problemsService';
import { runFilter } from './filterService';
import type { ServerSettings } from '../shared/settings';
import { filterHeader } from '../shared/describeFilter';
import { navigate, gotoTime, entryRanges } from './navigationService';
import { foldingRanges, documentSymbols } from './structureService';
import { hover } from './hoverService';
import { documentLinks, setWorkspaceFolders, setPathMappings } from './linkService';

// The server does the heavy work (indexing gigabytes, whole-file filters) while the editor must stay
// responsive: on a busy machine the extension host and the window get the CPU first. (On Linux this
// sets the main thread's nice value; threads started later, e.g. the stats worker, inherit it.)
try {
	os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
	// not permitted here: keep the default priority
}

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const store = new LogStore(
	(doc) => void connection.sendNotification(IndexChangedNotification.type, summarize(doc)),
	(msg) => connection.console.log(msg),
);

/** The settings the client sent with `initialize`, applied once the handshake is done. */
let initialSettings: ServerSettings | undefined;

connection.onInitialize((params): InitializeResult => {
	setWorkspaceFolders((params.workspaceFolders ?? []).map((f) => f.uri));
	initialSettings = (params.initializationOptions as { settings?: ServerSettings } | undefined)?.settings;
	return {
		capabilities: {
			textDocumentSync: TextDocumentSyncKind.Full,
			foldingRangeProvider: true,
			documentSymbolProvider: { label: 'Log Lens' },
			hoverProvider: true,
			documentLinkProvider: { resolveProvider: false },
			workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
		},
		serverInfo: { name: 'Log Lens' },
	};
});

/** Settings the server uses; everything else is read by the client. */
const alerts = new AlertEngine();
const follow = new FollowService(store, alerts, {
	changed: (st) => void connection.sendNotification(FollowChangedNotification.type, st),
	alerts: () => { for (const a of alerts.drain()) void connection.sendNotification(AlertNotification.type, a); },
	anomaly: (a) => void connection.sendNotification(AlertNotification.type, a),
	log: (m) => connection.console.log(m),
});

let lastFormats = '[]';
let lastAlerts = '';

function applySettings(s: Partial<ServerSettings> | undefined): void {
	setPathMappings(s?.pathMappings);
	const rules = JSON.stringify(s?.alerts ?? []);
	if (rules !== lastAlerts) {
		lastAlerts = rules;
		const errors = alerts.configure(s?.alerts ?? []);
		if (errors.length) void connection.sendNotification(AlertRulesInvalidNotification.type, { errors });
	}
	const formats = JSON.stringify(s?.formats ?? []);
	setFormatSettings(s?.formats);
	const statusChanged = setStatusLevels(s?.statusLevels);
	if (formats !== lastFormats || statusChanged) {
		lastFormats = formats;
		store.reindexFiles();
	}
}

connection.onInitialized(() => {
	applySettings(initialSettings);
	connection.workspace.onDidChangeWorkspaceFolders((e) => {
		void e;
		void connection.workspace.getWorkspaceFolders().then((f) => setWorkspaceFolders((f ?? []).map((x) => x.uri)));
	});
});
connection.onNotification(ServerSettingsNotification.type, (s) => applySettings(s));

documents.onDidOpen((e) => void store.open(e.document.uri, 'editor', e.document.getText()));
documents.onDidChangeContent((e) => store.updateText(e.document.uri, e.document.getText()));
documents.onDidClose((e) => store.close(e.document.uri, 'editor'));
connection.onNotification(OpenLogNotification.type, (p) => void store.open(p.uri, 'tab'));
connection.onNotification(CloseLogNotification.type, (p) => store.close(p.uri, 'tab'));

/** Files this big answer from the partial index while they are still being read. */
const PARTIAL_BYTES = 64 << 20;

function partialOrReady(uri: string): ReturnType<LogStore['get']> {
	const d = store.get(uri);
	return d && (d.state !== 'indexing' || d.totalBytes > PARTIAL_BYTES) ? d : undefined;
}

/** Runs a handler on a document's index, after yielding once so cancellations are seen. */
function withDoc<P extends { uri: string } | { textDocument: { uri: string } }, R>(fn: (doc: NonNullable<Awaited<ReturnType<LogStore['ready']>>>, p: P, token: CancellationToken) => R | Promise<R>, fallback: R) {
	return async (p: P, token: CancellationToken): Promise<R> => {
		await new Promise((r) => setImmediate(r));
		if (token.isCancellationRequested) return fallback;
		const uri = 'uri' in p ? p.uri : p.textDocument.uri;
		// A request may arrive for a log the server was not told about (e.g. a filter over a file
		// whose tab is closed): index it on demand, held by the request.
		const doc = partialOrReady(uri) ?? (await store.ready(uri)) ?? (await store.open(uri, 'request'));
		try {
			return await fn(doc, p, token);
		} catch (e) {
			if (e instanceof ResponseError) throw e;
			throw new ResponseError(ErrorCodes.InternalError, (e as Error).message);
		}
	};
}

connection.onRequest(SummaryRequest.type, withDoc((doc) => summarize(doc), undefined as never));
connection.onRequest(FilterRequest.type, withDoc((doc, p, token) => {
	const r = runFilter(doc, p.filter, p.maxEntries, token, p.filter.templateId !== undefined ? templateOf(doc, p.filter.templateLevel) : undefined, p.maxBytes);
	if (!p.tab) return r;
	// the tab's whole text, header first, indexed here: the client does not sync it back
	r.text = `${filterHeader(r, p.tab.name)}\n${r.text}`;
	store.attach(p.tab.uri, derivedDoc(p.tab.uri, doc, Buffer.from(r.text, 'utf8')));
	return r;
}, undefined as never));
connection.onRequest(ProblemsRequest.type, withDoc((doc, p) => problems(doc, p.minLevel), undefined as never));
connection.onRequest(OccurrencesRequest.type, withDoc((doc, p) => occurrences(doc, p), { total: 0, items: [] }));
connection.onRequest(NavigateRequest.type, withDoc((doc, p) => navigate(doc, p), { line: null, endLine: null, wrapped: false }));
connection.onRequest(GotoTimeRequest.type, withDoc((doc, p) => gotoTime(doc, p.time), { line: null, time: null }));
connection.onRequest(EntryRangesRequest.type, withDoc((doc, p) => entryRanges(doc, p.minLevel), { ranges: [] }));
connection.onFoldingRanges(withDoc((doc) => foldingRanges(doc), []));
connection.onDocumentSymbol(withDoc((doc) => documentSymbols(doc), []));
connection.onHover(withDoc((doc, p) => hover(doc, p.position.line), null));
connection.onDocumentLinks(withDoc((doc) => documentLinks(doc), []));

connection.onRequest(SetFormatRequest.type, async (p) => {
	setFileFormat(URI.parse(p.uri).fsPath, p.format);
	store.reindexFiles(p.uri);
	const doc = (await store.ready(p.uri)) ?? (await store.open(p.uri, 'request'));
	return summarize(doc);
});
connection.onRequest(DiscoverLoggingRequest.type, (p) => discoverLogs(p.files, p.workspaceRoot));

connection.onRequest(EntryTextRequest.type, withDoc((doc, p) => {
	const e = doc.index.entryAtLine(p.line);
	if (e < 0) return null;
	return { text: entryText(doc.index, doc.source, e), line: doc.index.entryStartLine(e), endLine: doc.index.entryEndLine(e) };
}, null));

connection.onRequest(InnerLogRequest.type, withDoc((doc, p) => {
	const r = innerLogOf(doc, p);
	if (r?.tabDoc && p.tab) store.attach(p.tab, r.tabDoc);
	return r?.result ?? null;
}, null));

connection.onRequest(StatsRequest.type, withDoc((doc, p, token) => stats(doc, p, token), undefined as never));
connection.onRequest(AnomaliesRequest.type, withDoc((doc, _p, token) => anomalies(doc, token), []));
connection.onRequest(WindowRequest.type, async (p) => {
	const uri = URI.file(p.path).toString();
	const opening = store.open(uri, 'window');
	const doc = partialOrReady(uri) ?? (await opening);
	return windowOf(doc, p, p.uri ? (text) => store.attach(p.uri!, derivedDoc(p.uri!, doc, text)) : undefined);
});
connection.onNotification(ReleaseDocumentNotification.type, (p) => store.detach(p.uri));
connection.onNotification(CloseWindowNotification.type, (p) => {
	if (p.uri) store.detach(p.uri);
	if (p.releaseFile !== false) store.close(URI.file(p.path).toString(), 'window');
});
connection.onRequest(FilterToFileRequest.type, withDoc((doc, p, token) => filterToFile(doc, p.filter, p.path, token), { entries: 0, bytes: 0 }));
connection.onRequest(MergeRequest.type, (p) => merge(p));
connection.onRequest(MergeContentRequest.type, (p) => mergeContent(p.id));
connection.onRequest(MergeSourceRequest.type, (p) => mergeSource(p.id, p.line));
connection.onNotification(MergeDropNotification.type, (p) => dropMerge(p.id));
connection.onRequest(FollowStartRequest.type, (p) => follow.start(p));
connection.onRequest(FollowRestartRequest.type, (p) => follow.restart(p.id));
connection.onNotification(FollowStopNotification.type, (p) => void follow.stop(p.id));
connection.onRequest(FollowContentRequest.type, (p) => follow.content(p.id));

// Elasticsearch: loaded on the first request (the client bundle, dist/elastic.js, is 2.6 MB).
let elastic: Promise<import('./elasticsearchService').ElasticsearchService> | undefined;
function es(): Promise<import('./elasticsearchService').ElasticsearchService> {
	return (elastic ??= import('./elasticsearchService').then((m) => new m.ElasticsearchService({
		progress: (p) => void connection.sendNotification(ExportProgressNotification.type, p),
		state: (id, state) => void connection.sendNotification(ExportStateNotification.type, { id, state }),
		ended: (id, outcome) => void connection.sendNotification(ExportEndedNotification.type, { id, outcome }),
		searchProgress: (id, read) => void connection.sendNotification(SearchProgressNotification.type, { id, read }),
	})));
}
connection.onRequest(EsTestConnectionRequest.type, async (p) => (await es()).testConnection(p.connection));
connection.onRequest(EsTemplateRequest.type, async (p) => (await es()).template(p.connection, p.index, p.create));
connection.onRequest(ExportRequest.type, async (p, token) => (await es()).export(p, token));
connection.onRequest(StopExportRequest.type, async (p) => (elastic ? (await elastic).stop(p.ids) : []));
connection.onRequest(SearchRequest.type, async (p, token) => (await es()).search(p, token));

connection.onShutdown(async () => {
	await follow.dispose();
	// Continuous exports send what they read before the server goes.
	if (elastic) await (await elastic).stopAll();
});

documents.listen(connection);
connection.listen();
