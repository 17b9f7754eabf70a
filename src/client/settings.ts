/**
 * Typed access to Log Lens settings. To add a setting: package.json `contributes.configuration`
 * → a field here → read it where it is used (never cache it across a configuration change).
 */
import * as vscode from 'vscode';

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

export interface LogLensSettings {
	highlights: HighlightRule[];
	entryDecorations: boolean;
	statusBar: boolean;
	filterMaxEntries: number;
	/** Restricted: VS Code gives the default in Restricted Mode, where commands are never run anyway. */
	followCommands: FollowCommandPreset[];
	/** From this rate a follow tab does lighter work until the burst ends; 0: never. */
	followBurstLinesPerSecond: number;
}

export function readSettings(scope?: vscode.Uri): LogLensSettings {
	const c = vscode.workspace.getConfiguration('logLens', scope);
	return {
		highlights: c.get<HighlightRule[]>('highlights', []),
		entryDecorations: c.get<boolean>('entryDecorations', true),
		statusBar: c.get<boolean>('statusBar', true),
		filterMaxEntries: c.get<number>('filter.maxEntries', 200000),
		followCommands: c.get<FollowCommandPreset[]>('follow.commands', []),
		followBurstLinesPerSecond: c.get<number>('follow.burstLinesPerSecond', 200),
	};
}
