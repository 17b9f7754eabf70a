/**
 * A command line typed by the user, as the argument list it is run with (no shell): words split at
 * blanks, with '…' and "…" quoting and backslash escapes as a POSIX shell reads them. Shell syntax
 * outside quotes (pipes, redirections, `;`, `&`, `$`, backticks, globs) is reported, so the caller
 * can offer to run the line through a shell instead of passing those characters on as arguments.
 * Tested in test/core/commandLine.test.ts.
 */

/** The words of a command line, and whether it uses syntax only a shell understands. */
export interface ParsedCommandLine {
	argv: string[];
	shellSyntax: boolean;
	/** A quote was left open. */
	error?: string;
}

const SHELL_CHARS = new Set(['|', '&', ';', '<', '>', '$', '`', '*', '?', '(', ')']);

export function splitCommandLine(line: string): ParsedCommandLine {
	const argv: string[] = [];
	let word = '';
	let inWord = false;
	let shellSyntax = false;
	for (let i = 0; i < line.length; i++) {
		const c = line[i];
		if (c === ' ' || c === '\t' || c === '\n') {
			if (inWord) argv.push(word);
			word = '';
			inWord = false;
		} else if (c === "'") {
			const end = line.indexOf("'", i + 1);
			if (end < 0) return { argv, shellSyntax, error: 'a single quote is not closed' };
			word += line.slice(i + 1, end);
			inWord = true;
			i = end;
		} else if (c === '"') {
			inWord = true;
			let j = i + 1;
			for (; j < line.length && line[j] !== '"'; j++) {
				if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) word += line[++j];
				else {
					if (line[j] === '$' || line[j] === '`') shellSyntax = true;
					word += line[j];
				}
			}
			if (j >= line.length) return { argv, shellSyntax, error: 'a double quote is not closed' };
			i = j;
		} else if (c === '\\' && i + 1 < line.length) {
			word += line[++i];
			inWord = true;
		} else {
			if (SHELL_CHARS.has(c) || (c === '~' && !inWord)) shellSyntax = true;
			word += c;
			inWord = true;
		}
	}
	if (inWord) argv.push(word);
	return { argv, shellSyntax };
}

/** The argument list as one line that `splitCommandLine` reads back to the same list (for history and titles). */
export function joinCommandLine(argv: readonly string[]): string {
	return argv.map((a) => (a !== '' && /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
