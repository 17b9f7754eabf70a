// Screenshots of the real workbench in headless Chromium (used by open-in-host.mjs and
// scripts/screenshots.mjs). `steps(page)` may drive the UI (palette commands, clicks) first.
import { chromium } from 'playwright-core';
import { chromiumOptions } from './vscode-host.mjs';

export async function screenshot(url, out, { steps, crop, scale = 1 } = {}) {
	const browser = await chromium.launch(chromiumOptions);
	try {
		const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: scale });
		await page.goto(url);
		await page.waitForSelector('.monaco-editor .view-line', { timeout: 90_000 });
		await page.waitForSelector('.monaco-editor .view-line span[class*="mtk"]:not(.mtk1)', { timeout: 30_000 });
		if (steps) await steps(page);
		// wait until the workbench stops changing (notifications fade in, decorations apply)
		await page.waitForFunction(() => !document.querySelector('.monaco-progress-container.active'), null, { timeout: 10_000 }).catch(() => {});
		await page.waitForTimeout(800);
		if (crop) await page.locator(crop).first().screenshot({ path: out });
		else await page.screenshot({ path: out });
		return page;
	} finally {
		await browser.close();
	}
}

/** Runs a command from the palette by its title. */
export async function runCommand(page, title) {
	await page.keyboard.press('F1');
	await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
	await page.keyboard.type(title);
	await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`, { timeout: 10_000 });
	await page.keyboard.press('Enter');
}
