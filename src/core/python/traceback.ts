// Python tracebacks read back from the text `traceback.print_exc()` / `logger.exception()` writes:
// the chain of exceptions (context and cause), their frames, exception groups with their
// `  | `-prefixed sub-exceptions, multi-line messages and SyntaxError source lines.

/** One `File "…", line N, in f` entry. */
export interface TracebackFrame {
	file: string;
	line: number;
	/** Function name; absent for SyntaxError locations, which print no `in …`. */
	func?: string;
	/** The source line shown under the frame (stripped), when Python could read it. */
	code?: string;
}

/** One exception of a chain. */
export interface TracebackException {
	/** Exception class as printed (`ValueError`, `requests.exceptions.HTTPError`, `__main__.MyError`). */
	type: string;
	/** Message after `Type: ` (may span lines, may be empty). */
	message: string;
	/** Frames, outermost first (as printed). Empty when the exception was never raised. */
	frames: TracebackFrame[];
	/**
	 * How the exception before this one in the chain relates to this one: `cause` when it was
	 * raised `from` it ("The above exception was the direct cause…"), `context` when this one was
	 * raised while handling it ("During handling of the above exception…"). Absent for the first.
	 */
	relation?: 'cause' | 'context';
	/** For an exception group: each sub-exception with its own chain, in printed order. */
	exceptions?: ParsedTraceback[];
	/** `and N more exceptions` that Python left out of a large group. */
	omittedExceptions?: number;
}

/** A traceback: its chain, oldest first, and the final exception (the last of the chain). */
export interface ParsedTraceback {
	chain: TracebackException[];
	/** Type of the final exception. */
	type: string;
	/** Message of the final exception. */
	message: string;
	/** The raising frame: the last frame of the final exception, when it has frames. */
	raisingFrame?: TracebackFrame;
}

/** A line of chain text, or the sub-exceptions of the group printed just before. */
type Item = string | { subs: ParsedTraceback[]; omitted: number } | { blockStart: true };

const TRACEBACK_HEAD = /^(?:Exception Group )?Traceback \(most recent call last\):\s*$/;
const CONTEXT_SEP = 'During handling of the above exception, another exception occurred:';
const CAUSE_SEP = 'The above exception was the direct cause of the following exception:';
const FRAME = /^ {2}File "(.*)", line (\d+)(?:, in (.+))?\s*$/;
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*)(?::(?: (.*))?)?$/;
const CARETS = /^\s*[~^]+[~^\s]*$/;
const SUB_SEP = /^\+-+ (?:\d+|\.\.\.) -+$/;
const SUB_END = /^\+-+$/;
const GROUP_START = /^\+-\+-+ (?:\d+|\.\.\.) -+$/;

/** `line` has only spaces before column `col`, and `ch` (one of) at `col`. */
function at(line: string, col: number, chars: string): boolean {
	if (line.length <= col || !chars.includes(line[col]!)) return false;
	for (let i = 0; i < col; i++) if (line[i] !== ' ') return false;
	return true;
}

/** Indented at least to `col` (spaces only), i.e. part of a block nested deeper than `col`. */
function deeper(line: string, col: number): boolean {
	if (line.length <= col) return false;
	for (let i = 0; i <= col; i++) if (line[i] !== ' ') return false;
	return true;
}

/**
 * Lines of a group block whose markers (`|`, `+`) sit at column `col` into chain items: text lines
 * with the prefix removed, and `subs` items for each `+-+---- 1 ----` run of sub-exceptions.
 */
function blockItems(lines: string[], col: number): Item[] {
	const items: Item[] = [];
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i]!;
		if (at(line, col, '|')) {
			items.push(line.slice(col + 2));
			continue;
		}
		if (!at(line, col, '+')) continue;
		const rest = line.slice(col);
		if (rest.startsWith('+ ')) {
			items.push(rest.slice(2));
			continue;
		}
		if (!GROUP_START.test(rest)) continue;
		// The sub-exceptions: this line's second `+` is the first separator, at col + 2.
		const region: string[] = [' '.repeat(col + 2) + rest.slice(2)];
		while (i + 1 < lines.length && deeper(lines[i + 1]!, col)) region.push(lines[++i]!);
		items.push(subExceptions(region, col + 2));
	}
	return items;
}

function subExceptions(region: string[], col: number): { subs: ParsedTraceback[]; omitted: number } {
	const subs: ParsedTraceback[] = [];
	let omitted = 0;
	let current: string[] | null = null;
	const flush = (): void => {
		if (!current) return;
		const items = blockItems(current, col);
		const more = items.length === 1 && typeof items[0] === 'string' ? /^and (\d+) more exceptions?$/.exec(items[0]) : null;
		if (more) omitted += +more[1]!;
		else subs.push(finish(parseItems(items, true)));
		current = null;
	};
	for (const line of region) {
		if (at(line, col, '+')) {
			const rest = line.slice(col);
			if (SUB_SEP.test(rest)) {
				flush();
				current = [];
				continue;
			}
			if (SUB_END.test(rest)) {
				flush();
				continue;
			}
		}
		current?.push(line);
	}
	flush();
	return { subs, omitted };
}

