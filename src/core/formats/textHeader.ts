import { SERVICE_PREFIX } from '../exceptions';
import { HeaderMatch, LogFormat, ParseContext } from '../format';
import { isSecondaryLevelWord, Level, levelFromMarker, levelFromToken } from '../levels';
import { parseTimestampAt, TimestampMatch } from '../timestamp';
import { FastHeaderReader, FastResult } from './fastHeader';
import { fieldLevel, HeaderField, isLoggerLike, LevelStyle, levelText, splitFields, STRICT } from './headerFields';

/**
 * The text-header engine behind the `python`, `log4j`, `go` and `generic` formats: a header is a
 * line that starts with a timestamp (optionally in brackets) or with a level word, followed by
 * fields (pid, thread, logger, level) before the message. Which field holds the level is learned
 * from a sample of the file (`learn`), so a message word is never read as a level; without a
 * sample only unambiguous level words (uppercase, 3+ letters, or in brackets) count.
 */
export interface TextLayout {
	/** Where the timestamp is: at the line start, right after a leading level, or absent. */
	ts: 'start' | 'afterLevel' | 'none';
	/** Index of the level among the fields after the timestamp (or from the line start); -1 = no level. */
	levelField: number;
	style: LevelStyle;
	/** Python's basicConfig default `LEVEL:logger:message`. */
	basic: boolean;
	/** A `logger:` or `logger -` field follows the level in most headers. */
	loggerAfter: boolean;
	/** A pid (all digits) follows the level/timestamp in most headers. */
	pidAfter: boolean;
	/**
	 * With `ts: 'start'`: how many fields may precede the timestamp (`[pid] time`, Redis's
	 * `pid:role time`, a file-name prefix); 0 when the timestamp opens the line.
	 */
	tsSkip?: number;
	/** One more field separator learned from the sample: `::` or `;` (`%(threadName)s::%(levelname)s::%(asctime)s`). */
	sep?: string;
	/**
	 * The level is a one-character marker right after the timestamp (Redis: `.` `-` `*` `#`),
	 * learned only where the column holds several different markers.
	 */
	markers?: boolean;
	/**
	 * No level; most headers name their program before a ` - ` within the first fields, sometimes
	 * with a qualifier (Proxifier's `chrome.exe *64 - `): all of it is header, not message.
	 */
	dashLogger?: boolean;
	/** A logger name followed by a bracketed context follows the level (oslo.log: `LEVEL name [req-…] msg`). */
	loggerBracket?: boolean;
	/**
	 * No level; the header ends with a `prog[pid]:` tag at this field after the timestamp in most lines
	 * (a syslog line behind a collector's own fields); -1 or absent when not learned.
	 */
	tagField?: number;
	/**
	 * Columns right after the level that are header in nearly every line: numbers (pid, thread id,
	 * line number), `file:line` sources, or one literal word (Flask's `in`).
	 */
	afterCols?: number;
	/** Header fields are tab-separated: the message starts after this many tabs (zap, tab layouts). */
	tabCols?: number;
	/** The first plain field after the level is a padded column in most headers (`Info   CBS    msg`). */
	paddedLogger?: boolean;
	/** The first plain field after the level is a Java `package.Class[.method]` name in most headers (Tomcat). */
	dottedLogger?: boolean;
}

const BASIC = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL|WARN|FATAL|NOTSET|TRACE|Level \d+):([^:\s]*):/;

/** Where a timestamp at the line start begins (after an optional `[`), null when none. */
function leadingTimestamp(line: string, ctx: ParseContext): LeadingTimestamp | null {
	const c = line.charCodeAt(0);
	if (c === 91 /* [ */) {
		const m = parseTimestampAt(line, 1, ctx);
		if (!m) return null;
		if (line.charCodeAt(m.end) === 93) return { ...m, end: m.end + 1 };
		// `[2024-05-01 10:00:00,123: INFO/MainProcess] …` (Celery): the rest of the bracket is a field
		if (line.charCodeAt(m.end) === 58 && line.charCodeAt(m.end + 1) === 32) {
			const close = line.indexOf(']', m.end + 2);
			if (close > m.end + 2 && close - m.end <= 80) return { ...m, end: m.end + 2, closeAt: close };
		}
		return /[\]\s]/.test(line[m.end] ?? '') ? m : null;
	}
	if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90)) {
		const m = parseTimestampAt(line, 0, ctx);
		if (m) return m;
	}
	// `web-1  | 2024-05-01 10:00:00,123 INFO …` (docker compose): a service name and `| ` first
	const p = SERVICE_PREFIX.exec(line);
	if (!p) return null;
	const at = p[0].length;
	if (line.charCodeAt(at) === 91) {
		const m = parseTimestampAt(line, at + 1, ctx);
		return m && line.charCodeAt(m.end) === 93 ? { ...m, end: m.end + 1 } : null;
	}
	return parseTimestampAt(line, at, ctx);
}


/** A timestamp at the line start; `closeAt`: it opened a bracket that closes there, after more fields. */
interface LeadingTimestamp extends TimestampMatch {
	closeAt?: number;
	/** Fields before the timestamp (pid, program, file name), when the layout allows them. */
	prefix?: HeaderField[];
}

/** Longest field before a timestamp that still reads as a header field (pid, program, file name). */
const PREFIX_FIELD_MAX = 64;

/**
 * A timestamp at the line start, or after at most `skip` short fields (`[1] 2019/02/06 …` nats,
 * `98738:M 30 May …` Redis, `MainThread::INFO::2024-…` with `sep`).
 */
