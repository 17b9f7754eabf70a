/**
 * Which format a file is parsed with: a per-file choice made in the session (Open Project Logs
 * applies the format its logging config declares), then the first `logLens.formats` entry whose
 * glob matches the path, else auto-detection. A Python format string or a regex is compiled into a parser.
 */
import * as path from 'path';
import type { LogFormat } from '../core/format';
import { compileFormatChoice } from '../core/formats/formatChoice';
import { globToRegExp } from '../core/filter/userFilter';
import type { FormatChoice } from '../shared/protocol';

let settingsFormats: FormatChoice[] = [];
let statusLevelsOn = true;

/** `logLens.statusLevels`: access logs derive levels from the HTTP status. Returns whether it changed. */
export function setStatusLevels(on: unknown): boolean {
	const v = on !== false;
	const changed = v !== statusLevelsOn;
	statusLevelsOn = v;
	return changed;
}

export function statusLevels(): boolean {
	return statusLevelsOn;
}
const perFile = new Map<string, FormatChoice>();

export function setFormatSettings(list: unknown): void {
	settingsFormats = Array.isArray(list) ? (list as FormatChoice[]).filter((f) => f && typeof f === 'object') : [];
}

export function setFileFormat(fsPath: string, choice: FormatChoice | undefined): void {
	if (choice) perFile.set(path.resolve(fsPath), choice);
	else perFile.delete(path.resolve(fsPath));
}

/** The format to parse `fsPath` with, or undefined to detect. Throws a clear Error for a bad choice. */
export function formatFor(fsPath: string): LogFormat | undefined {
	const p = path.resolve(fsPath);
	const choice = perFile.get(p) ?? settingsFormats.find((f) => typeof f.glob === 'string' && globToRegExp(f.glob).test(p.split(path.sep).join('/')));
	return choice ? compileChoice(choice) : undefined;
}

/** Compiles a setting's (or Open Project Logs') choice with the core code the CLI uses for `--format`. */
export function compileChoice(choice: FormatChoice): LogFormat {
	return compileFormatChoice(choice);
}
