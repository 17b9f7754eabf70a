import { ParseContext } from './format';

/**
 * Timestamps as logs write them at (or near) the start of a header line, parsed to epoch
 * milliseconds. One sticky regex with an alternative per shape; each alternative has its own
 * groups because JavaScript (Node 20) does not allow duplicate group names.
 */

const MON = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const DAY = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
/** Zone abbreviations logs write after the time (PostgreSQL's `%t`/`%m` use the server's), minutes east of UTC. */
const ZONE_NAMES: Record<string, number> = {
	UTC: 0, GMT: 0, UT: 0, WET: 0, WEST: 60, BST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180, MSK: 180,
	IST: 330, SGT: 480, HKT: 480, JST: 540, KST: 540, AEST: 600, AEDT: 660, ACST: 570, AWST: 480, NZST: 720, NZDT: 780,
	EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420, AKST: -540, AKDT: -480, HST: -600,
};
const ZONE = `(Z|[+-]\\d{2}(?::?\\d{2})?|(?:${Object.keys(ZONE_NAMES).sort((a, b) => b.length - a.length).join('|')})(?![A-Za-z]))`;
const FRAC = '(?:[.,:](\\d{1,9}))?';

/** Group layout per alternative: the first group index of each, filled in below. */
const ALTERNATIVES: string[] = [
	// 0 ISO 8601 / RFC 3339 / Python asctime / Go `2006/01/02 15:04:05` (7 groups + zone)
	`(\\d{4})[-/](\\d{2})[-/](\\d{2})(?:[T ]| {2})(\\d{1,2}):(\\d{2})(?::(\\d{2}))?${FRAC}(?: ?${ZONE})?`,
	// 1 compact `20171223-22:15:29:606`, `20240101T120000Z`
	`(\\d{4})(\\d{2})(\\d{2})[-T ](\\d{1,2}):?(\\d{1,2}):?(\\d{1,2})${FRAC}(Z)?`,
	// 2 HDFS `081109 203615`, Tornado `240314 10:00:05` (yyMMdd)
	`(\\d{2})(\\d{2})(\\d{2}) (\\d{2}):?(\\d{2}):?(\\d{2})`,
	// 3 log4j `yy/MM/dd HH:mm:ss` (Spark, Hadoop)
	`(\\d{2})/(\\d{2})/(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})${FRAC}`,
	// 4 US / European `MM/DD/YYYY h:mm:ss AM`
	`(\\d{1,2})[/.](\\d{1,2})[/.](\\d{4})[ ,T]+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?${FRAC}(?: ?([AaPp][Mm]))?`,
	// 5 logcat `MM-DD HH:MM:SS.mmm` (year from context)
	`(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})\\.(\\d{3,6})`,
	// 6 syslog RFC 3164 `Mon DD HH:MM:SS` with optional year before or after the time
	`(${MON}) +(\\d{1,2})(?: (\\d{4}))? (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?(?: (\\d{4})(?![\\d:]))?`,
	// 7 ctime / Apache error `Sun Dec 04 04:47:44 2005`
	`(?:${DAY}) (${MON}) +(\\d{1,2}) (\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))? (\\d{4})`,
	// 8 access log `10/Oct/2000:13:55:36 -0700`
	`(\\d{2})/(${MON})/(\\d{4}):(\\d{2}):(\\d{2}):(\\d{2})(?: ([+-]\\d{4}))?`,
	// 9 Tomcat / RFC 1123 `18-Oct-2015 18:01:47.978`, `Mon, 02 Jan 2006 15:04:05 GMT`
	// (the year may be missing: Redis 2.x `30 May 12:23:52.442`)
	`(?:(?:${DAY}), )?(\\d{1,2})[- ](${MON})(?:[- ](\\d{4}))?[ :](\\d{2}):(\\d{2}):(\\d{2})${FRAC}(?: ?${ZONE})?`,
	// 10 Proxifier `10.30 16:49:06` (MM.DD)
	`(\\d{2})\\.(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})`,
	// 11 epoch seconds (10 digits, optional fraction) or milliseconds (13 digits)
	`(\\d{10}(?:\\.\\d{1,9})?|\\d{13})`,
	// 12 DB2 / Blue Gene RAS `2005-06-03-15.42.50.675872`
	`(\\d{4})-(\\d{2})-(\\d{2})-(\\d{2})\\.(\\d{2})\\.(\\d{2})(?:\\.(\\d{1,9}))?`,
	// 13 time of day only `12:00:01.123` (no date: NaN time, still a timestamp)
	`(\\d{1,2}):(\\d{2}):(\\d{2})${FRAC}`,
];
const GROUP_COUNTS = [8, 8, 6, 7, 8, 6, 8, 7, 7, 8, 5, 1, 7, 4];
const FIRST_GROUP: number[] = [];
{
	let g = 1;
	for (const n of GROUP_COUNTS) {
		FIRST_GROUP.push(g);
		g += n;
	}
}

