// Source layout rules that reviews kept finding broken: no import cycles between modules (e.g.
// cli/cliIo.ts ↔ cli/logInput.ts), every URI scheme in src/shared/schemes.ts and every custom
// method name in src/shared/protocol.ts (no string literals elsewhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../testUtil';

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

const root = repoRoot();
const files = sources(join(root, 'src'));
const rel = (f: string): string => relative(root, f).split('\\').join('/');

test('layout: no import cycles in src/ (type-only imports aside)', () => {
	const edges = new Map<string, string[]>();
	for (const f of files) {
		const deps: string[] = [];
		for (const m of readFileSync(f, 'utf8').matchAll(/^(?:import|export)\s+(?!type\b)[^'";]*?from\s+'(\.[^']+)'/gm)) {
			const p = resolve(dirname(f), m[1]!);
			if (existsSync(p + '.ts')) deps.push(p + '.ts');
		}
		edges.set(f, deps);
	}
	assert.ok(edges.get(join(root, 'src', 'cli', 'cliIo.ts'))?.some((d) => d.endsWith('logInput.ts')), 'the graph is read (cliIo imports logInput)');
	const cycles: string[] = [];
	const seen = new Set<string>(), onStack: string[] = [];
	const visit = (n: string): void => {
		seen.add(n);
		onStack.push(n);
		for (const d of edges.get(n) ?? []) {
			const at = onStack.indexOf(d);
			if (at >= 0) cycles.push([...onStack.slice(at), d].map(rel).join(' → '));
			else if (!seen.has(d)) visit(d);
		}
		onStack.pop();
	};
	for (const f of files) if (!seen.has(f)) visit(f);
	assert.deepEqual(cycles, []);
});

test('layout: URI schemes and custom method names are defined once, in src/shared', () => {
	const schemes = files.filter((f) => /['"]loglens-[a-z]+['":]/.test(readFileSync(f, 'utf8'))).map(rel);
	assert.deepEqual(schemes, ['src/shared/schemes.ts']);
	const methods = files.filter((f) => /['"]logLens\/[\w/]+['"]/.test(readFileSync(f, 'utf8'))).map(rel);
	assert.deepEqual(methods, ['src/shared/protocol.ts']);
	const protocol = readFileSync(join(root, 'src', 'shared', 'protocol.ts'), 'utf8');
	const names = [...protocol.matchAll(/method = '(logLens\/[\w/]+)'/g)].map((m) => m[1]);
	assert.equal(new Set(names).size, names.length, 'no method name twice');
});
