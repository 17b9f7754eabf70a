import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { levelFromToken } from '../levels';
import { parseTimestampAt } from '../timestamp';

/**
 * Apache httpd error log (2.2 `[Sun Dec 04 04:47:44 2005] [notice] msg`, 2.4 `[... .123456 2005]
 * [core:error] [pid 1:tid 2] [client 1.2.3.4:5] msg`) and nginx error log
 * (`2023/01/01 12:00:00 [error] 1234#0: *1 msg`).
 */
const APACHE = /^\[((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [^\]]{10,40})\] \[(?:([\w-]+):)?(\w+)\](?: \[pid (\d+)(?::tid (\d+))?\])?(?: \[client ([^\]]+)\])? ?/;
const NGINX = /^(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}) \[(\w+)\] (\d+)#(\d+): (?:\*(\d+) )?/;

export const apacheErrorFormat: LogFormat = {
	id: 'apache-error',
	name: 'Apache/nginx error log',
	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		let m = APACHE.exec(line);
		if (m) {
			const ts = parseTimestampAt(line, 1, ctx);
			const fields: Record<string, string> = {};
			if (m[4]) fields.pid = m[4];
			if (m[5]) fields.tid = m[5];
			if (m[6]) fields.client = m[6];
			const out: HeaderMatch = { level: levelFromToken(m[3]), levelRaw: m[3], time: ts ? ts.time : NaN, messageStart: m[0].length, fields };
			if (m[2]) out.logger = m[2];
			return out;
		}
		m = NGINX.exec(line);
		if (!m) return null;
		const ts = parseTimestampAt(line, 0, ctx);
		const fields: Record<string, string> = { pid: m[3], tid: m[4] };
		if (m[5]) fields.connection = m[5];
		return { level: levelFromToken(m[2]), levelRaw: m[2], time: ts ? ts.time : NaN, messageStart: m[0].length, fields };
	},
};
