import { RE2JS } from 're2js';
import { ByteSource } from '../byteSource';
import { EntryDetail, readEntry } from '../entryReader';
import { Level, parseLevelName } from '../levels';
import { LogIndex } from '../index/logIndex';
import { parseTimestampString } from '../timestamp';

/** What the user asks for; every given criterion must hold (AND). */
export interface FilterSpec {
	/** Minimum level (entries with an unknown level never pass a level filter). */
	minLevel?: Level;
	/** Exactly these levels (`Level.Unknown` allowed). */
	levels?: readonly Level[];
	/** Regexes (RE2 syntax) that must all match the entry's whole text. */
	include?: readonly string[];
	/** Regexes none of which may match. */
	exclude?: readonly string[];
	ignoreCase?: boolean;
	/** Epoch ms bounds (inclusive since, exclusive until); entries without a time fail a time filter. */
	since?: number;
	until?: number;
	/** Logger name: exact, or a dotted prefix (`a.b` matches `a.b.c`). */
	logger?: string;
	/** Header field equality (`HeaderMatch.fields`, plus `logger`). */
	fields?: Readonly<Record<string, string>>;
}

/** A user error in a filter (bad regex, unknown level, bad time). */
export class FilterError extends Error {}

/** A compiled linear-time matcher (RE2): no pattern can make it backtrack. */
export interface TextMatcher {
	test(text: string): boolean;
}

/** Compiles a user regex with re2js; backreferences / lookaround are rejected with a clear error. */
export function compileRegex(pattern: string, ignoreCase = false): TextMatcher {
	if (!/[\\^$.|?*+()[\]{}]/.test(pattern)) {
		// A plain word: indexOf is much faster than any regex engine.
		if (!ignoreCase) return { test: (t) => t.includes(pattern) };
		const lower = pattern.toLowerCase();
		return { test: (t) => t.toLowerCase().includes(lower) };
	}
	try {
		const re = RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
		return { test: (t) => re.test(t) };
	} catch (e) {
		const why = e instanceof Error ? e.message : String(e);
		throw new FilterError(`invalid regular expression '${pattern}': ${why.replace(/^error parsing regexp: /, '')} (backreferences and lookaround are not supported)`);
	}
}

/** Parses a level name for a filter; FilterError when unknown. */
export function parseFilterLevel(name: string): Level {
	if (name.toLowerCase() === 'unknown') return Level.Unknown;
	const l = parseLevelName(name);
	if (l === undefined) throw new FilterError(`unknown level '${name}' (use trace, debug, info, notice, warning, error, critical)`);
	return l;
}

/**
 * A time bound: ISO / any timestamp shape the engine reads, `HH:MM[:SS]` (today), or relative
 * `15m`, `2h`, `1d`, `30s`, `1w` (now minus that).
 */
export function parseTimeBound(text: string, now = Date.now()): number {
	const t = text.trim();
	const rel = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/.exec(t);
	if (rel) {
		const unit = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000, w: 604800000 }[rel[2] as 'ms'];
		return now - +rel[1] * unit;
	}
	const hms = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3}))?)?$/.exec(t);
	if (hms) {
		const d = new Date(now);
		d.setHours(+hms[1], +hms[2], +(hms[3] ?? 0), +((hms[4] ?? '0') + '00').slice(0, 3));
		return d.getTime();
	}
	if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
		const [y, mo, da] = t.split('-').map(Number);
		return new Date(y, mo - 1, da).getTime();
	}
	const ms = parseTimestampString(t, { year: new Date(now).getFullYear() });
	if (Number.isNaN(ms)) throw new FilterError(`cannot read time '${text}' (use ISO 8601, HH:MM:SS, or 15m / 2h / 1d)`);
	return ms;
}

/** A filter ready to run: cheap checks (level, time from the index) before reading any bytes. */
export class CompiledFilter {
	private readonly include: TextMatcher[];
	private readonly exclude: TextMatcher[];
	private readonly levelSet: Uint8Array | null;

	constructor(readonly spec: FilterSpec) {
		this.include = (spec.include ?? []).map((p) => compileRegex(p, spec.ignoreCase));
		this.exclude = (spec.exclude ?? []).map((p) => compileRegex(p, spec.ignoreCase));
		if (spec.levels || spec.minLevel !== undefined) {
			this.levelSet = new Uint8Array(8);
			for (let l = 0; l < 8; l++) {
				const okMin = spec.minLevel === undefined || (l !== Level.Unknown && l >= spec.minLevel);
				const okSet = !spec.levels || spec.levels.includes(l as Level);
				this.levelSet[l] = okMin && okSet ? 1 : 0;
			}
		} else this.levelSet = null;
	}

	/** Does an entry with this level and time pass the level/time criteria? */
	passesIndex(level: Level, time: number): boolean {
		if (this.levelSet && !this.levelSet[level]) return false;
		const { since, until } = this.spec;
		if (since !== undefined && !(time >= since)) return false;
		if (until !== undefined && !(time < until)) return false;
		return true;
	}

	/** Whether the header fields / text must be read at all. */
	get needsDetail(): boolean {
		return this.needsText || this.needsHeader;
	}

	/** Text criteria (regexes) are given. */
	get needsText(): boolean {
		return this.include.length > 0 || this.exclude.length > 0;
	}

	/** Header criteria (logger, fields) are given. */
	get needsHeader(): boolean {
		return this.spec.logger !== undefined || this.spec.fields !== undefined;
	}

	/** Do the text criteria hold for the entry's whole text? */
	passesText(text: string): boolean {
		for (const m of this.include) if (!m.test(text)) return false;
		for (const m of this.exclude) if (m.test(text)) return false;
		return true;
	}

	/** Do the logger / field / text criteria hold for the entry's detail (with `text`)? */
	passesDetail(d: EntryDetail, text: string): boolean {
		const { logger, fields } = this.spec;
		if (logger !== undefined) {
			const l = d.logger;
			if (l === undefined) return false;
			if (l !== logger && !(l.startsWith(logger) && /[.:/$]/.test(l[logger.length]))) return false;
		}
		if (fields) {
			for (const [k, v] of Object.entries(fields)) {
				const actual = k === 'logger' ? d.logger : k === 'level' ? d.levelRaw : d.fields[k];
				if (actual !== v) return false;
			}
		}
		for (const m of this.include) if (!m.test(text)) return false;
		for (const m of this.exclude) if (m.test(text)) return false;
		return true;
	}
}

/**
 * Entry numbers of an index that pass the filter, lazily, reading bytes only for entries whose
 * level and time already pass (and only when text or header criteria are given).
 */
export function* filterEntries(index: LogIndex, source: ByteSource, spec: FilterSpec | CompiledFilter): Generator<number> {
	const f = spec instanceof CompiledFilter ? spec : new CompiledFilter(spec);
	for (let e = 0; e < index.entryCount; e++) {
		if (!f.passesIndex(index.entryLevel(e), index.entryTime(e))) continue;
		if (f.needsDetail) {
			const d = readEntry(index, source, e, { maxTextBytes: 64 << 20 });
			if (!f.passesDetail(d, d.text ?? d.message)) continue;
		}
		yield e;
	}
}
