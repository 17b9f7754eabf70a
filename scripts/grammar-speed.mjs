// Tokenizing speed of our log grammar against VS Code's built-in one, on the same 20,000 real lines
// (the ten Loghub 2k samples) plus the Python/Java fixtures, with the engine VS Code uses.
//   node scripts/grammar-speed.mjs [rounds=3]
// Prints lines/s per grammar (best of `rounds` interleaved rounds, after a warm-up pass) and the slowdown ratio.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const tm = require('vscode-textmate');
const onig = require('vscode-oniguruma');
const root = join(import.meta.dirname, '..');
const rounds = Number(process.argv[2] ?? 3);

const wasm = readFileSync(join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
const onigLib = Promise.resolve({ createOnigScanner: (p) => new onig.OnigScanner(p), createOnigString: (s) => new onig.OnigString(s) });

async function load(path) {
	const text = readFileSync(path, 'utf8');
	const scopeName = JSON.parse(text).scopeName;
	const registry = new tm.Registry({ onigLib, loadGrammar: async (n) => (n === scopeName ? tm.parseRawGrammar(text, path) : null) });
	return registry.loadGrammar(scopeName);
}

const lines = [];
const loghub = join(root, 'test/fixtures/loghub');
for (const set of readdirSync(loghub).filter((d) => statSync(join(loghub, d)).isDirectory())) {
	lines.push(...readFileSync(join(loghub, set, `${set}_2k.log`), 'utf8').split('\n').filter((l, i, a) => i < a.length - 1 || l));
}
const loghubLines = lines.length;
for (const f of ['python-logging.log', 'java-traces.log']) lines.push(...readFileSync(join(root, 'test/fixtures/grammar', f), 'utf8').split('\n'));

function run(grammar) {
	let state = tm.INITIAL;
	let tokens = 0;
	const t0 = performance.now();
	for (const l of lines) {
		const r = grammar.tokenizeLine(l, state);
		state = r.ruleStack;
		tokens += r.tokens.length;
	}
	return { ms: performance.now() - t0, tokens };
}

const grammars = {
	'built-in (text.log)': await load(join(root, 'test/fixtures/grammar/builtin-log.tmLanguage.json')),
	'Log Lens (text.log.loglens)': await load(join(root, 'syntaxes/log.tmLanguage.json')),
};
console.log(`${lines.length} lines (${loghubLines} Loghub + ${lines.length - loghubLines} Python/Java), best of ${rounds} interleaved rounds after a warm-up`);
// Rounds alternate between the grammars so a busy machine slows both alike.
const best = {};
const tokens = {};
for (const g of Object.values(grammars)) run(g);
for (let i = 0; i < rounds; i++) {
	for (const [name, g] of Object.entries(grammars)) {
		const r = run(g);
		best[name] = Math.min(best[name] ?? Infinity, r.ms);
		tokens[name] = r.tokens;
	}
}
for (const name of Object.keys(grammars)) {
	const ms = best[name];
	console.log(`${name.padEnd(28)} ${(lines.length / (ms / 1000)).toFixed(0).padStart(8)} lines/s  ${ms.toFixed(0).padStart(6)} ms  ${(tokens[name] / lines.length).toFixed(1)} tokens/line`);
}
const [builtin, ours] = Object.values(best);
console.log(`Log Lens / built-in time: ${(ours / builtin).toFixed(2)}×`);
