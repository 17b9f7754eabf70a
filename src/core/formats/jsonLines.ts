import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { Level, levelFromNumber, levelFromSyslogSeverity, levelFromToken } from '../levels';
import { parseTimestampString } from '../timestamp';

/**
 * JSON lines: one object per line (any spacing), as written by pino, bunyan, python-json-logger,
 * structlog, Serilog's compact formatter (CLEF), logstash/ECS encoders, zap, zerolog, MongoDB 4.4+
 * and `journalctl -o json`. A line that is not a JSON object (a stack trace printed below) is a
 * continuation line.
 */
const LEVEL_KEYS = ['level', 'lvl', 'levelname', 'severity', 'log.level', 'loglevel', 'log_level', '@l', 'level_name', 'levelName', 'Level', 'Severity', 'severity_text'];
const TIME_KEYS = ['time', 'timestamp', '@timestamp', 'asctime', 'ts', '@t', 't.$date', '__REALTIME_TIMESTAMP', 'datetime', 'date', 'Timestamp', 'time_local', 'created'];
const MESSAGE_KEYS = ['msg', 'message', 'MESSAGE', '@m', 'event', 'Message', '@mt', 'log'];
const LOGGER_KEYS = ['logger', 'name', 'logger_name', 'log.logger', 'loggerName', 'SourceContext', 'component', 'module', 'SYSLOG_IDENTIFIER', '_COMM'];

function lookup(obj: Record<string, unknown>, key: string): unknown {
	if (key in obj) return obj[key];
	const dot = key.indexOf('.');
	if (dot > 0) {
		const inner = obj[key.slice(0, dot)];
		if (inner && typeof inner === 'object') return (inner as Record<string, unknown>)[key.slice(dot + 1)];
	}
	return undefined;
}

function scalar(v: unknown): string | undefined {
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	return undefined;
}

/** The JSON object of a line, or null (cheap checks first: it must start with `{` and end with `}`). */
export function parseJsonObject(line: string): Record<string, unknown> | null {
	let s = 0;
	while (line.charCodeAt(s) === 32 || line.charCodeAt(s) === 9) s++;
	if (line.charCodeAt(s) !== 123) return null;
	let e = line.length - 1;
	while (e > s && (line.charCodeAt(e) === 32 || line.charCodeAt(e) === 9)) e--;
	if (line.charCodeAt(e) !== 125) return null;
	try {
		const v: unknown = JSON.parse(s === 0 && e === line.length - 1 ? line : line.slice(s, e + 1));
		return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
	} catch {
		return null;
	}
}

/** Epoch seconds, ms, µs or ns (told apart by magnitude) to ms. */
function epochMs(v: number): number {
	return v > 1e17 ? v / 1e6 : v > 1e14 ? v / 1e3 : v > 1e11 ? v : v * 1000;
}

/** An epoch number written as a string (`"1714557600123456"`, `"1714557600.123"`), else NaN. */
function epochString(v: string): number {
	return /^\d{9,19}(?:\.\d+)?$/.test(v) ? epochMs(+v) : NaN;
}

/** MongoDB 4.4+ structured logs: `{"t":{"$date":…},"s":"I","c":"NETWORK",…}` — `s` is the severity, `c` the component. */
function isMongo(obj: Record<string, unknown>): boolean {
	return typeof obj.s === 'string' && typeof obj.c === 'string' && obj.t !== null && typeof obj.t === 'object';
}

/** MongoDB severities: F E W I, and D1…D5 for debug verbosity. */
function mongoLevel(s: string): Level {
	return /^D\d?$/.test(s) ? Level.Debug : s.length === 1 ? levelFromToken(s) : Level.Unknown;
}

/** A journald field value: a string, or an array of bytes when it is not valid UTF-8. */
function journalText(v: unknown): string | undefined {
	if (typeof v === 'string') return v;
	if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
	return undefined;
}

