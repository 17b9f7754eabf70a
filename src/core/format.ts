import { Level } from './levels';

/** What a format reads from a header line (the first line of an entry). */
export interface HeaderMatch {
	/** Canonical level; `Level.Unknown` when the header has no level field. */
	level: Level;
	/** The level text as written (`WARN`, `E`, `<3>`, `40`), when there is one. */
	levelRaw?: string;
	/** Where a level the format has no field for was derived from: `status` (an access log's HTTP status). */
	levelFrom?: 'status';
	/** Epoch milliseconds, or NaN when the header has no (parsable) time. */
	time: number;
	/** Logger / component / tag / program name, when the format has one. */
	logger?: string;
	/** Character offset in the line where the message part begins (after the header). */
	messageStart: number;
	/** Character offset where the message ends (defaults to the line's end). JSON formats set this with `message`. */
	messageEnd?: number;
	/** The message text when it is not a plain slice of the line (JSON `msg`, unescaped). */
	message?: string;
	/** Every other named field the format knows (pid, thread, funcName, lineno, custom extras …). */
	fields?: Record<string, string>;
}

/** Context for parsing: values a header cannot carry by itself. */
export interface ParseContext {
	/** Year assumed for formats without one (syslog RFC 3164, logcat); defaults to the file's mtime year. */
	year: number;
	/** Offset from UTC in minutes assumed for times without a zone; default: the machine's local zone. */
	defaultZoneOffsetMinutes?: number;
	/** Access logs take their level from the HTTP status (5xx error, 4xx warning, else info); false: no level. Default true. */
	statusLevels?: boolean;
}

/**
 * A log format: recognises header lines and reads their fields. A line for which `parseHeader`
 * returns null is a continuation line of the entry above. Formats are stateless and shared.
 */
export interface LogFormat {
	/** Stable id used by settings and the CLI (`python`, `log4j`, `syslog`, `json`, `generic`, …). */
	readonly id: string;
	/** Human-readable name shown in the status bar. */
	readonly name: string;
	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null;
	/**
	 * How many bytes of a line the index decodes to parse its header (default 4096). Formats whose
	 * fields can sit anywhere in the line (JSON) ask for more.
	 */
	readonly headerBytes?: number;
	/**
	 * A copy of the format tuned to a sample of the file (e.g. which field holds the level), so
	 * message words are never read as levels. Detection and `--format ID` both call it when present.
	 */
	learn?(lines: readonly string[], ctx: ParseContext): LogFormat;
	/**
	 * Optional fast path for the index: level and time of the header in `buf[s, e)` read from
	 * bytes, or null when unsure (then `parseHeader` decides). Must agree with `parseHeader`.
	 */
	readFast?(buf: Uint8Array, s: number, e: number): { level: Level; time: number } | null;
	/**
	 * Optional, with `readFast`: right after `readFast` accepted a header, the offset in `buf` where
	 * that line's message starts (what `parseHeader` reports as `messageStart`), given the line's
	 * end `e`; -1 when unsure. Lets template mining read messages without decoding headers.
	 */
	messageStartFast?(buf: Uint8Array, e: number): number;
	/**
	 * Wrapped logs only (container runtimes, journald; see formats/wrappers.ts): how the physical
	 * line `buf[s, e)` links to the line below — bit 0 (`LINK_PARTIAL`) set when its record goes
	 * on there (CRI `P`, a Docker chunk without `\n`); the other bits name its source (stream, pod,
	 * process): a line from another source than the line above never continues that line's entry.
	 * -1: not a line of the wrapper. The scanner calls it on every line when present.
	 */
	link?(buf: Uint8Array, s: number, e: number): number;
	/**
	 * With `link`: the header of a wrapper line the inner format did not read as one — the first
	 * piece of a record the runtime cut (read from what came before the cut; null when that reads as
	 * no header), or, when `moved` (its source differs from the line above), a line that starts an
	 * entry anyway (then at least the wrapper's own time and level).
	 */
	ownHeader?(line: string, ctx: ParseContext, moved: boolean): HeaderMatch | null;
	/**
	 * With `link`: an entry's physical lines (header first, escapes removed) read as the inner log
	 * — its header (message from the joined first record) and its unwrapped lines.
	 */
	unwrapEntry?(lines: readonly string[], ctx: ParseContext): { header: HeaderMatch | null; lines: string[] };
	/**
	 * With `unwrapEntry`: it takes the entry's lines decoded as latin1 (a char per byte) and decodes
	 * the inner text itself — a character the runtime split over two lines is whole again.
	 */
	readonly latin1Entries?: boolean;
	/**
	 * With `link`: the header of a record the runtime cut into the physical lines `lines` (latin1,
	 * escapes removed), read once it is whole — the index revises the entry its first piece started.
	 */
	joinedHeader?(lines: readonly string[], ctx: ParseContext): HeaderMatch | null;
}

/** `LogFormat.link`: the record goes on on the next line. */
export const LINK_PARTIAL = 1;

/** The outcome of detection over a sample of lines. */
export interface DetectedFormat {
	format: LogFormat;
	/** Share of sampled non-empty lines the format recognised as headers, 0..1. */
	confidence: number;
}
