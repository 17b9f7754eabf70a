// Finds the Python logging setups of a workspace by reading (never running) its files:
// `logging.basicConfig(...)` calls, `dictConfig` dicts in Python (including Django's `LOGGING`),
// JSON, YAML and TOML, and `fileConfig` INI files. For each it reports the handlers, the file each
// one writes (resolved the way a run from the workspace root would resolve it) and the formatter
// that shapes its lines, so the viewer can compile the exact format for those files.
import * as path from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { parse as parseToml } from 'smol-toml';
import { IniFile, iniGet, parseIni } from './configParser';
import {
	PyNode, PyParser, PyPath, PyValue, Unresolved, calleeName, evaluate, findAssignments, parsePythonExpression, scopeOf, toPlain, tokenizePython,
} from './pythonLiteral';
import { PythonFormatStyle } from './formatString';

/** A workspace file handed to discovery. */
export interface WorkspaceFile {
	/** Absolute path, or relative to `workspaceRoot`. */
	path: string;
	text: string;
}

/** Options for discoverPythonLogging. */
export interface DiscoveryOptions {
	/** Folder relative filenames are resolved against first (Python resolves them against the CWD). */
	workspaceRoot?: string;
}

/** The formatter of a handler. */
export interface DiscoveredFormatter {
	/** Formatter name in the config (absent for basicConfig and the default formatter). */
	name?: string;
	/** The format string; null when it could not be read statically (see `unresolved`). */
	format: string | null;
	style: PythonFormatStyle;
	/** The datefmt, or null for Python's default `%Y-%m-%d %H:%M:%S,mmm`. */
	datefmt: string | null;
	/** A custom formatter class or `()` factory (e.g. a JSON formatter); absent for logging.Formatter. */
	class?: string;
	/** Source text of values that could not be evaluated (f-strings, variables, calls). */
	unresolved?: string[];
}

/** One handler of a setup. */
export interface DiscoveredHandler {
	/** Handler name in the config (`basicConfig` for basicConfig's own handler). */
	name: string;
	/** Class name without module (`RotatingFileHandler`, `StreamHandler`, a custom class's last part). */
	class: string;
	/** The class as written (`logging.handlers.RotatingFileHandler`, `handlers.RotatingFileHandler`). */
	classPath: string;
	/** The filename as written (after evaluation), for file handlers. */
	filename?: string;
	/** Absolute path: `filename` resolved against the workspace root (the usual CWD of a run). */
	path?: string;
	/** `filename` resolved against the config file's folder, when that differs from `path`. */
	pathFromConfigDir?: string;
	mode?: string;
	maxBytes?: number;
	backupCount?: number;
	when?: string;
	interval?: number;
	utc?: boolean;
	level?: string;
	formatter: DiscoveredFormatter;
	unresolved?: string[];
}

/** The kinds of setup discovery recognises. */
export type LoggingConfigKind = 'basicConfig' | 'dictConfig' | 'fileConfig' | 'django';

/** One logging setup found in a file. */
export interface DiscoveredLoggingConfig {
	/** The file holding the setup, as given in the input list. */
	configFile: string;
	kind: LoggingConfigKind;
	/** 1-based line where the setup starts. */
	line: number;
	handlers: DiscoveredHandler[];
}

const BASIC_FORMATS: Record<PythonFormatStyle, string> = {
	'%': '%(levelname)s:%(name)s:%(message)s',
	'{': '{levelname}:{name}:{message}',
	'$': '${levelname}:${name}:${message}',
};
/** What a handler without a formatter writes (logging's `_defaultFormatter`). */
const DEFAULT_FORMAT = '%(message)s';

type Dict = { [key: string]: PyValue };

function isDict(v: unknown): v is Dict {
	return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Unresolved) && !(v instanceof PyPath);
}

function lineOf(text: string, offset: number): number {
	let n = 1;
	for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
	return n;
}

function style(v: PyValue | undefined): PythonFormatStyle {
	return v === '{' || v === '$' ? v : '%';
}

