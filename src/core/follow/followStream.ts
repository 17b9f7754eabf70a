// Follow mode beyond files: the lines of a pipe (`kubectl logs -f … | loglens follow -`) or of a
// command run for the purpose (stdout and stderr). Pure Node, no vscode: the language server and
// the CLI both use it, and both feed what it emits into the same pipeline as a followed file's
// lines (format detection, entries, filters), so whatever format detection knows applies here too.
//
// Entries stay whole across the two streams of a command. A program writing records to stdout and
// stderr through pipes has them buffered separately (stdout in blocks, stderr per line), so a
// stdout block can end between a record's header and its traceback while stderr lines arrive. Each
// stream is therefore read into entries with the engine's own detection (FollowEntryAssembler), and
// an entry is released only when it is complete (the stream's next header, its end, or a quiet
// spell), so the merged stream never cuts an entry of one stream with lines of the other. An entry
// held longer than MAX_HOLD_MS is released as it is (memory and latency stay bounded; a program
// writing one endless "entry" is not held back). Tested in test/core/followStream.test.ts.
//
// The command runs in its own process group (`detached`), so stopping kills the whole tree it
// started (a shell and its children, a runner and its workers): SIGTERM to the group, SIGKILL when
// it has not exited after `killGraceMs`.
import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { LogFormat } from '../format';
import { FollowedEntry, FollowEntryAssembler } from './followEntries';

/** A batch of complete lines, each ending in `\n` (a last line without one is completed at the end of input). */
export interface StreamLines {
	data: Buffer;
	/** Always false here; the field makes a batch look like a file follower's `lines` event. */
	partial: false;
}

/** How a command ended: its exit code, or the signal that ended it. */
export interface CommandExit {
	code: number | null;
	signal: NodeJS.Signals | null;
}

/** Event payloads of `StreamFollower`. */
export interface StreamFollowerEvents {
	lines: [StreamLines];
	/** Every input has ended and everything read was delivered. */
	end: [];
	error: [Error];
}

/** Options of `StreamFollower`. */
export interface StreamFollowOptions {
	/** A format (or registry id) instead of detection, for telling entries apart across streams. */
	format?: LogFormat | string;
	/** An incomplete entry of a stream waits at most this long for its next lines while another stream writes. Default 50 ms. */
	quietMs?: number;
}

/** Default: how long a stream's open entry waits for more lines before it is taken as complete. */
const QUIET_MS = 50;
/** An entry held longer than this is released as it is; its later lines follow as they come. */
const MAX_HOLD_MS = 500;
/** An entry is released once this many lines are held (a stream without headers is not held). */
const MAX_HOLD_LINES = 5000;
const NL = Buffer.from('\n');

/** One input of several: its lines grouped into entries, released when complete. */
class EntryGate {
	private readonly assembler: FollowEntryAssembler;
	private held: Buffer[] = [];
	private heldSince = 0;
	/** The open entry's first lines were released already: its later lines go out as they come. */
	private streaming = false;
	private quietTimer: NodeJS.Timeout | undefined;

	constructor(private readonly out: (parts: Buffer[]) => void, format: LogFormat | string | undefined, private readonly quietMs: number) {
		this.assembler = new FollowEntryAssembler({
			onEntryStart: (e) => this.start(e),
			onEntryLine: (_e, line) => this.line(line),
			onEntryClosed: () => this.release(),
			onLateLine: (_e, line) => this.out([line, NL]),
		}, { format });
	}

	push(data: Buffer): void {
		this.assembler.push(data);
		if (this.held.length && (this.held.length >= MAX_HOLD_LINES || Date.now() - this.heldSince > MAX_HOLD_MS)) {
			this.release();
			this.streaming = true;
		}
		clearTimeout(this.quietTimer);
		this.quietTimer = this.assembler.hasOpenEntry ? setTimeout(() => this.assembler.closeOpen(), this.quietMs) : undefined;
	}

	/** End of this input: a last line without newline is completed, the open entry released. */
	end(): void {
		clearTimeout(this.quietTimer);
		this.assembler.flushPartial();
		this.assembler.closeOpen();
		this.release();
	}

	dispose(): void {
		clearTimeout(this.quietTimer);
	}

