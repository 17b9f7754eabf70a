// Tracebacks as CPython prints them (traceback.format_exception), parsed back and compared with
// the structure Python itself reports: __cause__/__context__ chains, exception groups, frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ParsedTraceback, parseTraceback, hasTraceback } from '../../src/core/python/traceback';
import { tempDir } from '../testUtil';

/** Helpers in a real module (frames with source lines) … */
const MODULE = String.raw`
import json

class ConfigError(Exception):
    pass

def parse(text):
    return json.loads(text)

def load(text):
    try:
        return parse(text)
    except ValueError as e:
        raise ConfigError('bad config:\n  line 2 of the message') from e

def lookup(d, k):
    try:
        return d[k]
    except KeyError:
        return int(k)

def recurse(n):
    return recurse(n + 1)

def group():
    errs = []
    for i, f in enumerate((lambda: 1 / 0, lambda: load('{'), lambda: [][1])):
        try:
            f()
        except Exception as e:
            errs.append(e)
    try:
        raise ExceptionGroup('inner', [OSError(2, 'No such file')])
    except ExceptionGroup as g:
        errs.append(g)
    raise ExceptionGroup('many failures', errs)

def noted():
    e = RuntimeError('with a note')
    e.add_note('note one')
    raise e
`;

/** … driven from <stdin> (frames without source lines). */
const DRIVER = String.raw`
import json, sys, traceback
sys.path.insert(0, sys.argv[1])
import scen

def qual(t):
    return t.__qualname__ if t.__module__ in ('__main__', 'builtins') else t.__module__ + '.' + t.__qualname__

def one(e, relation):
    msg = e.msg if isinstance(e, SyntaxError) else str(e)
    for n in getattr(e, '__notes__', []): msg += '\n' + n
    frames = [{'file': f.filename, 'line': f.lineno, 'func': f.name, 'code': f.line or None} for f in traceback.extract_tb(e.__traceback__)]
    if isinstance(e, SyntaxError): frames.append({'file': e.filename, 'line': e.lineno, 'func': None, 'code': (e.text or '').strip() or None})
    d = {'type': qual(type(e)), 'message': msg, 'frames': frames, 'relation': relation}
    if isinstance(e, BaseExceptionGroup): d['exceptions'] = [chain(x) for x in e.exceptions]
    return d

def chain(e):
    out = []
    while e is not None:
        if e.__cause__ is not None: nxt, rel = e.__cause__, 'cause'
        elif e.__context__ is not None and not e.__suppress_context__: nxt, rel = e.__context__, 'context'
        else: nxt, rel = None, None
        out.append(one(e, rel))
        e = nxt
    return list(reversed(out))

cases = {
    'cause': lambda: scen.load('{"a": '),
    'context': lambda: scen.lookup({}, 'x'),
    'syntax': lambda: compile('x = (1,\n', '<stdin>', 'exec'),
    'recursion': lambda: scen.recurse(0),
    'group': scen.group,
    'note': scen.noted,
    'bare': lambda: (_ for _ in ()).throw(StopIteration),
    'stdin': lambda: {}['missing'],
}
res = {}
for name, fn in cases.items():
    try:
        fn()
    except BaseException as e:
        res[name] = {'text': 'ERROR 2024-01-01 failed: ' + name + '\n' + ''.join(traceback.format_exception(e)), 'chain': chain(e)}
print(json.dumps(res))
`;

interface PyExc { type: string; message: string; frames: { file: string; line: number; func: string | null; code: string | null }[]; relation: string | null; exceptions?: PyExc[][] }

function compare(ours: ParsedTraceback, py: PyExc[], where: string, exactFrames: boolean): number {
	let n = 0;
	assert.equal(ours.chain.length, py.length, `${where}: chain length`);
	for (let i = 0; i < py.length; i++) {
		const a = ours.chain[i]!;
		const b = py[i]!;
		const w = `${where}[${i}]`;
		assert.equal(a.type, b.type, `${w}: type`);
		assert.equal(a.message, b.message, `${w}: message`);
		assert.equal(a.relation ?? null, i === 0 ? null : py[i]!.relation, `${w}: relation`);
		if (exactFrames) {
			assert.deepEqual(a.frames.map((f) => ({ file: f.file, line: f.line, func: f.func ?? null, code: f.code ?? null })), b.frames, `${w}: frames`);
		} else {
			assert.deepEqual(a.frames.at(-1), { file: b.frames.at(-1)!.file, line: b.frames.at(-1)!.line, func: b.frames.at(-1)!.func!, code: b.frames.at(-1)!.code! }, `${w}: last frame`);
		}
		n++;
		if (b.exceptions) {
			assert.equal(a.exceptions?.length, b.exceptions.length, `${w}: sub-exceptions`);
			b.exceptions.forEach((sub, k) => (n += compare(a.exceptions![k]!, sub, `${w}.${k}`, exactFrames)));
		}
	}
	return n;
}

test('python tracebacks: real CPython output parses to the chain Python reports', () => {
	const t = tempDir('loglens-pytb-');
	try {
		writeFileSync(join(t.dir, 'scen.py'), MODULE);
		const r = spawnSync('python3', ['-S', '-', t.dir], { input: DRIVER, encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		const res = JSON.parse(r.stdout) as Record<string, { text: string; chain: PyExc[] }>;
		assert.deepEqual(Object.keys(res).sort(), ['bare', 'cause', 'context', 'group', 'note', 'recursion', 'stdin', 'syntax']);
		let compared = 0;
		for (const [name, { text, chain }] of Object.entries(res)) {
			assert.ok(hasTraceback(text), name);
			const tb = parseTraceback(text);
			assert.ok(tb, `${name}: parsed`);
			compared += compare(tb, chain, name, name !== 'recursion');
			const last = chain[chain.length - 1]!;
			assert.equal(tb.type, last.type);
			const lf = last.frames.at(-1);
			assert.equal(tb.raisingFrame?.line, lf?.line, `${name}: raising frame`);
		}
		assert.equal(compared, 17, "exceptions compared");
		// Spot checks of what the comparison covers.
		const group = parseTraceback(res['group']!.text)!;
		assert.equal(group.type, 'ExceptionGroup');
		assert.deepEqual(group.chain[0]!.exceptions!.map((s) => s.type), ['ZeroDivisionError', 'scen.ConfigError', 'IndexError', 'ExceptionGroup']);
		assert.equal(group.chain[0]!.exceptions![1]!.chain[0]!.relation, undefined);
		assert.equal(group.chain[0]!.exceptions![1]!.chain[1]!.relation, 'cause');
		assert.equal(parseTraceback(res['stdin']!.text)!.raisingFrame?.file, '<stdin>');
		assert.equal(parseTraceback(res['syntax']!.text)!.raisingFrame?.func, undefined);
	} finally {
		t.cleanup();
	}
});

test('python tracebacks: no traceback, and text around one', () => {
	assert.equal(parseTraceback('just a message\nwith: two lines'), null);
	assert.equal(hasTraceback('ValueError: x'), false);
	const tb = parseTraceback('ERROR boom\nTraceback (most recent call last):\n  File "a.py", line 3, in f\n    g()\nValueError\n')!;
	assert.equal(tb.type, 'ValueError');
	assert.equal(tb.message, '');
	assert.deepEqual(tb.raisingFrame, { file: 'a.py', line: 3, func: 'f', code: 'g()' });
	// A table in a message is not an exception group.
	assert.equal(parseTraceback('  | a | b |\n  +---+---+'), null);
});