/** Collects unresolved markers as their source text. */
class Notes {
	list: string[] = [];
	str(v: PyValue | undefined): string | undefined {
		if (v instanceof Unresolved) {
			this.list.push(v.source);
			return undefined;
		}
		if (v instanceof PyPath) return v.path;
		return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
	}
	num(v: PyValue | undefined): number | undefined {
		if (v instanceof Unresolved) {
			this.list.push(v.source);
			return undefined;
		}
		if (typeof v === 'number') return v;
		if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return +v;
		return undefined;
	}
	done<T extends { unresolved?: string[] }>(o: T): T {
		if (this.list.length) o.unresolved = this.list;
		return o;
	}
}

function shortClass(classPath: string): string {
	return classPath.slice(classPath.lastIndexOf('.') + 1);
}

/** Resolves a handler's filename to absolute paths (workspace root first, then the config's folder). */
function place(h: DiscoveredHandler, configFile: string, root: string): void {
	if (h.filename === undefined) return;
	h.path = path.resolve(root, h.filename);
	const alt = path.resolve(path.dirname(configFile), h.filename);
	if (alt !== h.path) h.pathFromConfigDir = alt;
}

// ---------------------------------------------------------------- dictConfig

function formatterFromDict(name: string | undefined, cfg: PyValue | undefined): DiscoveredFormatter {
	const notes = new Notes();
	if (!isDict(cfg)) return { name, format: DEFAULT_FORMAT, style: '%', datefmt: null };
	const st = style(cfg['style']);
	const fmtValue = cfg['format'] ?? cfg['fmt'];
	const format = fmtValue === undefined || fmtValue === null ? (cfg['()'] ? null : DEFAULT_FORMAT) : notes.str(fmtValue) ?? null;
	const datefmtValue = cfg['datefmt'];
	const datefmt = datefmtValue === undefined || datefmtValue === null ? null : notes.str(datefmtValue) ?? null;
	const out: DiscoveredFormatter = { format, style: st, datefmt };
	if (name !== undefined) out.name = name;
	const cls = notes.str(cfg['()'] ?? cfg['class']);
	if (cls && !/^(?:logging\.)?Formatter$/.test(cls)) out.class = cls;
	return notes.done(out);
}

/** A dict shaped like a dictConfig schema. */
function looksLikeDictConfig(v: PyValue | undefined): v is Dict {
	return isDict(v) && (v['version'] === 1 || v['version'] === '1') && (isDict(v['handlers']) || isDict(v['formatters']));
}

/** Reads the handlers of a dictConfig dict. */
export function handlersFromDictConfig(cfg: Dict, configFile: string, root: string): DiscoveredHandler[] {
	const formatters = isDict(cfg['formatters']) ? cfg['formatters'] : {};
	const handlers = isDict(cfg['handlers']) ? cfg['handlers'] : {};
	const out: DiscoveredHandler[] = [];
	for (const [name, hv] of Object.entries(handlers)) {
		if (!isDict(hv)) continue;
		const notes = new Notes();
		const classPath = notes.str(hv['class'] ?? hv['()']) ?? '';
		const fname = typeof hv['formatter'] === 'string' ? hv['formatter'] : undefined;
		const h: DiscoveredHandler = {
			name,
			class: shortClass(classPath),
			classPath,
			formatter: fname !== undefined ? formatterFromDict(fname, formatters[fname]) : { format: DEFAULT_FORMAT, style: '%', datefmt: null },
		};
		const filename = hv['filename'] ?? hv['file'] ?? hv['path'];
		if (filename !== undefined) h.filename = notes.str(filename);
		if (h.filename === undefined) delete h.filename;
		const mode = notes.str(hv['mode']);
		if (mode !== undefined) h.mode = mode;
		const maxBytes = notes.num(hv['maxBytes']);
		if (maxBytes !== undefined) h.maxBytes = maxBytes;
		const backupCount = notes.num(hv['backupCount']);
		if (backupCount !== undefined) h.backupCount = backupCount;
		const when = notes.str(hv['when']);
		if (when !== undefined) h.when = when;
		const interval = notes.num(hv['interval']);
		if (interval !== undefined) h.interval = interval;
		if (typeof hv['utc'] === 'boolean') h.utc = hv['utc'];
		const level = notes.str(hv['level']);
		if (level !== undefined) h.level = level;
		place(h, configFile, root);
		out.push(notes.done(h));
	}
	return out;
}

