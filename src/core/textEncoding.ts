/**
 * What bytes of a log are text, and in which encoding — the rules the line scanner, the sources
 * that read lines back and the CLI share.
 *
 * - A log is UTF-8 (or any ASCII-compatible bytes, read as latin1 where a header is parsed) unless it
 *   starts with a UTF-16 byte-order mark (Windows PowerShell 5.1 `>` and `Out-File`): then lines end
 *   at the code unit LF, offsets stay byte offsets of the file, and text is decoded from UTF-16
 *   wherever it is read (`decodeText`).
 * - NUL bytes are text: a run of zeros left by a crash or by logrotate's copytruncate (the writer kept
 *   its old offset, the head of the file is a hole) is part of the line it is in. A header is read
 *   after the NUL run a line starts with; messages show a run as one placeholder (`showNuls`).
 * - A file is binary only when much of a sample of it is not text (`looksBinary`).
 *
 * Tests: test/core/textBytes.test.ts (fixtures from scripts/make-text-fixtures.py) and the
 * property test test/core/scannerProperty.test.ts.
 */
import { TextDecoder } from 'node:util';

/** How a log's bytes are decoded: UTF-8, or UTF-16 announced by a byte-order mark. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The encoding the first bytes of a file announce (a UTF-16 BOM), else UTF-8. */
export function bomEncoding(head: Buffer): TextEncoding {
	if (head.length >= 2) {
		// FF FE 00 00 is UTF-32LE's mark: not UTF-16 (and not supported: its sample decides).
		if (head[0] === 0xff && head[1] === 0xfe && !(head.length >= 4 && head[2] === 0 && head[3] === 0)) return 'utf-16le';
		if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
	}
	return 'utf-8';
}

const decoders: Partial<Record<TextEncoding, TextDecoder>> = {};

/**
 * Bytes of the file (in `encoding`) as a string. A UTF-16 range is cut to whole code units; a BOM
 * is kept (as U+FEFF, which readers of line 0 drop as they do UTF-8's). Invalid sequences become
 * U+FFFD.
 */
export function decodeText(bytes: Buffer, encoding: TextEncoding): string {
	if (encoding === 'utf-8') return bytes.toString('utf8');
	const d = (decoders[encoding] ??= new TextDecoder(encoding, { ignoreBOM: true }));
	return d.decode(bytes.subarray(0, bytes.length & ~1));
}

/** The bytes of a UTF-16 range re-encoded as UTF-8 (what readers of lines and headers expect). */
export function toUtf8(bytes: Buffer, encoding: TextEncoding): Buffer {
	return encoding === 'utf-8' ? bytes : Buffer.from(decodeText(bytes, encoding), 'utf8');
}

const ZEROS = Buffer.alloc(4096);

/**
 * Position of the first byte at or after `i` (before `end`) that is not NUL. A long run is passed
 * 4 KB at a time by memcmp: a 1 GB hole costs 0.1 s instead of 0.9 s byte by byte.
 */
export function skipNuls(buf: Buffer, i: number, end: number): number {
	const stop = Math.min(end, i + 64);
	while (i < stop && buf[i] === 0) i++;
	if (i < stop) return i;
	while (end - i >= 4096 && buf.compare(ZEROS, 0, 4096, i, i + 4096) === 0) i += 4096;
	while (i < end && buf[i] === 0) i++;
	return i;
}

/** The placeholder for a NUL run: `␀` for one, `␀×4096` for a run of 4096. */
export function nulPlaceholder(n: number): string {
	return n === 1 ? '\u2400' : `\u2400\u00d7${n}`;
}

const NUL_RUN = /\0+/g;

/** The text with each NUL run replaced by its placeholder (messages stay readable and short). */
export function showNuls(s: string): string {
	return s.indexOf('\0') < 0 ? s : s.replace(NUL_RUN, (m) => nulPlaceholder(m.length));
}

/** Bytes `looksBinary` examines. */
export const BINARY_PROBE = 64 * 1024;

/**
 * Whether a file is binary, from a sample of its first bytes: much of it is not text — more than
 * 30% of its units (a byte, a UTF-8 sequence, a NUL run). Text is printable ASCII, tab, LF, CR,
 * FF, VT, ESC (colour codes), valid UTF-8 sequences and NULs; a run of NULs counts once, as one
 * unit that is not text, so a hole of zeros or a stray NUL never makes a log binary. Measured:
 * executables score 62–73% (ELF: ls, node, libc), compressed data 43–57% (gzip, jar, PNG, pyc) —
 * hence not "more than half" — while a log with NULs, latin1 accents or a hole scores a few percent.
 * A sample of NULs only is no binary file: the head of a log truncated by copytruncate before its
 * writer wrote more.
 */
export function looksBinary(buf: Buffer, n = Math.min(buf.length, BINARY_PROBE)): boolean {
	let units = 0, bad = 0, nulRuns = 0;
	let i = 0;
	while (i < n) {
		const b = buf[i];
		units++;
		if (b >= 0x20 && b < 0x7f) {
			i++;
			continue;
		}
		if (b === 0) {
			bad++;
			nulRuns++;
			i = skipNuls(buf, i, n);
			continue;
		}
		if (b < 0x80) {
			if (!(b === 9 || b === 10 || b === 13 || b === 12 || b === 11 || b === 27)) bad++;
			i++;
			continue;
		}
		const len = utf8Length(buf, i, n);
		if (len === 0) {
			bad++;
			i++;
		} else i += len;
	}
	return nulRuns < units && bad * 10 > units * 3;
}

/** Length of the valid UTF-8 sequence starting at `i` (a lead byte ≥ 0x80), 0 when invalid; a sequence cut by the end of the sample counts as valid. */
function utf8Length(buf: Buffer, i: number, n: number): number {
	const b = buf[i];
	const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
	for (let k = 1; k < len; k++) {
		if (i + k >= n) return n - i;
		if ((buf[i + k] & 0xc0) !== 0x80) return 0;
	}
	return len;
}
