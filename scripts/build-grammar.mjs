// Generates syntaxes/log.tmLanguage.json. Regexes are written once here and composed, because a
// TextMate grammar has no way to share sub-patterns (the level word lists appear in several contexts).
import { writeFileSync } from 'node:fs';

const out = process.argv[2] ?? 'syntaxes/log.tmLanguage.json';

// ---- Levels ------------------------------------------------------------------------------------
// Order: trace, debug, info, notice, warning, error, critical (the Level enum order in src/core/levels.ts).
const LEVELS = ['trace', 'debug', 'info', 'notice', 'warning', 'error', 'critical'];
// Generic scope first (what every theme colours), then the specific log.* scope users can target.
// error/critical use `invalid` and warning `entity.name.function`, so ERROR and WARNING differ in
// Dark Modern (#F44747 / #DCDCAA) and Light Modern (#CD3131 / #795E26); `markup.deleted` (the
// built-in's warning scope) is red in Light Modern and could not be told from an error there.
const LEVEL_SCOPE = {
	trace: 'comment emphasis log.trace',
	debug: 'markup.changed log.debug',
	info: 'markup.inserted log.info',
	notice: 'markup.inserted strong log.notice',
	warning: 'entity.name.function log.warning',
	error: 'invalid.illegal log.error',
	critical: 'strong invalid.illegal log.critical',
};

// Spellings accepted where the position says "this is the level field" (brackets, line start,
// after the timestamp, `level=`): any case. Longest first so alternation prefers whole words.
const HEADER_WORDS = {
	trace: ['trace', 'trce', 'trc', 'verbose', 'verb', 'vrb', 'finest', 'finer'],
	debug: ['debug', 'dbug', 'debu', 'dbg', 'fine', 'config'],
	// MySQL/MariaDB write [Note] and [System] for informational lines (src/core/levels.ts: info)
	info: ['informational', 'information', 'info', 'inf', 'system', 'note'],
	notice: ['notice'],
	warning: ['warning', 'warn', 'wrn'],
	error: ['error', 'failure', 'fail', 'severe', 'err'],
	critical: ['critical', 'crit', 'fatal', 'ftl', 'emergency', 'emerg', 'alert', 'dpanic', 'panic'],
};
// Spellings coloured anywhere on a line: upper case only, and only words that are not ordinary
// English in capitals (no FINE, CONFIG, NOTE, FAIL, short forms).
const UPPER_ANYWHERE = {
	trace: ['TRACE', 'VERBOSE', 'FINEST', 'FINER'],
	debug: ['DEBUG'],
	info: ['INFORMATIONAL', 'INFORMATION', 'INFO'],
	notice: ['NOTICE'],
	warning: ['WARNING', 'WARN'],
	error: ['ERROR', 'SEVERE'],
	critical: ['CRITICAL', 'FATAL', 'EMERGENCY', 'EMERG', 'ALERT', 'PANIC'],
};

/** PostgreSQL's severities (`LOG` is its informational level, `DEBUG1`–`DEBUG5`, `PANIC`). */
const POSTGRES = { trace: ['(?!)'], debug: ['DEBUG[1-5]', 'DEBUG'], info: ['LOG', 'INFO'], notice: ['NOTICE'], warning: ['WARNING'], error: ['ERROR'], critical: ['FATAL', 'PANIC'] };

