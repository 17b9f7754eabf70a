// Helpers shared by the node:test tiers: where the repo and its fixtures are, temp folders, and
// running a real CPython producer.
import { mkdtempSync, rmSync, existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

/** The repository root (the folder with package.json), found upward from the compiled test file. */
export function repoRoot(): string {
  let dir = resolve(__dirname);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

export function fixture(...parts: string[]): string {
  return join(repoRoot(), 'test', 'fixtures', ...parts);
}

/** A fresh temp folder, removed by the returned cleanup function. */
export function tempDir(prefix = 'loglens-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a Python 3 script (source text) with args; throws with stderr when it fails. */
export function runPython(source: string, args: string[] = [], cwd?: string): string {
  const r = spawnSync('python3', ['-c', source, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** Polls `cond` (every 5 ms) until it holds; throws after `timeoutMs` naming `what`. Never a fixed sleep. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!cond()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 5));
	}
}

/** Newest mtime of the files under `dir`. */
function newest(dir: string): number {
	let t = 0;
	for (const f of readdirSync(dir, { withFileTypes: true })) {
		const p = join(dir, f.name);
		t = Math.max(t, f.isDirectory() ? newest(p) : statSync(p).mtimeMs);
	}
	return t;
}

/**
 * Bundles the CLI from the current sources into `dir` the way scripts/build.mjs does, with the
 * parallel-range worker (indexWorker.js) beside it; returns the CLI's path.
 */
export function bundleCli(dir: string): string {
	const root = repoRoot();
	const cli = join(dir, 'cli.js');
	for (const [src, out] of [['src/cli/main.ts', cli], ['src/core/index/rangeWorker.ts', join(dir, 'indexWorker.js')]]) {
		// The .bin entry runs as it is: esbuild's install may have replaced its JS shim with the native binary.
		const r = spawnSync(join(root, 'node_modules', '.bin', 'esbuild'), [src, '--bundle', '--platform=node', '--target=node20', '--format=cjs', `--outfile=${out}`, '--log-level=warning'], { cwd: root, encoding: 'utf8' });
		if (r.status !== 0) throw new Error(`esbuild ${src} failed: ${r.stderr}`);
	}
	return cli;
}

/** dist/cli.js when it is newer than its sources, else a fresh bundle in `dir` (see `bundleCli`). */
export function currentCli(dir: string): string {
	const root = repoRoot();
	const dist = join(root, 'dist', 'cli.js');
	const srcTime = Math.max(newest(join(root, 'src', 'core')), newest(join(root, 'src', 'cli')));
	return existsSync(dist) && statSync(dist).mtimeMs >= srcTime ? dist : bundleCli(dir);
}

/** RFC 4180 rows: quoted fields, doubled quotes, newlines inside quotes. */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (quoted) {
			if (c === '"') {
				if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
			} else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ',') { row.push(field); field = ''; }
		else if (c === '\n' || c === '\r') {
			if (c === '\r' && text[i + 1] === '\n') i++;
			row.push(field); rows.push(row); row = []; field = '';
		} else field += c;
	}
	if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
	return rows;
}

/** `parseCsv` rows as records keyed by the header row (rows shorter than two fields are dropped). */
export function parseCsvRecords(text: string): Record<string, string>[] {
	const [head, ...body] = parseCsv(text);
	return body.filter((r) => r.length > 1).map((r) => Object.fromEntries(head.map((h, k) => [h, r[k] ?? ''])));
}

/** Grouping accuracy: a line is right when its predicted group holds exactly the lines of its true group. */
export function groupingAccuracy(pred: readonly number[], truth: readonly string[]): number {
	const predSize = new Map<number, number>();
	const truthSize = new Map<string, number>();
	const pair = new Map<string, number>();
	for (let i = 0; i < pred.length; i++) {
		predSize.set(pred[i], (predSize.get(pred[i]) ?? 0) + 1);
		truthSize.set(truth[i], (truthSize.get(truth[i]) ?? 0) + 1);
		const k = pred[i] + '\u0000' + truth[i];
		pair.set(k, (pair.get(k) ?? 0) + 1);
	}
	let ok = 0;
	for (let i = 0; i < pred.length; i++) {
		const n = pair.get(pred[i] + '\u0000' + truth[i]);
		if (n === predSize.get(pred[i]) && n === truthSize.get(truth[i])) ok++;
	}
	return ok / pred.length;
}
