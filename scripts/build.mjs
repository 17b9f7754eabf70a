// Bundles the three entry points with esbuild: the extension (client), the language server and
// the CLI. `--watch` rebuilds on change (the .vscode/tasks.json problem matcher reads its output).
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production,
  minify: production, logLevel: 'info', external: ['vscode'],
};
/**
 * The Elasticsearch client (≈2.6 MB with its transport and Arrow) is its own bundle,
 * dist/elastic.js, required at run time only by the code that connects — the CLI's export and
 * es-search, the language server's first Elasticsearch request: every `loglens` command and the
 * server's start would otherwise parse it (≈0.1 s per CLI run). The extension host never loads it.
 */
const elasticApart = {
  name: 'elastic-apart',
  setup(build) {
    build.onResolve({ filter: /^@elastic\/elasticsearch$/ }, (a) => (a.importer.includes('node_modules') ? undefined : { path: './elastic.js', external: true }));
  },
};
const entries = [
  { entryPoints: ['src/core/elasticsearch/elasticBundle.ts'], outfile: 'dist/elastic.js' },
  // The banner marks when the bundle starts loading: activate() reports load + activate time.
  { entryPoints: ['src/client/extension.ts'], outfile: 'dist/extension.js', plugins: [elasticApart], banner: { js: 'var __loglensLoadStart = performance.now();' } },
  { entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js', plugins: [elasticApart] },
  { entryPoints: ['src/server/statsWorker.ts'], outfile: 'dist/statsWorker.js' },
  // dist/indexWorker.js by name: parallelRanges.ts and the tests load it from beside the bundle.
  { entryPoints: ['src/core/index/rangeWorker.ts'], outfile: 'dist/indexWorker.js' },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [elasticApart] },
];

/** Prints esbuild's start/end markers the tasks.json background problem matcher waits for. */
const watchMarkers = {
  name: 'watch-markers',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((r) => {
      for (const e of r.errors) console.error(`✘ [ERROR] ${e.text}\n    ${e.location?.file}:${e.location?.line}:${e.location?.column}:`);
      console.log('[watch] build finished');
    });
  },
};

if (watch) {
  for (const e of entries) {
    const ctx = await esbuild.context({ ...common, ...e, plugins: [...(e.plugins ?? []), watchMarkers] });
    await ctx.watch();
  }
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
  chmodSync('dist/cli.js', 0o755);
}
