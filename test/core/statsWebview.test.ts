// The statistics webview's script (media/stats/stats.js + the bundled uPlot) in headless Chromium,
// under the same Content-Security-Policy the panel sets, with `acquireVsCodeApi` stubbed: it must
// draw real aggregates, report `rendered`, and turn a mouse click on a bar, the keyboard (arrows +
// Enter), a table row, a template button and the bucket dropdown into the messages the panel
// handles. Skipped when no Chromium is installed (CHROMIUM or /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { computeStats, StatsResult } from '../../src/core/stats';
import { indexFile } from '../../src/core/index/indexFile';
import { FileSource } from '../../src/core/byteSource';
import { TemplateMiner } from '../../src/core/templates/templates';
import { fixture, repoRoot, tempDir } from '../testUtil';

/** What the callbacks run in the page touch (the tests are type-checked without the DOM lib). */
declare const window: { postMessage(m: unknown, origin: string): void; __posted: Record<string, unknown>[]; __state: unknown; __violations: string[] };
declare const document: { getElementById(id: string): { textContent: string | null } | null };

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

type Page = import('playwright-core').Page;
type Browser = import('playwright-core').Browser;
let browser: Browser | undefined;
let tmp: { dir: string; cleanup: () => void };
let stats: StatsResult;

before(async () => {
	tmp = tempDir('loglens-webview-');
	const path = fixture('workspace', 'app.log');
	const idx = await indexFile(path);
	const src = new FileSource(path);
	stats = computeStats(idx, src, { templates: new TemplateMiner() });
	src.close();
	if (skip) return;
	const { chromium } = await import('playwright-core');
	browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--disable-gpu', '--no-first-run'] });
});
after(async () => {
	await browser?.close();
	tmp.cleanup();
});

/** The page the panel would build, with file: URLs for media/ and a recording acquireVsCodeApi. */
async function openView(): Promise<Page> {
	const media = (p: string) => pathToFileURL(join(repoRoot(), 'media', p)).toString();
	const nonce = 'testnonce123';
	const html = `<!DOCTYPE html><html><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'; style-src file: 'unsafe-inline'; img-src file: data:">
<link rel="stylesheet" href="${media('vendor/uPlot.min.css')}"><link rel="stylesheet" href="${media('stats/stats.css')}">
<style>:root { --vscode-charts-red: #f14c4c; --vscode-charts-blue: #3794ff; --vscode-foreground: #cccccc; }</style>
</head><body style="width: 900px">
<main id="app" data-state="${JSON.stringify({ uri: 'file:///w/app.log' }).replace(/"/g, '&quot;')}"></main>
<script nonce="${nonce}">
window.__posted = []; window.__state = undefined; window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });
</script>
<script nonce="${nonce}" src="${media('vendor/uPlot.iife.min.js')}"></script>
<script nonce="${nonce}" src="${media('stats/stats.js')}"></script>
</body></html>`;
	const file = join(tmp.dir, `view-${Math.random().toString(36).slice(2)}.html`);
	writeFileSync(file, html);
	const page = await browser!.newPage({ viewport: { width: 1000, height: 1400 } });
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await page.goto(pathToFileURL(file).toString());
	await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
	(page as unknown as { errors: string[] }).errors = errors;
	return page;
}

const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: Record<string, unknown>[] }).__posted);
async function waitPosted(page: Page, type: string, count = 1): Promise<Record<string, unknown>[]> {
	await page.waitForFunction(([t, n]) => (window as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === t).length >= (n as number), [type, count], { timeout: 10_000 });
	return (await posted(page)).filter((m) => m.type === type);
}

