// strftime format strings (as Python's `logging.Formatter(datefmt=...)` hands them to
// `time.strftime`) turned into a regex that matches the text they produce and a reader from that
// text back to epoch milliseconds. C-locale names only: that is what a server process writes unless
// it calls `locale.setlocale`.

/** A compiled strftime format. */
export interface CompiledStrftime {
	/** The datefmt it was compiled from. */
	readonly datefmt: string;
	/** Regex source (no capturing groups, not anchored) matching what the format writes. */
	readonly pattern: string;
	/** True when the format writes a calendar day (day of month or day of year, or `%s`). */
	readonly hasDate: boolean;
	/** True when the format writes a year. */
	readonly hasYear: boolean;
	/** True when the format writes a UTC offset or a zone name. */
	readonly hasZone: boolean;
	/** True when the format writes a fraction of a second (`%f`, or the default `,mmm`). */
	readonly hasFraction: boolean;
	/**
	 * Reads text written by the format back to epoch ms; NaN when the text does not match or the
	 * format has no calendar day (a bare `%H:%M:%S` says nothing about the date).
	 */
	parse(text: string, ctx?: StrftimeContext): number;
}

/** Values the text itself may not carry. */
export interface StrftimeContext {
	/** Year for formats without one (`%b %d %H:%M:%S`); defaults to the current year. */
	year?: number;
	/** UTC offset in minutes for times without a zone; default: the machine's local zone. */
	zoneOffsetMinutes?: number;
}

