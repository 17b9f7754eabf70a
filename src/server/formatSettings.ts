/**
 * Which format a file is parsed with: a per-file choice made in the session (Open Project Logs
 * applies the format its logging config declares), then the first `logLens.formats` entry whose
 * glob matches the path, else auto-detection. A Python format string is compiled into a parser.
 */
import * as path from 'path';
import type { LogFormat } from '../core/format';
import { getFormat } from '../core/formatRegistry';
import { compilePythonFormat } from '../core/python/formatString';
import type { FormatChoice } from '../shared/protocol';

let settingsFormats: FormatChoice[] = [];
const perFile = new Map<string, FormatChoice>();

export function setFormatSettings(list: unknown): void {
	settingsFormats = Array.isArray(list) ? (list as FormatChoice[]).filter((f) => f && typeof f === 'object') : [];
}

export function setFileFormat(fsPath: string, choice: FormatChoice | undefined): void {
	if (choice) perFile.set(path.resolve(fsPath), choice);
	else perFile.delete(path.resolve(fsPath));
}

/** A VS Code-style glob (`**`, `*`, `?`, `{a,b}`, `[..]`) as a RegExp over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
	let re = '';
	let inGroup = false;
	for (let i = 0; i < glob.length; i++) {
		const c = glob[i];
		if (c === '*') {
			if (glob[i + 1] === '*') {
				i++;
				if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
			} else re += '[^/]*';
		} else if (c === '?') re += '[^/]';
		else if (c === '{') { inGroup = true; re += '(?:'; }
		else if (c === '}' && inGroup) { inGroup = false; re += ')'; }
		else if (c === ',' && inGroup) re += '|';
		else if (c === '[') {
			const end = glob.indexOf(']', i);
			if (end < 0) re += '\\[';
			else { re += glob.slice(i, end + 1).replace(/^\[!/, '[^'); i = end; }
		} else re += c.replace(/[.+^$()|\\]/g, '\\$&');
	}
	return new RegExp(`(?:^|/)${re}$`);
}

/** The format to parse `fsPath` with, or undefined to detect. Throws a clear Error for a bad choice. */
export function formatFor(fsPath: string): LogFormat | undefined {
	const p = path.resolve(fsPath);
	const choice = perFile.get(p) ?? settingsFormats.find((f) => typeof f.glob === 'string' && globToRegExp(f.glob).test(p.split(path.sep).join('/')));
	return choice ? compileChoice(choice) : undefined;
}

export function compileChoice(choice: FormatChoice): LogFormat {
	if (choice.format) {
		return compilePythonFormat({ format: choice.format, style: choice.style ?? '%', datefmt: choice.datefmt ?? null, name: choice.name ?? `Python format` });
	}
	if (choice.formatId) {
		const f = getFormat(choice.formatId);
		if (!f) throw new Error(`unknown format id "${choice.formatId}" in logLens.formats`);
		return f;
	}
	throw new Error('a logLens.formats entry needs "format" (a Python format string) or "formatId"');
}