function headerTimestamp(line: string, ctx: ParseContext, skip: number, sep: string): LeadingTimestamp | null {
	const m0 = leadingTimestamp(line, ctx);
	if (m0) return m0;
	// A lone `-` flag before the timestamp (BGL, Thunderbird: no alert category)
	if (line.charCodeAt(0) === 45 && line.charCodeAt(1) === 32) {
		const m = parseTimestampAt(line, 2, ctx);
		if (m) return m;
	}
	if (skip === 0) return null;
	const c0 = line.charCodeAt(0);
	if (c0 === 32 || c0 === 9) return null;
	if (c0 === 91) {
		// One bracket holds the header: `[I 240314 10:00:01 tasks:28] msg` (Tornado's LogFormatter)
		const sp = line.indexOf(' ', 1);
		const m = sp > 1 && sp <= 16 && line.lastIndexOf(']', sp) < 0 ? parseTimestampAt(line, sp + 1, ctx) : null;
		if (m) {
			const close = line.indexOf(']', m.end);
			const pre: HeaderField = { start: 1, end: sp, inner: line.slice(1, sp), bracket: false, colon: false, dash: false, pipe: false };
			if (close === m.end) return { ...m, end: close + 1, prefix: [pre] };
			if (close > m.end && close - m.end <= 120 && line.charCodeAt(m.end) === 32) return { ...m, end: m.end + 1, closeAt: close, prefix: [pre] };
		}
	}
	const fields = splitFields(line, 0, skip + 1, sep);
	// (a lone `-` opening the line is a separator to splitFields: BGL's "no alert" flag)
	for (let k = fields[0]?.start > 0 ? 0 : 1; k <= skip && k < fields.length; k++) {
		const p = fields[k - 1];
		if (p && (p.end - p.start > PREFIX_FIELD_MAX || (p.inner.length === 0 && !p.bracket))) return null;
		const f = fields[k];
		const m = parseTimestampAt(line, f.start + (f.bracket ? 1 : 0), ctx);
		if (!m) continue;
		if (f.bracket) {
			if (line.charCodeAt(m.end) !== 93) continue;
			return { ...m, end: m.end + 1, prefix: fields.slice(0, k) };
		}
		return { ...m, prefix: fields.slice(0, k) };
	}
	return null;
}

/**
 * The fields after a leading timestamp (`splitFields` from its end); what remains of a bracket the
 * timestamp opened is one bracketed field (`INFO/MainProcess` of a Celery header).
 */
function fieldsAfter(line: string, ts: LeadingTimestamp, max: number, sep = ''): HeaderField[] {
	if (ts.closeAt === undefined) return splitFields(line, ts.end, max, sep);
	const inner = line.slice(ts.end, ts.closeAt).trim();
	const first: HeaderField = { start: ts.end - 2, end: ts.closeAt + 1, inner, bracket: true, colon: false, dash: false, pipe: false };
	return [first, ...splitFields(line, ts.closeAt + 1, max - 1, sep)];
}

/** The Redis-style level marker right after a timestamp (` * msg`), or Unknown. */
function markerAfter(line: string, ts: LeadingTimestamp): Level {
	if (line.charCodeAt(ts.end) !== 32 || line.charCodeAt(ts.end + 2) !== 32) return Level.Unknown;
	return levelFromMarker(line[ts.end + 1]);
}

export class TextHeaderFormat implements LogFormat {
	/** Byte-level reader for the index's hot loop (learned; only when it agrees with parseHeader). */
	private fast: FastHeaderReader | null = null;

	constructor(readonly id: string, readonly name: string, readonly layout?: TextLayout) {}

	/**
	 * Parse results by line while a sample is being examined (learning, scoring, naming the
	 * flavour parse the same lines again); null otherwise.
	 */
	private parseCache: Map<string, HeaderMatch | null> | null = null;

	/**
	 * A copy of this format that reads headers with a layout learned from sample lines. A format
	 * that has learned its layout already is kept as it is: a caller handing one over (a follow
	 * tab's index rebuilt after trimming its head) wants headers read exactly as before, and
	 * learning again cost a follow tab at 10,000 lines/s a fifth of its server time.
	 */
	learn(lines: readonly string[], ctx: ParseContext): TextHeaderFormat {
		if (this.layout) return this;
		const f = this.learnCached(lines, ctx);
		f.endSample();
		return f;
	}

	/**
	 * `learn`, with the parse of each sample line remembered until `endSample()` (detection
	 * scores the learned format and names its flavour on the same lines).
	 */
	learnCached(lines: readonly string[], ctx: ParseContext): TextHeaderFormat {
		const layout = learnLayout(lines, ctx);
		const f = new TextHeaderFormat(this.id, this.name, layout);
		f.parseCache = new Map();
		if (layout.ts === 'start' && !layout.basic && !layout.tsSkip && !layout.sep && !layout.markers) f.fast = FastHeaderReader.learn(lines, layout.levelField, layout.style, ctx, f);
		return f;
	}

	/** Forgets the sample's parse results (see `learnCached`). */
	endSample(): void {
		this.parseCache = null;
	}

	/** The same learned format under another id/name (detection names the flavour after learning). */
	renamed(id: string, name: string): TextHeaderFormat {
		const f = new TextHeaderFormat(id, name, this.layout);
		f.fast = this.fast;
		return f;
	}

	readFast(buf: Uint8Array, s: number, e: number): FastResult | null {
		return this.fast === null ? null : this.fast.read(buf, s, e);
	}

	messageStartFast(buf: Uint8Array, e: number): number {
		return this.fast === null ? -1 : this.fast.messageStart(buf, e);
	}

	parseHeader(line: string, ctx: ParseContext): HeaderMatch | null {
		const cache = this.parseCache;
		if (cache === null) return this.parse(line, ctx);
		let h = cache.get(line);
		if (h === undefined) {
			h = this.parse(line, ctx);
			cache.set(line, h);
		}
		return h;
	}

