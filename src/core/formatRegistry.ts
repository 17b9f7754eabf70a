import { hasAnsi, stripAnsi, stripAnsiMapped } from './ansi';
import { DetectedFormat, HeaderMatch, LogFormat, ParseContext } from './format';
import { accessLogFormat } from './formats/accessLog';
import { apacheErrorFormat } from './formats/apacheError';
import { dotnetFormat } from './formats/dotnet';
import { glogFormat } from './formats/glog';
import { jsonFormat } from './formats/jsonLines';
import { logcatFormat } from './formats/logcat';
import { logfmtFormat } from './formats/logfmt';
import { plainFormat } from './formats/plain';
import { syslogFormat } from './formats/syslog';
import { flavourOf, TextHeaderFormat } from './formats/textHeader';
import { detectWrapped } from './formats/wrappers';

/**
 * Every known format by id, and detection over a sample of lines. Formats other engineers build
 * (a compiled Python `%(...)s` layout, ECS) plug in with `registerFormat` or are passed directly.
 */
const TEXT_FORMATS = {
	python: new TextHeaderFormat('python', 'Python logging'),
	log4j: new TextHeaderFormat('log4j', 'log4j / logback / Spring Boot'),
	go: new TextHeaderFormat('go', 'Go log'),
	generic: new TextHeaderFormat('generic', 'Generic (timestamp + level)'),
	// Named after the producer whose level spelling the learned layout reads (see flavourOf).
	postgresql: new TextHeaderFormat('postgresql', 'PostgreSQL'),
	mysql: new TextHeaderFormat('mysql', 'MySQL / MariaDB'),
	redis: new TextHeaderFormat('redis', 'Redis'),
	monolog: new TextHeaderFormat('monolog', 'Monolog / Laravel'),
	icinga: new TextHeaderFormat('icinga', 'Icinga'),
	elasticsearch: new TextHeaderFormat('elasticsearch', 'Elasticsearch / Logstash'),
	learned: new TextHeaderFormat('learned', 'Learned layout'),
};

/** In detection order: on equal confidence the earlier (more specific) format wins. */
const FORMATS: LogFormat[] = [
	jsonFormat, logcatFormat, glogFormat, apacheErrorFormat, accessLogFormat, dotnetFormat, syslogFormat, logfmtFormat,
	TEXT_FORMATS.python, TEXT_FORMATS.log4j, TEXT_FORMATS.go, TEXT_FORMATS.generic,
	TEXT_FORMATS.postgresql, TEXT_FORMATS.mysql, TEXT_FORMATS.redis, TEXT_FORMATS.monolog, TEXT_FORMATS.icinga, TEXT_FORMATS.elasticsearch, TEXT_FORMATS.learned,
	plainFormat,
];

/** Adds (or replaces, by id) a format; detection tries it before the text-header engine. */
export function registerFormat(format: LogFormat): void {
	const i = FORMATS.findIndex((f) => f.id === format.id);
	if (i >= 0) FORMATS[i] = format;
	else FORMATS.splice(FORMATS.indexOf(TEXT_FORMATS.python), 0, format);
}

export function getFormat(id: string): LogFormat | undefined {
	return FORMATS.find((f) => f.id === id);
}

export function allFormats(): readonly LogFormat[] {
	return FORMATS;
}

/** Below this share of recognised lines a file is plain text (every line its own entry). */
const MIN_CONFIDENCE = 0.3;

/**
 * Share of the lines that could open an entry (not empty, not indented) that a format reads as
 * headers: an indented line continues an entry in every layout (a stack frame, a wrapped message),
 * so a log of few entries with long Java traces is still recognised.
 */
function score(format: LogFormat, lines: readonly string[], ctx: ParseContext): number {
	let n = 0, hit = 0;
	for (const line of lines) {
		if (line.length === 0) continue;
		const c0 = line.charCodeAt(0);
		if (c0 === 32 || c0 === 9) continue;
		n++;
		try {
			if (format.parseHeader(line, ctx)) hit++;
		} catch {
			// A format that throws on a line simply does not recognise it.
		}
	}
	return n === 0 ? 0 : hit / n;
}