test('draws the aggregates, reports rendered, and clicks/keys/buttons post the panel\'s messages', { skip }, async () => {
	const page = await openView();
	await page.evaluate((data) => window.postMessage({ type: 'stats', uri: 'file:///w/app.log', title: 'app.log', bucketMs: 0, data }, '*'), stats as unknown as Record<string, unknown>);
	await waitPosted(page, 'rendered');
	assert.equal(await page.locator('#chart-counts canvas').count(), 1, 'the stacked chart is a canvas');
	assert.equal(await page.locator('#chart-errors canvas').count(), 1);
	const legend = await page.locator('.legend').innerText();
	for (const l of stats.levels) assert.match(legend, new RegExp(`${l} ${stats.levelTotals[l]}`), 'levels named in text, with totals');
	assert.equal(await page.locator('button.template').count(), stats.topTemplates.length);
	assert.match(await page.locator('h1').innerText(), /app\.log/);
	assert.deepEqual(await page.evaluate(() => (window as unknown as { __state: unknown }).__state), { uri: 'file:///w/app.log' }, 'state kept for a reload');

	// a mouse click in the middle of the busiest bucket's bar
	const busiest = stats.buckets.reduce((a, b, i) => (Object.values(b.counts).reduce((x, y) => x + (y ?? 0), 0) > Object.values(stats.buckets[a].counts).reduce((x, y) => x + (y ?? 0), 0) ? i : a), 0);
	const over = await page.locator('#chart-counts .u-over').boundingBox();
	assert.ok(over);
	const x0 = stats.buckets[0].t, x1 = stats.buckets[stats.buckets.length - 1].t + stats.bucketMs;
	const t = stats.buckets[busiest].t + stats.bucketMs / 2;
	await page.mouse.move(over.x + ((t - x0) / (x1 - x0)) * over.width, over.y + over.height - 3);
	await page.mouse.click(over.x + ((t - x0) / (x1 - x0)) * over.width, over.y + over.height - 3);
	const [click] = await waitPosted(page, 'filterTime');
	assert.deepEqual(click, { type: 'filterTime', since: stats.buckets[busiest].t, until: stats.buckets[busiest].t + stats.bucketMs });
	assert.match(await page.locator('#readout').innerText(), /entries/);

	// keyboard: focus the chart, End = last non-empty bucket, Left = the one before, Enter
	const nonEmpty = stats.buckets.map((b, i) => [b, i] as const).filter(([b]) => Object.values(b.counts).some((v) => (v ?? 0) > 0)).map(([, i]) => i);
	await page.focus('#chart-counts');
	await page.keyboard.press('End');
	await page.keyboard.press('ArrowLeft');
	await page.keyboard.press('Enter');
	const keyed = (await waitPosted(page, 'filterTime', 2))[1];
	assert.equal(keyed.since, stats.buckets[nonEmpty[nonEmpty.length - 2]].t);
	assert.match(await page.locator('#readout').innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d – /);

	// the table alternative
	await page.locator('details summary').click();
	await page.locator(`button[data-bucket="${nonEmpty[0]}"]`).click();
	assert.equal((await waitPosted(page, 'filterTime', 3))[2].since, stats.buckets[nonEmpty[0]].t);

	// a template row is a button
	await page.locator('button.template').nth(1).focus();
	await page.keyboard.press('Enter');
	const [tpl] = await waitPosted(page, 'filterTemplate');
	assert.deepEqual(tpl, { type: 'filterTemplate', templateId: stats.topTemplates[1].id });

	// the bucket dropdown
	const choice = stats.bucketChoices[1];
	await page.selectOption('#bucket', String(choice));
	const [setBucket] = await waitPosted(page, 'setBucket');
	assert.deepEqual(setBucket, { type: 'setBucket', bucketMs: choice });

	assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), [], 'nothing blocked by the CSP');
	assert.deepEqual((page as unknown as { errors: string[] }).errors, []);
	await page.close();
});

test('the index-only answer first, then the full one; no timestamps; an error message', { skip }, async () => {
	const page = await openView();
	const quick = { ...stats, detail: false, topTemplates: [], topLoggers: [], templateCount: 0 };
	await page.evaluate((data) => window.postMessage({ type: 'stats', uri: 'u', title: 'app.log', bucketMs: 0, data }, '*'), quick as unknown as Record<string, unknown>);
	await waitPosted(page, 'rendered');
	assert.match(await page.locator('#h-tpl + p').innerText(), /Reading every entry/);
	assert.equal(await page.locator('main').getAttribute('aria-busy'), 'true');
	await page.evaluate((data) => window.postMessage({ type: 'stats', uri: 'u', title: 'app.log', bucketMs: 0, data }, '*'), stats as unknown as Record<string, unknown>);
	await waitPosted(page, 'rendered', 2);
	assert.equal(await page.locator('button.template').count(), stats.topTemplates.length);
	assert.equal(await page.locator('main').getAttribute('aria-busy'), 'false');

	const untimed = { ...stats, buckets: [], errorRate: [], bucketMs: 0, autoBucketMs: 0, bucketChoices: [], span: { first: null, last: null }, entriesPerSecond: null, timedEntries: 0 };
	await page.evaluate((data) => window.postMessage({ type: 'stats', uri: 'u', title: 'x.log', bucketMs: 0, data }, '*'), untimed as unknown as Record<string, unknown>);
	await waitPosted(page, 'rendered', 3);
	assert.match(await page.locator('main').innerText(), /no timeline/);
	await page.evaluate(() => window.postMessage({ type: 'error', message: 'Could not compute the statistics of x.log: boom' }, '*'));
	await page.waitForFunction(() => document.getElementById('status')?.textContent?.includes('boom'));
	assert.deepEqual((page as unknown as { errors: string[] }).errors, []);
	await page.close();
});
