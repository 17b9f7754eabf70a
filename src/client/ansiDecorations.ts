/**
 * ANSI escape sequences (colorlog, rich, uvicorn, docker compose): in log editors the escapes are
 * hidden and the colours they select are shown as decorations, on the visible lines only. The
 * setting `logLens.ansi` = `raw` shows the bytes as they are. (The engine strips them for levels,
 * entries and templates, whatever this setting says.)
 */
import * as vscode from 'vscode';
import { affects, setting } from './settings';
import { Disposable } from './disposable';
import { isLogDocument } from './logDocuments';

const ESC_RE = /\x1b\[([0-9;]*)([A-Za-z])/g;
const ANSI_THEME = ['terminal.ansiBlack', 'terminal.ansiRed', 'terminal.ansiGreen', 'terminal.ansiYellow', 'terminal.ansiBlue', 'terminal.ansiMagenta', 'terminal.ansiCyan', 'terminal.ansiWhite'];
const BRIGHT_THEME = ANSI_THEME.map((c) => c.replace('ansi', 'ansiBright'));

/** One styled span of a line, in character offsets. */
export interface AnsiSpan { start: number; end: number; fg?: number; bold?: boolean }

/** Parses a line: the ranges of the escape sequences, and the coloured spans between them. */
export function parseAnsi(line: string): { escapes: [number, number][]; spans: AnsiSpan[] } {
	const escapes: [number, number][] = [];
	const spans: AnsiSpan[] = [];
	let fg: number | undefined;
	let bold = false;
	let last = 0;
	for (const m of line.matchAll(ESC_RE)) {
		const at = m.index ?? 0;
		if (at > last && (fg !== undefined || bold)) spans.push({ start: last, end: at, fg, bold });
		escapes.push([at, at + m[0].length]);
		last = at + m[0].length;
		if (m[2] !== 'm') continue;
		const codes = (m[1] || '0').split(';').map(Number);
		for (let i = 0; i < codes.length; i++) {
			const c = codes[i];
			if (c === 0) { fg = undefined; bold = false; }
			else if (c === 1) bold = true;
			else if (c === 22) bold = false;
			else if (c >= 30 && c <= 37) fg = c - 30;
			else if (c >= 90 && c <= 97) fg = c - 90 + 8;
			else if (c === 39) fg = undefined;
			else if (c === 38 && codes[i + 1] === 5) { const n = codes[i + 2]; fg = n < 16 ? n : undefined; i += 2; }
			else if (c === 38 && codes[i + 1] === 2) i += 4;
		}
	}
	if (last < line.length && (fg !== undefined || bold)) spans.push({ start: last, end: line.length, fg, bold });
	return { escapes, spans };
}

export class AnsiDecorations extends Disposable {
	private readonly hide = this._register(vscode.window.createTextEditorDecorationType({
		// zero-width: the escape bytes stay in the document, the reader does not see them
		textDecoration: 'none; font-size: 0; letter-spacing: -1ch; opacity: 0',
	}));
	private readonly colours = new Map<string, vscode.TextEditorDecorationType>();
	private timer: NodeJS.Timeout | undefined;
	/** Editors whose decorations are all empty already. */
	private readonly bare = new WeakSet<vscode.TextEditor>();

	constructor() {
		super();
		this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()));
		this._register(vscode.window.onDidChangeTextEditorVisibleRanges(() => this.schedule()));
		this._register(vscode.workspace.onDidChangeTextDocument((e) => { if (isLogDocument(e.document)) this.schedule(); }));
		this._register(vscode.workspace.onDidChangeConfiguration((e) => { if (affects(e, 'ansi')) this.schedule(); }));
		this._register({ dispose: () => { for (const t of this.colours.values()) t.dispose(); if (this.timer) clearTimeout(this.timer); } });
		this.schedule();
	}

	private type(fg: number | undefined, bold: boolean): vscode.TextEditorDecorationType {
		const key = `${fg}|${bold}`;
		let t = this.colours.get(key);
		if (!t) {
			t = vscode.window.createTextEditorDecorationType({
				color: fg === undefined ? undefined : new vscode.ThemeColor(fg < 8 ? ANSI_THEME[fg] : BRIGHT_THEME[fg - 8]),
				fontWeight: bold ? 'bold' : undefined,
			});
			this.colours.set(key, t);
		}
		return t;
	}

	private schedule(): void {
		if (this.timer) return;
		this.timer = setTimeout(() => { this.timer = undefined; this.apply(); }, 60);
	}

	/** Escapes hidden per editor, for tests. */
	readonly hidden = new Map<string, number>();

	private apply(): void {
		const raw = setting('ansi') === 'raw';
		for (const ed of vscode.window.visibleTextEditors) {
			if (!isLogDocument(ed.document)) continue;
			const hide: vscode.Range[] = [];
			const byType = new Map<vscode.TextEditorDecorationType, vscode.Range[]>();
			if (!raw) {
				for (const vr of ed.visibleRanges) {
					const from = Math.max(0, vr.start.line - 100), to = Math.min(ed.document.lineCount - 1, vr.end.line + 100);
					for (let l = from; l <= to; l++) {
						const text = ed.document.lineAt(l).text;
						if (!text.includes('\x1b[')) continue;
						const { escapes, spans } = parseAnsi(text.length > 20_000 ? text.slice(0, 20_000) : text);
						for (const [s, e] of escapes) hide.push(new vscode.Range(l, s, l, e));
						for (const sp of spans) {
							const t = this.type(sp.fg, !!sp.bold);
							const list = byType.get(t) ?? [];
							list.push(new vscode.Range(l, sp.start, l, sp.end));
							byType.set(t, list);
						}
					}
				}
			}
			// Nothing to show and nothing shown: no messages (a follow tab applies this after every append).
			const none = hide.length === 0 && byType.size === 0;
			if (none && this.bare.has(ed)) continue;
			if (none) this.bare.add(ed);
			else this.bare.delete(ed);
			ed.setDecorations(this.hide, hide);
			this.hidden.set(ed.document.uri.toString(), hide.length);
			for (const t of this.colours.values()) ed.setDecorations(t, byType.get(t) ?? []);
		}
	}
}
