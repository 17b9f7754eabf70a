// Discovery of Python logging setups, checked against what CPython itself builds from the same
// files: each fixture is configured for real (basicConfig / dictConfig / fileConfig) in a copy
// of the fixture folder, and the handlers Python ends up with must be the ones discovery reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { DiscoveredHandler, DiscoveredLoggingConfig, discoverPythonLogging, WorkspaceFile } from '../../src/core/python/discovery';
import { compilePythonFormat } from '../../src/core/python/formatString';
import { parseIni, iniGet } from '../../src/core/python/configParser';
import { evaluate, parsePythonExpression, scopeOf, Unresolved } from '../../src/core/python/pythonLiteral';
import { fixture, tempDir } from '../testUtil';

function listFiles(root: string, dir = root): WorkspaceFile[] {
	const out: WorkspaceFile[] = [];
	for (const name of readdirSync(dir)) {
		const p = join(dir, name);
		if (statSync(p).isDirectory()) out.push(...listFiles(root, p));
		else out.push({ path: relative(root, p), text: readFileSync(p, 'utf8') });
	}
	return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Configures logging from each setup for real and reports the handlers Python built. */
const GROUND_TRUTH = String.raw`
import json, logging, logging.config, logging.handlers, os, sys

STYLES = {'PercentStyle': '%', 'StrFormatStyle': '{', 'StringTemplateStyle': '$'}
out = {}
for job in json.load(sys.stdin):
    logging.root.handlers.clear()
    for l in list(logging.root.manager.loggerDict.values()):
        if isinstance(l, logging.Logger):
            l.handlers.clear()
    kind, f = job['kind'], job['file']
    if kind == 'python':
        ns = {'__file__': os.path.abspath(f), '__name__': '__main__'}
        exec(compile(open(f).read(), f, 'exec'), ns)
        if 'setup' in ns: ns['setup']()
        if 'LOGGING' in ns: logging.config.dictConfig(ns['LOGGING'])
    elif kind == 'dict':
        logging.config.dictConfig(job['data'])
    elif kind == 'ini':
        logging.config.fileConfig(f, disable_existing_loggers=False)
    seen, hs = set(), []
    for lg in [logging.root] + [l for l in logging.root.manager.loggerDict.values() if isinstance(l, logging.Logger)]:
        for h in lg.handlers:
            if id(h) in seen: continue
            seen.add(id(h))
            fm = h.formatter
            d = {'name': h.name, 'class': type(h).__name__, 'path': getattr(h, 'baseFilename', None),
                 'format': fm._fmt if fm else None, 'datefmt': fm.datefmt if fm else None,
                 'style': STYLES[type(fm._style).__name__] if fm else '%'}
            for a in ('maxBytes', 'backupCount', 'when', 'interval', 'utc'):
                if hasattr(h, a): d[a] = getattr(h, a)
            hs.append(d)
    out[f] = hs
    for h in logging.root.handlers: h.close()
print(json.dumps(out))
`;

const WHEN_SECONDS: Record<string, number> = { S: 1, M: 60, H: 3600, D: 86400, MIDNIGHT: 86400 };

test('python discovery: every kind of setup matches what CPython configures', () => {
	const t = tempDir('loglens-pydisc-');
	try {
		cpSync(fixture('python-configs'), t.dir, { recursive: true });
		for (const d of ['logs', 'var/log', 'mysite/logs']) mkdirSync(join(t.dir, d), { recursive: true });
		const files = listFiles(t.dir);
		const found = discoverPythonLogging(files, { workspaceRoot: t.dir });

		const byFile = new Map<string, DiscoveredLoggingConfig[]>();
		for (const c of found) byFile.set(c.configFile, [...(byFile.get(c.configFile) ?? []), c]);
		assert.deepEqual([...byFile.keys()].sort(), [
			'basic/app.py', 'basic/worker.py', 'data/logging.json', 'data/logging.yaml', 'data/pyproject.toml',
			'dictcfg/logconfig.py', 'ini/alembic.ini', 'ini/logging.conf', 'mysite/mysite/settings.py',
		]);
		assert.deepEqual(found.map((c) => `${c.configFile}:${c.kind}:${c.line}`).sort(), [
			'basic/app.py:basicConfig:3', 'basic/worker.py:basicConfig:8', 'data/logging.json:dictConfig:6', 'data/logging.yaml:dictConfig:9',
			'data/pyproject.toml:dictConfig:12', 'dictcfg/logconfig.py:dictConfig:41', 'ini/alembic.ini:fileConfig:9',
			'ini/logging.conf:fileConfig:7', 'mysite/mysite/settings.py:django:8',
		]);

		// Ground truth: Python configures each setup in the copy, with the copy as CWD.
		const jobs = files.filter((f) => byFile.has(f.path)).map((f) => {
			if (f.path.endsWith('.py')) return { kind: 'python', file: f.path };
			if (f.path.endsWith('.ini') || f.path.endsWith('.conf')) return { kind: 'ini', file: f.path };
			const data = f.path.endsWith('.json') ? JSON.parse(f.text) : f.path.endsWith('.toml') ? null : parseYaml(f.text);
			return data ? { kind: 'dict', file: f.path, data } : { kind: 'toml', file: f.path };
		});
		const tomlJob = jobs.find((j) => j.kind === 'toml')!;
		const script = GROUND_TRUTH.replace("    elif kind == 'ini':", "    elif kind == 'toml':\n        import tomllib\n        logging.config.dictConfig(tomllib.load(open(f, 'rb'))['tool']['logging'])\n    elif kind == 'ini':");
		assert.ok(tomlJob);
		const env = { ...process.env };
		delete env['LOG_DIR'];
		const r = spawnSync('python3', ['-S', '-c', script], { cwd: t.dir, input: JSON.stringify(jobs), encoding: 'utf8', env });
		assert.equal(r.status, 0, r.stderr);
		const truth = JSON.parse(r.stdout) as Record<string, { name: string | null; class: string; path: string | null; format: string | null; datefmt: string | null; style: string; maxBytes?: number; backupCount?: number; when?: string; interval?: number; utc?: boolean }[]>;

		let compared = 0;
		for (const [file, pyHandlers] of Object.entries(truth)) {
			const ours: DiscoveredHandler[] = byFile.get(file)!.flatMap((c) => c.handlers);
			assert.equal(ours.length, pyHandlers.length, `${file}: handler count`);
			for (const py of pyHandlers) {
				const h = ours.find((x) => x.name === (py.name ?? 'basicConfig'))!;
				const where = `${file} handler ${py.name}`;
				assert.ok(h, where);
				assert.equal(h.class, py.class, `${where}: class`);
				assert.equal(h.path ?? null, py.path, `${where}: path`);
				assert.equal(h.formatter.format, py.format ?? '%(message)s', `${where}: format`);
				assert.equal(h.formatter.datefmt, py.datefmt, `${where}: datefmt`);
				assert.equal(h.formatter.style, py.style, `${where}: style`);
				if (py.maxBytes !== undefined) assert.equal(h.maxBytes ?? 0, py.maxBytes, `${where}: maxBytes`);
				if (py.backupCount !== undefined) assert.equal(h.backupCount ?? 0, py.backupCount, `${where}: backupCount`);
				if (py.when !== undefined) {
					assert.equal((h.when ?? 'h').toUpperCase(), py.when, `${where}: when`);
					assert.equal((h.interval ?? 1) * WHEN_SECONDS[py.when]!, py.interval, `${where}: interval`);
				}
				if (py.utc !== undefined) assert.equal(h.utc ?? false, py.utc, `${where}: utc`);
				// The discovered format compiles.
				if (h.formatter.format) compilePythonFormat({ format: h.formatter.format, style: h.formatter.style, datefmt: h.formatter.datefmt });
				compared++;
			}
		}
		assert.equal(compared, 16);
	} finally {
		t.cleanup();
	}
});

test('python discovery: details (relative paths, unresolved values, decoys)', () => {
	const root = '/ws';
	const files: WorkspaceFile[] = [
		{ path: 'svc/run.py', text: 'import logging\nlogging.basicConfig(filename=os.environ["LOGFILE"], format=f"%(asctime)s {APP} %(message)s")\n' },
		{ path: 'svc/other.py', text: 'def basicConfig(x):\n    pass\nprint("logging.basicConfig(filename=1)")\n' },
		{ path: 'svc/cfg.json', text: '{"handlers": {"a": {}}, "version": 2}' },
		{ path: 'svc/app.yml', text: 'app:\n  logging:\n    handlers:\n      f: {class: logging.FileHandler, filename: out.log}\n' },
	];
	const found = discoverPythonLogging(files, { workspaceRoot: root });
	assert.equal(found.length, 2);
	const basic = found.find((c) => c.kind === 'basicConfig')!;
	const h = basic.handlers[0]!;
	assert.equal(h.class, 'FileHandler');
	assert.equal(h.filename, undefined);
	assert.deepEqual(h.unresolved, ['os.environ["LOGFILE"]']);
	assert.equal(h.formatter.format, null);
	assert.deepEqual(h.formatter.unresolved, ['f"%(asctime)s {APP} %(message)s"']);
	const nested = found.find((c) => c.configFile === 'svc/app.yml')!;
	assert.equal(nested.handlers[0]!.path, '/ws/out.log');
	assert.equal(nested.handlers[0]!.pathFromConfigDir, '/ws/svc/out.log');
	assert.equal(nested.handlers[0]!.formatter.format, '%(message)s');
});

test('python literals: strings, numbers, containers, path helpers', () => {
	const ev = (src: string, prelude = ''): unknown => {
		const full = prelude + '\n__x__ = ' + src;
		const node = parsePythonExpression(src);
		const assigns = [...full.matchAll(/^(\w+) = (.*)$/gm)].map((m) => ({ name: m[1]!, node: parsePythonExpression(m[2]!), start: m.index!, indent: 0 }));
		return evaluate(node, { ...scopeOf(full, '/p/pkg/settings.py', assigns), src }, 0);
	};
	assert.equal(ev(`'a' "b" '''c\nd''' r'\\n' "\\t\\x41\\u00e9"`), 'abc\nd\\n\tAé');
	assert.deepEqual(ev(`{'a': [1, 2.5, -3, 0x10, 1_000], 'b': (True, False, None), 'c': ('x',), 'd': ('y')}`), { a: [1, 2.5, -3, 16, 1000], b: [true, false, null], c: ['x'], d: 'y' });
	assert.equal(ev(`os.path.join(BASE, 'logs', 'x.log')`, "BASE = '/srv'"), '/srv/logs/x.log');
	assert.equal(String((ev(`BASE_DIR / 'logs' / 'x.log'`, 'BASE_DIR = Path(__file__).resolve().parent.parent') as { path: string }).path), '/p/logs/x.log');
	assert.equal(ev(`os.path.dirname(os.path.abspath(__file__))`), '/p/pkg');
	assert.equal(ev(`'%s/app.log' % LOGDIR`, "LOGDIR = 'var'"), 'var/app.log');
	assert.equal(ev(`'{}/app.log'.format(LOGDIR)`, "LOGDIR = 'var'"), 'var/app.log');
	assert.equal(ev(`f'{LOGDIR}/app.log'`, "LOGDIR = 'var'"), 'var/app.log');
	assert.equal(ev(`10 * 1024 * 1024`), 10485760);
	assert.ok(ev(`get_path()`) instanceof Unresolved);
	assert.ok(ev(`UNKNOWN + '.log'`) instanceof Unresolved);
});

test('configparser syntax: continuation lines, comments, interpolation, raw', () => {
	const ini = parseIni('[DEFAULT]\nhome = /h\n[s]\n# comment\n; other\nKey = a\n  b\n\n  c\npath: %(home)s/x %% 1\n');
	assert.equal(iniGet(ini, 's', 'key'), 'a\nb\n\nc');
	assert.equal(iniGet(ini, 's', 'path'), '/h/x % 1');
	assert.equal(iniGet(ini, 's', 'path', true), '%(home)s/x %% 1');
	assert.equal(iniGet(ini, 's', 'home'), '/h');
	assert.equal(iniGet(ini, 's', 'missing'), undefined);
});
