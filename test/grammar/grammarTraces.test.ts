// Stack traces as real runtimes print them: CPython tracebacks (frames, carets, chained-exception
// headers, the final exception line, exception groups, SyntaxError), JVM printStackTrace output
// (frames, Caused by, Suppressed, "... N more") and V8 stacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGrammar, tokenizeLines, fixtureLines, scopesOf, scopesOfLast, tokenAtColumn, levelTokens, OUR_GRAMMAR, type TokenizedLine } from './grammarHarness';

const grammar = loadGrammar(OUR_GRAMMAR());
async function tokenizeFixture(...parts: string[]): Promise<TokenizedLine[]> {
	return tokenizeLines((await grammar).grammar, fixtureLines(...parts));
}
const has = (scopes: readonly string[], scope: string): boolean => scopes.includes(scope);
/** `text` (its first occurrence, or its last with occurrence 'last') is one token carrying `scope`. */
function assertScope(line: TokenizedLine, text: string, scope: string, occurrence: number | 'last' = 1): void {
	const scopes = occurrence === 'last' ? scopesOfLast(line, text) : scopesOf(line, text, occurrence);
	assert.ok(has(scopes, scope), `"${text}" should have ${scope}, has [${scopes.join(' ')}] in line ${line.lineNumber}: ${line.text}`);
}

test('Python traceback: header, every frame\'s path / line number / function, carets, and the exception line', async () => {
	const lines = await tokenizeFixture('grammar', 'python-logging.log');
	let frames = 0;
	let tracebacks = 0;
	const exceptionLines: string[] = [];
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i];
		if (line.text === 'Traceback (most recent call last):') {
			assertScope(line, line.text, 'log.exception.header');
			tracebacks++;
			// The exception line is the first non-indented line after the header.
			let j = i + 1;
			while (/^\s/.test(lines[j].text)) j++;
			const exc = lines[j];
			const type = /^[\w.]+/.exec(exc.text)![0];
			assertScope(exc, type, 'log.exceptiontype');
			assert.deepEqual(levelTokens(exc), [], `exception line is not a log header: ${exc.text}`);
			exceptionLines.push(type);
			// The line after it starts a new record or a chain header: back outside the traceback.
			const next = lines[j + 1];
			if (next && next.text !== '') assert.ok(!next.tokens[0].scopes.includes('meta.traceback.python'), `still inside the traceback at: ${next.text}`);
		}
		const m = /^ {2}File "([^"]+)", line (\d+), in (\S+)$/.exec(line.text);
		if (m) {
			assertScope(line, 'File', 'log.exception.keyword');
			assertScope(line, m[1], 'log.path');
			assertScope(line, m[2], 'log.linenumber', 'last');
			assertScope(line, m[3], 'log.function', 'last');
			assert.ok(has(line.tokens[0].scopes, 'log.exception.frame'));
			frames++;
		}
		if (/^\s+[~^]+$/.test(line.text) || /^\s+~*\^+~*$/.test(line.text)) assertScope(line, line.text, 'log.exception.caret');
	}
	assert.equal(tracebacks, 7 * 7, 'seven formats × (5 logged exceptions + 2 chained)');
	assert.ok(frames >= tracebacks + 5 * 7, `${frames} frames`); // the logged (outer) tracebacks have two frames each
	assert.deepEqual([...new Set(exceptionLines)].sort(), ['FileNotFoundError', 'KeyError', 'RuntimeError', 'ValueError', 'ZeroDivisionError', 'shop.payments.Declined']);

	// Chained exceptions: both of CPython's chain headers.
	const cause = lines.find((l) => l.text.startsWith('The above exception was the direct cause'))!;
	const context = lines.find((l) => l.text.startsWith('During handling of the above exception'))!;
	assertScope(cause, cause.text, 'log.exception.header');
	assertScope(context, context.text, 'log.exception.header');
});

test('Python: exception group tree, SyntaxError frame without function, warnings.showwarning line', async () => {
	const lines = await tokenizeFixture('grammar', 'python-misc.log');
	const find = (re: RegExp): TokenizedLine => {
		const l = lines.find((x) => re.test(x.text));
		assert.ok(l, `no line matches ${re}`);
		return l;
	};
	const warn = find(/DeprecationWarning/);
	assertScope(warn, 'app/legacy.py', 'log.path');
	assertScope(warn, 'DeprecationWarning', 'log.exceptiontype');
	assertScope(find(/Exception Group Traceback/), '+ Exception Group Traceback (most recent call last):', 'log.exception.header');
	const groupFrame = find(/^ {2}\| {3}File /);
	assertScope(groupFrame, 'File', 'log.exception.keyword');
	assertScope(groupFrame, 'main', 'log.function', 'last');
	assertScope(find(/\| ExceptionGroup:/), 'ExceptionGroup', 'log.exceptiontype');
	assertScope(find(/\| ValueError: bad value/), 'ValueError', 'log.exceptiontype');
	assertScope(find(/^ {2}\+-\+-+ 1 -+$/), find(/^ {2}\+-\+-+ 1 -+$/).text, 'log.exception.group');
	const syntaxFrame = find(/File "app\/broken.py", line 1$/);
	assertScope(syntaxFrame, 'app/broken.py', 'log.path');
	assertScope(syntaxFrame, '1', 'log.linenumber');
	assertScope(find(/^ +\^$/), find(/^ +\^$/).text, 'log.exception.caret');
	assertScope(find(/^SyntaxError/), 'SyntaxError', 'log.exceptiontype');
});

