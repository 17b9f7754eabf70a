// An entry as an Elastic Common Schema (ECS) document, and the deterministic document id that
// makes a repeated or retried export overwrite instead of duplicate.
import { createHash } from 'node:crypto';
import { EntryDetail } from '../entryReader';
import { Level, levelName, LevelName, REAL_LEVELS } from '../levels';

/** The ECS version the documents follow (written to `ecs.version`). */
export const ECS_VERSION = '8.11.0';

/** The ECS document for one log entry (nested objects, the form Elasticsearch stores). */
export interface EcsDocument {
	/** ISO 8601 UTC. */
	'@timestamp': string;
	message: string;
	ecs: { version: string };
	log: {
		/** Canonical lower-case level (`warning`, `error` …); absent when the entry has none. */
		level?: LevelName;
		logger?: string;
		file?: { path: string };
		/** Byte offset of the entry in its file (the Filebeat convention). */
		offset: number;
		origin?: { file?: { name?: string; line?: number }; function?: string };
	};
	event: {
		/** The document id, repeated in the source so search can page on it (`_id` cannot be sorted on). */
		id: string;
		/** The entry's text exactly as in the file (cut at `maxOriginalBytes`, then `tags` says so). */
		original?: string;
	};
	error?: { type: string; message: string; stack_trace?: string };
	host?: { name: string };
	process?: { pid?: number; name?: string; thread?: { id?: number; name?: string } };
	/** The container a wrapped log comes from (its file path, or the wrapper's own fields). */
	container?: { id?: string; name?: string; runtime?: string };
	/** Python LogRecord attributes the format carries, typed as on the record. */
	python?: Record<string, string | number>;
	/** Other header fields (custom `extra` keys, JSON / logfmt keys) as strings. */
	labels?: Record<string, string>;
	tags?: string[];
}

/** What a document needs besides the entry itself. */
export interface EcsContext {
	/** Key of the file the entry comes from (see `fileKey`). */
	fileKey: string;
	/** Written to `log.file.path` (absent for stdin / untitled text). */
	filePath?: string;
	hostName?: string;
	/** Epoch ms used for entries without a time of their own (the previous entry's time). */
	fallbackTime?: number;
	/** `event.original` is cut after this many characters (default 1 Mi). */
	maxOriginalChars?: number;
	/**
	 * The header fields are named by the producer (a compiled Python format string, JSON or logfmt
	 * keys), so `lineno`, `funcName`, `process` … mean what Python means by them. Field names a
	 * generic layout made up (`thread` for any bracketed field) go to `labels` only.
	 */
	namedFields?: boolean;
}

/** Whether a format's field names come from the producer (see `EcsContext.namedFields`). */
export function hasNamedFields(format: { id: string; inner?: { id: string } }): boolean {
	if (format.inner) return hasNamedFields(format.inner);
	return 'fieldNames' in format || format.id === 'json' || format.id === 'logfmt' || format.id.startsWith('python-format');
}

/** LogRecord attributes whose values are numbers on the record. */
const PY_NUMERIC = new Set(['levelno', 'lineno', 'created', 'msecs', 'relativeCreated', 'thread', 'process']);
/** Every LogRecord attribute a Formatter can print (`message` excluded: it is the message). */
const PY_ATTRS = new Set(['name', 'levelname', 'levelno', 'pathname', 'filename', 'module', 'lineno', 'funcName', 'created', 'asctime', 'msecs', 'relativeCreated', 'thread', 'threadName', 'process', 'processName', 'taskName', 'exc_text', 'stack_info']);

/**
 * The document id: the file's key and the entry's byte offset. Zero-padded so ids of one file sort
 * in file order (search uses the id as the tiebreaker after `@timestamp`).
 */
export function documentId(fileKey: string, offset: number): string {
	return `${fileKey}-${offset.toString().padStart(13, '0')}`;
}

/**
 * A file's identity for document ids: device and inode (a rotated `app.log` renamed to `app.log.1`
 * keeps them, so its entries keep their ids) plus a hash of the first line (a truncated and
 * rewritten file, or a reused inode, starts with a different line). Without dev/inode (stdin,
 * editor text) only the first line counts. 16 hex digits.
 */
