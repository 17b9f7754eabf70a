// Compiles every test file (test/<tier>/*.test.ts plus the host runner) to out/test/<tier>/*.js with
// esbuild. Each file is bundled with the project sources it imports; `vscode` and `mocha` stay
// external (the extension host provides them).
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// No wipe: several test runs may share out/test; esbuild overwrites what it builds.
const tiers = ['core', 'grammar', 'host'];
const entryPoints = [];
for (const tier of tiers) {
  const dir = join('test', tier);
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.test.ts') || (tier === 'host' && f === 'index.ts')) entryPoints.push(join(dir, f));
  }
}
await esbuild.build({
  entryPoints, outdir: 'out/test', outbase: 'test', bundle: true, platform: 'node', target: 'node20',
  format: 'cjs', sourcemap: 'inline', external: ['vscode', 'mocha', 'vscode-textmate', 'vscode-oniguruma', 'playwright-core'],
  logLevel: 'warning',
});
