// A format the user names — in the `logLens.formats` setting, Open Project Logs, or `loglens
// --format` — compiled into a LogFormat. The editor (server/formatSettings.ts) and the CLI
// (cli/commandArgs.ts) both compile through `compileFormatChoice`, so a format string or regex
// reads a file the same way in both.
import type { LogFormat } from '../format';
import { getFormat } from '../formatRegistry';
import { compileRegexFormat } from './userRegex';
import { compilePythonFormat, PythonFormatStyle } from '../python/formatString';

/** One way to name a format: a built-in id, a Python logging format string, or a regex with named groups. */
export interface FormatChoice {
	/** Glob matched against the file path (settings only). */
	glob?: string;
	/** A built-in format id (python, log4j, syslog, json, …). */
	formatId?: string;
	/** A Python logging format string, with `style` and `datefmt`. */
	format?: string;
	style?: PythonFormatStyle;
	/** strftime format of `%(asctime)s`, or of a regex's `time` group. */
	datefmt?: string | null;
	/** A regular expression matched at the start of each line; named groups time, level, logger, message, and fields. */
	regex?: string;
	/** Display name. */
	name?: string;
}

/** Compiles a choice; throws an Error with a clear message (naming `where` it came from) when it is wrong. */
export function compileFormatChoice(choice: FormatChoice, where = 'logLens.formats'): LogFormat {
	if (choice.regex) {
		return compileRegexFormat({ regex: choice.regex, datefmt: choice.datefmt ?? null, name: choice.name });
	}
	if (choice.format) {
		return compilePythonFormat({ format: choice.format, style: choice.style ?? '%', datefmt: choice.datefmt ?? null, name: choice.name ?? `Python format` });
	}
	if (choice.formatId) {
		const f = getFormat(choice.formatId);
		if (!f) throw new Error(`unknown format id "${choice.formatId}" in ${where}`);
		return f;
	}
	throw new Error(`a ${where} entry needs "format" (a Python format string), "regex" (a regular expression with named groups) or "formatId"`);
}
