import { closeSync, openSync, readSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { basename } from 'node:path';
import { CompiledFilter, FilterSpec, parseFilterLevel } from '../../core/filter/filter';
import { FileFollower } from '../../core/follow/follow';
import { FollowedEntry, FollowEntryAssembler } from '../../core/follow/followEntries';
import { CommandExit, CommandFollower, StreamFollower } from '../../core/follow/followStream';
import { bomEncoding, decodeText } from '../../core/textEncoding';
import { CliError, fileYear } from '../cliIo';
import { COMMON_HELP, parseCommandArgs } from '../commandArgs';

export const summary = 'print entries as they are appended (tail -F that survives rotation), filtered';

const HELP = `Usage: loglens follow FILE [options]
       loglens follow - [options]                  (lines from a pipe)
       loglens follow --cmd [options] -- CMD [ARGS…]

Prints each entry appended to FILE once (a traceback stays with its entry), following the file
across rotation (RotatingFileHandler, TimedRotatingFileHandler, logrotate create or copytruncate),
deletion and re-creation; a FILE that does not exist yet is waited for. Ctrl-C stops.
FILE - reads standard input (\`kubectl logs -f pod | loglens follow - --level warning\`) with the
same output, and ends at the end of input.
--cmd runs CMD with ARGS (no shell; use \`-- sh -c '…'\` for one) and follows its stdout and stderr
as one stream, each entry whole; it ends when CMD ends, with CMD's exit status (128+N for signal N).
Ctrl-C or SIGTERM is passed to CMD's process group (everything CMD started; SIGKILL after 2 s).
  --level MIN          entries at or above MIN (trace … critical)
  --grep RE            the entry's text matches RE (RE2 syntax; repeatable)
  --exclude RE         the entry's text does not match RE (repeatable)
  -i, --ignore-case    case-insensitive --grep/--exclude
  --from-start         print the whole existing file first
  -n, --lines N        start with the last N lines of the existing file (default 10)
  --poll               check the file every 250 ms instead of using change events
                       (network and container file systems)
  -q, --quiet          no notes on stderr about rotation, truncation and missing files
  --cmd                run the command after -- and follow its output (see above)
${COMMON_HELP}`;

/** With text criteria an entry is decided when complete: at the next header, or after this long without new lines. */
const QUIET_CLOSE_MS = 200;
/** Bytes read from the file's start to detect the format. */
const SAMPLE_BYTES = 256 * 1024;
/** An undecided entry longer than this is decided on what has arrived (memory stays bounded). */
const MAX_BUFFERED_LINES = 10000;

/** What `follow` reads from: a followed file, a pipe, or a command's output. */
interface LineSource {
	on(ev: 'lines', fn: (l: { data: Buffer; partial: boolean }) => void): unknown;
	pause(): void;
	resume(): void;
}

export async function run(argv: string[]): Promise<number> {
	// `--cmd … -- CMD ARGS…`: everything after the first `--` is the command, never our options.
	const dashes = argv.indexOf('--');
	const cmdMode = argv.slice(0, dashes < 0 ? argv.length : dashes).includes('--cmd');
	const command = cmdMode && dashes >= 0 ? argv.slice(dashes + 1) : [];
	const args = parseCommandArgs(cmdMode && dashes >= 0 ? argv.slice(0, dashes) : argv, {
		level: { type: 'string' },
		grep: { type: 'string', multiple: true },
		exclude: { type: 'string', multiple: true },
		'ignore-case': { type: 'boolean', short: 'i' },
		'from-start': { type: 'boolean' },
		lines: { type: 'string', short: 'n' },
		poll: { type: 'boolean' },
		quiet: { type: 'boolean', short: 'q' },
		cmd: { type: 'boolean' },
	}, HELP, { fileOptional: cmdMode });
	if (!args) return 0;
	const v = args.values;
	if (cmdMode && args.file) throw new CliError(`--cmd takes no FILE (got '${args.file}'): loglens follow --cmd -- CMD ARGS…`);
	if (cmdMode && command.length === 0) throw new CliError('--cmd needs a command after --: loglens follow --cmd -- CMD ARGS…');
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
	const name = cmdMode ? basename(command[0]) : args.file === '-' ? 'stdin' : basename(args.file);
	const note = (text: string): void => {
		if (v.quiet !== true) process.stderr.write(`loglens: ${name}: ${text}\n`);
	};
	const fromFile = !cmdMode && args.file !== '-';

	const printer = new EntryPrinter(filter);
	const assembler = new FollowEntryAssembler(printer, {
		format: args.format,
		ctx: { year: fromFile ? fileYear(args.file) : new Date().getFullYear() },
		sample: fromFile ? headSample(args.file) : [],
	});

	let source: LineSource;
	let close: () => Promise<void>;
	let follower: FileFollower | undefined;
	let streams: StreamFollower | undefined;
	let cmd: CommandFollower | undefined;
	if (cmdMode) {
		cmd = new CommandFollower({ argv: command }, { format: args.format });
		source = cmd;
		close = async () => void (await cmd!.stop());
	} else if (args.file === '-') {
		streams = new StreamFollower([process.stdin]);
		source = streams;
		close = async () => streams!.dispose();
	} else {
		follower = new FileFollower(args.file, { fromStart: v['from-start'] === true, contextLines, usePolling: v.poll === true });
		source = follower;
		close = () => follower!.close();
	}

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
			void close().then(() => resolve(code));
		};
		const onSignal = (sig: NodeJS.Signals): void => {
			// The command first: it gets the signal, its last output is printed, and its status is ours.
			if (cmd?.running) void cmd.interrupt(sig);
			else stop(0, true);
		};
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
			source.pause();
			drained.then(() => source.resume(), () => undefined);
		};
		const armQuietClose = (): void => {
			if (quietTimer) clearTimeout(quietTimer);
			quietTimer = undefined;
			// Pieces of a record a container runtime cut wait for its last piece at most this long too.
			if (!(printer.decidesAtClose || assembler.holding) || !assembler.hasOpenEntry || stopped) return;
			quietTimer = setTimeout(() => {
				quietTimer = undefined;
				assembler.closeOpen();
				printer.writeOut();
			}, QUIET_CLOSE_MS);
		};

		source.on('lines', (ev) => {
			if (stopped) return;
			assembler.push(ev.data);
			// A piece without its newline only comes from a file that ended mid-line: end the line there.
			if (ev.partial) assembler.push(Buffer.from('\n'));
			printer.writeOut();
			armQuietClose();
		});
		if (follower) {
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
		} else if (streams) {
			streams.on('end', () => stop(0, true));
			streams.on('error', (e) => note(e.message));
			streams.start();
		} else if (cmd) {
			cmd.on('error', (e) => note(e.message));
			cmd.on('exit', (ex) => stop(exitStatus(ex), true));
			cmd.start().catch((e: NodeJS.ErrnoException) => {
				process.stderr.write(`loglens: cannot run ${command[0]}: ${e.code === 'ENOENT' ? 'command not found' : e.message}\n`);
				stop(2, false);
			});
		}
	});
}

/** A command's exit as a shell reports it: its code, or 128 + the number of the signal that ended it. */
function exitStatus(ex: CommandExit): number {
	if (ex.code !== null) return ex.code;
	return 128 + (ex.signal ? (osConstants.signals[ex.signal] ?? 0) : 0);
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
		// A UTF-16 log (byte-order mark) is sampled as its text, as the follower delivers it.
		const lines = decodeText(buf.subarray(0, n), bomEncoding(buf.subarray(0, n))).replace(/^\ufeff/, '').split('\n');
		if (n === SAMPLE_BYTES) lines.pop();
		return lines.slice(0, 1000).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
	} catch {
		return [];
	} finally {
		closeSync(fd);
	}
}