	private parse(line: string, ctx: ParseContext): HeaderMatch | null {
		const L = this.layout;
		if (L?.basic || !L) {
			const b = BASIC.exec(line);
			if (b) {
				const lv = b[1].startsWith('Level') ? Level.Unknown : levelFromToken(b[1]);
				return { level: lv, levelRaw: b[1], time: NaN, logger: b[2], messageStart: b[0].length };
			}
			if (L) return null;
		}
		if (!L) return heuristic(line, ctx);
		if (L.ts === 'start') {
			const ts = headerTimestamp(line, ctx, L.tsSkip ?? 0, L.sep ?? '');
			if (!ts) return null;
			if (L.markers) {
				const level = markerAfter(line, ts);
				if (level !== Level.Unknown) {
					const h = build(line, ts, [], -1, Level.Unknown, L);
					h.level = level;
					h.levelRaw = line[ts.end + 1];
					h.messageStart = ts.end + 3;
					return h;
				}
			}
			const fields = fieldsAfter(line, ts, Math.max(L.levelField + 8, (L.tagField ?? -1) + 2, 8), L.sep ?? '');
			let li = -1;
			let level = Level.Unknown;
			if (L.levelField < -1) {
				// The level before the timestamp (`MainThread::INFO::2024-…`): a prefix field, counted back.
				const pre = ts.prefix ?? [];
				const f = pre[pre.length + L.levelField + 1];
				if (f && isSecondaryLevelWord(f.inner)) return null;
				if (f) level = fieldLevel(f, L.style, true);
				return build(line, ts, fields, -1, level, L, false, level !== Level.Unknown ? levelText(f) : undefined);
			}
			if (L.levelField >= 0) {
				const f = fields[L.levelField];
				if (f && isSecondaryLevelWord(f.inner)) return null;
				if (f) level = fieldLevel(f, L.style, true);
				if (level !== Level.Unknown) li = L.levelField;
				else {
					// The level moved (an optional field is missing or has a space, as PostgreSQL's
					// `%q%u@%d`): look nearby, strictly (a `WORD:` field may be a weaker level word).
					for (let k = 0; k < Math.min(fields.length - 1, L.levelField + 3); k++) {
						const g = fields[k];
						if (g.colon && isSecondaryLevelWord(g.inner)) return null;
						level = fieldLevel(g, STRICT, g.colon);
						if (level !== Level.Unknown) {
							li = k;
							break;
						}
					}
				}
			}
			return build(line, ts, fields, li, level, L);
		}
		if (L.levelField < 0) return null;
		if (L.ts === 'none' && L.levelField > 0) {
			// No timestamp, the level in a later field: the fields before it are logger, thread, pid.
			const fields = splitFields(line, 0, L.levelField + 5);
			const f = fields[L.levelField];
			if (!f || L.levelField >= fields.length - 1) return null;
			const level = fieldLevel(f, L.style, true);
			return level === Level.Unknown ? null : build(line, null, fields, L.levelField, level, L);
		}
		const fields = splitFields(line, 0, 6);
		const f0 = fields[0];
		if (!f0) return null;
		const level = fieldLevel(f0, L.style, true);
		if (level === Level.Unknown) return null;
		let ts: TimestampMatch | null = null;
		if (fields[1]) {
			ts = parseTimestampAt(line, fields[1].start + (fields[1].bracket ? 1 : 0), ctx);
		}
		if (L.ts === 'afterLevel' && !ts) return null;
		if (ts) {
			const end = fields[1].bracket ? ts.end + 1 : ts.end;
			const rest = splitFields(line, end, 4);
			return build(line, { ...ts, end }, [f0, ...rest], 0, level, L, true);
		}
		return build(line, null, fields, 0, level, L);
	}
}