export function fileKey(identity: { dev: number; ino: number } | undefined, firstLine: Buffer): string {
	const h = createHash('sha256');
	h.update(identity ? `${identity.dev}:${identity.ino}\n` : 'text\n');
	h.update(firstLineBytes(firstLine));
	return h.digest('hex').slice(0, 16);
}

/** The part of a file's first line the key hashes: up to 1 KiB, without its newline / CR. */
export function firstLineBytes(head: Buffer): Buffer {
	let end = head.indexOf(10);
	if (end < 0) end = head.length;
	if (end > 0 && head[end - 1] === 13) end--;
	return head.subarray(0, Math.min(end, 1024));
}

/** Where the stack trace starts among an entry's lines (-1: none). */
function traceStart(lines: readonly string[]): number {
	for (let i = 0; i < lines.length; i++) {
		if (/^(?:Exception Group )?Traceback \(most recent call last\):/.test(lines[i])) return i;
	}
	// Java / .NET: the exception line is the one above the first `at …` frame.
	for (let i = 1; i < lines.length; i++) {
		if (/^\s+at\s+\S/.test(lines[i])) return Math.max(1, i - 1);
	}
	return -1;
}

function trimmed(v: string): string {
	return v.trim();
}

function asNumber(v: string): number | undefined {
	const t = v.trim();
	if (!/^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(t)) return undefined;
	const n = Number(t);
	return Number.isFinite(n) ? n : undefined;
}