/**
 * Picks the format that recognises the most sample lines as headers. The text-header engine is
 * learned from the sample and named after what it saw (python, log4j, go, generic).
 */
export function detectFormat(lines: readonly string[], ctx: ParseContext): DetectedFormat {
	const wrapped = detectWrapped(lines, ctx, detectFormat);
	if (wrapped) return wrapped;
	const ansi = lines.some(hasAnsi);
	const d = detectClean(ansi ? lines.map(stripAnsi) : lines, ctx);
	return ansi ? { format: ansiTolerant(d.format), confidence: d.confidence } : d;
}

/** `detectFormat` on lines without escape sequences. */
function detectClean(lines: readonly string[], ctx: ParseContext): DetectedFormat {
	const sample = lines.filter((l) => l.length > 0);
	if (sample.length === 0) return { format: plainFormat, confidence: 0 };
	let best: DetectedFormat = { format: plainFormat, confidence: 0 };
	for (const f of FORMATS) {
		if (f instanceof TextHeaderFormat || f === plainFormat) continue;
		const c = score(f, sample, ctx);
		if (c > best.confidence + 0.02) best = { format: f, confidence: c };
	}
	const learned = TEXT_FORMATS.generic.learnCached(sample, ctx);
	const c = learned.layout && (learned.layout.ts !== 'none' || learned.layout.levelField >= 0) ? score(learned, sample, ctx) : 0;
	if (c > best.confidence + 0.02) {
		const id = flavourOf(learned, sample, ctx);
		const base = TEXT_FORMATS[id as keyof typeof TEXT_FORMATS];
		best = { format: learned.renamed(base.id, base.name), confidence: c };
	}
	learned.endSample();
	if (best.confidence < MIN_CONFIDENCE) return { format: plainFormat, confidence: 1 - best.confidence };
	return best;
}

/** A format given by the user (object or id), tuned to the sample when it can learn. */
export function resolveFormat(format: LogFormat | string, lines: readonly string[], ctx: ParseContext): LogFormat {
	const f = typeof format === 'string' ? getFormat(format) : format;
	if (!f) throw new Error(`unknown format '${String(format)}' (known: ${FORMATS.map((x) => x.id).join(', ')})`);
	const ansi = lines.some(hasAnsi);
	const learned = f.learn && lines.length > 0 ? f.learn(ansi ? lines.map(stripAnsi) : lines, ctx) : f;
	return ansi ? ansiTolerant(learned) : learned;
}

/**
 * The format, reading headers through ANSI escape sequences (colorlog, rich, uvicorn, docker
 * compose): for callers that parse raw lines. Levels, times and fields come from the line without
 * escapes; `messageStart`/`messageEnd` are mapped back to offsets in the raw line. Everything else
 * (id, fast path, fields) is the format's own, through the prototype.
 */
export function ansiTolerant(format: LogFormat): LogFormat {
	if (format === plainFormat || tolerant.has(format)) return format;
	const f = Object.create(format) as LogFormat;
	const parse = (line: string, ctx: ParseContext): HeaderMatch | null => {
		if (line.indexOf('\x1b') < 0) return format.parseHeader(line, ctx);
		const m = stripAnsiMapped(line);
		const h = format.parseHeader(m.text, ctx);
		if (!h) return h;
		const out: HeaderMatch = { ...h, messageStart: m.rawStart(h.messageStart) };
		if (h.messageEnd !== undefined) out.messageEnd = m.rawOffset(h.messageEnd);
		return out;
	};
	Object.defineProperty(f, 'parseHeader', { value: parse });
	if (format.learn) {
		const learn = format.learn.bind(format);
		Object.defineProperty(f, 'learn', { value: (lines: readonly string[], ctx: ParseContext) => ansiTolerant(learn(lines.map(stripAnsi), ctx)) });
	}
	tolerant.add(f);
	return f;
}

const tolerant = new WeakSet<LogFormat>();
