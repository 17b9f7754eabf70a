import type { LogIndex } from '../core/index/logIndex';
import type { ByteSource } from '../core/byteSource';

/** The text of one line (without its newline), at most `maxBytes` of it. */
export function lineText(index: LogIndex, source: ByteSource, line: number, maxBytes = 1 << 16): string {
	const s = index.lineStart(line);
	const e = index.lineEnd(line);
	return source.read(s, Math.min(e - s, maxBytes)).toString('utf8');
}