// ---------------------------------------------------------------- Python sources

/** Positional parameters after `filename` of the standard file handlers. */
const POSITIONAL: Record<string, string[]> = {
	FileHandler: ['filename', 'mode', 'encoding', 'delay', 'errors'],
	WatchedFileHandler: ['filename', 'mode', 'encoding', 'delay', 'errors'],
	RotatingFileHandler: ['filename', 'mode', 'maxBytes', 'backupCount', 'encoding', 'delay', 'errors'],
	ConcurrentRotatingFileHandler: ['filename', 'mode', 'maxBytes', 'backupCount', 'encoding', 'delay'],
	TimedRotatingFileHandler: ['filename', 'when', 'interval', 'backupCount', 'encoding', 'delay', 'utc', 'atTime', 'errors'],
};

function pyFiles(text: string, file: string, root: string): DiscoveredLoggingConfig[] {
	const toks = tokenizePython(text);
	const assignments = findAssignments(text, toks);
	const scope = scopeOf(text, file, assignments);
	const out: DiscoveredLoggingConfig[] = [];
	const used = new Set<PyNode>();
	for (let i = 0; i < toks.length - 1; i++) {
		const t = toks[i]!;
		if (t.kind !== 'name' || !['basicConfig', 'dictConfig'].includes(t.value)) continue;
		if (toks[i + 1]!.kind !== 'op' || toks[i + 1]!.value !== '(') continue;
		const prev = toks[i - 1];
		if (prev && prev.kind === 'name' && prev.value === 'def') continue;
		const call = new PyParser(text, toks, i).expr();
		if (call.k !== 'call') continue;
		const name = calleeName(call) ?? t.value;
		if (name.endsWith('basicConfig')) {
			out.push({ configFile: file, kind: 'basicConfig', line: lineOf(text, t.start), handlers: [basicConfigHandler(call, scope, file, root)] });
		} else if (call.args[0]) {
			let arg = call.args[0];
			if (arg.k === 'name') {
				const bound = scope.lookup(arg.id, arg.start);
				if (bound) arg = bound;
			}
			used.add(arg);
			const v = evaluate(arg, scope);
			if (isDict(v)) out.push({ configFile: file, kind: 'dictConfig', line: lineOf(text, t.start), handlers: handlersFromDictConfig(toPlain(v) as Dict, file, root) });
		}
	}
	// Dicts shaped like a dictConfig but handed over elsewhere (Django's LOGGING, uvicorn's
	// log_config, a config module imported by the entry point).
	for (const a of assignments) {
		if (a.node.k !== 'dict' || used.has(a.node)) continue;
		const v = evaluate(a.node, scope);
		const django = a.name === 'LOGGING' && isDict(v) && (isDict(v['handlers']) || isDict(v['formatters']));
		if (!django && !looksLikeDictConfig(v)) continue;
		out.push({ configFile: file, kind: django ? 'django' : 'dictConfig', line: lineOf(text, a.start), handlers: handlersFromDictConfig(toPlain(v) as Dict, file, root) });
	}
	return out.sort((a, b) => a.line - b.line);
}

