// The one typed settings path: every setting package.json declares has a key (and so an accessor,
// `setting(key)`) in src/shared/settings.ts with package.json's default, and no source file other
// than src/client/settings.ts asks VS Code (or the LSP client) for configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SERVER_SETTING_KEYS, SETTING_DEFAULTS, SETTING_KEYS } from '../../src/shared/settings';
import { repoRoot } from '../testUtil';

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

test('settings: every package.json setting has a key and its default; no key without a setting', () => {
	const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown }> } } };
	const declared = Object.keys(pkg.contributes.configuration.properties);
	assert.ok(declared.length >= 17, `${declared.length} settings declared`);
	assert.deepEqual(SETTING_KEYS.map((k) => `logLens.${k}`).sort(), [...declared].sort());
	for (const k of SETTING_KEYS) {
		const d = pkg.contributes.configuration.properties[`logLens.${k}`]!.default;
		assert.notEqual(d, undefined, `logLens.${k} declares a default`);
		assert.deepEqual(SETTING_DEFAULTS[k], d, `default of logLens.${k}`);
	}
	for (const k of SERVER_SETTING_KEYS) assert.ok(SETTING_KEYS.includes(k), k);
});

test('settings: only src/client/settings.ts calls getConfiguration', () => {
	const root = repoRoot();
	const callers = sources(join(root, 'src')).filter((f) => /\bgetConfiguration\s*\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f).split('\\').join('/'));
	assert.deepEqual(callers, ['src/client/settings.ts']);
	// and the client reads settings only through it: no `.get<…>('…', default)` on a configuration elsewhere
	const stray = sources(join(root, 'src')).filter((f) => /affectsConfiguration\('logLens|WorkspaceConfiguration/.test(readFileSync(f, 'utf8')) && !f.endsWith(join('client', 'settings.ts')));
	assert.deepEqual(stray.map((f) => relative(root, f)), []);
});
