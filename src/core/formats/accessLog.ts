import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { Level } from '../levels';
import { parseTimestampAt } from '../timestamp';

/**
 * Apache/nginx access logs (common and combined): the level comes from the HTTP status
 * (5xx error, 4xx warning, anything else info), as lnav does, marked as derived (`levelFrom`);
 * `ParseContext.statusLevels: false` turns that off. The message is the request line onwards.
 */
const ACCESS = /^(\S+) (\S+) (\S+) \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?)\] "([^"\\]*(?:\\.[^"\\]*)*)" (\d{3}) (\d+|-)/;

export const accessLogFormat: LogFormat = {
	id: 'access',
	name: 'HTTP access log',
	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		const m = ACCESS.exec(line);
		if (!m) return null;
		const ts = parseTimestampAt(line, m[1].length + m[2].length + m[3].length + 4, ctx);
		const status = +m[6];
		const derive = ctx.statusLevels !== false;
		const level = !derive ? Level.Unknown : status >= 500 ? Level.Error : status >= 400 ? Level.Warning : Level.Info;
		const req = m[5].split(' ');
		const fields: Record<string, string> = { remote: m[1], status: m[6], bytes: m[7] };
		if (m[3] !== '-') fields.user = m[3];
		if (req.length >= 2) {
			fields.method = req[0];
			fields.path = req[1];
		}
		const out: HeaderMatch = { level, time: ts ? ts.time : NaN, messageStart: line.indexOf('"'), fields };
		if (derive) {
			out.levelRaw = m[6];
			out.levelFrom = 'status';
		}
		return out;
	},
};
