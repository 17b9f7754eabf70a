import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { Level, levelFromToken } from '../levels';
import { parseTimestampString } from '../timestamp';

/**
 * logfmt (`time=… level=info msg="…" key=value`): Go slog's TextHandler, logrus' text formatter
 * without a TTY, Heroku. A header needs at least two pairs and one of level/time/msg.
 */
const PAIR = /([\w.@/-]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?:\s+|$)/y;

/** Parses `k=v` pairs from the line start; null when the line is not logfmt. */
export function parseLogfmt(line: string): Map<string, string> | null {
	const out = new Map<string, string>();
	let i = 0;
	while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
	PAIR.lastIndex = i;
	while (PAIR.lastIndex < line.length) {
		const start = PAIR.lastIndex;
		const m = PAIR.exec(line);
		if (!m) {
			PAIR.lastIndex = start;
			break;
		}
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
		const kv = parseLogfmt(line);
		if (!kv) return null;
		const lv = kv.get('level') ?? kv.get('lvl') ?? kv.get('severity');
		const t = kv.get('time') ?? kv.get('ts') ?? kv.get('t') ?? kv.get('timestamp');
		const msg = kv.get('msg') ?? kv.get('message');
		if (lv === undefined && t === undefined && msg === undefined) return null;
		const fields: Record<string, string> = {};
		for (const [k, v] of kv) fields[k] = v;
		const out: HeaderMatch = { level: lv !== undefined ? levelFromToken(lv) : Level.Unknown, time: t !== undefined ? parseTimestampString(t, ctx) : NaN, messageStart: 0, fields };
		if (lv !== undefined) out.levelRaw = lv;
		if (msg !== undefined) out.message = msg.split('\n', 1)[0];
		const logger = kv.get('logger') ?? kv.get('component') ?? kv.get('source') ?? kv.get('caller');
		if (logger !== undefined) out.logger = logger;
		return out;
	},
};
