/** Status bar item on log editors: level counts and the detected format; click → Filter by Level. */
import * as vscode from 'vscode';
import { LogSummary } from '../shared/protocol';
import { Disposable } from './disposable';
import { formatCount } from '../shared/describeFilter';
import { LogDocuments, isLogDocument } from './logDocuments';
import { affects, setting } from './settings';

export function statusText(s: LogSummary): string {
	if (s.state === 'binary') return '$(file-binary) Binary file';
	if (s.state === 'missing') return '$(warning) Log file missing';
	if (s.state === 'error') return '$(error) Log Lens error';
	const err = s.levels.error + s.levels.critical;
	const warn = s.levels.warning;
	const pct = s.state === 'indexing' && s.bytes > 0 ? ` $(sync~spin) ${Math.floor((100 * s.indexedBytes) / s.bytes)}%` : '';
	return `$(error) ${formatCount(err)} $(warning) ${formatCount(warn)} · ${s.formatName}${pct}`;
}

export class StatusBar extends Disposable {
	readonly item = this._register(vscode.window.createStatusBarItem('logLens.status', vscode.StatusBarAlignment.Right, 100));

	constructor(private readonly docs: LogDocuments) {
		super();
		this.item.name = 'Log Lens';
		this.item.command = 'logLens.filterByLevel';
		this._register(vscode.window.onDidChangeActiveTextEditor(() => void this.update()));
		this._register(docs.onDidChangeSummary((s) => {
			if (vscode.window.activeTextEditor?.document.uri.toString() === s.uri) this.render(s);
		}));
		this._register(vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, 'statusBar')) void this.update(); }));
		void this.update();
	}

	async update(): Promise<void> {
		const doc = vscode.window.activeTextEditor?.document;
		if (!isLogDocument(doc) || !setting('statusBar', doc.uri)) {
			this.item.hide();
			return;
		}
		const cached = this.docs.get(doc.uri);
		if (cached) this.render(cached);
		try {
			this.render(await this.docs.summary(doc.uri));
		} catch {
			// the server may still be starting; the next IndexChanged notification renders
		}
	}

	private render(s: LogSummary): void {
		this.item.text = statusText(s);
		const lv = s.levels;
		this.item.tooltip = s.message ?? `${formatCount(s.entries)} entries in ${formatCount(s.lines)} lines · format ${s.formatName} (${Math.round(s.confidence * 100)}% of lines recognised)\n` +
			`critical ${lv.critical} · error ${lv.error} · warning ${lv.warning} · notice ${lv.notice} · info ${lv.info} · debug ${lv.debug} · trace ${lv.trace} · unknown ${lv.unknown}\nClick to filter by level`;
		this.item.accessibilityInformation = { label: `Log Lens: ${lv.error + lv.critical} errors, ${lv.warning} warnings, format ${s.formatName}` };
		this.item.backgroundColor = s.state === 'error' || s.state === 'missing' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
		this.item.show();
	}
}
