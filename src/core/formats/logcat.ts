import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { Level, levelFromToken } from '../levels';
import { wallClockToMs, fracToMs } from '../timestamp';

/** Android logcat: `threadtime` (the default), `time` and `brief` output. */
const THREADTIME = /^(?:(\d{4})-)?(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3,6}) +(?:(\d+) +(\d+) +)?([VDIWEFAS])[ /](.*?)(?:\( *(\d+)\))? *: ?/;
const BRIEF = /^([VDIWEFAS])\/(.*?)\( *(\d+)\): ?/;

function logcatLevel(c: string): Level {
	return c === 'A' ? Level.Critical : c === 'S' ? Level.Unknown : levelFromToken(c);
}

export const logcatFormat: LogFormat = {
	id: 'logcat',
	name: 'Android logcat',
	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		let m = THREADTIME.exec(line);
		if (m) {
			const year = m[1] ? +m[1] : ctx.year;
			const fields: Record<string, string> = {};
			if (m[8]) fields.pid = m[8];
			if (m[9]) fields.tid = m[9];
			if (m[12]) fields.pid = m[12];
			return { level: logcatLevel(m[10]), levelRaw: m[10], time: wallClockToMs(year, +m[2], +m[3], +m[4], +m[5], +m[6], fracToMs(m[7]), undefined, ctx), logger: m[11].trim(), messageStart: m[0].length, fields };
		}
		m = BRIEF.exec(line);
		if (!m) return null;
		return { level: logcatLevel(m[1]), levelRaw: m[1], time: NaN, logger: m[2].trim(), messageStart: m[0].length, fields: { pid: m[3] } };
	},
};
