// Starts and stops one offline VS Code: the VS Code server bundled in the code-server npm package
// (installed by scripts/install-host.sh) on a free loopback port, with throw-away user data, and
// headless Chromium (playwright-core, Debian's /usr/bin/chromium) as the workbench.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, existsSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CS_VERSION = '4.100.3';

export function defaultHostDir() {
	return process.env.HOST_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
		'vscode-host', `code-server-${CS_VERSION}-abi${process.versions.modules}`);
}

function freePort() {
	return new Promise((res, rej) => {
		const srv = createServer().once('error', rej);
		srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
	});
}

/** Chromium launch options: the flags keep it from calling out to the (closed) network. */
export const chromiumOptions = {
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
		'--disable-sync', '--disable-quic'],
};

/**
 * Starts code-server. `settings` become the user settings; `env` is added to the server's
 * environment (the extension host inherits it); `extensionsDir` lets a caller pre-install a .vsix;
 * `trust: true` keeps Workspace Trust enabled (restricted mode tests).
 */
export async function startHost({ settings = {}, env = {}, extensionsDir, trust = false, bindPort, log = () => {} } = {}) {
	const hostDir = defaultHostDir();
	const bin = join(resolve(hostDir), 'node_modules', '.bin', 'code-server');
	if (!existsSync(bin)) throw new Error(`no VS Code host at ${hostDir}: run scripts/install-host.sh`);
	const port = bindPort ?? await freePort();
	const tmp = mkdtempSync(join(tmpdir(), 'loglens-host-'));
	const userData = join(tmp, 'user-data');
	mkdirSync(join(userData, 'User'), { recursive: true });
	// remote.autoForwardPorts*: code-server's extension host is a "remote" one, so VS Code would scan
	// /proc and spawn `ls`/`ps` in it every few seconds to find ports to forward (code-server has a
	// tunnel provider, so only the "output" source turns the scan off). Desktop VS Code does not do
	// that for a local window, and each spawn shows up as an extension host event loop stall.
	writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
		'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false,
		'extensions.autoUpdate': false, 'update.mode': 'none', 'remote.autoForwardPorts': false, 'remote.autoForwardPortsSource': 'output', ...settings }, null, 2));
	const config = join(tmp, 'config.yaml');
	writeFileSync(config, '');
	const childEnv = { ...process.env, XDG_DATA_HOME: join(tmp, 'xdg-data'), ...env };
	delete childEnv.VSCODE_IPC_HOOK_CLI;
	const args = ['--config', config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
		'--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
		...(trust ? [] : ['--disable-workspace-trust']),
		'--user-data-dir', userData, '--extensions-dir', extensionsDir || join(tmp, 'extensions')];
	const proc = spawn(bin, args, { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	const killGroup = (sig) => { try { process.kill(-proc.pid, sig); } catch { /* gone */ } };
	process.once('exit', () => { killGroup('SIGKILL'); rmSync(tmp, { recursive: true, force: true }); });
	const serverLog = createWriteStream(join(tmp, 'server.log'));
	for (const s of [proc.stdout, proc.stderr]) s.on('data', (d) => { serverLog.write(d); log(d.toString()); });
	const origin = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 60_000;
	for (;;) {
		if (proc.exitCode !== null) throw new Error(`code-server exited (${proc.exitCode}); see ${tmp}/server.log`);
		try { if ((await fetch(`${origin}/healthz`)).ok) break; } catch { /* not up yet */ }
		if (Date.now() > deadline) throw new Error('code-server did not start within 60 s');
		await new Promise((r) => setTimeout(r, 100));
	}
	const remote = (p) => `vscode-remote://127.0.0.1:${port}${resolve(p)}`;
	const workbenchUrl = (folder, payload = []) => `${origin}/?folder=${encodeURIComponent(resolve(folder))}` +
		(payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '');
	async function stop() {
		if (proc.exitCode === null) {
			const done = new Promise((r) => proc.once('exit', r));
			killGroup('SIGTERM');
			await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
			killGroup('SIGKILL');
		}
		serverLog.end();
		rmSync(tmp, { recursive: true, force: true });
	}
	return { port, origin, tmp, userData, remote, workbenchUrl, stop, proc };
}