/** Regex source of every supported timestamp shape (capturing groups inside). */
export const TIMESTAMP_SOURCE = `(?:${ALTERNATIVES.map((a) => `(${a})`).join('|')})(?![\\w])`;
// Each alternative is wrapped in one more group that tells which one matched.
const WRAPPED_FIRST: number[] = [];
{
	let g = 1;
	for (let i = 0; i < ALTERNATIVES.length; i++) {
		WRAPPED_FIRST.push(g);
		g += 1 + GROUP_COUNTS[i];
	}
}
const STICKY = new RegExp(TIMESTAMP_SOURCE, 'y');

const MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

/** A timestamp found in a line: epoch ms (NaN when it carries no date) and where it ends. */
export interface TimestampMatch {
	time: number;
	start: number;
	end: number;
	/** Which shape matched (index into the internal table); stable within one build, for learning layouts. */
	shape: number;
}

const zoneCache = new Map<number, number>();

/** Minutes east of UTC of the machine's zone at that local hour (cached per hour). */
function localOffsetMinutes(y: number, mo: number, d: number, h: number): number {
	const key = ((y * 13 + mo) * 32 + d) * 25 + h;
	let off = zoneCache.get(key);
	if (off === undefined) {
		off = -new Date(y, mo - 1, d, h).getTimezoneOffset();
		if (zoneCache.size > 100000) zoneCache.clear();
		zoneCache.set(key, off);
	}
	return off;
}

/**
 * Epoch ms of a wall-clock time. `zoneMinutes` is the zone written in the log (minutes east of UTC);
 * undefined falls back to the context's default zone, then the machine's zone.
 */
export function wallClockToMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, zoneMinutes: number | undefined, ctx: ParseContext): number {
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return NaN;
	const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms);
	const off = zoneMinutes ?? ctx.defaultZoneOffsetMinutes ?? localOffsetMinutes(y, mo, d, h);
	return utc - off * 60000;
}

/** Fraction digits (`978`, `123456`, `5`) to milliseconds. */
export function fracToMs(frac: string | undefined): number {
	if (!frac) return 0;
	if (frac.length === 3) return +frac;
	return Math.floor(+(frac + '000').slice(0, 3));
}

/** `Z`, `+02:00`, `-0700`, `UTC` to minutes east of UTC; undefined when absent. */
export function zoneToMinutes(z: string | undefined): number | undefined {
	if (!z) return undefined;
	if (z === 'Z') return 0;
	const named = ZONE_NAMES[z];
	if (named !== undefined) return named;
	const sign = z[0] === '-' ? -1 : 1;
	const digits = z.slice(1).replace(':', '');
	const h = +digits.slice(0, 2);
	const m = digits.length > 2 ? +digits.slice(2, 4) : 0;
	return sign * (h * 60 + m);
}

function digitAt(line: string, i: number): number {
	const c = line.charCodeAt(i) - 48;
	return c >= 0 && c <= 9 ? c : -1;
}

