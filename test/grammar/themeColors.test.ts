// Level colours in VS Code's default themes: ERROR must not look like WARNING (the built-in log
// grammar's flaw), and each level keeps a recognisable colour family. Colours are resolved twice —
// by our theme resolver and by vscode-textmate's own theme engine — on tokens of real log lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { INITIAL } from 'vscode-textmate';
import { fixture } from '../testUtil';
import { loadGrammar, tokenizeLines, fixtureLines, levelTokens, scopesOf, OUR_GRAMMAR, BUILTIN_GRAMMAR, type LoadedGrammar, type TokenizedLine } from './grammarHarness';
import { loadTheme, resolveStyle, toRawTheme, normalizeColor, hsl, type Theme } from './themeColors';

const THEMES = ['dark_modern', 'light_modern'] as const;
const theme = (name: string): Theme => loadTheme(fixture('grammar', 'themes', `${name}.json`));

/** Foreground colour and font style vscode-textmate assigns to each character (tokenizeLine2 + the theme's colour map). */
function engineStyles(g: LoadedGrammar, lines: readonly string[]): { foreground: string; fontStyle: string }[][] {
	const colorMap = g.registry.getColorMap();
	let state = INITIAL;
	return lines.map((text) => {
		const r = g.grammar.tokenizeLine2(text, state);
		state = r.ruleStack;
		const perChar: { foreground: string; fontStyle: string }[] = new Array(text.length);
		for (let i = 0; i < r.tokens.length; i += 2) {
			const start = r.tokens[i];
			const end = i + 2 < r.tokens.length ? r.tokens[i + 2] : text.length;
			// Token metadata bits: font style at 11-14, foreground colour index at 15-23.
			const fg = (r.tokens[i + 1] & 0x00ff8000) >>> 15;
			const fs = (r.tokens[i + 1] & 0x00007800) >>> 11;
			const fontStyle = [[1, 'italic'], [2, 'bold'], [4, 'underline'], [8, 'strikethrough']].filter(([bit]) => fs & (bit as number)).map(([, n]) => n).join(' ');
			for (let c = start; c < end; c++) perChar[c] = { foreground: normalizeColor(colorMap[fg]), fontStyle };
		}
		return perChar;
	});
}

/** Real lines with every level and every token kind the grammar knows. */
function sampleLines(): string[] {
	const lines: string[] = [];
	for (const set of ['Android', 'Apache', 'HDFS', 'Hadoop', 'Linux', 'Mac', 'OpenSSH', 'Spark', 'HealthApp', 'Proxifier']) {
		lines.push(...fixtureLines('loghub', set, `${set}_2k.log`).slice(0, 150));
	}
	for (const f of readdirSync(fixture('grammar')).filter((f) => f.endsWith('.log'))) lines.push(...fixtureLines('grammar', f));
	return lines;
}

for (const name of THEMES) {
	for (const [grammarName, path] of [['ours', OUR_GRAMMAR()], ['built-in', BUILTIN_GRAMMAR()]] as const) {
		test(`theme resolver agrees with vscode-textmate on every token (${name}, ${grammarName} grammar)`, async () => {
			const t = theme(name);
			const g = await loadGrammar(path, toRawTheme(t));
			const lines = sampleLines();
			const tokenized = tokenizeLines(g.grammar, lines);
			const engine = engineStyles(g, lines);
			let checked = 0;
			for (const line of tokenized) {
				for (const tok of line.tokens) {
					if (tok.start >= line.text.length) continue; // the end-of-line token of an empty line
					const ours = resolveStyle(t, tok.scopes);
					const theirs = engine[line.lineNumber - 1][tok.start];
					const where = `line ${line.lineNumber} "${tok.text}" [${tok.scopes.join(' ')}]`;
					assert.equal(ours.foreground, theirs.foreground, where);
					assert.equal(ours.fontStyle.split(/\s+/).filter((x) => x).sort().join(' '), theirs.fontStyle.split(' ').filter((x) => x).sort().join(' '), where);
					checked++;
				}
			}
			assert.ok(checked > 5000, `only ${checked} tokens checked`);
		});
	}
}

/** Colour of the level token that heads a real line (the first token with a log.<level> scope). */
function headerLevelStyle(t: Theme, line: TokenizedLine): { level: string; foreground: string; fontStyle: string } {
	const first = levelTokens(line)[0];
	assert.ok(first, `no level token in: ${line.text}`);
	return { level: first.level, ...resolveStyle(t, first.token.scopes) };
}