/** Reads thread/pid/logger around the level and where the message begins. */
function build(line: string, ts: LeadingTimestamp | null, fields: HeaderField[], li: number, level: Level, L: TextLayout | undefined, tsAfterLevel = false, levelRaw?: string): HeaderMatch {
	const out: HeaderMatch = { level, time: ts ? ts.time : NaN, messageStart: ts && !tsAfterLevel ? ts.end : 0 };
	if (levelRaw !== undefined) out.levelRaw = levelRaw;
	const extra: Record<string, string> = {};
	let logger: string | undefined;
	if (ts?.prefix) readPrefix(ts.prefix, extra);
	const rest = ts?.closeAt !== undefined && li < 0 ? fields[0] : undefined;
	let next = 0;
	if (li >= 0) {
		out.levelRaw = levelText(fields[li]);
		// `channel.LEVEL:` (Monolog) and `level/Component:` (Icinga): the other part names the logger
		const lf = fields[li];
		if (!lf.bracket && lf.inner !== out.levelRaw) {
			if (lf.inner.endsWith(`.${out.levelRaw}`)) logger = lf.inner.slice(0, -out.levelRaw.length - 1);
			else if (lf.inner.startsWith(`${out.levelRaw}/`)) logger = lf.inner.slice(out.levelRaw.length + 1);
		}
		for (let k = 0; k < li; k++) {
			const f = fields[k];
			if (f.bracket) extra.thread = f.inner;
			else if (/^\d+$/.test(f.inner)) extra.pid = f.inner;
			else if (isLoggerLike(f.inner)) logger = f.inner;
		}
		next = li + 1;
		for (let c = 0; c < (L?.afterCols ?? 0) && next < fields.length - 1; c++, next++) {
			const f = fields[next];
			if (/^\d+$/.test(f.inner)) {
				if (extra.pid === undefined) extra.pid = f.inner;
				else extra.thread ??= f.inner;
			} else if (SOURCE.test(f.inner)) extra.source ??= f.inner;
		}
		const pidOk = L ? L.pidAfter : false;
		const loggerOk = L ? L.loggerAfter : false;
		const lb = fields[next + 1];
		if (L?.loggerBracket && lb?.bracket && !lb.colon && next + 2 < fields.length && !fields[next].bracket && isLoggerLike(fields[next].inner)) {
			logger = fields[next].inner;
			extra.context = lb.inner;
			next += 2;
		}
		for (let steps = 0; steps < 5 && next < fields.length && !L?.loggerBracket; steps++) {
			const f = fields[next];
			// Only the fields before the message: stop at the last field read (it may be a message word).
			if (next === fields.length - 1 && !f.colon && !f.dash) break;
			const g = fields[next + 1];
			if (!f.bracket && PUNCT_FIELD.test(f.inner) && next < fields.length - 1) {
				// A separator of punctuation (Rails `-- :`, Spring Boot `---`, CouchDB `--------`)
				next++;
			} else if (!f.bracket && !f.colon && g && !g.bracket && g.colon && g.inner === '' && next + 2 < fields.length && isLoggerLike(f.inner)) {
				// A padded logger before a lone `:` (Spring Boot `com.example.App      : msg`)
				if (logger === undefined) logger = f.inner;
				next += 2;
				break;
			} else if (logger === undefined && !f.bracket && !f.colon && !f.dash && g && isLoggerLike(f.inner) && ((L?.paddedLogger && line.startsWith('  ', f.end)) || (L?.dottedLogger && NAME.test(f.inner)))) {
				logger = f.inner;
				next++;
				break;
			} else if (f.bracket && !f.colon) {
				if (extra.thread === undefined) extra.thread = f.inner;
				else extra.context = f.inner;
				next++;
			} else if (pidOk && /^\d+$/.test(f.inner) && extra.pid === undefined) {
				extra.pid = f.inner;
				next++;
			} else if (f.pipe && next < fields.length - 1) {
				if (/^\d+$/.test(f.inner)) extra.pid ??= f.inner;
				else if (logger === undefined && isLoggerLike(f.inner)) logger = f.inner;
				else break;
				next++;
			} else if ((f.colon || f.dash) && isLoggerLike(f.inner) && (loggerOk || /[.$]/.test(f.inner) || f.dash)) {
				if (logger === undefined) logger = f.inner;
				else extra.source = f.inner;
				next++;
				if (f.colon || !loggerOk) break;
			} else break;
		}
		out.messageStart = fields[li].end;
	} else if (rest?.bracket) {
		// The rest of the bracket the timestamp is in (`tasks:28]`): a source or a logger
		if (SOURCE.test(rest.inner)) extra.source = rest.inner;
		else if (isLoggerLike(rest.inner)) logger = rest.inner;
		else extra.context = rest.inner;
		next = 1;
	} else if (L?.tagField !== undefined && L.tagField >= 0 && isTag(fields[L.tagField]) && L.tagField < fields.length - 1) {
		const tag = fields[L.tagField];
		const m = /^(.*?)(?:\[(\d+)\])?$/.exec(tag.inner) as RegExpExecArray;
		logger = m[1];
		if (m[2]) extra.pid = m[2];
		if (L.tagField > 0) extra.host = fields[L.tagField - 1].inner;
		next = L.tagField + 1;
	} else if (L?.dashLogger && dashWithin(fields) > 0 && isLoggerLike(fields[0].inner)) {
		const k = dashWithin(fields);
		logger = fields[0].inner;
		extra.tag = fields.slice(1, k + 1).map((f) => f.inner).join(' ');
		next = k + 1;
	} else {
		// No level: with a timestamp, read `host prog[pid]:`-less fields conservatively (a `name:` or `name -`).
		for (let k = 0; k < fields.length - 1 && k < 3; k++) {
			const f = fields[k];
			if (f.pipe && /^\d+$/.test(f.inner)) extra.pid ??= f.inner;
			else if ((f.dash || f.colon || f.pipe) && isLoggerLike(f.inner) && logger === undefined) logger = f.inner;
			else break;
			next = k + 1;
			if (!f.pipe) break;
		}
	}
	if (next > 0 && fields[next - 1]) out.messageStart = fields[next - 1].end;
	out.messageStart = skipSeparators(line, fields[next]?.start ?? out.messageStart, out.messageStart);
	if (L?.tabCols) {
		// Tab-separated columns: the message is what follows the learned number of tabs.
		let at = -1;
		for (let t = 0; t < L.tabCols; t++) {
			at = line.indexOf('\t', at + 1);
			if (at < 0) break;
		}
		if (at >= out.messageStart - 1) {
			const col = line.slice(out.messageStart, at).trim();
			if (col && logger === undefined && isLoggerLike(col)) logger = col;
			else if (col) extra.source ??= col;
			out.messageStart = at + 1;
		}
	}
	if (logger !== undefined) out.logger = logger;
	if (Object.keys(extra).length > 0) out.fields = extra;
	return out;
}

/**
 * A dotted name as loggers are named (`app.web.views`, `org.apache.catalina.startup.Catalina`): a
 * column of them right after the level, in most headers, is the logger column.
 */
const DOTTED = /^[A-Za-z_$][\w$-]*(?:\.[\w$-]+)+$/;
/** A name that may stand in a learned logger column (`app`, `root`, `app.db`). */
const NAME = /^[A-Za-z_$][\w$.-]*$/;

/** A source position column: `tasks.py:33`, `app.db:tasks.py:33`, `main.go:10`. */
const SOURCE = /^[\w.\/<>-]+(?::[\w.\/<>-]+)*:\d+:?$/;

/** A field of separator punctuation only (`--`, `---`, `:`), never a value. */
const PUNCT_FIELD = /^[-=~:]*$/;

/** A syslog-style program tag ending a header: `crond(pam_unix)[2915]:`, `sshd[24200]:`, `kernel:`. */
function isTag(f: HeaderField | undefined): boolean {
	return f !== undefined && f.colon && !f.bracket && /^[A-Za-z/][\w.()/@-]*(?:\[\d+\])?$/.test(f.inner);
}

