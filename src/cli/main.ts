import { version } from '../../package.json';
import { CliError } from './cliIo';
import { COMMANDS } from './commandTable';
import { FilterError } from '../core/filter/filter';

/** Entry point of the `loglens` command line: dispatches to the command table. */
const GLOBAL_HELP = `loglens ${version} — read, filter and check log files

Usage: loglens <command> FILE [options]     (FILE '-' reads stdin)

Commands:
%COMMANDS%

Options for every command:
  --format F     use this format instead of detecting it: a format id, a Python logging
                 format string (with --style %|{|$ and --datefmt), or a regex with named
                 groups (?<time>…) (?<level>…) (?<logger>…) (?<message>…)
  --help         help for a command
  --version      print the version

Exit status: 0 ok, 1 check found entries at/above the level, 2 error.`;

async function main(argv: string[]): Promise<number> {
	const [cmd, ...rest] = argv;
	if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
		const lines: string[] = [];
		for (const [name, load] of Object.entries(COMMANDS)) {
			let s = '';
			try {
				s = (await load()).summary;
			} catch {
				s = '(unavailable)';
			}
			lines.push(`  ${name.padEnd(10)} ${s}`);
		}
		process.stdout.write(GLOBAL_HELP.replace('%COMMANDS%', lines.join('\n')) + '\n');
		return cmd === undefined ? 2 : 0;
	}
	if (cmd === '--version' || cmd === '-V') {
		process.stdout.write(version + '\n');
		return 0;
	}
	const load = Object.prototype.hasOwnProperty.call(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
	if (!load) throw new CliError(`unknown command '${cmd}' (commands: ${Object.keys(COMMANDS).join(', ')}; see loglens --help)`);
	return (await load()).run(rest);
}

main(process.argv.slice(2)).then(
	(code) => {
		process.exitCode = code;
	},
	(e: unknown) => {
		if (e instanceof CliError || e instanceof FilterError || (e as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
			process.stderr.write(`loglens: ${(e as Error).message}\n`);
		} else {
			process.stderr.write(`loglens: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
		}
		process.exitCode = 2;
	},
);
