/**
 * Log Lens extension entry. `activate` is cheap: it starts the language server (a separate Node
 * process that owns every index) and registers the features; all heavy work happens in the server.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { startLanguageClient } from './languageClient';
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
import { registerElasticsearch } from './elasticsearch';
import { InnerLogFeature } from './innerLog';
import { StatsRequest } from '../shared/protocol';
import { formatCount } from '../shared/describeFilter';

/** What the extension exposes to its tests (and to other extensions). */
export interface LogLensApi {
	client: LanguageClient;
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

export async function activate(context: vscode.ExtensionContext): Promise<LogLensApi> {
	const output = vscode.window.createOutputChannel('Log Lens', { log: true });
	context.subscriptions.push(output);
	const client = await startLanguageClient(context, output);
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
	context.subscriptions.push(registerElasticsearch(context));
	context.subscriptions.push(vscode.commands.registerCommand('logLens.openSampleLog', () => openSampleLog(context)));
	return { client, docs, filters, navigation, decorations, statusBar, problems, follow, stats, large, ansi, highlights, inner };
}

export function deactivate(): void {
	// the language client is stopped through context.subscriptions
}