test('ERROR/CRITICAL differ from WARNING, and every level keeps its colour family, in Dark Modern and Light Modern', async () => {
	const g = await loadGrammar(OUR_GRAMMAR());
	// One real header line per level.
	const hadoop = tokenizeLines(g.grammar, fixtureLines('loghub', 'Hadoop', 'Hadoop_2k.log'));
	const android = tokenizeLines(g.grammar, fixtureLines('loghub', 'Android', 'Android_2k.log'));
	const py = tokenizeLines(g.grammar, fixtureLines('grammar', 'python-logging.log'));
	const pick = (lines: TokenizedLine[], re: RegExp): TokenizedLine => {
		const l = lines.find((x) => re.test(x.text));
		assert.ok(l, `no line matches ${re}`);
		return l;
	};
	const samples: Record<string, TokenizedLine> = {
		trace: pick(py, /^\S+ \S+ TRACE /),
		debug: pick(android, / D [\w.]+: /),
		info: pick(hadoop, / INFO \[/),
		notice: pick(py, /^\S+ \S+ NOTICE /),
		warning: pick(hadoop, / WARN \[/),
		error: pick(hadoop, / ERROR \[/),
		critical: pick(hadoop, / FATAL \[/),
	};
	const table: string[] = [];
	for (const name of ['dark_modern', 'light_modern']) {
		const t = theme(name);
		const style: Record<string, { foreground: string; fontStyle: string }> = {};
		for (const [level, line] of Object.entries(samples)) {
			const s = headerLevelStyle(t, line);
			assert.equal(s.level, level, line.text);
			style[level] = s;
			table.push(`${name.padEnd(12)} ${level.padEnd(8)} ${s.foreground} ${s.fontStyle}`);
		}
		assert.notEqual(style.error.foreground, style.warning.foreground, `${name}: ERROR and WARNING share ${style.error.foreground}`);
		assert.notEqual(style.critical.foreground, style.warning.foreground, `${name}: CRITICAL looks like WARNING`);
		assert.ok(style.critical.fontStyle.includes('bold'), `${name}: CRITICAL should be bold to stand apart from ERROR`);
		// Families by hue: red for error/critical, yellow-orange for warning, green-to-blue for info/debug.
		for (const level of ['error', 'critical']) {
			const { h, s } = hsl(style[level].foreground);
			assert.ok((h <= 15 || h >= 345) && s > 0.5, `${name}: ${level} ${style[level].foreground} is not red (hue ${h.toFixed(0)})`);
		}
		const w = hsl(style.warning.foreground);
		assert.ok(w.h >= 30 && w.h <= 65 && w.s > 0.3, `${name}: warning ${style.warning.foreground} is not yellow/orange (hue ${w.h.toFixed(0)})`);
		for (const level of ['info', 'notice', 'debug']) {
			const { h } = hsl(style[level].foreground);
			assert.ok(h >= 80 && h <= 240, `${name}: ${level} ${style[level].foreground} is not green/blue (hue ${h.toFixed(0)})`);
		}
		// Every pair of the main levels is distinguishable by colour (notice = info + bold).
		const main = ['debug', 'info', 'warning', 'error'];
		for (const a of main) for (const b of main) if (a < b) assert.notEqual(style[a].foreground, style[b].foreground, `${name}: ${a} = ${b}`);
		assert.notEqual(style.trace.foreground, style.info.foreground, `${name}: trace = info`);
		assert.ok(style.trace.fontStyle.includes('italic'), `${name}: trace should be italic (dim)`);
	}
	console.log('level colours on real header tokens:\n' + table.join('\n'));
});

test('the built-in grammar really does colour ERROR like WARNING in Dark Modern (why ours uses other scopes)', async () => {
	// A known answer for the resolver: the built-in error rule's name is "string.regexp, strong log.error",
	// whose stray comma makes the first scope "string.regexp," — which only matches the theme's `string`.
	const g = await loadGrammar(BUILTIN_GRAMMAR());
	const lines = tokenizeLines(g.grammar, fixtureLines('loghub', 'Hadoop', 'Hadoop_2k.log'));
	const err = lines.find((l) => / ERROR \[/.test(l.text))!;
	const warn = lines.find((l) => / WARN \[/.test(l.text))!;
	const t = theme('dark_modern');
	const e = resolveStyle(t, scopesOf(err, 'ERROR')).foreground;
	const w = resolveStyle(t, scopesOf(warn, 'WARN')).foreground;
	assert.equal(e, w);
	assert.equal(e, '#CE9178');
});
