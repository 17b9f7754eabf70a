#!/usr/bin/env node
// Opens a folder and a file in the offline VS Code (code-server's bundled VS Code) with Log Lens
// loaded from this folder, and keeps it running until Ctrl+C. Prints the URL to open in a browser.
// With SCREENSHOT=out.png it instead takes a screenshot in headless Chromium and exits.
// Env: PORT (default: a free port), THEME (default "Default Dark Modern").
import { resolve } from 'node:path';
import { startHost } from './vscode-host.mjs';
import { screenshot } from './screenshot.mjs';

const [folder = 'out/samples', file] = process.argv.slice(2);
const EXT_DIR = resolve(import.meta.dirname, '..');
const host = await startHost({
	bindPort: process.env.PORT ? Number(process.env.PORT) : undefined,
	settings: { 'workbench.colorTheme': process.env.THEME || 'Default Dark Modern', 'editor.minimap.enabled': false },
});
const payload = [['extensionDevelopmentPath', host.remote(EXT_DIR)]];
if (file) payload.push(['openFile', host.remote(file)]);
const url = host.workbenchUrl(folder, payload);
if (process.env.SCREENSHOT) {
	try { await screenshot(url, process.env.SCREENSHOT, {}); } finally { await host.stop(); }
	process.exit(0);
}
console.log(`\nLog Lens is running in VS Code ${'1.100'} (offline host). Open this URL in a browser:\n\n  ${url}\n\nCtrl+C stops it.`);
const stop = async () => { await host.stop(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