/** One capture group per level, in LEVELS order: `(?:(a|b)|(c)|...)`. */
function levelGroups(words) {
	return '(?:' + LEVELS.map((l) => '(' + words[l].join('|') + ')').join('|') + ')';
}
/** captures object for the 7 level groups starting at group number `first`. */
function levelCaptures(first, extra = {}) {
	const c = { ...extra };
	LEVELS.forEach((l, i) => { c[String(first + i)] = { name: LEVEL_SCOPE[l] }; });
	return c;
}
const headerWordsWithLetters = {
	trace: [...HEADER_WORDS.trace, 't', 'v'],
	debug: [...HEADER_WORDS.debug, 'd'],
	info: [...HEADER_WORDS.info, 'i'],
	notice: [...HEADER_WORDS.notice, 'n'],
	warning: [...HEADER_WORDS.warning, 'w'],
	error: [...HEADER_WORDS.error, 'e'],
	critical: [...HEADER_WORDS.critical, 'f', 'c'],
};
const none = [];
// logcat letters (A = assert, the most severe).
const LOGCAT = { trace: ['V'], debug: ['D'], info: ['I'], notice: none, warning: ['W'], error: ['E'], critical: ['F', 'A'] };
const GLOG = { trace: none, debug: none, info: ['I'], notice: none, warning: ['W'], error: ['E'], critical: ['F'] };
const RUBY = { trace: none, debug: ['D'], info: ['I'], notice: none, warning: ['W'], error: ['E'], critical: ['F'] };
// An empty alternative list must never match: (?!) is the always-failing pattern.
function groupsOrFail(words) {
	const w = {};
	for (const l of LEVELS) w[l] = words[l].length ? words[l] : ['(?!)'];
	return levelGroups(w);
}
// Pino numeric levels (10 trace … 60 fatal) for a `"level":30` field.
const PINO = { trace: ['10'], debug: ['20'], info: ['30'], notice: ['(?!)'], warning: ['40'], error: ['50'], critical: ['60'] };
// syslog PRI = facility*8 + severity, 0..191; severity 0-2 critical, 3 error, 4 warning, 5 notice, 6 info, 7 debug.
function pri(sevs) {
	const r = [];
	for (let p = 191; p >= 0; p--) if (sevs.includes(p % 8)) r.push(String(p));
	return r;
}
const SYSLOG = { trace: ['(?!)'], debug: pri([7]), info: pri([6]), notice: pri([5]), warning: pri([4]), error: pri([3]), critical: pri([0, 1, 2]) };

// ---- Shared fragments ---------------------------------------------------------------------------
const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const WEEKDAY = '(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)';
const TIME = '\\d{1,2}:\\d{2}:\\d{2}(?:[.,:]\\d{1,9})?(?:[ \\t]?[AaPp][Mm](?![\\w]))?';
const ZONE = '(?:Z|[ \\t]?[+-]\\d{2}:?\\d{2}(?!\\d)|[ \\t](?:UTC|GMT)(?!\\w))?';
const EXC_SUFFIX = '(?:Exception|Error|Throwable|Fault|Warning)';
const PY_BARE_EXC = '(?:KeyboardInterrupt|StopIteration|StopAsyncIteration|SystemExit|GeneratorExit|BaseExceptionGroup|ExceptionGroup)';
const ALL_LEVEL_WORDS_UPPER = LEVELS.flatMap((l) => HEADER_WORDS[l]).map((w) => w.toUpperCase()).join('|');

// ---- Rules ------------------------------------------------------------------------------------
const repository = {};
const rule = (name, body) => { repository[name] = body; return { include: '#' + name }; };

const keyValueInner = [
	{ include: '#url' }, { include: '#date' }, { include: '#time' }, { include: '#guid' }, { include: '#ipv6' },
	{ include: '#ipv4' }, { include: '#path' }, { include: '#constant' }, { include: '#hex' }, { include: '#number' },
];

