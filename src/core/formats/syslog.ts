import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { Level, levelFromSyslogSeverity, levelFromToken } from '../levels';
import { parseTimestampAt, parseTimestampString } from '../timestamp';

/**
 * syslog: RFC 3164 (`<PRI>Mon DD HH:MM:SS host prog[pid]: msg`, PRI optional as files written by
 * rsyslog/journald omit it), the same with an RFC 3339 timestamp (rsyslog's high-precision
 * template), and RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG`). The level comes from
 * PRI; without PRI the header has no level (unknown) and the logger is the program.
 */
const RFC3164 = /^(?:<(\d{1,3})>)?((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2}(?: \d{4})? \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: \d{4}(?= ))?|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})) ([^\s[\]]+)(?: +([^\s:[][^:[]{0,47}?)(?:\[(\d+)\])?(?: \([^)]*\))?:(?= |$))? ?/;
const RFC5424 = /^<(\d{1,3})>\d{1,2} (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]"\\]|"(?:[^"\\]|\\.)*")*\])+) ?/;

/** A `level=…` / `severity=…` pair in the message (logfmt, key=value firewall logs). */
const KEY_LEVEL = /(?:^|[\s,;])(?:level|severity|lvl|loglevel)=("?)([A-Za-z]{1,13})\1(?=[\s,;]|$)/;

/** The program's own level, written as a key in the message, wins over PRI (often a fixed facility.severity). */
function keyLevel(line: string, h: HeaderMatch): void {
	const k = KEY_LEVEL.exec(line.slice(h.messageStart));
	if (!k) return;
	const level = levelFromToken(k[2]);
	if (level === Level.Unknown) return;
	h.level = level;
	h.levelRaw = k[2];
}

export const syslogFormat: LogFormat = {
	id: 'syslog',
	name: 'syslog',
	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		let m = RFC5424.exec(line);
		if (m) {
			const pri = +m[1];
			const fields: Record<string, string> = { host: m[3] };
			if (m[5] !== '-') fields.pid = m[5];
			if (m[6] !== '-') fields.msgid = m[6];
			let start = m[0].length;
			if (line.charCodeAt(start) === 0xef && line.charCodeAt(start + 1) === 0xbb) start += 3; // BOM as latin1
			if (line.charCodeAt(start) === 0xfeff) start++;
			const h: HeaderMatch = { level: levelFromSyslogSeverity(pri & 7), levelRaw: `<${m[1]}>`, time: m[2] === '-' ? NaN : parseTimestampString(m[2], ctx), logger: m[4] === '-' ? undefined : m[4], messageStart: start, fields };
			keyLevel(line, h);
			return h;
		}
		m = RFC3164.exec(line);
		// Without PRI a header needs its `program:` / `program[pid]:` (else any timestamped line would do).
		if (!m || (m[1] === undefined && m[4] === undefined)) return null;
		const tsStart = m[1] !== undefined ? m[1].length + 2 : 0;
		const ts = parseTimestampAt(line, tsStart, ctx);
		const fields: Record<string, string> = { host: m[3] };
		if (m[5] !== undefined) fields.pid = m[5];
		const out: HeaderMatch = { level: m[1] !== undefined ? levelFromSyslogSeverity(+m[1] & 7) : Level.Unknown, time: ts ? ts.time : NaN, messageStart: m[0].length, fields };
		if (m[1] !== undefined) out.levelRaw = `<${m[1]}>`;
		if (m[4] !== undefined) out.logger = m[4];
		keyLevel(line, out);
		return out;
	},
};
