/**
 * The one typed path from the extension to its settings: `setting('filter.maxEntries', uri)`.
 * Keys, types and defaults (from package.json) are in shared/settings.ts, which says how to add
 * one. Read a setting where it is used; never cache it across a configuration change.
 */
import * as vscode from 'vscode';
import { LogLensSettings, SERVER_SETTING_KEYS, ServerSettings, SETTING_DEFAULTS, SettingKey } from '../shared/settings';

export type { HighlightRule } from '../shared/settings';

/** The value of `logLens.<key>` for `scope` (a resource, for resource-scoped settings). */
export function setting<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): LogLensSettings[K] {
	return vscode.workspace.getConfiguration('logLens', scope).get<LogLensSettings[K]>(key, SETTING_DEFAULTS[key]);
}

/** Writes `logLens.<key>`. */
export function updateSetting<K extends SettingKey>(key: K, value: LogLensSettings[K] | undefined, target: vscode.ConfigurationTarget): Thenable<void> {
	return vscode.workspace.getConfiguration('logLens').update(key, value, target);
}

/** True when the change touches `logLens.<key>` (for `scope`). */
export function affects(e: vscode.ConfigurationChangeEvent, key: SettingKey | '', scope?: vscode.ConfigurationScope): boolean {
	return e.affectsConfiguration(key ? `logLens.${key}` : 'logLens', scope);
}

/** The settings the language server uses. */
export function serverSettings(): ServerSettings {
	const out = {} as Record<keyof ServerSettings, unknown>;
	for (const k of SERVER_SETTING_KEYS) out[k] = setting(k);
	return out as ServerSettings;
}