/** A CLEF message template (`{User} logged in`) rendered with the record's properties; `{{`/`}}` are literal braces. */
export function renderTemplate(template: string, obj: Record<string, unknown>): string {
	return template.replace(/\{\{|\}\}|\{([@$]?)([\w.]+)(?:[,:][^}]*)?\}/g, (m: string, _op: string, name: string | undefined) => {
		if (m === '{{') return '{';
		if (m === '}}') return '}';
		const v = name === undefined ? undefined : obj[name];
		if (v === undefined) return m;
		return typeof v === 'string' ? v : JSON.stringify(v);
	});
}

/** Reads level/time/message/logger/fields from a parsed JSON log record. */
export function recordToHeader(obj: Record<string, unknown>, ctx: ParseContext): HeaderMatch {
	let level = Level.Unknown;
	let levelRaw: string | undefined;
	let levelKey: string | undefined;
	const mongo = isMongo(obj);
	for (const k of LEVEL_KEYS) {
		const v = lookup(obj, k);
		if (v === undefined || v === null) continue;
		levelKey = k;
		if (typeof v === 'number') {
			level = levelFromNumber(v, 'pino');
			levelRaw = String(v);
		} else if (typeof v === 'string') {
			levelRaw = v;
			level = levelFromToken(v.trim());
			if (level === Level.Unknown && /^\d+$/.test(v)) level = levelFromNumber(+v, 'pino');
		}
		break;
	}
	if (levelKey === undefined) {
		const pri = obj.PRIORITY;
		if (typeof obj.levelno === 'number') {
			level = levelFromNumber(obj.levelno, 'python');
			levelRaw = String(obj.levelno);
		} else if (mongo) {
			levelRaw = obj.s as string;
			level = mongoLevel(levelRaw);
		} else if ((typeof pri === 'string' && /^[0-7]$/.test(pri)) || (typeof pri === 'number' && pri >= 0 && pri <= 7)) {
			// journald: the syslog severity.
			levelRaw = String(pri);
			level = levelFromSyslogSeverity(+pri);
		} else if ('@t' in obj && ('@mt' in obj || '@m' in obj)) {
			// Serilog compact JSON leaves @l out for Information.
			level = Level.Info;
		}
	}
	let time = NaN;
	for (const k of TIME_KEYS) {
		const v = lookup(obj, k);
		if (typeof v === 'number') {
			time = epochMs(v);
			break;
		}
		if (typeof v === 'string') {
			time = epochString(v);
			if (Number.isNaN(time)) time = parseTimestampString(v, ctx);
			if (!Number.isNaN(time)) break;
		}
	}
	let message: string | undefined;
	for (const k of MESSAGE_KEYS) {
		const raw = lookup(obj, k);
		const v = k === 'MESSAGE' ? journalText(raw) : scalar(raw);
		if (v !== undefined) {
			message = k === '@mt' ? renderTemplate(v, obj) : v;
			break;
		}
	}
	let logger: string | undefined;
	if (mongo) logger = obj.c as string;
	else {
		for (const k of LOGGER_KEYS) {
			const v = scalar(lookup(obj, k));
			if (v !== undefined) {
				logger = v;
				break;
			}
		}
	}
	const fields: Record<string, string> = {};
	for (const [k, v] of Object.entries(obj)) {
		const s = scalar(v);
		if (s !== undefined) fields[k] = s;
		else if (v && typeof v === 'object') fields[k] = JSON.stringify(v);
	}
	const out: HeaderMatch = { level, time, messageStart: 0, fields };
	if (levelRaw !== undefined) out.levelRaw = levelRaw;
	if (message !== undefined) out.message = message.split('\n', 1)[0];
	if (logger !== undefined) out.logger = logger;
	return out;
}

export const jsonFormat: LogFormat = {
	id: 'json',
	name: 'JSON lines',
	headerBytes: 1 << 20,
	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		const obj = parseJsonObject(line);
		return obj ? recordToHeader(obj, ctx) : null;
	},
};
