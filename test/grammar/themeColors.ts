// Resolves which colour a colour theme gives a token, from the theme's JSON alone: follows
// `include`, and matches TextMate scope selectors the way VS Code does (the most specific selector
// wins, per attribute, and inner scopes override outer ones). The grammar tests cross-check this
// against vscode-textmate's own theme matching, so a mistake here cannot hide a colour bug.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { IRawTheme } from 'vscode-textmate';

/** One selector of a tokenColors rule: "source.cpp keyword.operator.new" → scope + parents (nearest first). */
interface Selector {
	readonly scope: string;
	readonly parents: readonly string[];
}

interface Rule {
	readonly selectors: readonly Selector[];
	readonly foreground?: string;
	readonly fontStyle?: string;
	/** Position in the flattened theme: later rules win ties (included themes come first). */
	readonly index: number;
}

/** A colour theme flattened through its `include` chain. */
export interface Theme {
	readonly name: string;
	/** editor.foreground: the colour of text no rule matches. */
	readonly defaultForeground: string;
	readonly rules: readonly Rule[];
	/** The tokenColors entries in order, for handing to vscode-textmate. */
	readonly rawSettings: readonly { scope?: string | string[]; settings: { foreground?: string; fontStyle?: string } }[];
}

export interface TokenStyle {
	readonly foreground: string;
	/** Space-separated fontStyle words (italic, bold, underline, strikethrough), '' for none. */
	readonly fontStyle: string;
}

interface ThemeJson {
	name?: string;
	include?: string;
	colors?: Record<string, string>;
	tokenColors?: { scope?: string | string[]; settings: { foreground?: string; fontStyle?: string } }[];
}

/** VS Code's theme files are JSONC: drop comments and trailing commas, keep strings intact. */
function parseJsonc(text: string): ThemeJson {
	let out = '';
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === '"') {
			const start = i;
			for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
			out += text.slice(start, i + 1);
		} else if (c === '/' && text[i + 1] === '/') {
			while (i < text.length && text[i] !== '\n') i++;
			out += '\n';
		} else if (c === '/' && text[i + 1] === '*') {
			i = text.indexOf('*/', i + 2) + 1;
		} else out += c;
	}
	return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1')) as ThemeJson;
}

/** Uppercase #RRGGBB; an opaque alpha suffix is dropped (vscode-textmate does the same). */
export function normalizeColor(c: string): string {
	let s = c.trim().toUpperCase();
	if (/^#[0-9A-F]{3,4}$/.test(s)) s = '#' + [...s.slice(1)].map((d) => d + d).join('');
	if (/^#[0-9A-F]{6}FF$/.test(s)) s = s.slice(0, 7);
	return s;
}

export function loadTheme(file: string): Theme {
	const chain: ThemeJson[] = [];
	let path: string | undefined = file;
	while (path) {
		const json = parseJsonc(readFileSync(path, 'utf8'));
		chain.unshift(json);
		path = json.include ? join(dirname(path), json.include) : undefined;
	}
	let defaultForeground: string | undefined;
	const rawSettings: Theme['rawSettings'][number][] = [];
	for (const json of chain) {
		defaultForeground = json.colors?.['editor.foreground'] ?? defaultForeground;
		rawSettings.push(...(json.tokenColors ?? []));
	}
	if (!defaultForeground) throw new Error(`${file}: no editor.foreground in the theme or its includes`);
	const rules: Rule[] = rawSettings.map((s, index) => {
		const list = s.scope === undefined ? [] : Array.isArray(s.scope) ? s.scope : s.scope.split(',');
		const selectors = list.map((sel) => sel.trim()).filter((sel) => sel !== '').map((sel) => {
			const parts = sel.split(/\s+/);
			return { scope: parts[parts.length - 1], parents: parts.slice(0, -1).reverse() };
		});
		return { selectors, foreground: s.settings.foreground && normalizeColor(s.settings.foreground), fontStyle: s.settings.fontStyle, index };
	});
	return { name: chain[chain.length - 1].name ?? file, defaultForeground: normalizeColor(defaultForeground), rules, rawSettings };
}

/** `sel` matches `scope` when it equals it or is a dot-separated prefix ("string" matches "string.quoted"). */
function prefixMatches(sel: string, scope: string): boolean {
	return scope === sel || scope.startsWith(sel + '.');
}

/** Every parent selector (nearest first) must match some ancestor, in order, walking outward. */
function parentsMatch(parents: readonly string[], ancestors: readonly string[]): boolean {
	let i = ancestors.length - 1;
	for (const p of parents) {
		while (i >= 0 && !prefixMatches(p, ancestors[i])) i--;
		if (i < 0) return false;
		i--;
	}
	return true;
}

interface Candidate {
	readonly rule: Rule;
	readonly depth: number;
	readonly parents: readonly string[];
}

/** More specific first: deeper scope, then longer parent selectors, then more parents, then later in the theme. */
function bySpecificity(a: Candidate, b: Candidate): number {
	if (a.depth !== b.depth) return b.depth - a.depth;
	for (let i = 0; i < Math.min(a.parents.length, b.parents.length); i++) {
		const d = b.parents[i].length - a.parents[i].length;
		if (d !== 0) return d;
	}
	if (a.parents.length !== b.parents.length) return b.parents.length - a.parents.length;
	return b.rule.index - a.rule.index;
}

/**
 * The style of a token whose scope list is `scopes` (outermost first, as the tokenizer reports
 * them). Each scope, from the outside in, may override the foreground and font style chosen so far
 * with those of the most specific rule that matches it and sets them.
 */
export function resolveStyle(theme: Theme, scopes: readonly string[]): TokenStyle {
	let foreground = theme.defaultForeground;
	let fontStyle = '';
	for (let i = 0; i < scopes.length; i++) {
		const scope = scopes[i];
		const ancestors = scopes.slice(0, i);
		const candidates: Candidate[] = [];
		for (const rule of theme.rules) {
			for (const sel of rule.selectors) {
				if (prefixMatches(sel.scope, scope) && parentsMatch(sel.parents, ancestors)) {
					candidates.push({ rule, depth: sel.scope.split('.').length, parents: sel.parents });
				}
			}
		}
		candidates.sort(bySpecificity);
		const fg = candidates.find((c) => c.rule.foreground !== undefined);
		if (fg) foreground = fg.rule.foreground!;
		const fs = candidates.find((c) => c.rule.fontStyle !== undefined);
		if (fs) fontStyle = fs.rule.fontStyle!.trim();
	}
	return { foreground, fontStyle };
}

/** The theme in vscode-textmate's format, with editor.foreground as the default rule (as VS Code does). */
export function toRawTheme(theme: Theme): IRawTheme {
	return {
		name: theme.name,
		settings: [{ settings: { foreground: theme.defaultForeground } }, ...theme.rawSettings.filter((s) => s.scope !== undefined)],
	};
}

/** Hue (0–360), saturation and lightness (0–1) of #RRGGBB, for "is this red-ish" assertions. */
export function hsl(color: string): { h: number; s: number; l: number } {
	const n = normalizeColor(color);
	const [r, g, b] = [1, 3, 5].map((i) => parseInt(n.slice(i, i + 2), 16) / 255);
	const max = Math.max(r, g, b);
	const min = Math.min(r, g, b);
	const l = (max + min) / 2;
	const d = max - min;
	if (d === 0) return { h: 0, s: 0, l };
	const s = d / (1 - Math.abs(2 * l - 1));
	let h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
	h *= 60;
	if (h < 0) h += 360;
	return { h, s, l };
}
