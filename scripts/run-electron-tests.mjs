#!/usr/bin/env node
// The same host suites under @vscode/test-electron, for machines that can download VS Code
// (this one cannot: use `npm run test:host`, the offline host).
import { runTests } from '@vscode/test-electron';
import { mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'loglens-ws-'));
cpSync(join(root, 'test', 'fixtures', 'workspace'), work, { recursive: true });
try {
	await runTests({
		version: process.env.VSCODE_VERSION || '1.100.3',
		extensionDevelopmentPath: root,
		extensionTestsPath: join(root, 'out', 'test', 'host', 'index.js'),
		launchArgs: [work, '--disable-extensions', '--disable-workspace-trust'],
		extensionTestsEnv: { LOGLENS_TEST_WORKSPACE: work, LOGLENS_REPO: root },
	});
} catch (e) {
	console.error('test-electron:', e instanceof Error ? e.message : e);
	process.exit(1);
}
