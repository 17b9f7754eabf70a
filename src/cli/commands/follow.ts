import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { CompiledFilter, FilterSpec, parseFilterLevel } from '../../core/filter';
import { FileFollower } from '../../core/follow';
import { FollowedEntry, FollowEntryAssembler } from '../../core/followEntries';
import { CliError, fileYear } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';

export const summary = 'print entries as they are appended (tail -F that survives rotation), filtered';

const HELP = `Usage: loglens follow FILE [options]

Prints each entry appended to FILE once (a traceback stays with its entry), following the file
across rotation (RotatingFileHandler, TimedRotatingFileHandler, logrotate create or copytruncate),
deletion and re-creation; a FILE that does not exist yet is waited for. Ctrl-C stops.
  --level MIN          entries at or above MIN (trace … critical)
  --grep RE            the entry's text matches RE (RE2 syntax; repeatable)
  --exclude RE         the entry's text does not match RE (repeatable)
  -i, --ignore-case    case-insensitive --grep/--exclude
  --from-start         print the whole existing file first
  -n, --lines N        start with the last N lines of the existing file (default 10)
  --poll               check the file every 250 ms instead of using change events
                       (network and container file systems)
  -q, --quiet          no notes on stderr about rotation, truncation and missing files
${COMMON_HELP}`;

/** With text criteria an entry is decided when complete: at the next header, or after this long without new lines. */
const QUIET_CLOSE_MS = 200;
/** Bytes read from the file's start to detect the format. */
const SAMPLE_BYTES = 256 * 1024;
/** An undecided entry longer than this is decided on what has arrived (memory stays bounded). */
const MAX_BUFFERED_LINES = 10000;

