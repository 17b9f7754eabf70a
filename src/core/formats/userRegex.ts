// A log format given as a regular expression with named groups (issue 18): `(?<time>…)`,
// `(?<level>…)`, `(?<logger>…)`, `(?<message>…)`, and any other named group as an entry field.
// Python's `(?P<name>…)` spelling is accepted too. A line the regex matches (from the line's
// start, as Python's `re.match`) is a header; every other line continues the entry above.
// The same compiled format serves the `logLens.formats` setting and `loglens --format`, so the
// editor and every CLI command read a line alike (test/core/cliFormat.test.ts, and the host suite
// "Python logging").
import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { Level, levelFromNumber, levelFromToken } from '../levels';
import { CompiledStrftime, compileStrftime } from '../python/strftime';
import { compileSafeGroups, SafeGroupRegex } from '../safeRegex';
import { parseTimestampString } from '../timestamp';

/** What a regex format is built from. */
export interface RegexFormatOptions {
	/** The regular expression (RE2 syntax: no backreferences or lookaround). */
	regex: string;
	/** strftime format of the `time` group; absent: any timestamp Log Lens reads (ISO 8601, syslog, …). */
	datefmt?: string | null;
	/** LogFormat id; defaults to `regex`. */
	id?: string;
	/** Display name; defaults to `Regex: <regex>`. */
	name?: string;
}

/** The compiled format: a LogFormat plus what it was built from. */
export interface RegexLogFormat extends LogFormat {
	readonly regex: string;
	/** Named groups in the order they appear. */
	readonly groupNames: readonly string[];
}

/** Group names with a meaning of their own; every other named group becomes a field. */
const TIME = 'time', LEVEL = 'level', LOGGER = 'logger', MESSAGE = 'message';

/** A level as written: a level word (`WARN`, `E`) or Python's levelno (`30`). */
function readLevel(raw: string): Level {
	const v = raw.trim();
	const l = levelFromToken(v);
	if (l !== Level.Unknown) return l;
	return /^\d{1,2}$/.test(v) ? levelFromNumber(+v, 'python') : Level.Unknown;
}

/**
 * Compiles a regex format. Throws an Error with a clear message when the regex is invalid, uses
 * what the linear-time engine cannot run, or has no named group at all (then it cannot say what a
 * header holds).
 */
export function compileRegexFormat(opts: RegexFormatOptions): RegexLogFormat {
	// Python's `(?P=name)` backreference has no RE2 equivalent: say so rather than a syntax error.
	if (/\(\?P=/.test(opts.regex)) throw new Error(`invalid format regex /${opts.regex}/: backreferences (?P=name) are not supported (Log Lens uses a linear-time regex engine)`);
	const compiled = compileSafeGroups(opts.regex);
	if ('error' in compiled) throw new Error(`invalid format regex: ${compiled.error.replace(/^invalid regular expression /, '')}`);
	const re: SafeGroupRegex = compiled.regex;
	const names = re.groupNames;
	if (names.length === 0) {
		throw new Error(`format regex /${opts.regex}/ has no named group: name what the header holds, e.g. (?<time>\\S+ \\S+) (?<level>\\w+) (?<message>.*)`);
	}
	const datefmt = opts.datefmt ?? null;
	const strftime: CompiledStrftime | null = datefmt !== null && datefmt !== '' ? compileStrftime(datefmt) : null;
	const fieldNames = names.filter((n) => n !== MESSAGE);

	return {
		id: opts.id ?? 'regex',
		name: opts.name ?? `Regex: ${opts.regex}`,
		regex: opts.regex,
		groupNames: names,
		parseHeader(rawLine: string, ctx: ParseContext): HeaderMatch | null {
			const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
			const m = re.matchStart(line);
			if (!m) return null;
			const fields: Record<string, string> = {};
			for (const n of fieldNames) {
				const v = m.group(n);
				if (v !== undefined) fields[n] = v;
			}
			let level = Level.Unknown;
			const levelRaw = m.group(LEVEL);
			if (levelRaw !== undefined) level = readLevel(levelRaw);
			let time = NaN;
			const timeText = m.group(TIME);
			if (timeText !== undefined) {
				time = strftime ? strftime.parse(timeText.trim(), { year: ctx.year, zoneOffsetMinutes: ctx.defaultZoneOffsetMinutes }) : parseTimestampString(timeText, ctx);
			}
			// Without a message group the message is what follows the match.
			const span = m.span(MESSAGE) ?? [m.end, line.length];
			const out: HeaderMatch = { level, time, messageStart: span[0], fields };
			if (span[1] !== line.length) out.messageEnd = span[1];
			if (levelRaw !== undefined) out.levelRaw = levelRaw.trim();
			const logger = m.group(LOGGER);
			if (logger !== undefined) out.logger = logger;
			return out;
		},
	};
}

/** True when `text` looks like a regex format rather than a format id or a Python format string: it has a named group. */
export function isRegexFormat(text: string): boolean {
	return /\(\?P?<[A-Za-z_]\w*>/.test(text);
}
