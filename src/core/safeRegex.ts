/**
 * User-supplied patterns run on re2js, a linear-time (RE2) engine: a pattern such as `(a+)+$` can
 * never freeze a filter, a highlight or an alert rule. Patterns RE2 cannot run (backreferences,
 * lookaround) are rejected with a clear message instead of falling back to a backtracking engine.
 */
import { RE2JS } from 're2js';

export interface SafeRegex {
	readonly source: string;
	/** True when the pattern matches anywhere in `text`. */
	test(text: string): boolean;
	/** Every non-overlapping match as [start, end) character offsets. */
	matchAll(text: string, limit?: number): [number, number][];
}

export type CompileResult = { regex: SafeRegex } | { error: string };

export function compileSafe(pattern: string, opts: { ignoreCase?: boolean; literal?: boolean } = {}): CompileResult {
	const source = opts.literal ? RE2JS.quote(pattern) : pattern;
	let re: RE2JS;
	try {
		re = RE2JS.compile(source, opts.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
	} catch (e) {
		const msg = e instanceof Error ? e.message : String(e);
		const hint = /\(\?<?[=!]|\\[1-9]/.test(pattern) ? ' (lookaround and backreferences are not supported: Log Lens uses a linear-time regex engine)' : '';
		return { error: `invalid regular expression /${pattern}/: ${msg}${hint}` };
	}
	return {
		regex: {
			source: pattern,
			test: (text) => re.test(text),
			matchAll: (text, limit = 1000) => {
				const out: [number, number][] = [];
				const m = re.matcher(text);
				while (out.length < limit && m.find()) {
					const s = m.start(), e = m.end();
					if (e === s) {
						if (s >= text.length) break;
						continue;
					}
					out.push([s, e]);
				}
				return out;
			},
		},
	};
}

/** Like compileSafe but throws an Error with the clear message (for CLI argument parsing). */
export function compileSafeOrThrow(pattern: string, opts: { ignoreCase?: boolean; literal?: boolean } = {}): SafeRegex {
	const r = compileSafe(pattern, opts);
	if ('error' in r) throw new Error(r.error);
	return r.regex;
}

/** A match of `SafeGroupRegex.matchStart`: named group texts and spans. */
export interface SafeGroupMatch {
	/** End of the whole match. */
	readonly end: number;
	/** The group's text; undefined when the group did not take part in the match. */
	group(name: string): string | undefined;
	/** The group's [start, end) offsets; undefined when it did not take part. */
	span(name: string): [number, number] | undefined;
}

/** A user pattern with named groups (`(?<name>…)` or Python's `(?P<name>…)`), on the linear-time engine. */
export interface SafeGroupRegex {
	readonly source: string;
	/** Named groups in the order they open. */
	readonly groupNames: readonly string[];
	/**
	 * Matches at the start of `text` (not necessarily to its end, as Python's `re.match`); null when
	 * it does not. The match is valid until the next call (one matcher is reused: creating one per
	 * line cost about half the time).
	 */
	matchStart(text: string): SafeGroupMatch | null;
}

/** Compiles a pattern with named groups for `matchStart`; the same errors as `compileSafe`. */
export function compileSafeGroups(pattern: string): { regex: SafeGroupRegex } | { error: string } {
	const r = compileSafe(pattern);
	if ('error' in r) return r;
	const re = RE2JS.compile(pattern);
	const index = re.namedGroups() as Record<string, number>;
	const groupNames = Object.keys(index).sort((a, b) => index[a]! - index[b]!);
	let matcher: ReturnType<RE2JS['matcher']> | undefined;
	return {
		regex: {
			source: pattern,
			groupNames,
			matchStart(text) {
				const m = (matcher ??= re.matcher('')).resetMatcherInput(text);
				if (!m.lookingAt()) return null;
				const end = m.end();
				return {
					end,
					group: (name) => (name in index ? (m.group(index[name]!) ?? undefined) : undefined),
					span: (name) => {
						if (!(name in index)) return undefined;
						const s = m.start(index[name]!);
						return s < 0 ? undefined : [s, m.end(index[name]!)];
					},
				};
			},
		},
	};
}