export async function run(argv: string[]): Promise<number> {
	const args = parseCommandArgs(argv, {
		level: { type: 'string' },
		grep: { type: 'string', multiple: true },
		exclude: { type: 'string', multiple: true },
		'ignore-case': { type: 'boolean', short: 'i' },
		'from-start': { type: 'boolean' },
		lines: { type: 'string', short: 'n' },
		poll: { type: 'boolean' },
		quiet: { type: 'boolean', short: 'q' },
	}, HELP);
	if (!args) return 0;
	const v = args.values;
	if (args.file === '-') throw new CliError('follow needs a file path (stdin is not a file that can be followed)');
	const spec: FilterSpec = {};
	if (typeof v.level === 'string') spec.minLevel = parseFilterLevel(v.level);
	if (Array.isArray(v.grep)) spec.include = v.grep;
	if (Array.isArray(v.exclude)) spec.exclude = v.exclude;
	spec.ignoreCase = v['ignore-case'] === true;
	const filter = new CompiledFilter(spec);
	let contextLines = 10;
	if (typeof v.lines === 'string') {
		contextLines = Number(v.lines);
		if (!Number.isInteger(contextLines) || contextLines < 0) throw new CliError(`--lines needs a whole number, got '${v.lines}'`);
	}
	const name = basename(args.file);
	const note = (text: string): void => {
		if (v.quiet !== true) process.stderr.write(`loglens: ${name}: ${text}\n`);
	};

	const printer = new EntryPrinter(filter);
	const assembler = new FollowEntryAssembler(printer, {
		format: args.format,
		ctx: { year: fileYear(args.file) },
		sample: headSample(args.file),
	});
	const follower = new FileFollower(args.file, { fromStart: v['from-start'] === true, contextLines, usePolling: v.poll === true });

	return new Promise<number>((resolve) => {
		let quietTimer: NodeJS.Timeout | undefined;
		let stopped = false;
		const stop = (code: number, printOpen: boolean): void => {
			if (stopped) return;
			stopped = true;
			if (quietTimer) clearTimeout(quietTimer);
			process.off('SIGINT', onSignal);
			process.off('SIGTERM', onSignal);
			if (printOpen) {
				// The entry still open is as complete as it will get: decide it rather than drop it.
				assembler.closeOpen();
				printer.writeOut();
			}
			void follower.close().then(() => resolve(code));
		};
		const onSignal = (): void => stop(0, true);
		process.on('SIGINT', onSignal);
		process.on('SIGTERM', onSignal);
		process.stdout.on('error', (e: NodeJS.ErrnoException) => {
			// Reader gone (`loglens follow … | head`): stop quietly, like tail.
			if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') stop(0, false);
			else {
				process.stderr.write(`loglens: cannot write output: ${e.message}\n`);
				stop(2, false);
			}
		});
		printer.onBackpressure = (drained) => {
			follower.pause();
			drained.then(() => follower.resume(), () => undefined);
		};
		const armQuietClose = (): void => {
			if (quietTimer) clearTimeout(quietTimer);
			quietTimer = undefined;
			if (!printer.decidesAtClose || !assembler.hasOpenEntry || stopped) return;
			quietTimer = setTimeout(() => {
				quietTimer = undefined;
				assembler.closeOpen();
				printer.writeOut();
			}, QUIET_CLOSE_MS);
		};

		follower.on('lines', (ev) => {
			assembler.push(ev.data);
			// A piece without its newline only comes from a file that ended mid-line: end the line there.
			if (ev.partial) assembler.push(Buffer.from('\n'));
			printer.writeOut();
			armQuietClose();
		});
		follower.on('caughtUp', armQuietClose);
		follower.on('rotated', (e) => {
			if (!e.recovered) note('file replaced (rotated); following the new file');
		});
		follower.on('truncated', () => note('file truncated; reading from its start'));
		follower.on('missing', () => note('not there (yet, or any more); waiting for it'));
		follower.on('created', () => note('appeared; following'));
		follower.on('error', (e) => note(e.message));
		follower.start().catch((e: unknown) => {
			process.stderr.write(`loglens: ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
			stop(2, false);
		});
	});
}

/** Per entry: printed already, or the level/time verdict taken at its header. */
interface Verdict {
	printed: boolean;
	passes: boolean;
}

/**
 * Decides and prints entries. Level and time are known at the header, so without text criteria
 * lines are printed as they arrive; with text criteria (--grep) an entry is printed once it is
 * complete (or quiet), and its later continuation lines follow it.
 */
class EntryPrinter {
	/** Called with a promise of 'drain' when stdout is full; the caller pauses reading meanwhile. */
	onBackpressure: ((drained: Promise<void>) => void) | undefined;
	private readonly verdicts = new WeakMap<FollowedEntry, Verdict>();
	private out: Buffer[] = [];
	private static readonly NL = Buffer.from('\n');

	constructor(private readonly filter: CompiledFilter) {}

	get decidesAtClose(): boolean {
		return this.filter.needsText;
	}

	onEntryStart(e: FollowedEntry): void {
		const v: Verdict = { printed: false, passes: this.filter.passesIndex(e.level, e.time) };
		this.verdicts.set(e, v);
		if (!v.passes) this.forget(e);
		else if (!this.decidesAtClose) this.print(e, v);
	}

	onEntryLine(e: FollowedEntry, line: Buffer): void {
		this.more(e, line, false);
	}

	onEntryClosed(e: FollowedEntry): void {
		const v = this.verdicts.get(e);
		if (v && !v.printed && v.passes) this.decide(e, v, false);
	}

	onLateLine(e: FollowedEntry, line: Buffer): void {
		this.more(e, line, true);
	}

	private more(e: FollowedEntry, line: Buffer, late: boolean): void {
		const v = this.verdicts.get(e);
		if (!v || !v.passes) return;
		if (v.printed) this.emit(line);
		else if (e.lines.length >= MAX_BUFFERED_LINES) this.decide(e, v, true);
		// A late line can make a closed, undecided entry match: decide again on everything so far.
		else if (late) this.decide(e, v, false);
	}

	/** Writes what was printed since the last call, as one write (prompt when piped). */
	writeOut(): void {
		if (this.out.length === 0) return;
		const data = Buffer.concat(this.out);
		this.out = [];
		if (process.stdout.destroyed) return;
		if (!process.stdout.write(data) && this.onBackpressure) {
			this.onBackpressure(new Promise<void>((r) => process.stdout.once('drain', r)));
		}
	}

	/** Text criteria on the lines so far; `final` rejects for good (too long to keep waiting). */
	private decide(e: FollowedEntry, v: Verdict, final: boolean): void {
		const text = Buffer.concat(e.lines.flatMap((l, i) => (i === 0 ? [l] : [EntryPrinter.NL, l]))).toString('utf8');
		if (this.filter.passesText(text)) this.print(e, v);
		else if (final) {
			v.passes = false;
			this.forget(e);
		}
	}

	/** Prints the lines so far; later lines are printed as they come, so they need not be kept. */
	private print(e: FollowedEntry, v: Verdict): void {
		v.printed = true;
		for (const l of e.lines) this.emit(l);
		this.forget(e);
	}

	private forget(e: FollowedEntry): void {
		e.retain = false;
		e.lines.length = 0;
	}

	private emit(line: Buffer): void {
		this.out.push(line, EntryPrinter.NL);
	}
}

/** The file's first lines, to detect its format before anything is appended (none when missing). */
function headSample(file: string): string[] {
	let fd: number;
	try {
		fd = openSync(file, 'r');
	} catch {
		return [];
	}
	try {
		const buf = Buffer.allocUnsafe(SAMPLE_BYTES);
		const n = readSync(fd, buf, 0, SAMPLE_BYTES, 0);
		const lines = buf.toString('utf8', 0, n).split('\n');
		if (n === SAMPLE_BYTES) lines.pop();
		return lines.slice(0, 1000).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
	} catch {
		return [];
	} finally {
		closeSync(fd);
	}
}
