/**
 * Finds the exception an entry reports: the final `Type: message` line of a Python traceback
 * (the last one when exceptions are chained), or the first `pkg.SomeException: message` line of
 * a Java / .NET stack trace (the one followed by `at …` frames).
 */
export interface ExceptionInfo {
	type: string;
	message: string;
}

const PY_EXC = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;
const JAVA_EXC = /^\s*(?:Exception in thread "[^"]*" )?(?:Caused by: )?((?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*(?:Exception|Error|Throwable|Fault|Failure)?)(?::\s?(.*))?$/;
const FRAME = /^\s+at\s+\S/;

/** A container log prefix (`worker-1  | `, docker compose). */
export const SERVICE_PREFIX = /^[A-Za-z0-9][\w.-]{0,62} *\| /;

/**
 * An entry's lines without the container prefix they all share (`worker-1  | Traceback …`), so
 * a traceback reads as it was written; the lines unchanged when they do not all carry one.
 */
export function withoutServicePrefix(lines: readonly string[]): readonly string[] {
	if (lines.length < 2) return lines;
	const p = SERVICE_PREFIX.exec(lines[0]);
	if (!p) return lines;
	const prefix = p[0];
	for (const l of lines) if (!l.startsWith(prefix)) return lines;
	return lines.map((l) => l.slice(prefix.length));
}

/** `lines` are the entry's lines (the header first). */
export function findException(entryLines: readonly string[]): ExceptionInfo | undefined {
	const lines = withoutServicePrefix(entryLines);
	let lastTb = -1;
	for (let i = 0; i < lines.length; i++) if (lines[i].startsWith('Traceback (most recent call last):')) lastTb = i;
	if (lastTb >= 0) {
		// The final exception line: the last unindented `Name: msg` after the last traceback header.
		let found: ExceptionInfo | undefined;
		for (let i = lastTb + 1; i < lines.length; i++) {
			const l = lines[i];
			if (l.length === 0 || l[0] === ' ' || l[0] === '\t' || l[0] === '^') continue;
			const m = PY_EXC.exec(l);
			if (m && !/^(During|The above|Traceback)/.test(l)) {
				const msg = [m[2] ?? ''];
				// A multi-line message continues on the following unindented lines.
				for (let j = i + 1; j < lines.length && lines[j].length > 0 && !/^\s/.test(lines[j]); j++) msg.push(lines[j]);
				found = { type: m[1], message: msg.join('\n').trimEnd() };
				break;
			}
		}
		if (found) return found;
	}
	for (let i = 0; i < lines.length; i++) {
		const next = lines[i + 1];
		if (next === undefined || !FRAME.test(next)) continue;
		const m = JAVA_EXC.exec(lines[i]);
		if (m) return { type: m[1], message: (m[2] ?? '').trimEnd() };
		// The header itself may end with the exception (`ERROR … - failed: java.io.IOException: x`).
		// Unanchored, this pattern is quadratic in a line without dots: only a line's first 4 KB are
		// searched (a 400 KB line took minutes; found by test/core/scannerProperty.test.ts).
		const tail = /((?:[A-Za-z_$][\w$]*\.)+[A-Za-z_$][\w$]*(?:Exception|Error|Throwable))(?::\s?(.*))?$/.exec(lines[i].length > 4096 ? lines[i].slice(0, 4096) : lines[i]);
		if (tail) return { type: tail[1], message: (tail[2] ?? '').trimEnd() };
	}
	return undefined;
}
