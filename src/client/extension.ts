/**
 * Log Lens extension entry. `activate` is cheap: it registers the features and starts the language
 * server (a separate Node process that owns every index) without waiting for it — requests sent
 * before it runs wait for it; all heavy work happens in the server. Nothing of Elasticsearch is
 * loaded until one of its commands runs. The activation time goes to the `Log Lens` output channel.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './languageClient';
import { LogDocuments } from './logDocuments';
import { StatusBar } from './statusBar';
import { FilterFeature } from './filterCommand';
import { Navigation } from './navigation';
import { EntryDecorations } from './entryDecorations';
import { Highlights } from './highlights';
import { SummaryRequest } from '../shared/protocol';
import { ProblemsTree } from './problemsTree';
import { ProjectLogs } from './projectLogs';
import { FollowMode } from './followMode';
import { openSampleLog } from './sampleLog';
import { StatsView } from './statsView';
import { LargeLog } from './largeLog';
import { MergeView } from './mergeView';
import { AnsiDecorations } from './ansiDecorations';
import { registerElasticsearch } from './elasticsearchCommands';
import { InnerLogFeature } from './innerLog';
import { StatsRequest } from '../shared/protocol';
import { formatCount } from '../shared/describeFilter';

/** What the extension exposes to its tests (and to other extensions). */
export interface LogLensApi {
	client: LanguageClient;
	/** Resolves once the language server runs (activation does not wait for it). */
	ready: Promise<void>;
	/** Milliseconds from loading this bundle to the end of `activate` (also in the output channel). */
	activationMs: number;
	docs: LogDocuments;
	filters: FilterFeature;
	navigation: Navigation;
	decorations: EntryDecorations;
	statusBar: StatusBar;
	problems: ProblemsTree;
	follow: FollowMode;
	stats: StatsView;
	ansi: AnsiDecorations;
	highlights: Highlights;
	large: LargeLog;
	inner: InnerLogFeature;
}

/** When this bundle started loading: set by the banner scripts/build.mjs puts before it. */
declare const __loglensLoadStart: number | undefined;
const loadStart = typeof __loglensLoadStart === 'number' ? __loglensLoadStart : performance.now();

export function activate(context: vscode.ExtensionContext): LogLensApi {
	const activateStart = performance.now();
	const output = vscode.window.createOutputChannel('Log Lens', { log: true });
	context.subscriptions.push(output);
	const client = createLanguageClient(context, output);
	context.subscriptions.push({ dispose: () => void client.stop() });
	const docs = new LogDocuments(client);
	const statusBar = new StatusBar(docs);
	const merged = new MergeView(client);
	context.subscriptions.push(merged);
	const filters = new FilterFeature(client, docs, merged);
	const large = new LargeLog(client);
	context.subscriptions.push(large);
	const navigation = new Navigation(client, large);
	const decorations = new EntryDecorations(client, docs);
	const follow = new FollowMode(client, context.globalState);
	const highlights = new Highlights();
	const problems = new ProblemsTree(client, docs, context.workspaceState, follow);
	context.subscriptions.push(docs, statusBar, filters, navigation, decorations, problems, highlights, new ProjectLogs(client), follow);
	context.subscriptions.push(vscode.commands.registerCommand('logLens.showSummary', async () => {
		const doc = vscode.window.activeTextEditor?.document;
		if (!doc) return undefined;
		const s = await client.sendRequest(SummaryRequest.type, { uri: doc.uri.toString() });
		const lv = s.levels;
		void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0} entries, {1} lines, format {2}. ', formatCount(s.entries), formatCount(s.lines), s.formatName) +
			`critical ${lv.critical}, error ${lv.error}, warning ${lv.warning}, info ${lv.info}, debug ${lv.debug}.`);
		return s;
	}));
	const inner = new InnerLogFeature(client, filters);
	context.subscriptions.push(inner);
	const ansi = new AnsiDecorations();
	context.subscriptions.push(ansi);
	const stats = new StatsView(context.extensionUri,
		(uri, bucketMs, detail) => client.sendRequest(StatsRequest.type, { uri, bucketMs, detail }),
		(arg) => vscode.commands.executeCommand('logLens.applyFilter', arg), docs.onDidChangeSummary);
	context.subscriptions.push(stats);
	context.subscriptions.push(registerElasticsearch(context, client));
	context.subscriptions.push(vscode.commands.registerCommand('logLens.openSampleLog', () => openSampleLog(context)));
	const done = performance.now();
	const activationMs = done - loadStart;
	output.info(`activated in ${activationMs.toFixed(0)} ms (loading ${(activateStart - loadStart).toFixed(0)} ms, activate ${(done - activateStart).toFixed(0)} ms); language server starting`);
	const ready = client.start().then(() => {
		output.info(`language server ready ${(performance.now() - done).toFixed(0)} ms after activation`);
	}, (e: unknown) => {
		output.error(`language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
		void vscode.window.showErrorMessage(vscode.l10n.t('Log Lens: the language server did not start ({0}); see the Log Lens output.', e instanceof Error ? e.message : String(e)), 'Show Output').then((p) => {
			if (p) output.show();
		});
	});
	return { client, ready, activationMs, docs, filters, navigation, decorations, statusBar, problems, follow, stats, large, ansi, highlights, inner };
}

export function deactivate(): void {
	// the language client is stopped through context.subscriptions
}
