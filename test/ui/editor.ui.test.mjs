// UI tier: the real workbench (offline VS Code host) in headless Chromium, as a user sees it.
// Proves that Log Lens's grammar, not the built-in one, colours log documents (ERROR and WARNING
// render in different colours; with the built-in grammar alone they are the same), and that the
// status bar shows the level counts. Run: node --test test/ui/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve, join } from 'node:path';
import { chromium } from 'playwright-core';
import { startHost, chromiumOptions } from '../../scripts/vscode-host.mjs';

const ROOT = resolve(import.meta.dirname, '..', '..');
const WS = join(ROOT, 'test', 'fixtures', 'workspace');

/** Opens app.log in the workbench (with or without Log Lens) and returns token colours by text. */
async function tokenColours(theme, withExtension) {
	const host = await startHost({ settings: { 'workbench.colorTheme': theme, 'editor.minimap.enabled': false } });
	const browser = await chromium.launch(chromiumOptions);
	try {
		const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
		const payload = [['openFile', host.remote(join(WS, 'app.log'))]];
		if (withExtension) payload.push(['extensionDevelopmentPath', host.remote(ROOT)]);
		await page.goto(host.workbenchUrl(WS, payload));
		await page.waitForSelector('.monaco-editor .view-line span[class*="mtk"]:not(.mtk1)', { timeout: 90_000 });
		const find = async (word) => {
			const handle = await page.waitForFunction((w) => {
				const s = [...document.querySelectorAll('.monaco-editor .view-line span[class*="mtk"]')].find((x) => x.textContent.trim() === w);
				return s ? getComputedStyle(s).color : null;
			}, word, { timeout: 30_000 });
			return handle.jsonValue();
		};
		const colours = { ERROR: await find('ERROR'), WARNING: await find('WARNING'), INFO: await find('INFO') };
		let status = null;
		if (withExtension) {
			const item = page.locator('.statusbar-item', { hasText: '·' }).filter({ hasText: 'Python' });
			await item.first().waitFor({ timeout: 30_000 });
			status = await item.first().innerText();
		}
		return { colours, status };
	} finally {
		await browser.close();
		await host.stop();
	}
}

test('built-in grammar alone: ERROR and WARNING look alike (the flaw we fix)', async () => {
	const { colours } = await tokenColours('Default Dark Modern', false);
	assert.equal(colours.ERROR, colours.WARNING);
});

for (const theme of ['Default Dark Modern', 'Default Light Modern']) {
	test(`Log Lens grammar in ${theme}: ERROR, WARNING and INFO in different colours; status bar counts`, async () => {
		const { colours, status } = await tokenColours(theme, true);
		assert.notEqual(colours.ERROR, colours.WARNING, JSON.stringify(colours));
		assert.notEqual(colours.INFO, colours.WARNING, JSON.stringify(colours));
		assert.match(status, /\d+\s+\d+\s+·\s+Python/, `status bar: ${status}`);
	});
}
