// The statistics view end to end in the real extension host: the command opens the webview, the
// server's aggregates reach it and it reports `rendered`; a bar click (the message the webview
// posts, sent through the panel's test hook) opens a filtered tab with exactly that time range.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { openLog, closeAll, waitFor } from './hostUtil';
import type { StatsPanel } from '../../src/client/statsView';

const isFiltered = (e?: vscode.TextEditor) => e?.document.uri.scheme === 'loglens-filter';
const HEADER_TIME = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)[,.](\d{3})/;
/** A header's naive time read as UTC; the log's offset to real epoch ms is measured, not assumed. */
const naive = (line: string) => {
	const m = HEADER_TIME.exec(line);
	return m ? Date.parse(`${m[1]}T${m[2]}.${m[3]}Z`) : NaN;
};

suite('Statistics view', () => {
	teardown(closeAll);

	test('Show Statistics renders the aggregates; a bar click opens only that time range', async () => {
		const { editor } = await openLog('app.log');
		const panel = await vscode.commands.executeCommand<StatsPanel>('logLens.showStatistics');
		assert.ok(panel, 'the command resolves with its panel');
		await waitFor(() => panel.lastRenderMs !== undefined && panel.lastResult?.detail, 'the full result rendered in the webview');
		console.log(`      statistics: command → first render ${panel.lastRenderMs} ms`);
		const r = panel.lastResult!;
		const src = editor.document.getText().split('\n');
		const headers = src.filter((l) => HEADER_TIME.test(l));
		assert.strictEqual(r.entries, headers.length);
		assert.strictEqual(r.buckets.reduce((a, b) => a + Object.values(b.counts).reduce((x, y) => x + (y ?? 0), 0), 0), headers.length);
		assert.ok(r.topTemplates.length > 0 && r.topLoggers.length > 0);

		// the busiest bucket, clicked
		const total = (i: number) => Object.values(r.buckets[i].counts).reduce((x, y) => x + (y ?? 0), 0);
		let b = 0;
		for (let i = 1; i < r.buckets.length; i++) if (total(i) > total(b)) b = i;
		const since = r.buckets[b].t, until = since + r.bucketMs;
		await panel.simulateMessage({ type: 'filterTime', since, until });
		const fed = await waitFor(() => vscode.window.visibleTextEditors.find(isFiltered), 'a filtered tab');
		const lines = fed.document.getText().split('\n');
		assert.match(lines[0], new RegExp(`^# Log Lens filter: .* — ${total(b)} of ${headers.length} entries from app\\.log`));
		const offset = Date.parse(r.span.first!) - naive(headers[0]);
		const shown = lines.slice(1).filter((l) => HEADER_TIME.test(l));
		assert.strictEqual(shown.length, total(b));
		for (const l of shown) {
			const t = naive(l) + offset;
			assert.ok(t >= since && t < until, `${l} in [${new Date(since).toISOString()}, ${new Date(until).toISOString()})`);
		}
		// and every source entry of that range is there
		const expected = headers.filter((l) => { const t = naive(l) + offset; return t >= since && t < until; });
		assert.deepStrictEqual(shown, expected);
	});

	test('a bucket size change re-renders with that size; the same log reuses its panel', async () => {
		await openLog('app.log');
		const panel = await vscode.commands.executeCommand<StatsPanel>('logLens.showStatistics');
		assert.ok(panel);
		await waitFor(() => panel.lastResult?.detail && panel.lastRenderMs !== undefined, 'first render');
		const choice = panel.lastResult!.bucketChoices.find((c) => c !== panel.lastResult!.bucketMs)!;
		const renders = new Promise<number>((res) => { const d = panel.onDidRender((ms) => { if (panel.lastResult?.bucketMs === choice) { d.dispose(); res(ms); } }); });
		await panel.simulateMessage({ type: 'setBucket', bucketMs: choice });
		await renders;
		assert.strictEqual(panel.lastResult!.bucketMs, choice);
		assert.strictEqual(await vscode.commands.executeCommand<StatsPanel>('logLens.showStatistics', panel.uri), panel);
	});
});
