// Python `configparser` syntax as `logging.config.fileConfig` reads it: sections, `key = value` /
// `key: value`, indented continuation lines, whole-line `#`/`;` comments, keys lower-cased,
// a DEFAULT section, and BasicInterpolation (`%(key)s`, `%%`) for values not read raw.

/** One section: its keys (lower case) with raw values, and the line of its header. */
export interface IniSection {
	name: string;
	line: number;
	values: Map<string, string>;
}

/** A parsed configparser file. */
export interface IniFile {
	sections: Map<string, IniSection>;
	defaults: Map<string, string>;
}

/** Parses configparser syntax (default options: `=`/`:` delimiters, no inline comments). */
export function parseIni(text: string): IniFile {
	const sections = new Map<string, IniSection>();
	const defaults = new Map<string, string>();
	let cur: Map<string, string> | null = null;
	let lastKey: string | null = null;
	let keyIndent = 0;
	const lines = text.split(/\r?\n/);
	for (let n = 0; n < lines.length; n++) {
		const line = lines[n]!;
		const stripped = line.trim();
		const indent = line.length - line.trimStart().length;
		if (/^[#;]/.test(stripped)) continue;
		if (stripped === '') {
			// Empty lines may sit inside a multi-line value; trailing ones are trimmed below.
			if (cur && lastKey !== null) cur.set(lastKey, cur.get(lastKey)! + '\n');
			continue;
		}
		if (cur && lastKey !== null && indent > keyIndent) {
			cur.set(lastKey, cur.get(lastKey)! + '\n' + stripped);
			continue;
		}
		const sect = /^\[(.+)\]$/.exec(stripped);
		if (sect && indent === 0) {
			const name = sect[1]!;
			if (name === 'DEFAULT') cur = defaults;
			else {
				const s = sections.get(name) ?? { name, line: n + 1, values: new Map<string, string>() };
				sections.set(name, s);
				cur = s.values;
			}
			lastKey = null;
			continue;
		}
		if (!cur) continue;
		const d = /[=:]/.exec(stripped);
		const key = (d ? stripped.slice(0, d.index) : stripped).trim().toLowerCase();
		cur.set(key, d ? stripped.slice(d.index + 1).trim() : '');
		lastKey = key;
		keyIndent = indent;
	}
	const trim = (m: Map<string, string>): void => {
		for (const [k, v] of m) m.set(k, v.replace(/\n+$/, ''));
	};
	trim(defaults);
	for (const s of sections.values()) trim(s.values);
	return { sections, defaults };
}

/**
 * A value with BasicInterpolation applied (`%(key)s` from the section or DEFAULT, `%%` → `%`);
 * undefined when the key is missing. Unknown references are left as written.
 */
export function iniGet(ini: IniFile, section: string, key: string, raw = false): string | undefined {
	const s = ini.sections.get(section);
	const v = s?.values.get(key) ?? ini.defaults.get(key);
	if (v === undefined || raw) return v;
	return interpolate(ini, s?.values, v, 0);
}

function interpolate(ini: IniFile, values: Map<string, string> | undefined, v: string, depth: number): string {
	if (depth > 10) return v;
	return v.replace(/%%|%\(([^)]+)\)s/g, (all, ref: string | undefined) => {
		if (ref === undefined) return '%';
		const r = values?.get(ref.toLowerCase()) ?? ini.defaults.get(ref.toLowerCase());
		return r === undefined ? all : interpolate(ini, values, r, depth + 1);
	});
}