/** Options for compileStrftime. */
export interface StrftimeOptions {
	/**
	 * Append Python's default millisecond suffix (`default_msec_format = '%s,%03d'`). A `.`
	 * separator is accepted too because subclasses commonly set `default_msec_format = '%s.%03d'`.
	 */
	msecSuffix?: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** C-locale composite directives, expanded before compiling. */
const COMPOSITES: Record<string, string> = {
	c: '%a %b %e %H:%M:%S %Y',
	x: '%m/%d/%y',
	X: '%H:%M:%S',
	D: '%m/%d/%y',
	T: '%H:%M:%S',
	R: '%H:%M',
	F: '%Y-%m-%d',
	r: '%I:%M:%S %p',
};

type Slot = 'Y' | 'y' | 'C' | 'm' | 'b' | 'd' | 'j' | 'H' | 'I' | 'M' | 'S' | 'p' | 'f' | 'z' | 'Z' | 's' | 'ms' | null;

interface Part {
	/** Regex source for the part, without groups. */
	src: string;
	/** Which value the text of this part carries (null: checked but not read, e.g. weekday). */
	slot: Slot;
}

function escapeRegex(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Two-digit numeric directive: `0`-padded by default, `-` drops the padding, `_` pads with a space. */
function num2(flag: string, spacePadded = false): string {
	if (flag === '-') return '\\d{1,2}';
	if (flag === '_' || (spacePadded && flag !== '0')) return '[ \\d]\\d';
	return '\\d{2}';
}

function directive(conv: string, flag: string): Part | null {
	switch (conv) {
		case 'Y': return { src: '\\d{4}', slot: 'Y' };
		case 'y': return { src: num2(flag), slot: 'y' };
		case 'C': return { src: '\\d{2}', slot: 'C' };
		case 'G': return { src: '\\d{4}', slot: null };
		case 'g': return { src: '\\d{2}', slot: null };
		case 'm': return { src: num2(flag), slot: 'm' };
		case 'd': return { src: num2(flag), slot: 'd' };
		case 'e': return { src: num2(flag, true), slot: 'd' };
		case 'j': return { src: flag === '-' ? '\\d{1,3}' : '\\d{3}', slot: 'j' };
		case 'H': return { src: num2(flag), slot: 'H' };
		case 'k': return { src: num2(flag, true), slot: 'H' };
		case 'I': return { src: num2(flag), slot: 'I' };
		case 'l': return { src: num2(flag, true), slot: 'I' };
		case 'M': return { src: num2(flag), slot: 'M' };
		case 'S': return { src: num2(flag), slot: 'S' };
		case 'p': case 'P': return { src: '[AaPp][Mm]', slot: 'p' };
		case 'b': case 'h': return { src: '[A-Za-z]{3}', slot: 'b' };
		case 'B': return { src: '[A-Za-z]{3,9}', slot: 'b' };
		case 'a': return { src: '[A-Za-z]{3}', slot: null };
		case 'A': return { src: '[A-Za-z]{6,9}', slot: null };
		case 'u': return { src: '[1-7]', slot: null };
		case 'w': return { src: '[0-6]', slot: null };
		case 'U': case 'W': case 'V': return { src: '\\d{2}', slot: null };
		// glibc's strftime, which time.strftime calls, leaves %f untouched; datetime.strftime writes
		// microseconds. Custom formatTime overrides use the latter, so accept both.
		case 'f': return { src: '(?:\\d{6}|%f)', slot: 'f' };
		case 'z': return { src: '(?:[+-]\\d{2}:?\\d{2}|Z)', slot: 'z' };
		case 'Z': return { src: '[A-Za-z+-][A-Za-z0-9+-]*', slot: 'Z' };
		case 's': return { src: '\\d+', slot: 's' };
		case 'n': return { src: '\\n', slot: null };
		case 't': return { src: '\\t', slot: null };
		case '%': return { src: '%', slot: null };
		default: return null;
	}
}

function expandComposites(fmt: string): string {
	return fmt.replace(/%([-_0^#]?)([cxXDTRFr%])/g, (all, _flag: string, c: string) => (c === '%' ? all : COMPOSITES[c]!));
}

function tokenize(fmt: string): Part[] {
	const parts: Part[] = [];
	const expanded = expandComposites(fmt);
	let literal = '';
	for (let i = 0; i < expanded.length; i++) {
		const ch = expanded[i]!;
		if (ch !== '%' || i + 1 >= expanded.length) {
			literal += ch;
			continue;
		}
		let j = i + 1;
		let flag = '';
		if ('-_0^#'.includes(expanded[j]!) && j + 1 < expanded.length) flag = expanded[j++]!;
		const conv = expanded[j]!;
		const d = directive(conv, flag);
		if (!d) {
			// glibc writes an unknown directive as it stands.
			literal += expanded.slice(i, j + 1);
			i = j;
			continue;
		}
		if (literal) parts.push({ src: escapeRegex(literal), slot: null });
		literal = '';
		parts.push(d);
		i = j;
	}
	if (literal) parts.push({ src: escapeRegex(literal), slot: null });
	return parts;
}

/** Compiles a strftime format (Python `datefmt`). */
export function compileStrftime(datefmt: string, options: StrftimeOptions = {}): CompiledStrftime {
	const parts = tokenize(datefmt);
	if (options.msecSuffix) parts.push({ src: '[,.]\\d{3}', slot: 'ms' });
	const pattern = parts.map((p) => (p.slot ? `(?:${p.src})` : p.src)).join('');
	const slots = parts.map((p) => p.slot);
	const capturing = new RegExp('^' + parts.map((p) => (p.slot ? `(${p.src})` : p.src)).join('') + '$');
	const slotsRead = slots.filter((s): s is Exclude<Slot, null> => s !== null);
	const has = (...s: Slot[]): boolean => s.some((x) => slots.includes(x));
	const hasDate = has('d', 'j', 's');
	return {
		datefmt,
		pattern,
		hasDate,
		hasYear: has('Y', 'y', 's'),
		hasZone: has('z', 'Z', 's'),
		hasFraction: has('f', 'ms'),
		parse(text: string, ctx: StrftimeContext = {}): number {
			const m = capturing.exec(text);
			if (!m || !hasDate) return NaN;
			return toEpoch(slotsRead, m, ctx);
		},
	};
}

function toEpoch(slots: Exclude<Slot, null>[], m: RegExpExecArray, ctx: StrftimeContext): number {
	let year = NaN;
	let century = NaN;
	let yy = NaN;
	let month = 0;
	let day = 1;
	let yday = NaN;
	let hour = 0;
	let hour12 = NaN;
	let pm: boolean | undefined;
	let minute = 0;
	let second = 0;
	let ms = 0;
	let offset: number | undefined;
	for (let i = 0; i < slots.length; i++) {
		const v = m[i + 1]!;
		switch (slots[i]) {
			case 'Y': year = +v; break;
			case 'y': yy = +v; break;
			case 'C': century = +v; break;
			case 'm': month = +v.trim() - 1; break;
			case 'b': {
				month = MONTHS.indexOf(v.slice(0, 3).toLowerCase());
				if (month < 0) return NaN;
				break;
			}
			case 'd': day = +v.trim(); break;
			case 'j': yday = +v; break;
			case 'H': hour = +v.trim(); break;
			case 'I': hour12 = +v.trim(); break;
			case 'p': pm = v.toLowerCase() === 'pm'; break;
			case 'M': minute = +v; break;
			case 'S': second = +v; break;
			case 'f': if (v !== '%f') ms = Math.floor(+v / 1000); break;
			case 'ms': ms = +v.slice(1); break;
			case 'z': offset = v === 'Z' ? 0 : (v[0] === '-' ? -1 : 1) * (+v.slice(1, 3) * 60 + +v.slice(-2)); break;
			case 'Z': if (/^(?:UTC|GMT|Z|UT)$/i.test(v)) offset = 0; break;
			case 's': return +v * 1000 + ms;
		}
	}
	if (isNaN(year)) {
		if (!isNaN(yy)) year = isNaN(century) ? (yy < 69 ? 2000 + yy : 1900 + yy) : century * 100 + yy;
		else year = ctx.year ?? new Date().getFullYear();
	}
	if (!isNaN(hour12)) hour = (hour12 % 12) + (pm ? 12 : 0);
	else if (pm !== undefined && hour < 12 && pm) hour += 12;
	if (!isNaN(yday)) {
		month = 0;
		day = yday;
	}
	if (month < 0 || month > 11 || day < 1 || day > 366 || hour > 23 || minute > 59 || second > 61) return NaN;
	const zone = offset ?? ctx.zoneOffsetMinutes;
	if (zone !== undefined) {
		const d = new Date(0);
		d.setUTCFullYear(year, month, day);
		d.setUTCHours(hour, minute, second, ms);
		return d.getTime() - zone * 60000;
	}
	const d = new Date(2000, 0, 1);
	d.setFullYear(year, month, day);
	d.setHours(hour, minute, second, ms);
	return d.getTime();
}
