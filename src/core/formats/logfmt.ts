import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { Level, levelFromSyslogSeverity, levelFromToken } from '../levels';
import { parseTimestampString } from '../timestamp';

/**
 * logfmt (`time=… level=info msg="…" key=value`): Go slog's TextHandler, logrus' text formatter
 * without a TTY, Heroku. A header needs at least two pairs and one of level/time/msg.
 */
const PRI = /^<(\d{1,3})>(?=[\w.@/-]+=)/;
const PAIR = /([\w.@/-]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?:\s+|$)/y;

/** Parses `k=v` pairs from the line start; null when the line is not logfmt. */
export function parseLogfmt(line: string): Map<string, string> | null {
	const out = new Map<string, string>();
	let i = 0;
	while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
	PAIR.lastIndex = i;
	let lastKey = '', lastValueAt = -1;
	while (PAIR.lastIndex < line.length) {
		const start = PAIR.lastIndex;
		const m = PAIR.exec(line);
		if (!m) {
			PAIR.lastIndex = start;
			// An unquoted message that runs on with spaces (`… msg=%(message)s`, Python's logfmt-like
			// layouts): the rest of the line is the message.
			if ((lastKey === 'msg' || lastKey === 'message') && lastValueAt >= 0) out.set(lastKey, line.slice(lastValueAt).trimEnd());
			break;
		}
		lastKey = m[1];
		lastValueAt = m[2].startsWith('"') ? -1 : start + m[1].length + 1;
		let v = m[2];
		if (v.startsWith('"')) {
			try {
				v = JSON.parse(v) as string;
			} catch {
				v = v.slice(1, -1);
			}
		}
		out.set(m[1], v);
	}
	return out.size >= 2 ? out : null;
}

export const logfmtFormat: LogFormat = {
	id: 'logfmt',
	name: 'logfmt',
	headerBytes: 1 << 16,
	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		// Firewalls (FortiGate, …) send logfmt framed as syslog: `<189>date=… time=… level="notice" …`.
		const pri = PRI.exec(line);
		const kv = parseLogfmt(pri ? line.slice(pri[0].length) : line);
		if (!kv) return null;
		const lv = kv.get('level') ?? kv.get('lvl') ?? kv.get('severity');
		let t = kv.get('time') ?? kv.get('ts') ?? kv.get('t') ?? kv.get('timestamp');
		const date = kv.get('date');
		if (date !== undefined && t !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(date) && /^\d{1,2}:\d{2}/.test(t)) t = `${date}T${t}`;
		const msg = kv.get('msg') ?? kv.get('message');
		if (lv === undefined && t === undefined && msg === undefined) return null;
		const fields: Record<string, string> = {};
		for (const [k, v] of kv) fields[k] = v;
		let level = lv !== undefined ? levelFromToken(lv) : Level.Unknown;
		if (level === Level.Unknown && pri) level = levelFromSyslogSeverity(+pri[1] & 7);
		const out: HeaderMatch = { level, time: t !== undefined ? parseTimestampString(t, ctx) : NaN, messageStart: 0, fields };
		if (lv !== undefined) out.levelRaw = lv;
		else if (pri) out.levelRaw = pri[0];
		if (msg !== undefined) out.message = msg.split('\n', 1)[0];
		const logger = kv.get('logger') ?? kv.get('component') ?? kv.get('source') ?? kv.get('caller');
		if (logger !== undefined) out.logger = logger;
		return out;
	},
};