/** Index of the first of the first three fields followed by ` - ` (with a message after it), -1 when none. */
function dashWithin(fields: HeaderField[]): number {
	for (let k = 0; k < 3 && k < fields.length - 1; k++) if (fields[k].dash) return k;
	return -1;
}

/**
 * Fields before the timestamp: a pid (`[1]`, `98738:M` with Redis's role letter), else the first
 * word is the source (a program or file name); the level, when it sits there, is read by the caller.
 */
function readPrefix(prefix: HeaderField[], extra: Record<string, string>): void {
	for (const f of prefix) {
		const pid = /^(\d+)(?::([A-Za-z][\w-]*))?$/.exec(f.inner);
		if (pid) {
			extra.pid ??= pid[1];
			if (pid[2]) extra.role ??= pid[2];
		} else if (levelFromToken(f.inner) === Level.Unknown && f.inner.length > 0) {
			if (f.bracket) extra.thread ??= f.inner;
			else extra.source ??= f.inner;
		}
	}
}

/** The message starts at the next field; when there is none, after blanks and separators. */
function skipSeparators(line: string, nextFieldStart: number, after: number): number {
	if (nextFieldStart > after) return nextFieldStart;
	let i = after;
	while (i < line.length && /[\s:|-]/.test(line[i]) && !(line[i] === '-' && line[i + 1] !== ' ' && i + 1 < line.length)) i++;
	return i;
}

/** Header rules without a learned layout: a leading timestamp, or a strict level word first. */
function heuristic(line: string, ctx: ParseContext): HeaderMatch | null {
	const ts = leadingTimestamp(line, ctx);
	if (ts) {
		const fields = fieldsAfter(line, ts, 6);
		for (let k = 0; k < Math.min(4, fields.length); k++) {
			const lv = fieldLevel(fields[k], STRICT);
			if (lv !== Level.Unknown) return build(line, ts, fields, k, lv, undefined);
			if (fields[k].colon && !fields[k].bracket) break;
		}
		return build(line, ts, fields, -1, Level.Unknown, undefined);
	}
	const fields = splitFields(line, 0, 6);
	if (!fields[0]) return null;
	const lv = fieldLevel(fields[0], STRICT);
	if (lv === Level.Unknown) return null;
	if (!fields[0].bracket && !fields[0].colon && fields.length < 2) return null;
	const f1 = fields[1];
	const ts2 = f1 ? parseTimestampAt(line, f1.start + (f1.bracket ? 1 : 0), ctx) : null;
	if (ts2) {
		const end = f1.bracket ? ts2.end + 1 : ts2.end;
		return build(line, { ...ts2, end }, [fields[0], ...splitFields(line, end, 4)], 0, lv, undefined, true);
	}
	return build(line, null, fields, 0, lv, undefined);
}

/**
 * The header columns that follow a level column at `best` (see `TextLayout.afterCols`) and the tab
 * count of a tab-separated header (see `tabCols`), from the sample's headers.
 */
function learnColumns(lines: readonly string[], levelAndAfter: (line: string) => HeaderField[] | null): [number, number] {
	const COLS = 4;
	const best = 0;
	const num = new Array<number>(COLS).fill(0), src = new Array<number>(COLS).fill(0);
	const values = Array.from({ length: COLS }, () => new Set<string>());
	const lit = Array.from({ length: COLS }, () => new Map<string, number>());
	const tabs: number[] = [];
	let n = 0;
	for (const line of lines) {
		const fields = levelAndAfter(line);
		if (!fields || !fields[0] || fieldLevel(fields[0], { lower: true, short: true }, true) === Level.Unknown) continue;
		n++;
		let t = 0;
		for (let i = line.indexOf('\t'); i >= 0 && t < 9; i = line.indexOf('\t', i + 1)) t++;
		tabs.push(t);
		for (let c = 0; c < COLS; c++) {
			const f = fields[best + 1 + c];
			if (!f || best + 2 + c >= fields.length || f.bracket || f.colon) continue;
			if (values[c].size <= n) values[c].add(f.inner);
			if (/^\d+$/.test(f.inner)) num[c]++;
			else if (SOURCE.test(f.inner)) src[c]++;
			else if (f.inner.length <= 12 && /^[a-z]+$/.test(f.inner) && fields[best + 2 + c]?.colon) lit[c].set(f.inner, (lit[c].get(f.inner) ?? 0) + 1);
		}
	}
	if (n < 3) return [0, 0];
	// Contiguous from the level; or a name followed by number columns (Django's `{module} {process}
	// {thread}`, `%(filename)s %(lineno)d`): a number in the same place in nearly every line is no message word.
	// (a pid, a thread id, a line number take few values; a count or a duration in a message, many.
	// A literal word counts only before a `logger:` field: a log of one message kind has constant words too.)
	const few = (c: number): boolean => values[c].size <= Math.max(8, n * 0.3);
	const header = (c: number): boolean => ((num[c] >= n * 0.9 || src[c] >= n * 0.9) && few(c)) || Math.max(0, ...lit[c].values()) >= n * 0.95;
	let cols = 0;
	while (cols < COLS && header(cols)) cols++;
	if (cols === 0 && num[1] >= n * 0.9 && few(1)) cols = num[2] >= n * 0.9 && few(2) ? 3 : 2;
	tabs.sort((a, b) => a - b);
	const low = tabs[Math.floor(tabs.length * 0.05)];
	const tabCols = low >= 2 ? low : 0;
	return [cols, tabCols];
}