function basicConfigHandler(call: Extract<PyNode, { k: 'call' }>, scope: ReturnType<typeof scopeOf>, file: string, root: string): DiscoveredHandler {
	const kw = new Map(call.kwargs);
	const notes = new Notes();
	const get = (k: string): PyValue | undefined => {
		const n = kw.get(k);
		return n ? evaluate(n, scope) : undefined;
	};
	const st = style(get('style'));
	const fmt = get('format');
	const dfmt = get('datefmt');
	const formatter: DiscoveredFormatter = {
		format: fmt === undefined ? BASIC_FORMATS[st] : notes.str(fmt) ?? null,
		style: st,
		datefmt: dfmt === undefined || dfmt === null ? null : notes.str(dfmt) ?? null,
	};
	if (notes.list.length) formatter.unresolved = [...notes.list];
	const hn = new Notes();
	const filename = get('filename');
	const h: DiscoveredHandler = { name: 'basicConfig', class: 'StreamHandler', classPath: 'logging.StreamHandler', formatter };
	if (filename !== undefined && filename !== null) {
		h.class = 'FileHandler';
		h.classPath = 'logging.FileHandler';
		const f = hn.str(filename);
		if (f !== undefined) h.filename = f;
		const mode = hn.str(get('filemode'));
		if (mode !== undefined) h.mode = mode;
	} else if (kw.has('handlers')) {
		h.class = 'handlers';
		h.classPath = scope.src.slice(kw.get('handlers')!.start, kw.get('handlers')!.end);
	}
	const level = get('level');
	if (level !== undefined) h.level = hn.str(level) ?? scope.src.slice(kw.get('level')!.start, kw.get('level')!.end);
	place(h, file, root);
	return hn.done(h);
}

// ---------------------------------------------------------------- fileConfig (INI)

function looksLikeFileConfig(ini: IniFile): boolean {
	return ini.sections.has('handlers') && ini.sections.has('formatters') || (ini.sections.has('loggers') && ini.sections.has('handlers'));
}

