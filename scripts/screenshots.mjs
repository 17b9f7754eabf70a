#!/usr/bin/env node
// Regenerates the README screenshots from the real editor (the offline VS Code host in headless
// Chromium, Default Dark Modern): `npm run screenshots`. Writes docs/screenshots/*.png.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHost, chromiumOptions } from './vscode-host.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs', 'screenshots');
mkdirSync(OUT, { recursive: true });
const only = process.argv.slice(2);
const want = (name) => !only.length || only.includes(name);

const ws = mkdtempSync(join(tmpdir(), 'loglens-shots-'));
cpSync(join(ROOT, 'test', 'fixtures', 'workspace'), ws, { recursive: true });

async function palette(page, title, pick) {
	await page.keyboard.press('F1');
	await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
	await page.keyboard.type(title);
	await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
	await page.keyboard.press('Enter');
	if (pick) {
		await page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().waitFor({ timeout: 15_000 });
		await page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first().click();
	}
}

async function session(file, fn) {
	const host = await startHost({ settings: { 'workbench.colorTheme': 'Default Dark Modern', 'editor.minimap.enabled': false, 'workbench.tips.enabled': false, 'window.commandCenter': false, 'editor.occurrencesHighlight': 'off', 'logLens.rotatedSetPrompt': false } });
	const browser = await chromium.launch(chromiumOptions);
	try {
		const page = await browser.newPage({ viewport: { width: 1440, height: 860 }, deviceScaleFactor: 1 });
		await page.goto(host.workbenchUrl(ws, [['extensionDevelopmentPath', host.remote(ROOT)], ['openFile', host.remote(join(ws, file))]]));
		await page.waitForSelector('.monaco-editor .view-line span[class*="mtk"]:not(.mtk1)', { timeout: 90_000 });
		await page.locator('.statusbar-item', { hasText: 'Python' }).first().waitFor({ timeout: 30_000 });
		await fn(page);
	} finally {
		await browser.close();
		await host.stop();
	}
}

const settle = (page) => page.waitForTimeout(1500); // notifications and decorations fade in

if (want('traceback')) {
	await session('app.log', async (page) => {
		await page.click('.monaco-editor .view-lines');
		await palette(page, 'Log Lens: Next Error');
		await palette(page, 'Log Lens: Next Error');
		await settle(page);
		await page.screenshot({ path: join(OUT, 'python-traceback.png') });
	});
}
if (want('filter')) {
	await session('app.log', async (page) => {
		await page.click('.monaco-editor .view-lines');
		await palette(page, 'Log Lens: Filter by Level', 'Warning and above');
		await page.waitForSelector('.tab', { hasText: '≥warning' }).catch(() => {});
		await page.locator('.tab', { hasText: '≥warning' }).first().waitFor({ timeout: 20_000 });
		await settle(page);
		await page.screenshot({ path: join(OUT, 'filter-by-level.png') });
	});
}
if (want('problems')) {
	await session('app.log', async (page) => {
		await page.click('.monaco-editor .view-lines');
		await palette(page, 'View: Show Log Lens');
		await page.locator('.monaco-list-row', { hasText: 'upstream timeout' }).first().waitFor({ timeout: 20_000 });
		await page.locator('.monaco-list-row', { hasText: 'Warning' }).first().click();
		await settle(page);
		await page.screenshot({ path: join(OUT, 'problems-tree.png') });
	});
}
if (want('stats')) {
	await session('app.log', async (page) => {
		await page.click('.monaco-editor .view-lines');
		await palette(page, 'Log Lens: Show Statistics');
		// the chart lives in the webview's nested iframes: wait until its canvas is drawn
		const frame = page.frameLocator('iframe.webview').frameLocator('iframe');
		await frame.locator('canvas').first().waitFor({ timeout: 60_000 });
		await settle(page);
		await page.screenshot({ path: join(OUT, 'statistics.png') });
	});
}
console.log(`screenshots written to ${OUT}`);