/** A zone the regex would read at `i`: `Z`, `+hh`/`-hh`, `UTC`, `GMT`. */
function zoneAt(line: string, i: number): boolean {
	const c = line.charCodeAt(i);
	if (c === 90) return true;
	if (c === 43 || c === 45) return digitAt(line, i + 1) >= 0;
	// (on the quick path of every header: compare in place, no substring per line)
	const names = c >= 65 && c <= 90 ? ZONES_BY_FIRST[c - 65] : undefined;
	if (names === undefined) return false;
	for (const z of names) {
		const after = line.charCodeAt(i + z.length);
		if (line.startsWith(z, i) && !((after >= 65 && after <= 90) || (after >= 97 && after <= 122))) return true;
	}
	return false;
}

/** Zone abbreviations by their first letter (A–Z), for `zoneAt`. */
const ZONES_BY_FIRST: (string[] | undefined)[] = (() => {
	const out: (string[] | undefined)[] = new Array(26);
	for (const z of Object.keys(ZONE_NAMES)) (out[z.charCodeAt(0) - 65] ??= []).push(z);
	return out;
})();

/**
 * The most common shape, `2024-05-01 10:00:00,123` (or `T`, `/`, `.`, `:`), read by character
 * codes: exactly what the sticky regex's first alternative returns for it. Anything the regex
 * might read differently — a zone, AM/PM, a one-digit hour, more text glued on — is left to it
 * (undefined).
 */
function commonIso(line: string, pos: number, ctx: ParseContext): TimestampMatch | undefined {
	const d0 = digitAt(line, pos), d1 = digitAt(line, pos + 1), d2 = digitAt(line, pos + 2), d3 = digitAt(line, pos + 3);
	if ((d0 | d1 | d2 | d3) < 0) return undefined;
	const sep = line.charCodeAt(pos + 4);
	if ((sep !== 45 && sep !== 47) || line.charCodeAt(pos + 7) !== sep) return undefined;
	const t = line.charCodeAt(pos + 10);
	if ((t !== 84 && t !== 32) || line.charCodeAt(pos + 13) !== 58 || line.charCodeAt(pos + 16) !== 58) return undefined;
	const mo0 = digitAt(line, pos + 5), mo1 = digitAt(line, pos + 6), da0 = digitAt(line, pos + 8), da1 = digitAt(line, pos + 9);
	const h0 = digitAt(line, pos + 11), h1 = digitAt(line, pos + 12), mi0 = digitAt(line, pos + 14), mi1 = digitAt(line, pos + 15);
	const s0 = digitAt(line, pos + 17), s1 = digitAt(line, pos + 18);
	if ((mo0 | mo1 | da0 | da1 | h0 | h1 | mi0 | mi1 | s0 | s1) < 0) return undefined;
	let end = pos + 19;
	let ms = 0;
	const f = line.charCodeAt(end);
	if ((f === 46 || f === 44 || f === 58) && digitAt(line, end + 1) >= 0) {
		let k = end + 1;
		while (digitAt(line, k) >= 0) k++;
		if (k - end - 1 > 9) return undefined;
		ms = fracToMs(line.slice(end + 1, k));
		end = k;
	}
	// A zone may follow (`Z`, `+02:00`, ` UTC`), or a word character that makes the regex step
	// back: then it decides.
	const nx = line.charCodeAt(end);
	if (nx === 95 || (nx >= 48 && nx <= 57) || (nx >= 65 && nx <= 90) || (nx >= 97 && nx <= 122)) return undefined;
	if (zoneAt(line, nx === 32 ? end + 1 : end)) return undefined;
	const time = wallClockToMs(d0 * 1000 + d1 * 100 + d2 * 10 + d3, mo0 * 10 + mo1, da0 * 10 + da1, h0 * 10 + h1, mi0 * 10 + mi1, s0 * 10 + s1, ms, undefined, ctx);
	return { time, start: pos, end, shape: 0 };
}

/** Parses a timestamp that starts exactly at `pos`; null when none does. */
export function parseTimestampAt(line: string, pos: number, ctx: ParseContext): TimestampMatch | null {
	const quick = commonIso(line, pos, ctx);
	if (quick !== undefined) return quick;
	return parseTimestampAtRegex(line, pos, ctx);
}