/** Top-level lines into items, turning group blocks (`  + Exception Group Traceback`, `  | X`) into their items. */
function topItems(lines: string[]): Item[] {
	const items: Item[] = [];
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i]!;
		const g = /^( *)[+|] /.exec(line);
		if (g) {
			const col = g[1]!.length;
			let j = i;
			const block: string[] = [];
			while (j < lines.length && (at(lines[j]!, col, '|+') || deeper(lines[j]!, col))) block.push(lines[j++]!);
			// Only a block with a sub-exception run is a group; anything else (a table row in a
			// message) stays text.
			if (block.some((l) => at(l, col, '+') && GROUP_START.test(l.slice(col)))) {
				items.push({ blockStart: true }, ...blockItems(block, col));
				i = j - 1;
				continue;
			}
		}
		items.push(line);
	}
	return items;
}

type State = 'start' | 'frames' | 'message' | 'between' | 'stack';

function parseItems(items: Item[], sub: boolean): TracebackException[] {
	const chain: TracebackException[] = [];
	let cur: TracebackException | null = null;
	let state: State = 'start';
	let relation: 'cause' | 'context' | undefined;
	let lastFrame: TracebackFrame | null = null;
	let messageLines: string[] = [];
	const endMessage = (): void => {
		if (cur && messageLines.length) {
			while (messageLines.length && messageLines[messageLines.length - 1]!.trim() === '') messageLines.pop();
			if (messageLines.length) cur.message += '\n' + messageLines.join('\n');
		}
		messageLines = [];
	};
	const begin = (): TracebackException => {
		endMessage();
		const e: TracebackException = { type: '', message: '', frames: [] };
		if (relation && chain.length) e.relation = relation;
		relation = undefined;
		chain.push(e);
		return e;
	};
	const exceptionLine = (e: TracebackException, text: string): boolean => {
		const m = EXCEPTION_LINE.exec(text);
		if (!m) return false;
		e.type = m[1]!;
		e.message = m[2] ?? '';
		return true;
	};
	for (const item of items) {
		if (typeof item !== 'string' && 'blockStart' in item) {
			// A group printed without a traceback starts with its bare `ExceptionGroup: …` line.
			if (state === 'start') state = 'between';
			continue;
		}
		if (typeof item !== 'string') {
			const target = cur ?? chain[chain.length - 1];
			if (target) {
				target.exceptions = item.subs;
				if (item.omitted) target.omittedExceptions = item.omitted;
			}
			continue;
		}
		const line = item.replace(/\s+$/, '');
		if (TRACEBACK_HEAD.test(line)) {
			cur = begin();
			state = 'frames';
			lastFrame = null;
			continue;
		}
		if (line === CONTEXT_SEP || line === CAUSE_SEP) {
			endMessage();
			relation = line === CAUSE_SEP ? 'cause' : 'context';
			state = 'between';
			cur = null;
			continue;
		}
		if (state === 'frames') {
			const f = FRAME.exec(line);
			if (f) {
				lastFrame = { file: f[1]!, line: +f[2]! };
				if (f[3] !== undefined) lastFrame.func = f[3];
				cur!.frames.push(lastFrame);
				continue;
			}
			if (line.startsWith(' ') || line === '') {
				const code = line.trim();
				if (lastFrame && lastFrame.code === undefined && code && !CARETS.test(line) && !code.startsWith('[Previous line repeated')) lastFrame.code = code;
				continue;
			}
			if (!exceptionLine(cur!, line)) {
				cur!.type = line;
			}
			state = 'message';
			continue;
		}
		if (state === 'message') {
			if (line === 'Stack (most recent call last):') {
				endMessage();
				state = 'stack';
				continue;
			}
			messageLines.push(item.replace(/\r$/, ''));
			continue;
		}
		if ((state === 'between' || (state === 'start' && sub)) && line !== '') {
			// An exception that was never raised has no traceback: just its `Type: message` line.
			const e = begin();
			if (!exceptionLine(e, line)) e.type = line;
			cur = e;
			state = 'message';
		}
	}
	endMessage();
	return chain.filter((e) => e.type !== '' || e.frames.length > 0);
}

function finish(chain: TracebackException[]): ParsedTraceback {
	const last = chain[chain.length - 1];
	const out: ParsedTraceback = { chain, type: last?.type ?? '', message: last?.message ?? '' };
	const rf = last?.frames[last.frames.length - 1];
	if (rf) out.raisingFrame = rf;
	return out;
}

/**
 * Parses the traceback in an entry's text (header line and continuation lines; anything before
 * the first `Traceback (most recent call last):` or exception group is the log message and is
 * skipped). Returns null when the text holds no traceback.
 */
export function parseTraceback(text: string): ParsedTraceback | null {
	const lines = text.split(/\r?\n/);
	const chain = parseItems(topItems(lines), false);
	return chain.length ? finish(chain) : null;
}

/** The raising frame of a parsed traceback (last frame of the final exception), if any. */
export function raisingFrame(tb: ParsedTraceback): TracebackFrame | undefined {
	return tb.raisingFrame;
}

/** Quick test for entry text that holds a traceback, without parsing it. */
export function hasTraceback(text: string): boolean {
	return /(?:^|\n)[ |+]*(?:Exception Group )?Traceback \(most recent call last\):/.test(text) || /(?:^|\n) *\+-\+-+ 1 -+/.test(text);
}