	private start(e: FollowedEntry): void {
		// the gate keeps the lines itself; the assembler need not
		e.retain = false;
		this.streaming = false;
		this.held = [e.lines[0]];
		this.heldSince = Date.now();
	}

	private line(line: Buffer): void {
		if (this.streaming) this.out([line, NL]);
		else this.held.push(line);
	}

	private release(): void {
		if (!this.held.length) return;
		const parts: Buffer[] = [];
		for (const l of this.held) parts.push(l, NL);
		this.held = [];
		this.out(parts);
	}
}

/**
 * Follows readable streams (a pipe, or a command's stdout and stderr) as lines. One stream is
 * passed through in complete lines; several are merged entry by entry (see the header).
 */
export class StreamFollower extends EventEmitter<StreamFollowerEvents> {
	private open = 0;
	private readonly gates: EntryGate[] = [];
	private pending: Buffer[] = [];
	private flushQueued = false;
	private paused = false;
	private readonly streams: Readable[];
	private carry: Buffer | null = null;

	constructor(streams: Readable[], private readonly opts: StreamFollowOptions = {}) {
		super();
		this.streams = streams;
	}

	/** Starts reading; `end` follows once every stream has ended. */
	start(): void {
		const merged = this.streams.length > 1;
		for (const s of this.streams) {
			this.open++;
			const gate = merged ? new EntryGate((p) => this.queue(p), this.opts.format, this.opts.quietMs ?? QUIET_MS) : undefined;
			if (gate) this.gates.push(gate);
			s.on('data', (d: Buffer) => (gate ? gate.push(d) : this.passThrough(d)));
			s.on('error', (e) => {
				if (this.listenerCount('error')) this.emit('error', e);
			});
			s.once('close', () => {
				if (gate) gate.end();
				else if (this.carry) this.queue([this.carry, NL]);
				this.carry = null;
				if (--this.open === 0) {
					this.flush();
					this.emit('end');
				}
			});
			if (this.paused) s.pause();
		}
	}

	/** Stops reading (the reader is slow); the writer is held back by the pipe. */
	pause(): void {
		this.paused = true;
		for (const s of this.streams) s.pause();
	}

	resume(): void {
		this.paused = false;
		for (const s of this.streams) s.resume();
	}

	dispose(): void {
		for (const g of this.gates) g.dispose();
		for (const s of this.streams) s.removeAllListeners('data');
	}

	/** One stream: complete lines go out as they arrive, a partial line waits for its end. */
	private passThrough(d: Buffer): void {
		let buf = this.carry ? Buffer.concat([this.carry, d]) : d;
		this.carry = null;
		const nl = buf.lastIndexOf(10);
		if (nl < buf.length - 1) {
			this.carry = Buffer.from(buf.subarray(nl + 1));
			buf = buf.subarray(0, nl + 1);
		}
		if (buf.length) this.queue([buf]);
	}

	/** What the streams release in one turn of the event loop goes out as one batch. */
	private queue(parts: Buffer[]): void {
		for (const p of parts) this.pending.push(p);
		if (this.flushQueued) return;
		this.flushQueued = true;
		setImmediate(() => this.flush());
	}

	private flush(): void {
		this.flushQueued = false;
		if (!this.pending.length) return;
		const data = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
		this.pending = [];
		this.emit('lines', { data, partial: false });
	}
}

/** What to run: argv (no shell), or one command line for `/bin/sh -c` when `shell` is true. */
export interface CommandSpec {
	argv: string[];
	/** Run `argv.join(' ')` through the system shell (pipes, redirections, variables). Default false. */
	shell?: boolean;
	cwd?: string;
	env?: NodeJS.ProcessEnv;
}

/** Event payloads of `CommandFollower`. */
export interface CommandFollowerEvents {
	lines: [StreamLines];
	/** The command could not be started (not found, not executable, bad cwd). */
	spawnError: [Error];
	/** The command ended and all its output was delivered. */
	exit: [CommandExit];
	error: [Error];
}

/**
 * Runs a command in its own process group and follows its stdout and stderr as one stream of
 * whole entries. `stop()` kills the group (no orphans) and resolves once the command has exited.
 */
