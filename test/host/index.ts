// Test entry point: VS Code loads this file INSIDE the extension host (the payload's
// extensionTestsPath) and calls run(). Works the same under @vscode/test-electron.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
	const grep = process.env.LOGLENS_TEST_GREP;
	// @vsix marks the smoke tests that also run against the installed .vsix.
	const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 60_000, grep: grep || undefined });
	for (const f of fs.readdirSync(__dirname).sort()) {
		if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
	}
	return new Promise((resolve, reject) => {
		const runner = mocha.run((failures) => {
			const s = runner.stats!;
			console.log(`host-tests: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped`);
			if (failures) reject(new Error(`${failures} test(s) failed`));
			else resolve();
		});
	});
}
