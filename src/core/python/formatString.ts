// A Python `logging.Formatter` format string (any of the three styles) compiled into a LogFormat
// that reads back exactly the lines that Formatter writes: one anchored regex, one capture group
// per field, each field matched by what its LogRecord attribute can hold.
import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { Level, levelFromNumber, levelFromToken } from '../levels';
import { RE2JS } from 're2js';
import { CompiledStrftime, compileStrftime } from './strftime';

/** The three `style` values of `logging.Formatter`. */
export type PythonFormatStyle = '%' | '{' | '$';

/** What compilePythonFormat needs: the Formatter's constructor arguments. */
export interface PythonFormatOptions {
	/** The `fmt` / `format` string exactly as the code passes it. */
	format: string;
	/** Defaults to `%`. */
	style?: PythonFormatStyle;
	/** The `datefmt`; absent/null means Python's default `%Y-%m-%d %H:%M:%S,mmm`. */
	datefmt?: string | null;
	/** LogFormat id; defaults to `python-format`. */
	id?: string;
	/** Display name; defaults to `Python: <format>`. */
	name?: string;
	/** Extra level names registered with `logging.addLevelName` that are not all upper case. */
	levelNames?: string[];
}

/** One `%(name)…` / `{name:…}` / `$name` reference in a format string. */
export interface FormatField {
	/** LogRecord attribute (or `extra` key) name. */
	name: string;
	/** Presentation type: `s`, `r`, `d`, `f`, `x`, … (`s` for `$` style and `{}` without a type). */
	type: string;
	/** Alignment when padded: left, right, centre. */
	align?: '<' | '>' | '^' | '=';
	/** Pad character (`' '`, or `0` for zero padding, or a `{` fill). */
	fill: string;
	width?: number;
	precision?: number;
	/** `!r`, `!s`, `!a` conversion of `{` style. */
	conversion?: string;
}

/** A format string split into literal text and fields. */
export type FormatToken = { literal: string } | { field: FormatField };

/** The compiled format: a LogFormat plus what it was built from. */
export interface PythonLogFormat extends LogFormat {
	readonly style: PythonFormatStyle;
	readonly format: string;
	readonly datefmt: string | null;
	/** The tokens of the header line (the format up to its first newline). */
	readonly tokens: readonly FormatToken[];
	/** The anchored header regex. */
	readonly regex: RegExp;
	/** LogRecord attributes the header carries, in order (duplicates removed). */
	readonly fieldNames: readonly string[];
}

/** Attributes that are ints on a LogRecord. */
const INT_ATTRS = new Set(['levelno', 'lineno', 'process', 'thread']);
/** Attributes that are floats on a LogRecord. */
const FLOAT_ATTRS = new Set(['created', 'msecs', 'relativeCreated']);
/** Python's own level names, for reading truncated `%(levelname).3s`. */
const PY_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL', 'NOTSET'];

