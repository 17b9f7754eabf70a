/**
 * Every Log Lens setting: its key, its type, and its one default — read from package.json's
 * `contributes.configuration`, so a default is written once. The client reads settings only
 * through client/settings.ts; the server gets the ones it needs from the client
 * (`ServerSettingsNotification`), never by asking VS Code. test/core/settings.test.ts checks that
 * every package.json setting has a key here and that nothing else calls `getConfiguration`.
 *
 * To add a setting: package.json `contributes.configuration` (+ package.nls.json) → a field in
 * `LogLensSettings` and `SETTING_KEYS` → read it with `setting('key', scope)` where it is used.
 */
import { contributes } from '../../package.json';
import type { FormatChoice } from '../core/formats/formatChoice';
import type { AlertRule } from './protocol';

/** One `logLens.highlights` rule. */
export interface HighlightRule {
	pattern: string;
	regex?: boolean;
	ignoreCase?: boolean;
	color?: string;
	backgroundColor?: string;
	fontWeight?: string;
	wholeLine?: boolean;
	overviewRuler?: boolean;
}

/** A command offered by Follow Command Output… (`logLens.follow.commands`). */
export interface FollowCommandPreset {
	name: string;
	command: string[];
	shell?: boolean;
	cwd?: string;
}

/** The settings under `logLens.`, by key (without the prefix). */
export interface LogLensSettings {
	formats: FormatChoice[];
	highlights: HighlightRule[];
	entryDecorations: boolean;
	statusBar: boolean;
	'filter.maxEntries': number;
	pathMappings: Record<string, string>;
	'follow.maxLines': number;
	'follow.usePolling': boolean;
	'follow.pollIntervalMs': number;
	alerts: AlertRule[];
	'follow.anomalyAlerts': boolean;
	/** Restricted: VS Code gives the default in Restricted Mode, where commands are never run anyway. */
	'follow.commands': FollowCommandPreset[];
	/** From this rate a follow tab does lighter work until the burst ends; 0: never. */
	'follow.burstLinesPerSecond': number;
	rotatedSetPrompt: boolean;
	ansi: 'hide' | 'raw';
	'elasticsearch.url': string;
	'elasticsearch.cloudId': string;
	'elasticsearch.caFile': string;
	'elasticsearch.index': string;
	statusLevels: boolean;
}

export type SettingKey = keyof LogLensSettings;

/** Every key (the compiler checks this list against `LogLensSettings`). */
const KEYS: Record<SettingKey, true> = {
	formats: true, highlights: true, entryDecorations: true, statusBar: true, 'filter.maxEntries': true, pathMappings: true,
	'follow.maxLines': true, 'follow.usePolling': true, 'follow.pollIntervalMs': true, alerts: true, 'follow.anomalyAlerts': true, 'follow.commands': true, 'follow.burstLinesPerSecond': true,
	rotatedSetPrompt: true, ansi: true, 'elasticsearch.url': true, 'elasticsearch.cloudId': true, 'elasticsearch.caFile': true,
	'elasticsearch.index': true, statusLevels: true,
};
export const SETTING_KEYS = Object.keys(KEYS) as SettingKey[];

const PROPERTIES = contributes.configuration.properties as Record<string, { default?: unknown }>;

/** The default of each setting, as package.json declares it. */
export const SETTING_DEFAULTS = Object.fromEntries(SETTING_KEYS.map((k) => [k, PROPERTIES[`logLens.${k}`]?.default])) as unknown as LogLensSettings;

/** The settings the language server uses (sent by the client at start and on every change). */
export type ServerSettings = Pick<LogLensSettings, 'pathMappings' | 'formats' | 'alerts' | 'statusLevels'>;
export const SERVER_SETTING_KEYS: readonly (keyof ServerSettings)[] = ['pathMappings', 'formats', 'alerts', 'statusLevels'];
