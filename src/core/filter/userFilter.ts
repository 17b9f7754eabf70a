/**
 * A filter as users write it (level names, text or regex, time expressions, nested AND parts) —
 * the shape the protocol, filtered tabs and settings use — compiled to the engine's filters.
 */
import { CompiledFilter, FilterSpec as CoreFilterSpec, parseFilterLevel, parseTimeBound } from './filter';

export interface UserFilter {
	/** Minimum level name (inclusive). */
	minLevel?: string;
	/** An explicit set of level names (overrides minLevel). */
	levels?: string[];
	/** Keep entries whose whole text matches (regex when `regex`, else plain text). */
	include?: string;
	/** Drop entries whose text matches. */
	exclude?: string;
	regex?: boolean;
	ignoreCase?: boolean;
	/** Time bounds: ISO, `HH:MM[:SS]` (the log's first day), or relative (`15m`, `2h`, `1d`). */
	since?: string;
	until?: string;
	/** Logger name; its children match too (`app.db` matches `app.db.pool`). */
	logger?: string;
	/** Header field equality (`funcName=load`). */
	fields?: Record<string, string>;
	and?: UserFilter[];
}

export function escapeRegex(s: string): string {
	return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** One compiled filter per AND-ed part; `refTime` anchors `HH:MM` and relative bounds. Throws FilterError. */
export function compileUserFilter(spec: UserFilter, refTime: number): CompiledFilter[] {
	const core: CoreFilterSpec = {
		ignoreCase: spec.ignoreCase,
		minLevel: spec.minLevel ? parseFilterLevel(spec.minLevel) : undefined,
		levels: spec.levels?.map(parseFilterLevel),
		include: spec.include ? [spec.regex ? spec.include : escapeRegex(spec.include)] : undefined,
		exclude: spec.exclude ? [spec.regex ? spec.exclude : escapeRegex(spec.exclude)] : undefined,
		since: spec.since ? parseTimeBound(spec.since, refTime) : undefined,
		until: spec.until ? parseTimeBound(spec.until, refTime) : undefined,
		logger: spec.logger || undefined,
		fields: spec.fields,
	};
	return [new CompiledFilter(core), ...(spec.and ?? []).flatMap((p) => compileUserFilter(p, refTime))];
}

/** A VS Code-style glob (`**`, `*`, `?`, `{a,b}`, `[..]`) as a RegExp over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
	let re = '';
	let inGroup = false;
	for (let i = 0; i < glob.length; i++) {
		const c = glob[i];
		if (c === '*') {
			if (glob[i + 1] === '*') {
				i++;
				if (glob[i + 1] === '/') { i++; re += '(?:.*/)?'; } else re += '.*';
			} else re += '[^/]*';
		} else if (c === '?') re += '[^/]';
		else if (c === '{') { inGroup = true; re += '(?:'; }
		else if (c === '}' && inGroup) { inGroup = false; re += ')'; }
		else if (c === ',' && inGroup) re += '|';
		else if (c === '[') {
			const end = glob.indexOf(']', i);
			if (end < 0) re += '\\[';
			else { re += glob.slice(i, end + 1).replace(/^\[!/, '[^'); i = end; }
		} else re += c.replace(/[.+^$()|\\]/g, '\\$&');
	}
	return new RegExp(`(?:^|/)${re}$`);
}