const topLevel = [
	rule('python-traceback', {
		comment: 'From "Traceback (most recent call last):" to the first line that is not indented; that line names the exception, whatever its module or class name.',
		begin: '^(Traceback)[ \\t]+(\\(most recent call last\\))(:)[ \\t]*$',
		beginCaptures: { 0: { name: 'keyword.control.exception log.exception.header' } },
		end: `^(?:(?!(?i:${ALL_LEVEL_WORDS_UPPER})\\b)((?:[A-Za-z_][\\w]*\\.)*[A-Za-z_][\\w]*)(?=:|[ \\t]*$)|(?![ \\t]))`,
		endCaptures: { 1: { name: 'entity.name.type.exception log.exceptiontype' } },
		name: 'meta.traceback.python',
		patterns: [{ include: '#python-frame' }, { include: '#caret-line' }, { include: '#exception-group-line' }, { include: '$self' }],
	}),
	rule('python-frame', {
		comment: 'Python frame: File "path", line N, in function',
		match: '^[ \\t|+-]*?(File)[ \\t]+(")([^"]+)(")(?:(,)[ \\t]+(line)[ \\t]+(\\d+))?(?:(,)[ \\t]+(in)[ \\t]+(\\S.*?))?[ \\t]*$',
		name: 'meta.frame.python log.exception.frame',
		captures: {
			1: { name: 'keyword.other.file log.exception.keyword' },
			2: { name: 'string.quoted.double punctuation.definition.string.begin' },
			3: { name: 'string.quoted.double log.path' },
			4: { name: 'string.quoted.double punctuation.definition.string.end' },
			6: { name: 'keyword.other.line log.exception.keyword' },
			7: { name: 'constant.numeric.line log.linenumber' },
			9: { name: 'keyword.other.in log.exception.keyword' },
			10: { name: 'entity.name.function log.function' },
		},
	}),
	rule('exception-chain-header', {
		comment: 'Headers that start or chain a stack trace (Python, Java, .NET).',
		match: '^[ \\t]*(During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:|(?:Caused by|Suppressed|Wrapped by)(?=:)|Exception in thread(?= )|(?:\\+[ \\t]+)?Exception Group Traceback \\(most recent call last\\):|---[ \\t]*End of (?:inner exception )?stack trace[^\\n]*)',
		captures: { 1: { name: 'keyword.control.exception log.exception.header' } },
	}),
	rule('stack-frame-at', {
		comment: 'Java / .NET / JavaScript frames: "\\tat com.x.Y.method(Y.java:42)", "   at Ns.C.M() in C:\\\\x.cs:line 4", "    at f (/x.js:1:2)".',
		begin: '^[ \\t]+(at)[ \\t]+',
		beginCaptures: { 1: { name: 'keyword.other.at log.exception.keyword' } },
		end: '$',
		name: 'meta.frame log.exception.frame',
		patterns: [
			{
				comment: 'Java/.NET qualified method: optional module prefix (java.base/), class, method',
				match: '\\G(?:[\\w.$@-]+/)*((?:[\\w$`<>-]+\\.)*[\\w$`<>-]+)\\.([\\w$`<>-]+|<init>|<clinit>)(?=\\()',
				captures: { 1: { name: 'entity.name.type.class log.class' }, 2: { name: 'entity.name.function log.function' } },
			},
			{
				comment: 'JavaScript function before its location in parentheses',
				match: '\\G(?:(async|new)[ \\t]+)?([^\\s(]+)(?=[ \\t]+\\()',
				captures: { 1: { name: 'storage.modifier log.exception.keyword' }, 2: { name: 'entity.name.function log.function' } },
			},
			{
				comment: 'location: (File.java:42), (/x.js:10:5), (Native Method)',
				match: '(\\()(?:((?:[a-z][\\w+.-]*://)?[^():]+?|[A-Za-z]:\\\\[^():]+?)(:)(\\d+)(?:(:)(\\d+))?|(Native Method|Unknown Source|native|<anonymous>))(\\))',
				captures: {
					1: { name: 'punctuation.section.parens.begin' },
					2: { name: 'string.unquoted.path log.path' },
					4: { name: 'constant.numeric.line log.linenumber' },
					6: { name: 'constant.numeric.column log.linenumber' },
					7: { name: 'comment log.exception.native' },
					8: { name: 'punctuation.section.parens.end' },
				},
			},
			{
				comment: 'JavaScript bare location: at /x.js:10:5',
				match: '\\G((?:[a-z][\\w+.-]*://|/|[A-Za-z]:\\\\)[^\\s:]*(?::(?!\\d)[^\\s:]*)*)(:)(\\d+)(?:(:)(\\d+))?',
				captures: { 1: { name: 'string.unquoted.path log.path' }, 3: { name: 'constant.numeric.line log.linenumber' }, 5: { name: 'constant.numeric.column log.linenumber' } },
			},
			{
				comment: '.NET: in C:\\x\\y.cs:line 42',
				match: '\\b(in)[ \\t]+(.+?)(:)(line)[ \\t]+(\\d+)',
				captures: {
					1: { name: 'keyword.other.in log.exception.keyword' }, 2: { name: 'string.unquoted.path log.path' },
					4: { name: 'keyword.other.line log.exception.keyword' }, 5: { name: 'constant.numeric.line log.linenumber' },
				},
			},
			{ include: '#exception-name' },
		],
	}),
	rule('frames-omitted', {
		comment: 'Java "... 12 more", logback "... 3 common frames omitted"',
		match: '^[ \\t]+(\\.\\.\\.)[ \\t]+(\\d+)[ \\t]+(?:more|common frames omitted)\\b.*$',
		name: 'comment log.exception.more',
	}),
	rule('caret-line', {
		comment: 'Python 3.11+ position markers under a source line: "    ~~~~^^^^"',
		match: '^[ \\t|]*[~^]+[ \\t~^]*$',
		name: 'comment log.exception.caret',
	}),
	rule('exception-group-line', {
		comment: 'Python exception group tree borders "  +-+---------------- 1 ----------------"',
		match: '^[ \\t]*\\+[-+]*(?:[ \\t]+(?:\\d+|\\.\\.\\.)[ \\t]+-+)?$',
		name: 'comment log.exception.group',
	}),
	rule('level-syslog-pri', {
		comment: 'syslog priority prefix <PRI> (RFC 3164/5424, dmesg -r): severity = PRI % 8',
		match: '^(<)' + levelGroups(SYSLOG) + '(>)',
		captures: levelCaptures(2, { 1: { name: 'punctuation.definition.priority.begin' }, 9: { name: 'punctuation.definition.priority.end' } }),
	}),
	rule('level-glog', {
		comment: 'glog / klog: I0317 16:13:38.811 …',
		match: '^' + groupsOrFail(GLOG) + '(?=\\d{4}[ \\t]\\d{1,2}:\\d{2})',
		captures: levelCaptures(1),
	}),
	rule('level-ruby', {
		comment: 'Ruby Logger: E, [2024-01-01T… #123] ERROR -- : …',
		match: '^' + groupsOrFail(RUBY) + '(?=, \\[)',
		captures: levelCaptures(1),
	}),
	rule('level-logcat-brief', {
		comment: 'logcat brief/time/process: "E/Tag( 123): msg", "03-17 16:13:38.811 W/Tag: msg"',
		match: '(?<![^ \\t])' + groupsOrFail(LOGCAT) + '(?=/[^\\s/(:][^(:]*(?:\\([ \\t]*\\d+\\))?:)',
		captures: levelCaptures(1),
	}),
	rule('level-logcat-threadtime', {
		comment: 'logcat threadtime / uid: "03-17 16:13:38.811  1702  2395 D Tag: msg" — the whole header, so a lone letter elsewhere is never a level',
		match: '^((?:\\d{4}-)?\\d\\d-\\d\\d)[ \\t]+(\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?)[ \\t]+(?:([\\w.]+)[ \\t]+)?(\\d+)[ \\t]+(\\d+)[ \\t]+' + groupsOrFail(LOGCAT) + '(?=[ \\t])',
		captures: levelCaptures(6, {
			1: { name: 'comment log.date' }, 2: { name: 'comment log.date' }, 3: { name: 'variable.other.user log.user' },
			4: { name: 'constant.numeric log.number' }, 5: { name: 'constant.numeric log.number' },
		}),
	}),
	rule('level-field', {
		comment: 'level=info, "level":"warn", severity: ERROR, levelname=…',
		match: '(?<![\\w.@-])(["\']?)((?i:level|lvl|severity|loglevel|log[._]level|levelname|level_?name|@l))\\1([ \\t]*[=:][ \\t]*)(["\']?)(?i:' + levelGroups(HEADER_WORDS) + ')\\4(?![\\w-])',
		captures: levelCaptures(5, { 2: { name: 'variable.other.key log.key' }, 3: { name: 'punctuation.separator.key-value' } }),
	}),
	rule('level-field-numeric', {
		comment: 'pino / bunyan numeric level: "level":30',
		match: '(?<![\\w.@-])(["\']?)(level)\\1([ \\t]*[=:][ \\t]*)' + levelGroups(PINO) + '(?![\\w.])',
		captures: levelCaptures(4, { 2: { name: 'variable.other.key log.key' }, 3: { name: 'punctuation.separator.key-value' } }),
	}),
	rule('level-bracketed', {
		comment: '[ERROR] [warn] [ I ] [E] [core:error] (apache 2.4 module:level); not arr[i]',
		match: '(?<!\\w)\\[[ \\t]*(?:[\\w.-]+:)?(?i:' + levelGroups(headerWordsWithLetters) + ')[ \\t]*(?=\\])',
		captures: levelCaptures(1),
	}),
	rule('level-line-start', {
		comment: 'WARNING:root:msg (Python default), info: (.NET), SEVERE: (java.util.logging), panic: (Go), Error: (Node)',
		match: '^(?i:' + levelGroups(HEADER_WORDS) + ')(?=:)',
		captures: levelCaptures(1),
	}),
	rule('level-after-timestamp', {
		comment: 'A level word in any case right after a time/number, "| ", or a tab: the header position of most formats ([16:13:38 INF], "2016-09-28 04:30:30, Info", zap "\\tinfo\\t")',
		match: '(?<=[\\d|Z][ \\t]|[\\d|Z][ \\t][ \\t]|\\d,[ \\t]|\\d,[ \\t][ \\t]|\\t)(?i:' + levelGroups(HEADER_WORDS) + ')(?=[ \\t|,\\]]|:(?:[ \\t]|$)|$)',
		captures: levelCaptures(1),
	}),
	rule('level-after-program', {
		comment: 'syslog program prefix then a level and a colon: "sshd[24200]: error: …"',
		match: '(?<=\\]:[ \\t])(?i:' + levelGroups(HEADER_WORDS) + ')(?=:)',
		captures: levelCaptures(1),
	}),
	rule('level-postgres', {
		comment: 'PostgreSQL: "LOG:  msg", "DEBUG2:  msg" — the level and a colon followed by two spaces after the log_line_prefix',
		match: '(?<=[ \\t])' + levelGroups(POSTGRES) + '(?=:  )',
		captures: levelCaptures(1),
	}),
	rule('level-slash', {
		comment: 'Icinga 2: "[2017-04-04 11:16:34 +0200] information/Notification: …" — severity/Component:',
		match: '(?<=\\][ \\t])(?i:' + levelGroups(HEADER_WORDS) + ')(?=/[\\w.-]+:)',
		captures: levelCaptures(1),
	}),
	rule('level-marker', {
		comment: 'Redis: "1:M 01 May 2024 10:00:00.123 * Ready" — one-character levels . - * # after the time',
		match: '(?<=\\d{2}:\\d{2}:\\d{2}\\.\\d{3}[ \\t])(?:(\\.)|(-)|(\\*)|(#))(?=[ \\t])',
		captures: { 1: { name: LEVEL_SCOPE.debug }, 2: { name: LEVEL_SCOPE.trace }, 3: { name: LEVEL_SCOPE.notice }, 4: { name: LEVEL_SCOPE.warning } },
	}),
	rule('level-upper', {
		comment: 'Upper-case level words anywhere (the header is usually one of them)',
		match: '\\b' + levelGroups(UPPER_ANYWHERE) + '\\b',
		captures: levelCaptures(1),
	}),
	rule('date', {
		comment: 'Dates with optional time: 2015-10-18, 2015-10-18T18:01:47.978Z, 17/06/09, [Sun Dec 04 04:47:44 2005], Jun 14 15:16:01, 10/Oct/2000:13:55:36 -0700, 20171223-, 03-17 16:…',
		match: '(?<![\\w.:/-])(?:'
			+ `\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}(?:T${TIME}${ZONE})?`
			+ `|\\d{4}\\d{2}\\d{2}T\\d{6}(?:\\.\\d+)?Z?`
			+ `|\\d{1,2}/\\d{1,2}/\\d{2,4}`
			+ `|\\d{1,2}-\\d{1,2}-\\d{4}`
			+ `|\\d{2}\\.\\d{2}\\.\\d{4}`
			+ `|\\d{1,2}/${MONTH}/\\d{4}(?::${TIME})?${ZONE}`
			+ `|(?:${WEEKDAY},?[ \\t]+)?\\d{1,2}[ \\t]${MONTH}[ \\t]\\d{4}(?:[ \\t]+${TIME})?${ZONE}`
			+ `|(?:${WEEKDAY},?[ \\t]+)?${MONTH}\\.?[ \\t]+\\d{1,2}(?:(?:st|nd|rd|th)?,?[ \\t]+\\d{4}(?!:))?(?:[ \\t]+${TIME}${ZONE})?(?:[ \\t]+\\d{4}(?![\\w:]))?`
			+ `|(?:19|20)\\d{6}(?=[- ]\\d{1,2}:?\\d{2})`
			+ `|\\d{1,2}[-/.]\\d{1,2}(?=[ \\tT]\\d{1,2}:\\d{2})`
			+ ')(?![\\w])',
		name: 'comment log.date',
	}),
	rule('date-compact-line-start', {
		comment: 'yyMMdd HHmmss at the start of a line (HDFS)',
		match: '^\\d{6}[ \\t]\\d{6}(?![\\w.:])',
		name: 'comment log.date',
	}),
	rule('time', {
		match: `(?<![\\w.:])${TIME}${ZONE}(?![\\w:])`,
		name: 'comment log.date',
	}),
	rule('guid', {
		match: '(?<![\\w-])\\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}?(?![\\w-])',
		name: 'constant.language log.guid',
	}),
	rule('url', {
		match: '\\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\\s"\'<>`]*[^\\s"\'<>`.,;:!?)\\]}]',
		name: 'constant.language markup.underline.link log.url',
	}),
	rule('ipv6', {
		comment: 'full or ::-compressed IPv6 (needs a digit so C++/Ruby "Abc::Def" is not an address)',
		match: '(?<![\\w:.])(?=[0-9a-fA-F:]*\\d)(?:(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|(?:[0-9a-fA-F]{1,4}:){1,7}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?|::(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6})?)(?:%[\\w.]+)?(?![\\w:])',
		name: 'constant.language log.ip',
	}),
	rule('ipv4', {
		match: '(?<![\\w.])(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(?:/\\d{1,2})?(?::\\d{1,5})?(?![\\w.]|\\.\\d)',
		name: 'constant.language log.ip',
	}),
	rule('mac', {
		match: '(?<![\\w:-])[0-9a-fA-F]{2}(?:([:-])[0-9a-fA-F]{2})(?:\\1[0-9a-fA-F]{2}){4}(?![\\w:-])',
		name: 'constant.language log.mac',
	}),
	rule('exception-name', {
		comment: 'ValueError, java.lang.NullPointerException, Foo$BarException, System.IO.IOException, KeyboardInterrupt',
		match: `(?<![\\w$.])(?:[A-Za-z_$][\\w$]*\\.)*(?:[A-Z][\\w$]*${EXC_SUFFIX}|${PY_BARE_EXC})(?![\\w$])`,
		name: 'entity.name.type.exception log.exceptiontype',
	}),
	rule('path', {
		comment: 'Unix /a/b, ~/a, ./a, Windows C:\\a\\b, \\\\server\\share, and relative a/b/c.ext',
		match: '(?<![\\w./\\\\:-])(?:(?:~|\\.{1,2})?(?:/[\\w.@+~%-]+)+/?|[A-Za-z]:\\\\(?:[^\\\\/:*?"<>|\\s]+\\\\)*[^\\\\/:*?"<>|\\s]*|\\\\\\\\[\\w.$-]+(?:\\\\[^\\\\/:*?"<>|\\s]+)+|(?:[\\w-][\\w.-]*/)+[\\w-][\\w.-]*\\.[A-Za-z][A-Za-z0-9]{0,7}(?![\\w/]))',
		name: 'string.unquoted.path log.path',
	}),
	rule('string-double', {
		comment: 'a timestamp, URL, id or address inside quotes keeps its own colour (logrus time="…")',
		match: '"(?:[^"\\\\]|\\\\.)*"',
		name: 'string.quoted.double log.string',
		captures: { 0: { patterns: [{ include: '#date' }, { include: '#time' }, { include: '#url' }, { include: '#guid' }, { include: '#ipv6' }, { include: '#ipv4' }] } },
	}),
	rule('string-single', {
		comment: "not an apostrophe: the quote must not follow a letter (don't)",
		match: "(?<![\\w'])'[^'\\n]*'(?!\\w)",
		name: 'string.quoted.single log.string',
	}),
	rule('key-value', {
		comment: 'key=value: the key, the =, and the value (coloured by its own kind when it is a number, path, url …)',
		match: '(?<![\\w.\\-/$])([A-Za-z_][\\w.\\-]*)(=)(?!=)(?:("(?:[^"\\\\]|\\\\.)*")|([^\\s"\',;(){}\\[\\]=]+))?',
		captures: {
			1: { name: 'variable.other.key log.key' },
			2: { name: 'punctuation.separator.key-value' },
			3: { patterns: [{ include: '#string-double' }] },
			4: { name: 'string.unquoted.value log.value', patterns: keyValueInner },
		},
	}),
	rule('constant', {
		match: '\\b(?:true|false|null|nil|None|True|False|undefined|NaN)\\b',
		name: 'constant.language log.constant',
	}),
	rule('hex', {
		comment: '0x1f, and hex ids/hashes of 7+ digits that mix letters and digits',
		match: '\\b(?:0[xX][0-9a-fA-F]+|(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{7,})\\b',
		name: 'constant.numeric.hex log.number',
	}),
	rule('number', {
		comment: 'integers, decimals, versions, exponents, with an optional unit (12ms, 3.5GB, 80%)',
		match: '(?<![\\w.])-?\\d+(?:\\.\\d+)*(?:[eE][+-]?\\d+)?(?:(?:ns|us|µs|ms|s|m|h|d|[kKMGTP]i?B|B|b)(?!\\w)|%)?(?!\\w|\\.\\d)',
		name: 'constant.numeric log.number',
	}),
];

const grammar = {
	$schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
	name: 'Log (Log Lens)',
	scopeName: 'text.log.loglens',
	comment: 'Generated by build-grammar.mjs. Every token carries a generic scope that themes colour and a log.* scope for editor.tokenColorCustomizations.',
	patterns: topLevel,
	repository,
};
writeFileSync(out, JSON.stringify(grammar, null, '\t') + '\n');
console.log('wrote', out, Object.keys(repository).length, 'rules');
