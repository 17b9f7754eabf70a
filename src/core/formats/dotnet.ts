import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { levelFromToken } from '../levels';
import { parseTimestampAt } from '../timestamp';

/**
 * .NET: Microsoft.Extensions.Logging console output (`info: Category[EventId]` with the message on
 * the indented lines below) and Serilog's default templates (`[12:00:00 INF] msg`,
 * `2024-01-01 12:00:00.123 +00:00 [INF] msg`). NLog/log4net layouts are read by the generic engine.
 */
const MEL = /^(trce|dbug|info|warn|fail|crit): ([^[\s]+)\[(\d+)\]/;
const SERILOG_CONSOLE = /^\[(\d{2}:\d{2}:\d{2}) (VRB|DBG|INF|WRN|ERR|FTL)\] ?/;
const SERILOG_FILE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [+-]\d{2}:\d{2})?) \[(VRB|DBG|INF|WRN|ERR|FTL)\] ?/;

const MEL_LEVEL: Record<string, string> = { trce: 'TRACE', dbug: 'DEBUG', info: 'INFO', warn: 'WARNING', fail: 'ERROR', crit: 'CRITICAL' };

export const dotnetFormat: LogFormat = {
	id: 'dotnet',
	name: '.NET',
	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		let m = MEL.exec(line);
		if (m) return { level: levelFromToken(MEL_LEVEL[m[1]]), levelRaw: m[1], time: NaN, logger: m[2], messageStart: m[0].length, fields: { eventId: m[3] } };
		m = SERILOG_FILE.exec(line);
		if (m) {
			const ts = parseTimestampAt(line, 0, ctx);
			return { level: levelFromToken(m[2]), levelRaw: m[2], time: ts ? ts.time : NaN, messageStart: m[0].length };
		}
		m = SERILOG_CONSOLE.exec(line);
		if (m) return { level: levelFromToken(m[2]), levelRaw: m[2], time: NaN, messageStart: m[0].length };
		return null;
	},
};
