import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { levelFromToken } from '../levels';
import { fracToMs, wallClockToMs } from '../timestamp';

/** glog / klog (Kubernetes, Go, C++): `I0102 15:04:05.123456   1234 file.go:12] msg`. */
const GLOG = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6}) +(\d+) ([^\s:\]]+:\d+)\] ?/;

export const glogFormat: LogFormat = {
	id: 'glog',
	name: 'glog/klog',
	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		const m = GLOG.exec(line);
		if (!m) return null;
		return { level: levelFromToken(m[1]), levelRaw: m[1], time: wallClockToMs(ctx.year, +m[2], +m[3], +m[4], +m[5], +m[6], fracToMs(m[7]), undefined, ctx), logger: m[9], messageStart: m[0].length, fields: { pid: m[8] } };
	},
};
