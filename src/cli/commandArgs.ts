import { parseArgs, ParseArgsConfig } from 'node:util';
import type { LogFormat } from '../core/format';
import { compileFormatChoice, FormatChoice } from '../core/formats/formatChoice';
import { getFormat, allFormats } from '../core/formatRegistry';
import { isRegexFormat } from '../core/formats/userRegex';
import { tokenizePythonFormat } from '../core/python/formatString';
import { CliError } from './cliError';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS: Options = {
	format: { type: 'string' },
	style: { type: 'string' },
	datefmt: { type: 'string' },
	help: { type: 'boolean', short: 'h' },
};

/** Parsed arguments of a command: its FILE and option values. */
export interface CommandArgs {
	file: string;
	values: Record<string, string | boolean | string[] | undefined>;
	/** `--format` (with `--style`, `--datefmt`): a format id, or the compiled format string or regex; undefined: detect. */
	format: LogFormat | string | undefined;
}

/**
 * Parses a command's arguments with node:util parseArgs; prints `help` and returns null for
 * `--help`. Exactly one FILE is required (at most one with `fileOptional`; '' when none).
 */
export function parseCommandArgs(argv: string[], options: Options, help: string, opts: { fileOptional?: boolean } = {}): CommandArgs | null {
	let parsed;
	try {
		parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
	} catch (e) {
		throw new CliError(`${(e as Error).message.replace(/\. To specify a positional argument.*$/, '')}`);
	}
	const values = parsed.values as CommandArgs['values'];
	if (values.help) {
		process.stdout.write(help.trimEnd() + '\n');
		return null;
	}
	if (parsed.positionals.length === 0 && !opts.fileOptional) throw new CliError('missing FILE (use - for stdin); see --help');
	if (parsed.positionals.length > 1) throw new CliError(`expected one FILE, got ${parsed.positionals.length}: ${parsed.positionals.join(' ')}`);
	return { file: parsed.positionals[0] ?? '', values, format: formatOption(values) };
}

/**
 * The format named by `--format`, `--style` and `--datefmt`: a built-in id as it is (the engine
 * tunes it to the file), else a regex with named groups or a Python logging format string, compiled
 * by the code that compiles the `logLens.formats` setting.
 */
export function formatOption(values: Record<string, unknown>): LogFormat | string | undefined {
	const fmt = values.format;
	const style = values.style;
	const datefmt = values.datefmt;
	if (typeof fmt !== 'string') {
		if (style !== undefined || datefmt !== undefined) throw new CliError(`--${style !== undefined ? 'style' : 'datefmt'} needs --format with a Python format string${style !== undefined ? '' : ' or a regex'}`);
		return undefined;
	}
	if (style !== undefined && style !== '%' && style !== '{' && style !== '$') throw new CliError(`bad --style '${String(style)}' (use %, { or $)`);
	if (style === undefined && getFormat(fmt)) {
		if (datefmt !== undefined) throw new CliError(`--datefmt applies to a Python format string or a regex, not to the format id '${fmt}'`);
		return fmt;
	}
	const choice: FormatChoice = { datefmt: typeof datefmt === 'string' ? datefmt : null };
	if (style === undefined && isRegexFormat(fmt)) {
		choice.regex = fmt;
	} else {
		const s = (style ?? '%') as '%' | '{' | '$';
		if (!tokenizePythonFormat(fmt, s).some((t) => 'field' in t)) {
			const hint = s === '%' && /\{\w+|\$\w/.test(fmt) ? '; a {- or $-style format string needs --style { or --style $' : '';
			throw new CliError(`unknown format '${fmt}': not a format id (${allFormats().map((f) => f.id).join(', ')}), nor a regex with named groups ((?<level>…)), nor a Python format string with ${s === '%' ? '%(name)s' : s === '{' ? '{name}' : '$name'} fields${hint}`);
		}
		choice.format = fmt;
		choice.style = s;
	}
	try {
		return compileFormatChoice(choice, '--format');
	} catch (e) {
		throw new CliError((e as Error).message);
	}
}

/** Help text lines for the common options. */
export const COMMON_HELP = `  --format F         use this format instead of detecting it. F is a format id
                     (${allFormats().map((f) => f.id).join(', ')}),
                     a Python logging format string ('%(asctime)s %(levelname)s %(name)s: %(message)s'),
                     or a regex matched at each line's start with named groups time, level,
                     logger, message and any other name as a field ('^(?<time>\\S+ \\S+) (?<level>\\w+) (?<message>.*)';
                     Python's (?P<name>…) works too); lines that do not match continue the entry above
  --style S          the format string's style: % (default), { or $
  --datefmt D        strftime format of %(asctime)s, or of the regex's time group
                     (default: Python's %Y-%m-%d %H:%M:%S,mmm; for a regex any timestamp Log Lens reads)
  -h, --help         this help`;
