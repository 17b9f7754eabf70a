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
		const hint = /\(\?[=!<]|\\[1-9]/.test(pattern) ? ' (lookaround and backreferences are not supported: Log Lens uses a linear-time regex engine)' : '';
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
