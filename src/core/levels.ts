/**
 * Canonical log levels. The numeric order is the severity order; `Level.Unknown` sorts below
 * everything and is what an entry gets when its header carries no level (or the format is unknown).
 */
export const enum Level {
	Trace = 0,
	Debug = 1,
	Info = 2,
	Notice = 3,
	Warning = 4,
	Error = 5,
	Critical = 6,
	Unknown = 7,
}

/** Canonical lowercase names, indexed by `Level`. */
export const LEVEL_NAMES = ['trace', 'debug', 'info', 'notice', 'warning', 'error', 'critical', 'unknown'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];
/** The seven real levels, in severity order (no `unknown`). */
export const REAL_LEVELS: readonly Level[] = [Level.Trace, Level.Debug, Level.Info, Level.Notice, Level.Warning, Level.Error, Level.Critical];

export function levelName(level: Level): LevelName {
	return LEVEL_NAMES[level] ?? 'unknown';
}

/** Parses a canonical name (or any known spelling, see levelFromToken); undefined when unknown. */
export function parseLevelName(name: string): Level | undefined {
	const i = (LEVEL_NAMES as readonly string[]).indexOf(name.toLowerCase());
	if (i >= 0 && i !== Level.Unknown) return i as Level;
	const l = levelFromToken(name);
	return l === Level.Unknown ? undefined : l;
}

const TOKENS: Record<string, Level> = Object.create(null);
function map(level: Level, ...words: string[]): void {
	for (const w of words) TOKENS[w.toUpperCase()] = level;
}
// (winston's `silly` is its lowest level; `http` sits between info and verbose)
map(Level.Trace, 'TRACE', 'TRC', 'VERBOSE', 'VERB', 'VRB', 'V', 'FINEST', 'FINER', 'T', 'TRCE', 'SILLY');
// (truncated names: Python's `%(levelname).3s`/`.4s`, logrus's four letters)
map(Level.Debug, 'DEBUG', 'DBG', 'D', 'FINE', 'CONFIG', 'DEBU', 'DBUG', 'DEB', 'DEBUG1', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'DEBUG5');
// `LOG` is PostgreSQL's informational level; MySQL writes `Note` and `System` for informational lines.
map(Level.Info, 'INFO', 'INF', 'I', 'INFORMATION', 'INFORMATIONAL', 'LOG', 'NOTE', 'SYSTEM', 'HTTP');
map(Level.Notice, 'NOTICE', 'N');
map(Level.Warning, 'WARN', 'WARNING', 'W', 'WRN', 'WAR');
map(Level.Error, 'ERROR', 'ERR', 'E', 'SEVERE', 'FAIL', 'FAILURE', 'ERRO');
map(Level.Critical, 'CRITICAL', 'CRIT', 'CRT', 'CRI', 'FATAL', 'F', 'EMERG', 'EMERGENCY', 'ALERT', 'PANIC', 'DPANIC', 'C', 'FTL');

/**
 * Redis's one-character levels (`.` debug, `-` verbose, `*` notice, `#` warning): only read where a
 * learned level column holds them and varies like a level column.
 */
// (Redis orders them debug < verbose < notice < warning: verbose is read as debug, kept above `.`)
const MARKERS: Record<string, Level> = { '.': Level.Debug, '-': Level.Debug, '*': Level.Notice, '#': Level.Warning };

/** The level a one-character marker names (Redis), or Unknown. */
export function levelFromMarker(c: string): Level {
	return MARKERS[c] ?? Level.Unknown;
}

/**
 * Words that sit where the level does but start a line that belongs to the entry above: PostgreSQL's
 * `DETAIL:`, `HINT:`, `STATEMENT:`, `CONTEXT:`, `QUERY:`, `LOCATION:` lines explain the message
 * before them.
 */
const SECONDARY = new Set(['DETAIL', 'HINT', 'STATEMENT', 'CONTEXT', 'QUERY', 'LOCATION']);

/** True for a level-column word that continues the entry above (PostgreSQL `DETAIL:`). */
export function isSecondaryLevelWord(token: string): boolean {
	return token.length >= 4 && token.length <= 9 && SECONDARY.has(token);
}

/**
 * Maps a level token as real logs write it (any case) to the canonical level; `Level.Unknown`
 * when the token is not a level word. Single letters (V, D, I, W, E, F, N) are accepted here: the
 * caller decides whether the position in the header makes a single letter a level.
 */
export function levelFromToken(token: string): Level {
	const l = TOKENS[token.toUpperCase()];
	return l === undefined ? Level.Unknown : l;
}

/** syslog severity (0 emerg … 7 debug) to the canonical level. */
export function levelFromSyslogSeverity(sev: number): Level {
	switch (sev) {
		case 0: case 1: case 2: return Level.Critical; // emerg, alert, crit
		case 3: return Level.Error;
		case 4: return Level.Warning;
		case 5: return Level.Notice;
		case 6: return Level.Info;
		case 7: return Level.Debug;
		default: return Level.Unknown;
	}
}

/** Numeric levels: pino/bunyan (10 trace … 60 fatal) and Python's levelno (10 debug … 50 critical). */
export function levelFromNumber(n: number, scheme: 'pino' | 'python' = 'pino'): Level {
	if (scheme === 'python') {
		if (n >= 50) return Level.Critical;
		if (n >= 40) return Level.Error;
		if (n >= 30) return Level.Warning;
		if (n >= 20) return Level.Info;
		if (n >= 10) return Level.Debug;
		return n > 0 ? Level.Trace : Level.Unknown;
	}
	if (n >= 60) return Level.Critical;
	if (n >= 50) return Level.Error;
	if (n >= 40) return Level.Warning;
	if (n >= 30) return Level.Info;
	if (n >= 20) return Level.Debug;
	if (n >= 10) return Level.Trace;
	return Level.Unknown;
}
