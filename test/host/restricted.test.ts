// Restricted Mode (Workspace Trust on, folder not trusted): Log Lens still reads and filters logs,
// and ignores the workspace's values of the settings that could read outside the workspace or send
// data away (declared in capabilities.untrustedWorkspaces.restrictedConfigurations).
// Runs only in the driver's trust mode: LOGLENS_TRUST=1 (the `restricted` tier of npm test).
import * as assert from 'assert';
import * as vscode from 'vscode';
import * as fs from 'fs';
import { openLog, closeAll, workspacePath } from './hostUtil';

if (process.env.LOGLENS_TRUST === '1') {
	suite('Restricted mode @restricted', () => {
		teardown(closeAll);

		test('the workspace is untrusted and core features work', async () => {
			assert.strictEqual(vscode.workspace.isTrusted, false);
			await openLog('app.log');
			const fed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.filterByLevel', 'error');
			assert.ok(fed?.document.lineAt(0).text.startsWith('# Log Lens filter: ≥error'));
		});

		test('Follow Command Output is refused, and the workspace\'s command presets are not read', async () => {
			const { api } = await openLog('app.log');
			const marker = workspacePath('ran.txt');
			const r = await vscode.commands.executeCommand('logLens.followCommand', { command: ['python3', '-c', `open(${JSON.stringify(marker)}, 'w')`] });
			assert.strictEqual(r, undefined, 'no tab');
			assert.strictEqual(api.follow.sessions.size, 0, 'no session: nothing was started');
			await vscode.commands.executeCommand('logLens.restartFollowCommand');
			assert.strictEqual(api.follow.sessions.size, 0);
			assert.deepStrictEqual(vscode.workspace.getConfiguration('logLens.follow').get('commands'), [], 'presets from the workspace ignored');
			assert.ok(!fs.existsSync(marker));
		});

		test('restricted settings from the workspace are ignored', async () => {
			const cfg = vscode.workspace.getConfiguration('logLens');
			// the same workspace settings file is read (an unrestricted setting applies) ...
			assert.strictEqual(cfg.get('filter.maxEntries'), 123);
			// ... but its restricted settings are not
			assert.deepStrictEqual(cfg.get('pathMappings'), {}, 'Log Lens gets the default in Restricted Mode');
			assert.deepStrictEqual(cfg.get('alerts'), []);
		});
	});
}