function keys(v: string | undefined): string[] {
	return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function iniConfig(text: string, file: string, root: string): DiscoveredLoggingConfig | null {
	const ini = parseIni(text);
	if (!looksLikeFileConfig(ini)) return null;
	const formatters = new Map<string, DiscoveredFormatter>();
	for (const name of keys(iniGet(ini, 'formatters', 'keys'))) {
		const sect = `formatter_${name}`;
		// fileConfig reads format, datefmt and style raw: no `%(x)s` interpolation, `%%` stays.
		const format = iniGet(ini, sect, 'format', true);
		const datefmt = iniGet(ini, sect, 'datefmt', true);
		const f: DiscoveredFormatter = { name, format: format ?? DEFAULT_FORMAT, style: style(iniGet(ini, sect, 'style', true)), datefmt: datefmt || null };
		const cls = iniGet(ini, sect, 'class');
		if (cls && !/^(?:logging\.)?Formatter$/.test(cls)) f.class = cls;
		formatters.set(name, f);
	}
	const handlers: DiscoveredHandler[] = [];
	for (const name of keys(iniGet(ini, 'handlers', 'keys'))) {
		const sect = `handler_${name}`;
		const notes = new Notes();
		const classPath = iniGet(ini, sect, 'class') ?? '';
		const cls = shortClass(classPath);
		const fname = iniGet(ini, sect, 'formatter') ?? '';
		const h: DiscoveredHandler = {
			name, class: cls, classPath,
			formatter: formatters.get(fname) ?? { format: DEFAULT_FORMAT, style: '%', datefmt: null },
		};
		const level = iniGet(ini, sect, 'level');
		if (level) h.level = level;
		const values = new Map<string, PyValue>();
		const argsText = iniGet(ini, sect, 'args');
		const scope = scopeOf(argsText ?? '', file, []);
		if (argsText) {
			const node = parsePythonExpression(argsText);
			const v = evaluate(node, scope);
			const list = Array.isArray(v) ? v : [v];
			const names = POSITIONAL[cls] ?? (/File/.test(cls) ? ['filename'] : []);
			list.forEach((x, k) => names[k] !== undefined && values.set(names[k]!, x));
		}
		const kwText = iniGet(ini, sect, 'kwargs');
		if (kwText) {
			const v = evaluate(parsePythonExpression(kwText), scopeOf(kwText, file, []));
			if (isDict(v)) for (const [k, x] of Object.entries(v)) values.set(k, x);
		}
		const filename = values.get('filename');
		if (filename !== undefined) {
			const f = notes.str(filename);
			if (f !== undefined) h.filename = f;
		}
		const mode = values.get('mode');
		if (typeof mode === 'string') h.mode = mode;
		const maxBytes = notes.num(values.get('maxBytes'));
		if (maxBytes !== undefined) h.maxBytes = maxBytes;
		const backupCount = notes.num(values.get('backupCount'));
		if (backupCount !== undefined) h.backupCount = backupCount;
		const when = values.get('when');
		if (typeof when === 'string') h.when = when;
		const interval = notes.num(values.get('interval'));
		if (interval !== undefined) h.interval = interval;
		const utc = values.get('utc');
		if (typeof utc === 'boolean') h.utc = utc;
		place(h, file, root);
		handlers.push(notes.done(h));
	}
	const line = ini.sections.get('handlers')?.line ?? 1;
	return { configFile: file, kind: 'fileConfig', line, handlers };
}

// ---------------------------------------------------------------- JSON / YAML / TOML

/** dictConfig-shaped objects in parsed data: the root, or under a `logging`-like key. */
function findDictConfigs(data: unknown, depth = 0, key = ''): Dict[] {
	if (!isDict(data as PyValue) || depth > 4) return [];
	const d = data as Dict;
	const underLoggingKey = /^(?:logging|log_config|logging_config|log)$/i.test(key) && (isDict(d['handlers']) || isDict(d['formatters']));
	if (looksLikeDictConfig(d) || underLoggingKey) return [d];
	const out: Dict[] = [];
	for (const [k, v] of Object.entries(d)) out.push(...findDictConfigs(v, depth + 1, k));
	return out;
}

function lineOfKey(text: string, key: string): number {
	const i = text.search(new RegExp(`\\b${key}\\b`));
	return i < 0 ? 1 : lineOf(text, i);
}

function dataConfigs(text: string, file: string, root: string, ext: string): DiscoveredLoggingConfig[] {
	let docs: unknown[] = [];
	try {
		if (ext === '.json') docs = [JSON.parse(text)];
		else if (ext === '.toml') docs = [parseToml(text)];
		else {
			try {
				docs = [parseYaml(text, { logLevel: 'silent' })];
			} catch {
				docs = parseAllDocuments(text, { logLevel: 'silent' }).map((d) => ('toJS' in d ? d.toJS({}) : null));
			}
		}
	} catch {
		return [];
	}
	const out: DiscoveredLoggingConfig[] = [];
	for (const doc of docs) {
		for (const cfg of findDictConfigs(doc)) {
			out.push({ configFile: file, kind: 'dictConfig', line: lineOfKey(text, 'handlers'), handlers: handlersFromDictConfig(cfg, file, root) });
		}
	}
	return out;
}

/**
 * Finds logging setups in the given files. Python files (`.py`) are read for basicConfig and
 * dictConfig calls and dictConfig-shaped dicts (Django's `LOGGING` as kind `django`); `.json`,
 * `.yaml`/`.yml` and `.toml` for dictConfig-shaped data; `.ini`/`.conf`/`.cfg` for fileConfig
 * sections. Relative handler filenames resolve against `workspaceRoot` (default: the process
 * CWD), the folder a run usually starts in, with the config file's folder as the alternative.
 */
export function discoverPythonLogging(files: WorkspaceFile[], options: DiscoveryOptions = {}): DiscoveredLoggingConfig[] {
	const root = path.resolve(options.workspaceRoot ?? process.cwd());
	const out: DiscoveredLoggingConfig[] = [];
	for (const f of files) {
		const abs = path.resolve(root, f.path);
		const ext = path.extname(abs).toLowerCase();
		const before = out.length;
		try {
			if (ext === '.py' || ext === '.pyw') {
				if (/basicConfig|dictConfig|LOGGING|version/.test(f.text)) out.push(...pyFiles(f.text, abs, root));
			} else if (ext === '.json' || ext === '.yaml' || ext === '.yml' || ext === '.toml') {
				if (/handlers|formatters/.test(f.text)) out.push(...dataConfigs(f.text, abs, root, ext));
			} else if (ext === '.ini' || ext === '.conf' || ext === '.cfg') {
				const c = /\[handlers\]|\[formatters\]/.test(f.text) ? iniConfig(f.text, abs, root) : null;
				if (c) out.push(c);
			}
		} catch {
			// A file we cannot read statically is not a reason to give up on the others.
		}
		for (let i = before; i < out.length; i++) out[i]!.configFile = f.path;
	}
	return out;
}