test('JVM: frames (class, method, file, line), Caused by, Suppressed, "... N more", Exception in thread', async () => {
	const lines = await tokenizeFixture('grammar', 'java-traces.log');
	let frames = 0;
	for (const line of lines) {
		const m = /^\t+at (?:[\w.]+\/)?([\w.$]+)\.([\w$]+)\(([\w.]+):(\d+)\)$/.exec(line.text);
		if (!m) continue;
		assertScope(line, 'at', 'log.exception.keyword');
		assertScope(line, m[1], 'log.class');
		assertScope(line, m[2], 'log.function');
		assertScope(line, m[3], 'log.path');
		assertScope(line, m[4], 'log.linenumber');
		frames++;
	}
	assert.equal(frames, 11);
	const find = (re: RegExp): TokenizedLine => lines.find((x) => re.test(x.text))!;
	const caused = find(/^Caused by: /);
	assertScope(caused, 'Caused by', 'log.exception.header');
	assertScope(caused, 'java.lang.NumberFormatException', 'log.exceptiontype');
	assertScope(find(/^\tSuppressed: /), 'Suppressed', 'log.exception.header');
	assertScope(find(/^\tSuppressed: /), 'java.io.IOException', 'log.exceptiontype');
	assertScope(find(/^\t\.\.\. 1 more$/), '\t... 1 more', 'log.exception.more');
	const thread = find(/^Exception in thread/);
	assertScope(thread, 'Exception in thread', 'log.exception.header');
	assertScope(thread, 'java.lang.UnsupportedOperationException', 'log.exceptiontype');
	assertScope(find(/^java\.lang\.IllegalStateException/), 'java.lang.IllegalStateException', 'log.exceptiontype');
	// Exception names inside ordinary log lines (Loghub Android / Hadoop, real).
	const android = (await tokenizeFixture('loghub', 'Android', 'Android_2k.log')).find((l) => l.text.includes('java.lang.ClassCastException'))!;
	assertScope(android, 'java.lang.ClassCastException', 'log.exceptiontype');
	const hadoop = (await tokenizeFixture('loghub', 'Hadoop', 'Hadoop_2k.log')).find((l) => / FATAL .*NoRouteToHostException/.test(l.text))!;
	assertScope(hadoop, 'java.net.NoRouteToHostException', 'log.exceptiontype');
	assertScope(hadoop, 'FATAL', 'log.critical');
});

test('V8 and .NET stacks: function, file, line, column; <anonymous>; "in path:line N"', async () => {
	const lines = await tokenizeFixture('grammar', 'node-trace.log');
	let frames = 0;
	for (const line of lines) {
		const m = /^ {4}at (\S+) \((\/[^:]+):(\d+):(\d+)\)$/.exec(line.text);
		if (!m) continue;
		assertScope(line, m[1], 'log.function');
		assertScope(line, m[2], 'log.path');
		const at = line.text.lastIndexOf(`:${m[3]}:${m[4]})`);
		for (const [col, text] of [[at + 1, m[3]], [at + 2 + m[3].length, m[4]]] as const) {
			const tok = tokenAtColumn(line, col);
			assert.equal(tok.text, text, line.text);
			assert.ok(tok.scopes.includes('log.linenumber'), `${text} in ${line.text}`);
		}
		frames++;
	}
	assert.equal(frames, 5);
	assertScope(lines.find((l) => l.text.startsWith('TypeError'))!, 'TypeError', 'log.exceptiontype');
	assertScope(lines.find((l) => l.text.includes('JSON.parse'))!, 'JSON.parse', 'log.function');
	const doc = await tokenizeFixture('grammar', 'documented-formats.log');
	const net = doc.find((l) => l.text.includes(' in C:\\src'))!;
	assertScope(net, 'MyApp.Program', 'log.class');
	assertScope(net, 'Main', 'log.function');
	assertScope(net, 'C:\\src\\MyApp\\Program.cs', 'log.path');
	assertScope(net, '12', 'log.linenumber');
	assertScope(doc.find((l) => l.text.startsWith('System.InvalidOperationException'))!, 'System.InvalidOperationException', 'log.exceptiontype');
	assertScope(doc.find((l) => l.text.startsWith('--- End of stack trace'))!, '--- End of stack trace from previous location ---', 'log.exception.header');
});
