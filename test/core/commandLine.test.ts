// Follow Command Output reads a typed command line as the argument list it runs without a shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinCommandLine, splitCommandLine } from '../../src/shared/commandLine';

test('splitCommandLine: words, quotes and escapes as a POSIX shell reads them', () => {
	assert.deepEqual(splitCommandLine('kubectl logs -f deploy/api'), { argv: ['kubectl', 'logs', '-f', 'deploy/api'], shellSyntax: false });
	assert.deepEqual(splitCommandLine(`python3 -c 'print("a b")'  "x y" a\\ b ""`).argv, ['python3', '-c', 'print("a b")', 'x y', 'a b', '']);
	assert.deepEqual(splitCommandLine('echo "a \\"q\\" \\\\ b"').argv, ['echo', 'a "q" \\ b']);
});

test('splitCommandLine: shell syntax outside single quotes is reported, quoted it is not', () => {
	for (const line of ['a | b', 'a > f', 'a; b', 'a && b', 'echo $HOME', 'echo "$HOME"', 'ls *.log', 'cd ~', 'echo `date`']) {
		assert.equal(splitCommandLine(line).shellSyntax, true, line);
	}
	for (const line of ["grep 'a|b' f", 'grep "a;b" f', 'a\\|b', 'x=1']) assert.equal(splitCommandLine(line).shellSyntax, false, line);
});

test('splitCommandLine: an open quote is an error', () => {
	assert.match(splitCommandLine("echo 'a").error ?? '', /single quote/);
	assert.match(splitCommandLine('echo "a').error ?? '', /double quote/);
});

test('joinCommandLine reads back to the same list', () => {
	for (const argv of [['python3', '-c', "print('it''s')"], ['a b', '', 'c"d', '$x', 'plain-word_1.2/x:y=z']]) {
		assert.deepEqual(splitCommandLine(joinCommandLine(argv)).argv, argv);
	}
});