export class CommandFollower extends EventEmitter<CommandFollowerEvents> {
	private child: ChildProcess | undefined;
	private exited: Promise<CommandExit> | undefined;
	private streams: StreamFollower | undefined;
	private interrupted = false;

	constructor(readonly spec: CommandSpec, private readonly opts: StreamFollowOptions & { killGraceMs?: number } = {}) {
		super();
		if (!spec.argv.length || !spec.argv[0]) throw new Error('no command to run');
	}

	/** The process id (also the process group id), while it runs. */
	get pid(): number | undefined {
		return this.child?.pid;
	}

	/** True from a successful start until the exit was delivered. */
	get running(): boolean {
		return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
	}

	/** Starts the command; resolves with its pid once it runs, rejects when it cannot be started. */
	start(): Promise<number> {
		const { argv, shell, cwd, env } = this.spec;
		const child = shell
			? spawn(argv.join(' '), { shell: true, cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
			: spawn(argv[0], argv.slice(1), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		this.child = child;
		const streams = new StreamFollower([child.stdout!, child.stderr!], this.opts);
		this.streams = streams;
		streams.on('lines', (l) => this.emit('lines', l));
		streams.on('error', (e) => {
			if (this.listenerCount('error')) this.emit('error', e);
		});
		// The exit is reported after the output: 'close' comes once the process ended and its pipes closed.
		const outputDone = new Promise<void>((r) => streams.once('end', r));
		this.exited = new Promise<CommandExit>((resolve) => {
			child.once('exit', (code, signal) => {
				void outputDone.then(() => {
					const ex = { code, signal };
					this.emit('exit', ex);
					resolve(ex);
				});
			});
		});
		return new Promise<number>((resolve, reject) => {
			child.once('spawn', () => {
				streams.start();
				resolve(child.pid!);
			});
			child.once('error', (e) => {
				// only a failure to start rejects; a failed kill later is not fatal
				if (child.pid === undefined) {
					this.emit('spawnError', e);
					reject(e);
				}
			});
		});
	}

	pause(): void {
		this.streams?.pause();
	}

	resume(): void {
		this.streams?.resume();
	}

	/** Sends `signal` to the whole process group (the command and everything it started). */
	kill(signal: NodeJS.Signals = 'SIGTERM'): void {
		const pid = this.child?.pid;
		if (pid === undefined || !this.running) return;
		try {
			process.kill(-pid, signal);
		} catch {
			// the group is gone already (or it was never a group leader): the process alone
			try {
				this.child!.kill(signal);
			} catch {
				// already gone
			}
		}
	}

	/**
	 * Passes `signal` (Ctrl-C: SIGINT) to the group, and SIGKILL when it is still running after
	 * `killGraceMs`; a second call kills at once. Resolves with how the command ended.
	 */
	interrupt(signal: NodeJS.Signals): Promise<CommandExit | undefined> {
		if (!this.exited || this.child?.pid === undefined) return Promise.resolve(undefined);
		if (this.interrupted) this.killGroupNow();
		else if (this.running) {
			this.interrupted = true;
			this.kill(signal);
			const t = setTimeout(() => this.killGroupNow(), this.opts.killGraceMs ?? 2000);
			void this.exited.then(() => clearTimeout(t));
		}
		return this.exited;
	}

	/**
	 * Kills the process group (SIGTERM, then SIGKILL after `killGraceMs`, default 2 s) and resolves
	 * with how the command ended. Stopping one that has ended resolves at once.
	 */
	async stop(): Promise<CommandExit | undefined> {
		if (!this.exited || this.child?.pid === undefined) return undefined;
		if (this.running) {
			this.kill('SIGTERM');
			const t = setTimeout(() => this.killGroupNow(), this.opts.killGraceMs ?? 2000);
			try {
				const ex = await this.exited;
				// what the command started and left behind (it ignored SIGTERM, or had no pipes to hold)
				this.killGroupNow();
				return ex;
			} finally {
				clearTimeout(t);
				this.streams?.dispose();
			}
		}
		// The leader has exited, but what it started may still run in its group.
		this.killGroupNow();
		return this.exited;
	}

	/** SIGKILL to the group, synchronously (also usable from a process 'exit' handler). */
	killGroupNow(): void {
		const pid = this.child?.pid;
		if (pid === undefined) return;
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// nothing left in the group
		}
	}
}