/** Without a timestamp, the farthest field (from the line start) a level is looked for in. */
const LATER_LEVEL_MAX = 2;
/** After a timestamp, the farthest field a level column is learned in (BGL's is the 7th). */
const LEVEL_FIELD_MAX = 10;
/** At most this many fields may precede a timestamp. */
const SKIP_MAX = 5;
/** Fields after the timestamp split once per sample line while learning (the farthest level column and the columns after it). */
const LEARN_FIELDS = 14;
/** The farthest field after the timestamp a `prog[pid]:` tag column is learned in. */
const TAG_FIELD_MAX = 8;

/**
 * A separator beyond blanks and `|` that the header's fields use (`::` or `;`): in a good share of
 * the sample lines it occurs twice or more in the first 160 characters with a level word as one of
 * the segments; '' when none.
 */
function learnSep(lines: readonly string[]): string {
	for (const sep of ['::', ';']) {
		let n = 0, hit = 0;
		for (const line of lines) {
			if (line.length === 0 || line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) continue;
			n++;
			const head = line.slice(0, 160);
			const a = head.indexOf(sep);
			if (a > 0 && head.indexOf(sep, a + sep.length + 1) > a && head.split(sep, 6).some((seg) => seg.length >= 3 && levelFromToken(seg.trim()) !== Level.Unknown)) hit++;
		}
		if (n > 0 && hit >= n * 0.3) return sep;
	}
	return '';
}

/**
 * How many fields may precede the timestamp: 0 when most headers open with it; else the largest
 * number of leading fields seen before a timestamp in a good share of the lines.
 */
function learnSkip(lines: readonly string[], ctx: ParseContext, sep: string): number {
	const counts = new Array<number>(SKIP_MAX + 1).fill(0);
	const flagCounts = new Array<number>(SKIP_MAX + 1).fill(0);
	let n = 0;
	for (const line of lines) {
		if (line.length === 0 || line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) continue;
		n++;
		const ts = headerTimestamp(line, ctx, SKIP_MAX, sep);
		// (a level word alone before the timestamp is the level-led layout, learned on its own)
		if (ts && !(ts.prefix?.length === 1 && fieldLevel(ts.prefix[0], STRICT) !== Level.Unknown)) {
			const k = ts.prefix?.length ?? 0;
			counts[k]++;
			if (ts.prefix?.every((f) => /^[A-Z0-9_:-]+$/.test(f.inner))) flagCounts[k]++;
		}
	}
	// Where most headers open with the timestamp, a prefix is learned only from upper-case flags and
	// pids seen often enough (BGL's `APPREAD` alert category before its `-` lines' timestamp).
	const opening = counts[0] >= n * 0.5;
	let skip = 0;
	for (let k = 1; k <= SKIP_MAX; k++) if (counts[k] >= Math.max(2, n * (opening ? 0.01 : 0.25)) && (!opening || flagCounts[k] >= counts[k] * 0.9)) skip = k;
	return skip;
}