function asInt(v: string | undefined): number | undefined {
	if (v === undefined) return undefined;
	const n = asNumber(v);
	return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** `labels` keys are flat: dots and other separators become `_`. */
function labelKey(k: string): string {
	return k.replace(/[^\w-]+/g, '_').replace(/^_+|_+$/g, '') || '_';
}

/** Builds the ECS document of an entry (`d.text` should hold the whole entry). */
export function toEcs(d: EntryDetail, ctx: EcsContext): EcsDocument {
	const text = d.text ?? d.message;
	const lines = text.split('\n');
	const time = Number.isNaN(d.time) ? (ctx.fallbackTime ?? NaN) : d.time;
	const id = documentId(ctx.fileKey, d.startOffset);
	const doc: EcsDocument = {
		'@timestamp': new Date(Number.isNaN(time) ? 0 : time).toISOString(),
		message: '',
		ecs: { version: ECS_VERSION },
		log: { offset: d.startOffset },
		event: { id },
	};
	const tags: string[] = [];
	if (Number.isNaN(d.time)) tags.push(Number.isNaN(time) ? 'loglens_no_time' : 'loglens_time_inherited');
	if (d.level !== Level.Unknown) doc.log.level = levelName(d.level);
	if (d.logger !== undefined) doc.log.logger = d.logger;
	if (ctx.filePath !== undefined) doc.log.file = { path: ctx.filePath };
	if (ctx.hostName) doc.host = { name: ctx.hostName };

	// The message is the header's message plus its continuation lines up to the stack trace.
	const ts = d.exception ? traceStart(lines) : -1;
	const body = lines.slice(1, ts > 0 ? ts : lines.length);
	while (body.length && body[body.length - 1].trim() === '') body.pop();
	// Layouts with the message below the header (.NET, JUL) already have it as `d.message`.
	doc.message = body.length === 0 ? d.message : body[0].trim() === d.message ? body.join('\n') : [d.message, ...body].join('\n');
	if (d.exception) {
		doc.error = { type: d.exception.type, message: d.exception.message };
		if (ts >= 0) doc.error.stack_trace = lines.slice(ts).join('\n');
		else {
			const f = d.fields;
			const st = f.exc_info ?? f.exception ?? f.stack_trace ?? f.stack ?? f['error.stack_trace'] ?? f.exc_text;
			if (st) doc.error.stack_trace = st;
		}
	}
	const max = ctx.maxOriginalChars ?? 1 << 20;
	if (text.length > max) {
		doc.event.original = text.slice(0, max);
		tags.push('loglens_original_truncated');
	} else doc.event.original = text;

	const python: Record<string, string | number> = {};
	const labels: Record<string, string> = {};
	const named = ctx.namedFields === true;
	for (const [k, raw] of Object.entries(d.fields)) {
		if (named && PY_ATTRS.has(k)) {
			const n = PY_NUMERIC.has(k) ? asNumber(raw) : undefined;
			python[k] = n ?? trimmed(raw);
		} else if (k !== 'message' && k !== 'msg') labels[labelKey(k)] = raw;
	}
	const f: Record<string, string | undefined> = named ? d.fields : {};
	const line = asInt(f.lineno);
	const originFile = f.pathname ?? f.filename;
	const func = f.funcName;
	if (line !== undefined || originFile !== undefined || func !== undefined) {
		doc.log.origin = {};
		if (line !== undefined || originFile !== undefined) {
			doc.log.origin.file = {};
			if (originFile !== undefined) doc.log.origin.file.name = originFile.trim();
			if (line !== undefined) doc.log.origin.file.line = line;
		}
		if (func !== undefined) doc.log.origin.function = func.trim();
	}
	// `pid` / `comm`: a wrapper's (journald `_PID`, `_COMM`) or the producer's own (pino, syslog).
	const pid = asInt(f.process) ?? asInt(d.fields.pid);
	const pname = f.processName ?? d.fields.comm;
	const tid = asInt(f.thread);
	if (pid !== undefined || pname !== undefined || tid !== undefined || f.threadName !== undefined) {
		doc.process = {};
		if (pid !== undefined) doc.process.pid = pid;
		if (pname !== undefined) doc.process.name = pname.trim();
		if (tid !== undefined || f.threadName !== undefined) {
			doc.process.thread = {};
			if (tid !== undefined) doc.process.thread.id = tid;
			if (f.threadName !== undefined) doc.process.thread.name = f.threadName.trim();
		}
	}
	const container = { ...(ctx.filePath !== undefined ? containerOfPath(ctx.filePath) : {}) };
	if (d.fields.container !== undefined) container.name = d.fields.container;
	if (Object.keys(container).length) doc.container = container;
	if (Object.keys(python).length) doc.python = python;
	if (Object.keys(labels).length) doc.labels = labels;
	if (tags.length) doc.tags = tags;
	return doc;
}

/**
 * The container a log file belongs to, from where the runtime keeps it: Kubernetes
 * `/var/log/containers/<pod>_<namespace>_<container>-<id>.log`, `/var/log/pods/<namespace>_<pod>_<uid>/<container>/N.log`,
 * Docker `/var/lib/docker/containers/<id>/<id>-json.log`.
 */
export function containerOfPath(path: string): { id?: string; name?: string; runtime?: string } {
	const p = path.replace(/\\/g, '/');
	let m = /(?:^|\/)[^/_]+_[^/_]+_(.+)-([0-9a-f]{64})\.log$/.exec(p);
	if (m) return { name: m[1], id: m[2] };
	m = /\/pods\/[^/_]+_[^/_]+_[0-9a-f-]{36}\/([^/]+)\/\d+\.log$/.exec(p);
	if (m) return { name: m[1] };
	m = /(?:^|\/)containers\/([0-9a-f]{64})\/\1-json\.log(?:\.\d+)?$/.exec(p);
	if (m) return { id: m[1], runtime: 'docker' };
	return {};
}

/** Level names at or above `min`, in every spelling a `log.level` keyword may hold. */
export function levelTermsAtOrAbove(min: Level): string[] {
	const spellings: Record<LevelName, string[]> = {
		trace: ['trace', 'TRACE', 'verbose'],
		debug: ['debug', 'DEBUG'],
		info: ['info', 'INFO', 'information'],
		notice: ['notice', 'NOTICE'],
		warning: ['warning', 'WARNING', 'warn', 'WARN'],
		error: ['error', 'ERROR', 'err'],
		critical: ['critical', 'CRITICAL', 'fatal', 'FATAL', 'crit', 'emergency', 'alert'],
		unknown: [],
	};
	return REAL_LEVELS.filter((l) => l >= min).flatMap((l) => spellings[levelName(l)]);
}
