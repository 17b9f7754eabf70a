#!/usr/bin/env node
// Checks a packaged .vsix: only dist/, syntaxes/, media/, README, CHANGELOG, LICENSE and package.json
// (+ nls) inside, and under 2 MB. Usage: node scripts/check-vsix.mjs out/log-lens.vsix
import { statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const file = process.argv[2] ?? 'out/log-lens.vsix';
const size = statSync(file).size;
const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
const allowed = /^(extension\.vsixmanifest|\[Content_Types\]\.xml|extension\/(dist\/[^/]+\.js|syntaxes\/.+|media\/.+|readme\.md|changelog\.md|LICENSE\.txt|package\.json|package\.nls(\.[\w-]+)?\.json))$/i;
const bad = names.filter((n) => !allowed.test(n));
console.log(`vsix: ${names.length} files, ${(size / 1024).toFixed(0)} KB`);
if (bad.length) console.error(`vsix: unexpected files:\n  ${bad.join('\n  ')}`);
if (size >= 2 * 1024 * 1024) console.error('vsix: 2 MB or more');
if (!names.includes('extension/dist/extension.js') || !names.includes('extension/dist/server.js')) console.error('vsix: dist/extension.js or dist/server.js missing');
process.exit(bad.length || size >= 2 * 1024 * 1024 ? 1 : 0);
