#!/usr/bin/env node
// Runs the mocha suites of out/test/host INSIDE a real VS Code extension host (the offline
// code-server host), driven by headless Chromium. Exit code: the host's (0 all passed, 1 failures),
// 2 driver error / timeout / missing summary line.
// Env: HOST_TEST_TIMEOUT_S (default 900), VERBOSE=1, LOGLENS_TEST_GREP (mocha grep),
//      LOGLENS_VSIX=path (test the installed .vsix instead of the development folder),
//      LOGLENS_TRUST=1 (keep Workspace Trust on: restricted-mode suite),
//      LOGLENS_RENDERER_PROFILE=file (a CPU profile of the workbench's main thread over the run).
import { chromium } from 'playwright-core';
import { format } from 'node:util';
import { mkdtempSync, mkdirSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startHost, chromiumOptions, defaultHostDir } from './vscode-host.mjs';

const EXT_DIR = resolve(import.meta.dirname, '..');
const TESTS = join(EXT_DIR, 'out', 'test', 'host', 'index.js');
const TIMEOUT_MS = 1000 * Number(process.env.HOST_TEST_TIMEOUT_S || 900);
const verbose = process.env.VERBOSE === '1';

async function main() {
	const t0 = Date.now();
	// A throw-away workspace: a copy of the fixtures the suites use, so tests may write files.
	const work = mkdtempSync(join(tmpdir(), 'loglens-ws-'));
	cpSync(join(EXT_DIR, 'test', 'fixtures', 'workspace'), work, { recursive: true });
	if (process.env.LOGLENS_TRUST === '1') {
		// workspace values of restricted settings, which Restricted Mode must ignore
		mkdirSync(join(work, '.vscode'), { recursive: true });
		writeFileSync(join(work, '.vscode', 'settings.json'), JSON.stringify({ 'logLens.pathMappings': { '/app/': '/somewhere/else/' }, 'logLens.alerts': [{ level: 'error' }], 'logLens.filter.maxEntries': 123, 'logLens.follow.commands': [{ name: 'evil', command: ['touch', 'pwned'] }] }));
	}
	let devPath = EXT_DIR;
	let extensionsDir;
	const vsix = process.env.LOGLENS_VSIX;
	if (vsix) {
		// Install the packaged extension and load the tests from a bare folder, so what runs is the
		// shipped artifact, not the source tree.
		extensionsDir = join(work, '.ext');
		mkdirSync(extensionsDir, { recursive: true });
		const bin = join(defaultHostDir(), 'node_modules', '.bin', 'code-server');
		execFileSync(bin, ['--config', '/dev/null', '--user-data-dir', join(work, '.ud'), '--extensions-dir', extensionsDir,
			'--install-extension', resolve(vsix)], { stdio: verbose ? 'inherit' : 'ignore' });
		devPath = join(work, '.dev');
		mkdirSync(devPath);
		writeFileSync(join(devPath, 'package.json'), JSON.stringify({ name: 'loglens-vsix-tests', publisher: 'test', version: '0.0.0', engines: { vscode: '^1.100.0' } }));
	}
	const env = { LOGLENS_TEST_WORKSPACE: work, LOGLENS_REPO: EXT_DIR, LOGLENS_VSIX_MODE: vsix ? '1' : '',
		LOGLENS_TEST_GREP: process.env.LOGLENS_TEST_GREP || '', LOGLENS_TRUST: process.env.LOGLENS_TRUST || '' };
	const host = await startHost({
		settings: { 'workbench.colorTheme': 'Default Dark Modern', 'security.workspace.trust.startupPrompt': 'never' },
		env, extensionsDir, trust: process.env.LOGLENS_TRUST === '1',
		log: verbose ? (s) => process.stderr.write(`[server] ${s}`) : () => {},
	});
	let browser;
	try {
		browser = await chromium.launch(chromiumOptions);
		const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
		if (verbose) page.on('console', (m) => process.stderr.write(`[browser] ${m.text()}\n`));
		let summary;
		await page.exposeFunction('codeAutomationLog', (type, args) => {
			const text = format(...args);
			const m = /host-tests: (\d+) passed, (\d+) failed/.exec(text);
			if (m) summary = text;
			if (/^\[(Extension Host|main|renderer)\]|Resolving connection token|Creating a socket|Service Worker|ChatSessionStore/.test(text) && !verbose) return;
			(type === 'error' || type === 'warn' ? process.stderr : process.stdout).write(text + '\n');
		});
		let onExit;
		const exited = new Promise((r) => (onExit = r));
		await page.exposeFunction('codeAutomationExit', (code) => onExit(code));
		const payload = [['extensionDevelopmentPath', host.remote(devPath)], ['extensionTestsPath', host.remote(TESTS)]];
		const profileTo = process.env.LOGLENS_RENDERER_PROFILE;
		const cdp = profileTo ? await page.context().newCDPSession(page) : undefined;
		if (cdp) {
			await cdp.send('Profiler.enable');
			await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
			await cdp.send('Profiler.start');
		}
		await page.goto(host.workbenchUrl(work, payload));
		const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), TIMEOUT_MS))]);
		if (cdp) writeFileSync(profileTo, JSON.stringify((await cdp.send('Profiler.stop')).profile));
		const secs = ((Date.now() - t0) / 1000).toFixed(1);
		if (code === 'timeout') { console.error(`host-tests: driver timeout after ${secs} s`); return 2; }
		if (code === 0 && !summary) { console.error('host-tests: exit 0 without a summary line: treated as failure'); return 2; }
		console.log(`host-tests: extension host exited with ${code} after ${secs} s`);
		return code;
	} finally {
		if (browser) await browser.close();
		await host.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

main().then((c) => process.exit(c), (e) => { console.error('host-tests: driver error:', e); process.exit(2); });
