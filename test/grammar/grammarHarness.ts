// Loads TextMate grammars with the same engine VS Code uses (vscode-textmate + the Oniguruma WASM
// build) and turns tokenizer output into something tests can look up by text or column.
import { readFileSync } from 'node:fs';
import * as tm from 'vscode-textmate';
import * as onig from 'vscode-oniguruma';
import { repoRoot, fixture, parseCsvRecords } from '../testUtil';
import { join } from 'node:path';

/** Our grammar, as the extension ships it. */
export const OUR_GRAMMAR = (): string => join(repoRoot(), 'syntaxes', 'log.tmLanguage.json');
/** VS Code's built-in log grammar (copied into the fixtures; MIT, see test/fixtures/grammar/README.md). */
export const BUILTIN_GRAMMAR = (): string => fixture('grammar', 'builtin-log.tmLanguage.json');

let onigLib: Promise<tm.IOnigLib> | undefined;
function loadOnig(): Promise<tm.IOnigLib> {
	// loadWASM may run only once per process; every registry shares the instance.
	onigLib ??= (async () => {
		const wasm = readFileSync(join(repoRoot(), 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
		await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
		return {
			createOnigScanner: (patterns: string[]) => new onig.OnigScanner(patterns),
			createOnigString: (s: string) => new onig.OnigString(s),
		};
	})();
	return onigLib;
}

/** A grammar plus the registry that owns it (the registry carries the theme for tokenizeLine2). */
export interface LoadedGrammar {
	readonly grammar: tm.IGrammar;
	readonly registry: tm.Registry;
	readonly scopeName: string;
}

export async function loadGrammar(path: string, theme?: tm.IRawTheme): Promise<LoadedGrammar> {
	const text = readFileSync(path, 'utf8');
	const scopeName = (JSON.parse(text) as { scopeName: string }).scopeName;
	const registry = new tm.Registry({
		onigLib: loadOnig(),
		theme,
		loadGrammar: async (name) => (name === scopeName ? tm.parseRawGrammar(text, path) : null),
	});
	const grammar = await registry.loadGrammar(scopeName);
	if (!grammar) throw new Error(`grammar ${scopeName} did not load from ${path}`);
	return { grammar, registry, scopeName };
}

/** One token: its text, columns and scope list (outermost first, the grammar's root scope included). */
export interface Token {
	readonly text: string;
	readonly start: number;
	readonly end: number;
	readonly scopes: readonly string[];
}

export interface TokenizedLine {
	readonly lineNumber: number;
	readonly text: string;
	readonly tokens: readonly Token[];
}

/** Tokenizes lines in order, carrying the rule stack across lines as the editor does. */
export function tokenizeLines(grammar: tm.IGrammar, lines: readonly string[]): TokenizedLine[] {
	let state = tm.INITIAL;
	return lines.map((text, i) => {
		const r = grammar.tokenizeLine(text, state);
		state = r.ruleStack;
		const tokens = r.tokens.map((t) => ({ text: text.slice(t.startIndex, t.endIndex), start: t.startIndex, end: t.endIndex, scopes: t.scopes }));
		return { lineNumber: i + 1, text, tokens };
	});
}

/** Lines of a fixture file (no trailing empty line). */
export function fixtureLines(...parts: string[]): string[] {
	const lines = readFileSync(fixture(...parts), 'utf8').split(/\r?\n/);
	if (lines[lines.length - 1] === '') lines.pop();
	return lines;
}

/** The token that covers `column`. */
export function tokenAtColumn(line: TokenizedLine, column: number): Token {
	const t = line.tokens.find((x) => x.start <= column && column < x.end);
	if (!t) throw new Error(`no token at column ${column} of line ${line.lineNumber}: ${line.text}`);
	return t;
}

/**
 * The scopes of the `occurrence`-th occurrence (1-based) of `text` in the line, asserting that one
 * token covers it exactly (so a test also notices when a token is cut too short or too long).
 */
export function scopesOf(line: TokenizedLine, text: string, occurrence = 1): readonly string[] {
	let at = -1;
	for (let n = 0; n < occurrence; n++) {
		at = line.text.indexOf(text, at + 1);
		if (at < 0) throw new Error(`"${text}" (#${occurrence}) not in line ${line.lineNumber}: ${line.text}`);
	}
	const t = tokenAtColumn(line, at);
	if (t.start !== at || t.end !== at + text.length) {
		throw new Error(`"${text}" is not one token in line ${line.lineNumber}; the token there is "${t.text}" [${t.scopes.join(' ')}]: ${line.text}`);
	}
	return t.scopes;
}

/** The scopes of the last occurrence of `text` in the line (asserting it is exactly one token). */
export function scopesOfLast(line: TokenizedLine, text: string): readonly string[] {
	let n = 0;
	for (let at = line.text.indexOf(text); at >= 0; at = line.text.indexOf(text, at + 1)) n++;
	return scopesOf(line, text, n);
}

/** The scopes at the start of the `occurrence`-th occurrence of `text`, whatever the token's extent. */
export function scopesAtText(line: TokenizedLine, text: string, occurrence = 1): readonly string[] {
	let at = -1;
	for (let n = 0; n < occurrence; n++) {
		at = line.text.indexOf(text, at + 1);
		if (at < 0) throw new Error(`"${text}" (#${occurrence}) not in line ${line.lineNumber}: ${line.text}`);
	}
	return tokenAtColumn(line, at).scopes;
}

const LEVEL_SCOPE = /^log\.(trace|debug|info|notice|warning|error|critical)$/;

/** The level a token's scopes name (`log.error` → 'error'), if any. */
export function levelOfScopes(scopes: readonly string[]): string | undefined {
	for (const s of scopes) {
		const m = LEVEL_SCOPE.exec(s);
		if (m) return m[1];
	}
	return undefined;
}

/** Tokens of a line that carry a level scope, in order. */
export function levelTokens(line: TokenizedLine): { token: Token; level: string }[] {
	const r: { token: Token; level: string }[] = [];
	for (const token of line.tokens) {
		const level = levelOfScopes(token.scopes);
		if (level) r.push({ token, level });
	}
	return r;
}

/** The Loghub *_structured.csv files as records (test/testUtil's RFC 4180 reader). */
export function readCsv(path: string): Record<string, string>[] {
	return parseCsvRecords(readFileSync(path, 'utf8'));
}
