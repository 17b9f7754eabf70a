import { HeaderMatch, LogFormat } from '../format';
import { Level } from '../levels';

/** No known format: every line is an entry of its own, with no level and no time. */
export const plainFormat: LogFormat = {
	id: 'plain',
	name: 'Plain text',
	parseHeader(): HeaderMatch {
		return { level: Level.Unknown, time: NaN, messageStart: 0 };
	},
};