/** Learns where the timestamp and level sit from sample lines (majority rules). */
export function learnLayout(lines: readonly string[], ctx: ParseContext): TextLayout {
	const sep = learnSep(lines);
	const tsSkip = learnSkip(lines, ctx, sep);
	// Each sample line's timestamp and fields after it, split once for every pass below.
	const memo = new Map<string, { ts: LeadingTimestamp | null; fields: HeaderField[] }>();
	const split = (line: string): { ts: LeadingTimestamp | null; fields: HeaderField[] } => {
		let r = memo.get(line);
		if (r === undefined) {
			const ts = headerTimestamp(line, ctx, tsSkip, sep);
			r = { ts, fields: ts ? fieldsAfter(line, ts, LEARN_FIELDS, sep) : [] };
			memo.set(line, r);
		}
		return r;
	};
	let tsLines = 0, basicLines = 0, levelFirst = 0, levelFirstTs = 0, levelFirstLower = 0;
	const idxCount = new Map<number, number>();
	let shortSeen = 0, lowerSeen = 0, loggerAfter = 0, pidAfter = 0, withLevel = 0, loggerBracket = 0, paddedAfter = 0, dottedAfter = 0;
	const laterLevel = new Array<number>(LATER_LEVEL_MAX + 1).fill(0);
	const any: LevelStyle = { lower: true, short: true };
	/** Lines that could be headers: not empty, not indented. */
	let nonEmpty = 0;
	let markerLines = 0;
	const markerKinds = new Set<string>();
	for (const line of lines) {
		if (line.length === 0) continue;
		// (indented lines continue an entry in every layout: they do not count against a header share)
		const c0 = line.charCodeAt(0);
		if (c0 !== 32 && c0 !== 9) nonEmpty++;
		if (BASIC.test(line)) {
			basicLines++;
			continue;
		}
		const { ts, fields: tsFields } = split(line);
		if (ts) {
			tsLines++;
			if (markerAfter(line, ts) !== Level.Unknown) {
				markerLines++;
				markerKinds.add(line[ts.end + 1]);
			}
			const fields = tsFields;
			let found = false;
			for (let k = 0; k < Math.min(LEVEL_FIELD_MAX, fields.length - 1); k++) {
				if (fieldLevel(fields[k], any, true) !== Level.Unknown) {
					idxCount.set(k, (idxCount.get(k) ?? 0) + 1);
					found = true;
					break;
				}
			}
			// The level before the timestamp (`Thread::LEVEL::time::…`): -2 is the field just before it.
			const pre = ts.prefix ?? [];
			for (let j = pre.length - 1; !found && j >= 0; j--) {
				if (fieldLevel(pre[j], any, true) !== Level.Unknown) {
					const k = j - pre.length - 1;
					idxCount.set(k, (idxCount.get(k) ?? 0) + 1);
					found = true;
				}
			}
			continue;
		}
		const fields = splitFields(line, 0, 4, sep);
		if (fields[0] && fields.length > 1 && fields[0].colon && !fields[0].bracket && fieldLevel(fields[0], { lower: true, short: false }, true) !== Level.Unknown && fields[0].inner !== fields[0].inner.toUpperCase()) {
			// `info: msg` (winston's simple format): a lower-case level word and a colon opening the line
			levelFirstLower++;
		} else if (fields[0] && fields.length > 1 && fieldLevel(fields[0], { lower: false, short: false }, false) !== Level.Unknown) {
			levelFirst++;
			const f1 = fields[1];
			if (parseTimestampAt(line, f1.start + (f1.bracket ? 1 : 0), ctx)) levelFirstTs++;
		} else {
			// No timestamp and no leading level: a level name in the second or third field, with a
			// message after it (`app.db | ERROR | …`, `main INFO com.x.Y - …`).
			for (let k = 1; k <= LATER_LEVEL_MAX && k < fields.length - 1; k++) {
				if (fieldLevel(fields[k], STRICT) !== Level.Unknown) {
					laterLevel[k]++;
					break;
				}
			}
		}
	}
	const style: LevelStyle = { lower: false, short: false };
	const base = { basic: false, loggerAfter: false, pidAfter: false, tsSkip, sep };
	if (basicLines > tsLines && basicLines >= levelFirst) {
		return { ...base, ts: 'none', levelField: 0, style, basic: true };
	}
	if (tsLines > 0 && tsLines >= levelFirst) {
		// Redis: a marker column that varies like a level column (one constant symbol is not a level).
		if (markerLines >= tsLines * 0.5 && markerKinds.size >= 2) {
			return { ...base, ts: 'start', levelField: -1, style, markers: true };
		}
		let best = -1, bestN = 0;
		for (const [k, n] of idxCount) if (n > bestN || (n === bestN && k >= 0 && k < best)) [best, bestN] = [k, n];
		// A column near the timestamp may be learned from a fifth of the lines; a farther one (or one
		// before the timestamp) must hold a level in most of them.
		const need = best >= 0 && best <= 3 ? 0.2 : 0.5;
		let afterCols = 0, tabCols = 0;
		if (best !== -1 && bestN >= Math.max(1, tsLines * need)) {
			[afterCols, tabCols] = best < 0 ? [0, 0] : learnColumns(lines, (line) => {
				const { ts, fields } = split(line);
				return ts ? fields.slice(best) : null;
			});
			// Check the style at that position: how often single letters / lowercase words are used there.
			const shortKinds = new Set<Level>();
			for (const line of lines) {
				const { ts, fields } = split(line);
				if (!ts) continue;
				const f = best >= 0 ? fields[best] : (ts.prefix ?? [])[(ts.prefix?.length ?? 0) + best + 1];
				if (!f) continue;
				const lv = fieldLevel(f, any, true);
				if (lv === Level.Unknown) continue;
				withLevel++;
				if (f.inner.length <= 2) {
					shortSeen++;
					shortKinds.add(lv);
				}
				if (f.inner !== f.inner.toUpperCase()) lowerSeen++;
				if (best < 0) continue;
				const g = fields[best + 1 + afterCols];
				const h = fields[best + 2 + afterCols];
				if (g && /^\d+$/.test(g.inner) && h) pidAfter++;
				const lg = g && g.bracket && !g.colon ? h : g;
				if (lg && (lg.colon || lg.dash) && isLoggerLike(lg.inner)) loggerAfter++;
				else if (g && !g.bracket && !g.colon && !g.dash && isLoggerLike(g.inner) && h?.bracket && !h.colon) loggerBracket++;
				// The first plain field after the level (past threads, pids and separators): a padded
				// column (`Info   CBS    msg`) or a Java `package.Class.method` name is header.
				let k = best + 1 + afterCols;
				while (fields[k] && (fields[k].bracket || /^\d+$/.test(fields[k].inner) || PUNCT_FIELD.test(fields[k].inner)) && k < best + 4) k++;
				const pf = fields[k];
				if (pf && fields[k + 1] && !pf.colon && !pf.dash && isLoggerLike(pf.inner)) {
					if (line.startsWith('  ', pf.end)) paddedAfter++;
					if (DOTTED.test(pf.inner)) dottedAfter++;
				}
			}
			// Short or lowercase level codes are only trusted when the position is consistent; a
			// column that only ever holds one letter (a container runtime's `F` flag) is not a level
			// unless that letter is a quiet one (`I` of a MongoDB log with nothing to report).
			const consistent = bestN >= tsLines * 0.6;
			let quietOnly = true;
			for (const k of shortKinds) if (k > Level.Notice) quietOnly = false;
			style.short = consistent && shortSeen > 0 && (shortKinds.size >= 2 || quietOnly);
			style.lower = lowerSeen > 0 && (consistent || lowerSeen < withLevel);
			if (shortSeen === withLevel && !style.short) best = -1;
		} else best = -1;
		let dashLogger = false;
		let tagField = -1;
		if (best === -1) {
			let dashes = 0;
			const tagAt = new Array<number>(TAG_FIELD_MAX).fill(0);
			for (const line of lines) {
				const { ts, fields } = split(line);
				if (!ts) continue;
				if (dashWithin(fields) >= 0) dashes++;
				for (let k = 0; k < TAG_FIELD_MAX && k < fields.length - 1; k++) {
					if (isTag(fields[k])) {
						tagAt[k]++;
						break;
					}
				}
			}
			dashLogger = dashes >= tsLines * 0.6;
			// The tag column only past the first field (a `name:` right after the time is read already).
			for (let k = 1; k < TAG_FIELD_MAX; k++) if (tagAt[k] >= tsLines * 0.6) tagField = k;
		}
		const lw = Math.max(withLevel, 1);
		return { ...base, ts: 'start', levelField: best, style, dashLogger, tagField, afterCols, tabCols, loggerBracket: withLevel > 0 && loggerBracket >= lw * 0.8, paddedLogger: withLevel > 0 && paddedAfter >= lw * 0.8, dottedLogger: withLevel > 0 && dottedAfter >= lw * 0.8, loggerAfter: loggerAfter >= withLevel * 0.5 && withLevel > 0, pidAfter: pidAfter >= withLevel * 0.8 && withLevel > 0 };
	}
	if (tsLines === 0 && levelFirstLower > levelFirst && levelFirstLower >= Math.max(3, nonEmpty * 0.3)) {
		return { ...base, ts: 'none', levelField: 0, style: { lower: true, short: false } };
	}
	// A level in the same later field of most lines, and in more lines than a leading one: the
	// position is learned as it is after a timestamp (full upper-case names only: no message word).
	let later = 0;
	for (let k = 1; k <= LATER_LEVEL_MAX; k++) if (laterLevel[k] > laterLevel[later]) later = k;
	if (tsLines === 0 && later > 0 && laterLevel[later] > levelFirst && laterLevel[later] >= Math.max(3, nonEmpty * 0.3)) {
		return { ...base, ts: 'none', levelField: later, style };
	}
	if (levelFirst > 0) {
		// Level-led (`INFO 2024-… 1234 message`): check what follows the timestamp.
		let pid = 0, n = 0;
		for (const line of lines) {
			const f = splitFields(line, 0, 2, sep);
			if (!f[1] || fieldLevel(f[0], STRICT) === Level.Unknown) continue;
			const ts = parseTimestampAt(line, f[1].start + (f[1].bracket ? 1 : 0), ctx);
			if (!ts) continue;
			n++;
			const rest = splitFields(line, ts.end + (f[1].bracket ? 1 : 0), 2, sep);
			if (rest[0] && /^\d+$/.test(rest[0].inner) && rest[1]) pid++;
		}
		const ts = levelFirstTs >= levelFirst * 0.8 ? 'afterLevel' : 'none';
		const [afterCols] = learnColumns(lines, (line) => {
			const f = splitFields(line, 0, 8, sep);
			if (!f[1] || fieldLevel(f[0], STRICT) === Level.Unknown) return null;
			const t = ts === 'afterLevel' ? parseTimestampAt(line, f[1].start + (f[1].bracket ? 1 : 0), ctx) : null;
			if (ts === 'afterLevel' && !t) return null;
			return t ? [f[0], ...splitFields(line, t.end + (f[1].bracket ? 1 : 0), 7, sep)] : f;
		});
		return { ...base, ts, levelField: 0, style, afterCols, pidAfter: afterCols === 0 && n > 0 && pid >= n * 0.8 };
	}
	return { ...base, ts: 'none', levelField: -1, style };
}