function escapeRegex(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// ---------------------------------------------------------------- tokenizers

const PERCENT_RE = /%(?:\((\w+)\)([#0+ -]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])|%)/g;

function tokenizePercent(fmt: string): FormatToken[] {
	const out: FormatToken[] = [];
	let last = 0;
	let literal = '';
	for (const m of fmt.matchAll(PERCENT_RE)) {
		literal += fmt.slice(last, m.index);
		last = m.index! + m[0].length;
		if (m[0] === '%%' || m[1] === undefined) {
			// `%%` is a literal percent; a bare `%` not followed by a mapping key stays as text.
			literal += m[0] === '%%' ? '%' : m[0];
			continue;
		}
		if (m[5] === '%') {
			literal += '%';
			continue;
		}
		const flags = m[2] ?? '';
		const type = m[5]!;
		const numeric = !'srac'.includes(type);
		const width = m[3] && m[3] !== '*' ? +m[3] : undefined;
		const left = flags.includes('-');
		if (literal) out.push({ literal });
		literal = '';
		out.push({
			field: {
				name: m[1],
				type,
				align: width ? (left ? '<' : '>') : undefined,
				fill: !left && numeric && flags.includes('0') ? '0' : ' ',
				width,
				precision: m[4] && m[4] !== '*' ? +m[4] : undefined,
			},
		});
	}
	literal += fmt.slice(last);
	if (literal) out.push({ literal });
	return out;
}

const SPEC_RE = /^(?:(.)?([<>=^]))?([+ -])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s;

function tokenizeBrace(fmt: string): FormatToken[] {
	const out: FormatToken[] = [];
	let literal = '';
	for (let i = 0; i < fmt.length; i++) {
		const ch = fmt[i]!;
		if (ch === '}') {
			// `}}` is a literal brace; a lone `}` is an error in Python, kept as text here.
			literal += '}';
			if (fmt[i + 1] === '}') i++;
			continue;
		}
		if (ch !== '{') {
			literal += ch;
			continue;
		}
		if (fmt[i + 1] === '{') {
			literal += '{';
			i++;
			continue;
		}
		// A replacement field; nested `{}` only occur inside the spec (`{x:{w}}`), tracked by depth.
		let depth = 1;
		let j = i + 1;
		while (j < fmt.length && depth > 0) {
			if (fmt[j] === '{') depth++;
			else if (fmt[j] === '}') depth--;
			j++;
		}
		const inner = fmt.slice(i + 1, j - 1);
		i = j - 1;
		const m = /^([^!:[.]*)((?:\.\w+|\[[^\]]*\])*)(?:!([rsa]))?(?::(.*))?$/s.exec(inner);
		if (!m) {
			literal += '{' + inner + '}';
			continue;
		}
		const spec = SPEC_RE.exec(m[4] ?? '');
		const base = m[1]!;
		const index = /^\[(\d+)\]$/.exec(m[2] ?? '');
		let type = spec?.[10] ?? '';
		const numeric = type !== '' && type !== 's' && type !== 'c' ? true : type === '' && (INT_ATTRS.has(base) || FLOAT_ATTRS.has(base)) && !m[3];
		if (!type) type = m[3] ? m[3] : 's';
		if (index) type = 'c'; // `{levelname[0]}`: one character of the string
		const width = spec?.[7] ? +spec[7] : undefined;
		let align = spec?.[2] as FormatField['align'];
		let fill = spec?.[1] ?? ' ';
		if (!align && spec?.[6]) {
			align = '=';
			fill = '0';
		}
		if (!align && width) align = numeric ? '>' : '<';
		if (literal) out.push({ literal });
		literal = '';
		out.push({ field: { name: base, type, align, fill, width, precision: spec?.[9] ? +spec[9] : undefined, conversion: m[3] } });
	}
	if (literal) out.push({ literal });
	return out;
}

const DOLLAR_RE = /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\})/gi;

function tokenizeDollar(fmt: string): FormatToken[] {
	const out: FormatToken[] = [];
	let last = 0;
	let literal = '';
	for (const m of fmt.matchAll(DOLLAR_RE)) {
		literal += fmt.slice(last, m.index);
		last = m.index! + m[0].length;
		if (m[1]) {
			literal += '$';
			continue;
		}
		if (literal) out.push({ literal });
		literal = '';
		out.push({ field: { name: (m[2] ?? m[3])!, type: 's', fill: ' ' } });
	}
	literal += fmt.slice(last);
	if (literal) out.push({ literal });
	return out;
}

/** Splits a format string of the given style into literal text and fields. */
export function tokenizePythonFormat(format: string, style: PythonFormatStyle = '%'): FormatToken[] {
	if (style === '{') return tokenizeBrace(format);
	if (style === '$') return tokenizeDollar(format);
	return tokenizePercent(format);
}

// ---------------------------------------------------------------- field patterns

/** Regex for a (possibly truncated) level name. */
function levelPattern(precision: number | undefined, extra: string[]): string {
	const alts = extra.map(escapeRegex);
	if (precision === undefined) {
		// Python's names and `addLevelName` ones are upper case; unnamed levels print as `Level 5`.
		// Upper case only keeps `ValueError: …` continuation lines from passing as headers.
		alts.push('[A-Z][A-Z0-9_]*', 'Level \\d+');
	} else if (precision > 0) {
		alts.push(`[A-Z][A-Z0-9_]{0,${precision - 1}}`);
		const lv = 'Level ';
		if (precision > lv.length) alts.push(`Level \\d{1,${precision - lv.length}}`);
		else alts.push(escapeRegex(lv.slice(0, precision)));
	}
	return `(?:${alts.join('|')})`;
}

function numberPattern(type: string, isFloat: boolean, precision?: number): string {
	switch (type) {
		case 'd': case 'i': case 'u': case 'n': return '[-+ ]?\\d+';
		case 'x': case 'X': return '[-+ ]?(?:0[xX])?[0-9a-fA-F]+';
		case 'o': return '[-+ ]?(?:0o)?[0-7]+';
		case 'b': return '[-+ ]?(?:0b)?[01]+';
		case 'f': case 'F': case '%':
			return precision === 0 ? '[-+ ]?\\d+\\.?%?' : `[-+ ]?\\d+(?:\\.\\d${precision === undefined ? '+' : `{${precision}}`})?%?`;
		case 'e': case 'E': case 'g': case 'G':
			return '[-+ ]?(?:\\d+(?:\\.\\d*)?(?:[eE][-+]?\\d+)?|inf|nan)';
		default:
			// str() of the value: an int, or a float's repr; None when the attribute is switched off
			// (`logging.logThreads = False` …).
			return isFloat ? '(?:-?\\d+(?:\\.\\d+)?(?:e[-+]?\\d+)?|None)' : '(?:-?\\d+|None)';
	}
}

/** Regex for one field's value (no padding, no groups). */
function valuePattern(f: FormatField, asctime: CompiledStrftime, levelNames: string[]): string {
	if (f.name === 'asctime' && f.type === 's' && f.precision === undefined) return asctime.pattern;
	if (f.name === 'levelname' && 'sc'.includes(f.type)) return levelPattern(f.type === 'c' ? 1 : f.precision, levelNames);
	const numeric = INT_ATTRS.has(f.name) || FLOAT_ATTRS.has(f.name);
	if (numeric && f.type !== 's' && f.type !== 'r' && f.type !== 'a' && f.type !== 'c') {
		return numberPattern(f.type, FLOAT_ATTRS.has(f.name), f.precision);
	}
	if (numeric && f.precision === undefined) return numberPattern('s', FLOAT_ATTRS.has(f.name));
	if (f.type === 'c') return '.';
	if (f.type === 'r' || f.type === 'a') return `(?:'(?:[^'\\\\]|\\\\.)*'|"(?:[^"\\\\]|\\\\.)*"|None|-?\\d[\\d.e+-]*)`;
	const p = f.precision;
	const q = (cls: string, min: 0 | 1): string => (p === undefined ? `${cls}${min ? '+' : '*'}?` : `${cls}{${min},${p}}?`);
	switch (f.name) {
		// Identifiers and file names: no white space in practice, which keeps a header regex that
		// starts with one of them from wandering into continuation lines.
		case 'name': case 'module': case 'funcName': case 'filename':
			return q('\\S', 1);
		// Thread names are `Thread-1 (worker)` since 3.10; paths and process names may hold spaces.
		case 'pathname': case 'threadName': case 'processName': case 'taskName':
			return q('.', 1);
		default:
			return q('.', 0);
	}
}

/** The value as a named group, with the pad characters of a width around it. */
function withPadding(value: string, f: FormatField, group: string): string {
	const v = `(?<${group}>${value})`;
	if (!f.width || f.width <= 0) return v;
	const pad = `${escapeRegex(f.fill)}*`;
	switch (f.align) {
		case '<': return `${v}${pad}`;
		case '^': return `${pad}${v}${pad}`;
		default: return `${pad}${v}`;
	}
}

/** A JS group name for the field: its own name the first time, made unique after that. */
function groupName(name: string, index: number, used: Set<string>): string {
	let g = /^[A-Za-z_]\w*$/.test(name) ? name : `f${index}`;
	if (used.has(g)) g = `${g}_${index}`;
	used.add(g);
	return g;
}

// ---------------------------------------------------------------- the LogFormat

interface Compiled {
	regex: RegExp;
	/** Field per capture group (index 1..n). */
	groups: FormatField[];
	/** Capture group of the message, or 0. */
	messageGroup: number;
	/** Literals every matching line contains, in order (a cheap pre-check). */
	literals: string[];
	/** True when the line starts with literals[0]. */
	startsWithLiteral: boolean;
	/** Fields with an open-ended value (`.+?`, `\\S+?`) other than a final message. */
	openFields: number;
	/** The same pattern for the linear-time engine, built when first needed. */
	re2?: RE2JS;
}

/** A header match, whichever engine produced it: group texts (1-based) and the message span. */
interface Groups {
	values: (string | undefined)[];
	message?: [number, number];
}

/**
 * Lines whose length raised to the number of open fields stays under this run on V8's regex;
 * longer ones on re2js, whose time is linear. Two lazy fields back to back make a failing match
 * cost O(n²) steps on a backtracking engine, three O(n³): a 10 000-character continuation line
 * holding the format's separators would stall the parser.
 */
const BACKTRACK_BUDGET = 1e6;

function runCompiled(c: Compiled, line: string): Groups | null {
	if (c.openFields >= 2 && line.length ** c.openFields > BACKTRACK_BUDGET) {
		c.re2 ??= RE2JS.compile(c.regex.source);
		const m = c.re2.matcher(line);
		if (!m.matches()) return null;
		const values: (string | undefined)[] = [line];
		for (let g = 1; g <= c.groups.length; g++) values.push(m.group(g) ?? undefined);
		return { values, message: c.messageGroup ? [m.start(c.messageGroup), m.end(c.messageGroup)] : undefined };
	}
	const m = c.regex.exec(line);
	if (!m) return null;
	if (!c.messageGroup) return { values: m };
	const idx = m.indices?.[c.messageGroup];
	return { values: m, message: idx ? [idx[0], idx[1]] : [line.length - m[c.messageGroup]!.length, line.length] };
}

function compileTokens(tokens: FormatToken[], asctime: CompiledStrftime, levelNames: string[], stopAtMessage: boolean): Compiled {
	let src = '^';
	const groups: FormatField[] = [];
	const literals: string[] = [];
	let messageGroup = 0;
	let messageLast = false;
	let openFields = 0;
	const used = new Set<string>();
	for (let i = 0; i < tokens.length; i++) {
		const t = tokens[i]!;
		if ('literal' in t) {
			src += escapeRegex(t.literal);
			literals.push(t.literal);
			continue;
		}
		const f = t.field;
		groups.push(f);
		if (f.name === 'message' && messageGroup === 0) {
			messageGroup = groups.length;
			const last = stopAtMessage || i === tokens.length - 1;
			messageLast = last;
			src += withPadding(last ? '.*' : '.*?', f, groupName(f.name, groups.length, used));
			if (stopAtMessage) break;
			continue;
		}
		const v = valuePattern(f, asctime, levelNames);
		if (/^(?:\.|\\S)[*+{]/.test(v)) openFields++;
		src += withPadding(v, f, groupName(f.name, groups.length, used));
	}
	src += '$';
	return {
		// Match indices only when the message is not the tail of the line (they cost an allocation).
		regex: new RegExp(src, messageGroup && !messageLast ? 'd' : ''),
		groups,
		messageGroup,
		literals: literals.filter((l) => l.length > 0),
		openFields: openFields + (messageGroup && !messageLast ? 1 : 0),
		startsWithLiteral: tokens.length > 0 && 'literal' in tokens[0]!,
	};
}

/** The header line's tokens: everything before the first literal newline. */
function headerTokens(tokens: FormatToken[]): FormatToken[] {
	const out: FormatToken[] = [];
	for (const t of tokens) {
		if ('literal' in t) {
			const nl = t.literal.indexOf('\n');
			if (nl >= 0) {
				if (nl > 0) out.push({ literal: t.literal.slice(0, nl) });
				break;
			}
		}
		out.push(t);
	}
	return out;
}

function literalsInOrder(line: string, literals: string[], startsWith: boolean): boolean {
	let at = 0;
	for (let i = 0; i < literals.length; i++) {
		const l = literals[i]!;
		if (i === 0 && startsWith) {
			if (!line.startsWith(l)) return false;
			at = l.length;
			continue;
		}
		const k = line.indexOf(l, at);
		if (k < 0) return false;
		at = k + l.length;
	}
	return true;
}

function levelFromName(raw: string, precision: number | undefined, extra: string[]): Level {
	const v = raw.trim();
	const l = levelFromToken(v);
	if (l !== Level.Unknown && (precision === undefined || v.length < precision || PY_LEVELS.includes(v))) return l;
	const lv = /^Level (\d+)$/.exec(v);
	if (lv) return levelFromNumber(+lv[1]!, 'python');
	if (precision !== undefined && v.length > 0) {
		// A truncated name (`%(levelname).3s` → `WAR`): the one known name it is a prefix of.
		const names = [...PY_LEVELS, ...extra.map((e) => e.toUpperCase())];
		const hits = names.filter((n) => n.startsWith(v.toUpperCase()));
		if (hits.length === 1) return levelFromToken(hits[0]!);
	}
	return l;
}

/**
 * Compiles a Python logging format string into a LogFormat whose `parseHeader` reads the first
 * line of each record the Formatter writes. Level comes from `levelname` (or `levelno`), time from
 * `asctime` (plus `msecs` when the asctime has no fraction) or else `created`, logger from `name`;
 * every other attribute present lands in `fields` (asctime, levelname and name included, the
 * message excluded — it is `messageStart..messageEnd`).
 */
export function compilePythonFormat(opts: PythonFormatOptions): PythonLogFormat {
	const style = opts.style ?? '%';
	const datefmt = opts.datefmt ?? null;
	const levelNames = opts.levelNames ?? [];
	const asctime = datefmt === null ? compileStrftime('%Y-%m-%d %H:%M:%S', { msecSuffix: true }) : compileStrftime(datefmt);
	const tokens = headerTokens(tokenizePythonFormat(opts.format, style));
	const full = compileTokens(tokens, asctime, levelNames, false);
	// When the message is followed by more fields (`%(message)s [in %(pathname)s:%(lineno)d]`) a
	// multi-line message puts that tail on its last line; the prefix alone then still identifies
	// the header, provided it holds something distinctive.
	const msgIndex = tokens.findIndex((t) => 'field' in t && t.field.name === 'message');
	const prefixStrong = msgIndex > 0 && tokens.slice(0, msgIndex).some((t) => 'field' in t && ['asctime', 'levelname', 'levelno', 'created'].includes(t.field.name));
	const prefix = full.messageGroup && full.messageGroup < full.groups.length && prefixStrong ? compileTokens(tokens, asctime, levelNames, true) : null;
	const fieldNames = [...new Set(full.groups.map((g) => g.name))];

	const read = (c: Compiled, line: string, m: Groups, ctx: ParseContext): HeaderMatch => {
		const fields: Record<string, string> = {};
		let level = Level.Unknown;
		let levelRaw: string | undefined;
		let logger: string | undefined;
		let asctimeText: string | undefined;
		let msecs: string | undefined;
		let created: string | undefined;
		for (let g = 0; g < c.groups.length; g++) {
			const f = c.groups[g]!;
			const raw = m.values[g + 1];
			if (raw === undefined || g + 1 === c.messageGroup) continue;
			const value = raw;
			if (!(f.name in fields)) fields[f.name] = value;
			switch (f.name) {
				case 'levelname':
					if (levelRaw === undefined || level === Level.Unknown) {
						levelRaw = value;
						level = levelFromName(value, f.type === 'c' ? 1 : f.precision, levelNames);
					}
					break;
				case 'levelno':
					if (level === Level.Unknown && /^\s*\d+$/.test(value)) {
						levelRaw = value.trim();
						level = levelFromNumber(+value, 'python');
					}
					break;
				case 'name': logger ??= value; break;
				case 'asctime': asctimeText ??= value; break;
				case 'msecs': msecs ??= value; break;
				case 'created': created ??= value; break;
			}
		}
		let time = NaN;
		if (asctimeText !== undefined) {
			time = asctime.parse(asctimeText, { year: ctx.year, zoneOffsetMinutes: ctx.defaultZoneOffsetMinutes });
			if (!asctime.hasFraction && msecs !== undefined && !isNaN(time) && /^\s*\d+(\.\d*)?$/.test(msecs)) time += Math.floor(+msecs);
		}
		if (isNaN(time) && created !== undefined && /^\s*\d+(\.\d*)?$/.test(created)) time = Math.floor(+created * 1000);
		let messageStart = line.length;
		let messageEnd: number | undefined;
		if (m.message) {
			messageStart = m.message[0];
			if (m.message[1] !== line.length) messageEnd = m.message[1];
		}
		const out: HeaderMatch = { level, time, messageStart, fields };
		if (levelRaw !== undefined) out.levelRaw = levelRaw;
		if (logger !== undefined) out.logger = logger;
		if (messageEnd !== undefined) out.messageEnd = messageEnd;
		return out;
	};

	return {
		id: opts.id ?? 'python-format',
		name: opts.name ?? `Python: ${opts.format}`,
		style,
		format: opts.format,
		datefmt,
		tokens,
		regex: full.regex,
		fieldNames,
		parseHeader(rawLine: string, ctx: ParseContext): HeaderMatch | null {
			const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
			if (literalsInOrder(line, full.literals, full.startsWithLiteral)) {
				const m = runCompiled(full, line);
				if (m) return read(full, line, m, ctx);
			}
			if (prefix && literalsInOrder(line, prefix.literals, prefix.startsWithLiteral)) {
				const m = runCompiled(prefix, line);
				if (m) return read(prefix, line, m, ctx);
			}
			return null;
		},
	};
}
