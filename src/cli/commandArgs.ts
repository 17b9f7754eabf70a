import { parseArgs, ParseArgsConfig } from 'node:util';
import { getFormat, allFormats } from '../core/formatRegistry';
import { CliError } from './cliIo';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const COMMON_OPTIONS: Options = {
	format: { type: 'string' },
	help: { type: 'boolean', short: 'h' },
};

/** Parsed arguments of a command: its FILE and option values. */
export interface CommandArgs {
	file: string;
	values: Record<string, string | boolean | string[] | undefined>;
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
	const fmt = values.format;
	if (typeof fmt === 'string' && !getFormat(fmt)) {
		throw new CliError(`unknown format '${fmt}' (known: ${allFormats().map((f) => f.id).join(', ')})`);
	}
	return { file: parsed.positionals[0] ?? '', values };
}

/** Help text lines for the common options. */
export const COMMON_HELP = `  --format ID        use this format instead of detecting it (${'python, log4j, syslog, json, …'})
  -h, --help         this help`;