/** Python's level names (and only those) — used to tell a Python log from a Java one. */
const PYTHON_LEVELS = new Set(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']);
const JAVA_ONLY = new Set(['WARN', 'FATAL', 'TRACE', 'SEVERE', 'FINE', 'FINER', 'FINEST']);

/** Which flavour (`python`, `log4j`, `go`, `generic`) a sample parsed with a layout looks like. */
export function flavourOf(format: TextHeaderFormat, lines: readonly string[], ctx: ParseContext): string {
	const L = format.layout;
	if (!L) return 'generic';
	if (L.basic) return 'python';
	if (L.markers) return 'redis';
	let py = 0, java = 0, other = 0, slashDate = 0, headers = 0;
	const family = new Map<string, number>();
	const seen = (id: string): void => void family.set(id, (family.get(id) ?? 0) + 1);
	for (const line of lines) {
		const h = format.parseHeader(line, ctx);
		if (!h) continue;
		headers++;
		if (/^\d{4}\/\d{2}\/\d{2} /.test(line)) slashDate++;
		const raw = h.levelRaw;
		if (raw === undefined) continue;
		const familyId = familyOf(line, raw);
		if (familyId) seen(familyId);
		if (PYTHON_LEVELS.has(raw)) py++;
		else if (JAVA_ONLY.has(raw)) java++;
		else other++;
	}
	// (a spelling only that producer writes names it from one header)
	for (const id of family.keys()) if (ONE_HEADER_NAMES.has(id)) return id;
	for (const [id, n] of family) if (n >= headers * 0.3) return id;
	// A layout only the learned column reading finds (fields before the timestamp, `::` separators,
	// the level far from the timestamp) is named for that.
	if (L.tsSkip || L.sep || L.levelField < -1 || L.levelField > 3) return 'learned';
	if (L.levelField < 0) return slashDate > headers / 2 ? 'go' : 'generic';
	if (other > (py + java) / 4) return 'generic';
	if (java > 0) return 'log4j';
	return py > 0 ? 'python' : 'generic';
}

/** Producers named by a level spelling no other writes (PostgreSQL's `LOG`, `DEBUG1`–`5`). */
const ONE_HEADER_NAMES = new Set(['postgresql']);

/**
 * The producer a header's level spelling names (only to name the detected format: the layout was
 * learned the same way for all): PostgreSQL's `LOG:`, MySQL's `[Note]`/`[System]`, Monolog's
 * `channel.LEVEL:`, Icinga's `severity/Component:`, Elasticsearch's and Logstash's `[time][LEVEL ]`.
 */
function familyOf(line: string, raw: string): string | undefined {
	if (raw === 'LOG' || /^DEBUG[1-5]$/.test(raw)) return 'postgresql';
	if (raw === 'Note' || raw === 'System') return 'mysql';
	if (line.includes(`.${raw}: `)) return 'monolog';
	if (line.includes(` ${raw}/`) && /^[a-z]+$/.test(raw)) return 'icinga';
	if (line.charCodeAt(0) === 91 && /^\[[^\]]{10,40}\]\[/.test(line)) return 'elasticsearch';
	return undefined;
}
