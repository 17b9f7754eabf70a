/**
 * ANSI escape sequences (ECMA-48) as colourful formatters write them — colorlog, rich, uvicorn,
 * docker compose: SGR colours `ESC[31m`, bold, cursor moves, OSC hyperlinks `ESC]8;;url BEL`.
 * The engine parses headers, messages and templates from text without them, while the index keeps
 * pointing at the raw bytes (so offsets stay exact). Everything here works on both strings and
 * bytes and leaves text without ESC untouched (and unallocated).
 */

const ESC = 27;
const BEL = 7;

/**
 * Length of the escape sequence starting at `i` (where `at(i)` is ESC), reading at most up to
 * `end`. A lone or cut-off ESC counts as one character, so it is dropped too.
 */
function sequenceLength(at: (k: number) => number, i: number, end: number): number {
	if (i + 1 >= end) return 1;
	const c = at(i + 1);
	if (c === 91 /* [ */) {
		// CSI: parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E.
		let k = i + 2;
		while (k < end) {
			const b = at(k);
			if (b >= 0x40 && b <= 0x7e) return k + 1 - i;
			if (b < 0x20 || b > 0x3f) return k - i;
			k++;
		}
		return end - i;
	}
	if (c === 93 /* ] */ || c === 80 /* P */ || c === 95 /* _ */ || c === 94 /* ^ */) {
		// OSC / DCS / APC / PM: a string up to BEL or ESC \ (capped so a stray ESC ] cannot eat a line).
		const limit = Math.min(end, i + 4096);
		for (let k = i + 2; k < limit; k++) {
			const b = at(k);
			if (b === BEL) return k + 1 - i;
			if (b === ESC) return at(k + 1) === 92 && k + 1 < end ? k + 2 - i : k - i;
			if (b === 10) return k - i;
		}
		return 2;
	}
	if (c >= 0x20 && c <= 0x2f) {
		// nF: intermediates then a final byte (`ESC ( B` selects a character set).
		let k = i + 1;
		while (k < end && at(k) >= 0x20 && at(k) <= 0x2f) k++;
		return k < end && at(k) >= 0x30 && at(k) <= 0x7e ? k + 1 - i : k - i;
	}
	if (c >= 0x30 && c <= 0x7e) return 2; // Fp / Fe / Fs: `ESC 7`, `ESC M`, `ESC c`
	return 1;
}

/** True when the text holds an ESC (and so may hold escape sequences). */
export function hasAnsi(text: string): boolean {
	return text.indexOf('\x1b') >= 0;
}

/** The text without its escape sequences (the same string when it has none). */
export function stripAnsi(text: string): string {
	let i = text.indexOf('\x1b');
	if (i < 0) return text;
	const at = (k: number): number => text.charCodeAt(k);
	let out = '';
	let from = 0;
	while (i >= 0) {
		out += text.slice(from, i);
		from = i + sequenceLength(at, i, text.length);
		i = text.indexOf('\x1b', from);
	}
	return out + text.slice(from);
}

/** Text without escapes plus the way back to offsets in the original. */
export interface AnsiStripped {
	text: string;
	/** Offset in the original of character `k` of `text` (`text.length` maps to the original's end). */
	rawOffset(k: number): number;
	/**
	 * Where a part of `text` that starts at `k` starts in the original: just after character
	 * `k - 1`, so the escapes that style the part (`ESC[1m` before a message) belong to it.
	 */
	rawStart(k: number): number;
}

/** Strips escapes and keeps where each kept run came from (header offsets map back to raw lines). */
export function stripAnsiMapped(raw: string): AnsiStripped {
	if (raw.indexOf('\x1b') < 0) return { text: raw, rawOffset: (k) => k, rawStart: (k) => k };
	const at = (k: number): number => raw.charCodeAt(k);
	// Runs of kept text: clean start → raw start.
	const cleanStarts: number[] = [];
	const rawStarts: number[] = [];
	let text = '';
	let from = 0;
	let i = raw.indexOf('\x1b');
	while (i >= 0) {
		if (i > from) {
			cleanStarts.push(text.length);
			rawStarts.push(from);
			text += raw.slice(from, i);
		}
		from = i + sequenceLength(at, i, raw.length);
		i = raw.indexOf('\x1b', from);
	}
	if (from < raw.length) {
		cleanStarts.push(text.length);
		rawStarts.push(from);
		text += raw.slice(from);
	}
	return {
		text,
		rawStart(k: number): number {
			return k <= 0 ? 0 : this.rawOffset(k - 1) + 1;
		},
		rawOffset(k: number): number {
			if (k >= text.length) return raw.length;
			let lo = 0, hi = cleanStarts.length - 1;
			while (lo < hi) {
				const mid = (lo + hi + 1) >> 1;
				if (cleanStarts[mid] <= k) lo = mid;
				else hi = mid - 1;
			}
			return rawStarts[lo] + (k - cleanStarts[lo]);
		},
	};
}

/** True when `buf[s, e)` holds an ESC byte. */
export function hasAnsiBytes(buf: Uint8Array, s: number, e: number): boolean {
	for (let i = s; i < e; i++) if (buf[i] === ESC) return true;
	return false;
}

/**
 * Copies `buf[s, e)` into `out` at `o` without escape sequences; returns the new end in `out`
 * (which must have room for `e - s` bytes).
 */
export function stripAnsiBytesInto(buf: Uint8Array, s: number, e: number, out: Uint8Array, o: number): number {
	const at = (k: number): number => buf[k];
	let i = s;
	while (i < e) {
		const b = buf[i];
		if (b === ESC) {
			i += sequenceLength(at, i, e);
			continue;
		}
		out[o++] = b;
		i++;
	}
	return o;
}
