#!/usr/bin/env node
// Regenerates the README's command, keybinding and settings tables from package.json (+ nls), so
// they cannot drift: `node scripts/readme-tables.mjs` rewrites them, `--check` exits 1 when stale
// (the core test tier runs the check).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8'));
const t = (s) => (typeof s === 'string' ? s.replace(/^%(.+)%$/, (_m, k) => nls[k] ?? k) : s);
const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

const keys = new Map();
for (const k of pkg.contributes.keybindings ?? []) keys.set(k.command, [...(keys.get(k.command) ?? []), k.key + (k.mac ? ` (mac: ${k.mac})` : '')]);
const hidden = new Set((pkg.contributes.menus?.commandPalette ?? []).filter((m) => m.when === 'false').map((m) => m.command));
const commands = ['| Command | Keybinding |', '|---|---|', ...pkg.contributes.commands
	.filter((c) => !hidden.has(c.command))
	.map((c) => `| ${cell(`${t(c.category)}: ${t(c.title)}`)} | ${cell((keys.get(c.command) ?? []).map((k) => `\`${k}\``).join(', '))} |`)].join('\n');

const props = pkg.contributes.configuration.properties;
const settings = ['| Setting | Default | Description |', '|---|---|---|', ...Object.entries(props).map(([name, p]) =>
	`| \`${name}\` | \`${cell(JSON.stringify(p.default))}\` | ${cell(t(p.markdownDescription ?? p.description))} |`)].join('\n');

const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const put = (text, name, body) => text.replace(new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`), (_m, a, b) => `${a}\n${body}\n${b}`);
const next = put(put(readme, 'commands', commands), 'settings', settings);
if (process.argv.includes('--check')) {
	if (next !== readme) {
		console.error('README.md command/settings tables are stale: run node scripts/readme-tables.mjs');
		process.exit(1);
	}
	console.log('README tables are current');
} else {
	writeFileSync(readmePath, next);
	console.log('README tables updated');
}
