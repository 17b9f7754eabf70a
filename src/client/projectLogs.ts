/**
 * "Open Project Logs…": finds the Python logging setups of the workspace (basicConfig, dictConfig
 * in Python/JSON/YAML/TOML, Django LOGGING, fileConfig INI) — parsed by the server, never executed —
 * lists the log files they write, and opens the chosen one with the format its config declares.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DiscoverLoggingRequest, DiscoveredLog, DiscoveryFile, SetFormatRequest } from '../shared/protocol';
import { Disposable } from './disposable';

const CONFIG_GLOB = '**/*.{py,json,yaml,yml,toml,ini,conf,cfg}';
const EXCLUDE = '**/{node_modules,.git,.venv,venv,env,.tox,site-packages,__pycache__,dist,build,.mypy_cache}/**';
const MAX_FILES = 3000;
const MAX_BYTES = 512 * 1024;

export class ProjectLogs extends Disposable {
	constructor(private readonly client: LanguageClient) {
		super();
		this._register(vscode.commands.registerCommand('logLens.openProjectLogs', (arg?: { path?: string; follow?: boolean }) => this.run(arg)));
	}

	/** The log files the workspace's logging configs write. */
	async discover(token?: vscode.CancellationToken): Promise<DiscoveredLog[]> {
		const uris = await vscode.workspace.findFiles(CONFIG_GLOB, EXCLUDE, MAX_FILES, token);
		const files: DiscoveryFile[] = [];
		await Promise.all(uris.map(async (u) => {
			try {
				const st = await vscode.workspace.fs.stat(u);
				if (st.size > MAX_BYTES) return;
				const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(u));
				// only files that can hold a logging setup go to the server
				if (/logging|handlers|LOGGING|formatters/.test(text)) files.push({ path: u.fsPath, text });
			} catch {
				// unreadable file: skip
			}
		}));
		const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
		return this.client.sendRequest(DiscoverLoggingRequest.type, { files, workspaceRoot: root }, token);
	}

	private async run(arg?: { path?: string; follow?: boolean }): Promise<vscode.TextEditor | undefined> {
		const logs = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Log Lens: reading logging configuration…' }, (_p, token) => this.discover(token));
		if (!logs.length) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: no Python logging configuration that writes to a file was found in this workspace (basicConfig, dictConfig, Django LOGGING, fileConfig).'));
			return undefined;
		}
		let chosen: DiscoveredLog | undefined;
		let follow = !!arg?.follow;
		if (arg?.path) chosen = logs.find((l) => l.path === arg.path);
		else {
			const followButton = { iconPath: new vscode.ThemeIcon('debug-start'), tooltip: 'Follow this log' };
			type Item = vscode.QuickPickItem & { log: DiscoveredLog };
			const qp = vscode.window.createQuickPick<Item>();
			qp.title = 'Log Lens: Open Project Logs';
			qp.placeholder = 'Log files written by this project\'s logging configuration';
			qp.items = logs.map((l) => ({
				label: `$(${l.exists ? 'file' : 'file-add'}) ${vscode.workspace.asRelativePath(l.path)}`,
				description: `${l.handler} · ${l.rotation}${l.exists ? '' : ' · not written yet'}`,
				detail: `${vscode.workspace.asRelativePath(l.configFile)}:${l.configLine} (${l.configKind})${l.format ? ` · format ${l.format.format}` : ''}`,
				buttons: [followButton],
				log: l,
			}));
			chosen = await new Promise<DiscoveredLog | undefined>((resolve) => {
				qp.onDidAccept(() => { resolve(qp.selectedItems[0]?.log); qp.hide(); });
				qp.onDidTriggerItemButton((e) => { follow = true; resolve(e.item.log); qp.hide(); });
				qp.onDidHide(() => { resolve(undefined); qp.dispose(); });
				qp.show();
			});
		}
		if (!chosen) return undefined;
		const uri = vscode.Uri.file(chosen.path);
		await this.client.sendRequest(SetFormatRequest.type, { uri: uri.toString(), format: chosen.format ?? undefined });
		if (follow || !chosen.exists) {
			const commands = await vscode.commands.getCommands(true);
			if (commands.includes('logLens.followFile')) return vscode.commands.executeCommand('logLens.followFile', chosen.path);
		}
		if (!chosen.exists) {
			void vscode.window.showInformationMessage(vscode.l10n.t('Log Lens: {0} does not exist yet.', chosen.path));
			return undefined;
		}
		const doc = await vscode.workspace.openTextDocument(uri);
		return vscode.window.showTextDocument(doc, { preview: false });
	}
}
