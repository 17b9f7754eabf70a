/**
 * `logLens.highlights`: user patterns coloured as decorations (text or whole line, with overview
 * ruler marks). Patterns run through the server's linear-time regex check first, so a catastrophic
 * pattern cannot freeze the extension host; an invalid pattern is reported once per setting value.
 */
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import { isLogDocument } from './logDocuments';
import { affects, HighlightRule, setting } from './settings';
import { compileSafe } from '../core/safeRegex';

interface Compiled { rule: HighlightRule; type: vscode.TextEditorDecorationType; test: (line: string) => [number, number][] }

export class Highlights extends Disposable {
	private compiled: Compiled[] = [];
	/** Messages shown for unusable patterns (each once). */
	private readonly reported = new Set<string>();
	readonly errors: string[] = [];
	/** Ranges applied per document and pattern, for tests. */
	readonly applied = new Map<string, number>();
	private timer: NodeJS.Timeout | undefined;

	constructor() {
		super();
		this._register(vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, 'highlights')) this.reload(); }));
		this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()));
		this._register(vscode.window.onDidChangeTextEditorVisibleRanges(() => this.schedule()));
		this._register(vscode.workspace.onDidChangeTextDocument((e) => { if (isLogDocument(e.document)) this.schedule(); }));
		this._register({ dispose: () => { this.clear(); if (this.timer) clearTimeout(this.timer); } });
		this.reload();
	}

	private clear(): void {
		for (const c of this.compiled) c.type.dispose();
		this.compiled = [];
	}

	private reload(): void {
		this.clear();
		for (const rule of setting('highlights')) {
			if (!rule || typeof rule.pattern !== 'string' || !rule.pattern) continue;
			const res = compileSafe(rule.regex ? rule.pattern : escapeRegex(rule.pattern), { ignoreCase: !!rule.ignoreCase });
			if ('error' in res) {
				const key = JSON.stringify(rule);
				if (!this.reported.has(key)) {
					this.reported.add(key);
					this.errors.push(res.error);
					void vscode.window.showWarningMessage(vscode.l10n.t('Log Lens: highlight pattern "{0}" is ignored: {1}', rule.pattern, res.error));
				}
				continue;
			}
			const type = vscode.window.createTextEditorDecorationType({
				color: rule.color, backgroundColor: rule.backgroundColor, fontWeight: rule.fontWeight, isWholeLine: !!rule.wholeLine,
				overviewRulerColor: rule.overviewRuler === false ? undefined : (rule.backgroundColor ?? rule.color ?? new vscode.ThemeColor('editorOverviewRuler.findMatchForeground')),
				overviewRulerLane: vscode.OverviewRulerLane.Center,
			});
			this.compiled.push({ rule, type, test: (line) => res.regex.matchAll(line) });
		}
		this.schedule();
	}

	private schedule(): void {
		if (this.timer) return;
		this.timer = setTimeout(() => { this.timer = undefined; this.applyVisible(); }, 50);
	}

	/** Decorates the visible lines (plus a margin) only: cost stays bounded on huge documents. */
	private applyVisible(): void {
		for (const ed of vscode.window.visibleTextEditors) {
			if (!isLogDocument(ed.document)) continue;
			for (const c of this.compiled) {
				const ranges: vscode.Range[] = [];
				for (const vr of ed.visibleRanges) {
					const from = Math.max(0, vr.start.line - 200);
					const to = Math.min(ed.document.lineCount - 1, vr.end.line + 200);
					for (let l = from; l <= to; l++) {
						const text = ed.document.lineAt(l).text;
						const text2 = text.length > 10000 ? text.slice(0, 10000) : text;
						for (const [s, e] of c.test(text2)) ranges.push(new vscode.Range(l, s, l, e));
					}
				}
				ed.setDecorations(c.type, ranges);
				this.applied.set(`${ed.document.uri.toString()}|${c.rule.pattern}`, ranges.length);
			}
		}
	}
}

function escapeRegex(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