/** `parseTimestampAt` by the regex alone (the reference its quick path is tested against). */
export function parseTimestampAtRegex(line: string, pos: number, ctx: ParseContext): TimestampMatch | null {
	STICKY.lastIndex = pos;
	const m = STICKY.exec(line);
	if (!m) return null;
	let alt = 0;
	while (alt < ALTERNATIVES.length && m[WRAPPED_FIRST[alt]] === undefined) alt++;
	const g = (k: number): string | undefined => m[WRAPPED_FIRST[alt] + 1 + k];
	const n = (k: number): number => +(g(k) ?? 0);
	let time = NaN;
	switch (alt) {
		case 0: time = wallClockToMs(n(0), n(1), n(2), n(3), n(4), n(5), fracToMs(g(6)), zoneToMinutes(g(7)), ctx); break;
		case 1: time = wallClockToMs(n(0), n(1), n(2), n(3), n(4), n(5), fracToMs(g(6)), g(7) ? 0 : undefined, ctx); break;
		case 2: time = wallClockToMs(2000 + n(0), n(1), n(2), n(3), n(4), n(5), 0, undefined, ctx); break;
		case 3: time = wallClockToMs(2000 + n(0), n(1), n(2), n(3), n(4), n(5), fracToMs(g(6)), undefined, ctx); break;
		case 4: {
			// Month first (US) unless the first number cannot be a month; `.` separates European D.M.Y.
			let mo = n(0), d = n(1);
			if (mo > 12 || line[pos + (g(0) as string).length] === '.') [mo, d] = [d, mo];
			let h = n(3);
			const ampm = g(7)?.toUpperCase();
			if (ampm === 'PM' && h < 12) h += 12;
			if (ampm === 'AM' && h === 12) h = 0;
			time = wallClockToMs(n(2), mo, d, h, n(4), n(5), fracToMs(g(6)), undefined, ctx);
			break;
		}
		case 5: time = wallClockToMs(ctx.year, n(0), n(1), n(2), n(3), n(4), fracToMs(g(5)), undefined, ctx); break;
		case 6: {
			const year = g(2) ? n(2) : g(7) ? n(7) : ctx.year;
			time = wallClockToMs(year, MONTHS[g(0) as string], n(1), n(3), n(4), n(5), fracToMs(g(6)), undefined, ctx);
			break;
		}
		case 7: time = wallClockToMs(n(6), MONTHS[g(0) as string], n(1), n(2), n(3), n(4), fracToMs(g(5)), undefined, ctx); break;
		case 8: time = wallClockToMs(n(2), MONTHS[g(1) as string], n(0), n(3), n(4), n(5), 0, zoneToMinutes(g(6)), ctx); break;
		case 9: time = wallClockToMs(g(2) ? n(2) : ctx.year, MONTHS[g(1) as string], n(0), n(3), n(4), n(5), fracToMs(g(6)), zoneToMinutes(g(7)), ctx); break;
		case 10: time = wallClockToMs(ctx.year, n(0), n(1), n(2), n(3), n(4), 0, undefined, ctx); break;
		case 11: {
			const v = +(g(0) as string);
			time = (g(0) as string).length === 13 ? v : Math.round(v * 1000);
			break;
		}
		case 12: time = wallClockToMs(n(0), n(1), n(2), n(3), n(4), n(5), fracToMs(g(6)), undefined, ctx); break;
		default: time = NaN;
	}
	return { time, start: pos, end: pos + m[0].length, shape: alt };
}

/** Parses a whole string as a timestamp (JSON `time` fields, CLI `--since`); NaN when it is not one. */
export function parseTimestampString(text: string, ctx: ParseContext): number {
	const t = text.trim();
	const m = parseTimestampAt(t, 0, ctx);
	if (m && m.end >= t.length - 1) return m.time;
	const d = Date.parse(t);
	return Number.isNaN(d) ? NaN : d;
}

/** The default parse context: this year, the machine's zone. */
export function defaultParseContext(year = new Date().getFullYear()): ParseContext {
	return { year };
}
