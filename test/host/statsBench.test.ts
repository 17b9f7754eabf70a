// One-off measurement (only when LOGLENS_BENCH_STATS names a log): command → first render of the
// statistics view on a big log, in the real host.
import * as vscode from 'vscode';
import { openLog, waitFor } from './hostUtil';

const target = process.env.LOGLENS_BENCH_STATS;
if (target) {
	suite('Statistics on a big log (measurement)', () => {
		test('command to first render', async function () {
			this.timeout(900_000);
			const { api } = await openLog('basic.log');
			const uri = vscode.Uri.file(target).toString();
			await waitFor(async () => (await api.client.sendRequest<{ state: string }>('logLens/summary', { uri })).state === 'ready', 'indexed', 600_000, 500);
			const t0 = Date.now();
			const panel = await vscode.commands.executeCommand<{ lastRenderMs?: number; lastResult?: { entries: number; buckets: unknown[]; detail: boolean } }>('logLens.showStatistics', uri);
			await waitFor(() => panel?.lastRenderMs !== undefined, 'first render', 600_000, 100);
			console.log(`statistics on ${target}: first render ${panel!.lastRenderMs} ms after the command (${Date.now() - t0} ms wall), ${panel!.lastResult?.entries} entries, ${panel!.lastResult?.buckets.length} buckets, detail=${panel!.lastResult?.detail}`);
			await waitFor(() => panel?.lastResult?.detail === true, 'detailed result', 600_000, 500);
			console.log(`statistics with templates and loggers: ${Date.now() - t0} ms after the command`);
		});
	});
}
