#!/usr/bin/env node
// `npm run package`: packages the extension into out/log-lens.vsix with @vscode/vsce. vsce writes
// the file with a plain open() and fails with ENOENT when out/ does not exist yet — which is the
// case in a fresh clone — so the folder is created first. `vscode:prepublish` builds dist/.
// Extra arguments are passed to vsce; `-o FILE` changes the output file.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const o = args.indexOf('-o');
const out = o >= 0 ? args[o + 1] : 'out/log-lens.vsix';
if (!out) {
  console.error('package: -o needs a file');
  process.exit(2);
}
mkdirSync(dirname(out), { recursive: true });
const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
const rest = o >= 0 ? [...args.slice(0, o), ...args.slice(o + 2)] : args;
const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', ...rest, '-o', out], { stdio: 'inherit' });
process.exit(r.status ?? 1);
