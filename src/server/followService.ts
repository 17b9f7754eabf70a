/**
 * Follow sessions: a FileFollower (tail -F that survives rotation) per followed file — or a
 * CommandFollower (a command's stdout and stderr, entries whole) per followed command — its lines
 * kept in a bounded buffer that is the follow tab's text (`loglens-follow:` documents), indexed
 * incrementally so folding, navigation, filters and the Problems tree work in the tab. Entries are
 * found on a small staging index so filtered follow keeps entries whole and alert rules see whole
 * entries. Everything here runs in the language server, never in the extension host.
 */
import * as path from 'path';
import { URI } from 'vscode-uri';
import * as fs from 'fs';
import { BURST_PROBE_MS, BURST_QUIET_MS, BurstDetector } from '../core/follow/burst';
import { FileFollower } from '../core/follow/follow';
import { CommandExit, CommandFollower } from '../core/follow/followStream';
import { LogIndex } from '../core/index/logIndex';
import { BufferSource } from '../core/byteSource';
import { readEntry } from '../core/entryReader';
import { CompiledFilter } from '../core/filter/filter';
import type { LogFormat } from '../core/format';
import { AlertEvent, FollowContent, FollowInfo, FollowMarker, FollowParams, FollowStatus } from '../shared/protocol';
import { compileUserFilter } from '../core/filter/userFilter';
import { formatFor } from './formatSettings';
import type { AlertEngine } from './alerts';
import { AnomalyDetector } from '../core/anomalies';
import { TemplateMiner, tracebackKey } from '../core/templates/templates';
import type { LogDoc, LogStore } from './logStore';

import { FOLLOW_SCHEME } from '../shared/schemes';
export { FOLLOW_SCHEME };
const DEFAULT_MAX_LINES = 100_000;
/** The last entry of the staging index is taken as complete after this long without new bytes. */
const IDLE_MS = 250;

interface Callbacks {
	changed(status: FollowStatus): void;
	alerts(): void;
	anomaly(a: AlertEvent): void;
	log(msg: string): void;
}

class Session {
	readonly uri: string;
	private readonly follower: FileFollower | undefined;
	private command: CommandFollower | undefined;
	private exit: CommandExit | undefined;
	private chunks: Buffer[] = [];
	private bytes = 0;
	/** Bytes ever appended to the tab (not reduced by trimming): offsets of the appends sent to the client. */
	private totalOut = 0;
	/** Lines and bytes ever trimmed from the tab's head: the buffer holds bytes [droppedBytes, totalOut). */
	private droppedLines = 0;
	private droppedBytes = 0;
	private pending: Buffer[] = [];
	private pendingOffset = 0;
	private reset = false;
	readonly doc: LogDoc;
	readonly markers: FollowMarker[] = [];
	private received = 0;
	private readonly rateWindow: [number, number][] = [];
	/** Lines faster than anyone reads: see src/core/follow/burst.ts. Set by `start()`. */
	private burst: BurstDetector;
	private burstTimer: NodeJS.Timeout | undefined;
	private state: FollowStatus['state'] = 'following';
	private readAt = 0;
	private notifyTimer: NodeJS.Immediate | undefined;
	/** Appended to the tab, not indexed yet (see `flushIndex`). */
	private unindexed: Buffer[] = [];
	private indexTimer: NodeJS.Immediate | undefined;
	private idleTimer: NodeJS.Timeout | undefined;
	/** Entry detection over bytes not yet handed to filters and alerts. */
	private stage: LogIndex;
	private stageBuf: Buffer[] = [];
	/**
	 * The first line of the staging index not handed on yet. A line, not an entry number: while the
	 * staged sample is short, each append re-runs format detection and can renumber the entries (a
	 * command's first read may be a few lines), and entries counted by number were skipped.
	 */
	private stageLine = 0;
	private readonly filters: CompiledFilter[] | undefined;
	private format: LogFormat | undefined;
	private readonly maxLines: number;
	/** Anomaly signals while following (opt-in: it mines every entry's message). */
	private readonly anomaly: { det: AnomalyDetector; miner: TemplateMiner } | undefined;

	constructor(readonly id: string, readonly params: FollowParams, private readonly cb: Callbacks, private readonly alerts: AlertEngine) {
		const base = path.basename(params.path);
		// built with vscode-uri: the same encoding VS Code uses, so the client's URIs match exactly
		this.uri = URI.from({ scheme: FOLLOW_SCHEME, path: `/Following/${base}`, query: id }).toString();
		this.maxLines = Math.max(100, params.maxLines ?? DEFAULT_MAX_LINES);
		this.burst = new BurstDetector({ linesPerSecond: 0 }, Date.now());
		try {
			this.format = params.command ? undefined : formatFor(params.path);
		} catch {
			this.format = undefined;
		}
		this.stage = new LogIndex({ format: this.format });
		this.doc = { uri: this.uri, index: new LogIndex({ format: this.format }), source: new BufferSource(Buffer.alloc(0)), state: 'ready', indexedBytes: 0, totalBytes: 0 };
		this.filters = params.filter ? compileUserFilter(params.filter, Date.now()) : undefined;
		this.anomaly = params.anomalyAlerts ? { det: new AnomalyDetector(), miner: new TemplateMiner() } : undefined;
		if (params.command) {
			this.state = 'running';
			return;
		}
		this.follower = new FileFollower(params.path, { fromStart: params.fromStart, contextLines: 10, usePolling: params.usePolling, pollIntervalMs: params.pollIntervalMs });
		// a piece flushed without its newline (a rotated file closed mid-line) ends its line here
		this.follower.on('lines', (l) => this.onBytes(l.partial ? Buffer.concat([l.data, Buffer.from('\n')]) : l.data));
		this.follower.on('rotated', (r) => this.mark('rotated', `rotated: ${path.basename(r.from.path)} was replaced${r.movedTo ? ` (now ${path.basename(r.movedTo)})` : ''}; reading the new file from its start`));
		this.follower.on('truncated', (t) => this.mark('truncated', `truncated (${t.reason}) at byte ${t.previousOffset.toLocaleString('en-US')}; reading again from the start`));
		this.follower.on('missing', () => { this.state = 'missing'; this.mark('missing', `${base} is missing; waiting for it to appear`); });
		this.follower.on('created', () => { this.state = 'following'; this.mark('created', `${base} appeared; reading from its first byte`); });
		this.follower.on('error', (e) => cb.log(`follow ${params.path}: ${e.message}`));
	}

	/** Starts following; for a command, resolves with its pid once it runs (rejects when it cannot start). */
	async start(): Promise<number | undefined> {
		this.burst = new BurstDetector({ linesPerSecond: this.params.burstLinesPerSecond ?? 200, probeMs: this.beingWritten() ? BURST_PROBE_MS : undefined }, Date.now());
		this.watchBurst();
		if (this.follower) {
			await this.follower.start();
			return undefined;
		}
		const c = this.params.command!;
		const cmd = new CommandFollower({ argv: c.argv, shell: c.shell, cwd: c.cwd });
		this.command = cmd;
		this.exit = undefined;
		this.state = 'running';
		cmd.on('lines', (l) => this.onBytes(l.data));
		cmd.on('error', (e) => this.cb.log(`follow command ${c.name}: ${e.message}`));
		cmd.on('exit', (ex) => {
			if (this.command !== cmd) return;
			this.exit = ex;
			this.state = 'exited';
			// the last entry is complete: the command will write no more
			clearTimeout(this.idleTimer);
			if (this.filters || this.alerts.active || this.anomaly) this.processStage(this.stage.entryCount);
			this.mark('exited', ex.code !== null ? `${c.name} exited with code ${ex.code}` : `${c.name} was ended by ${ex.signal}`);
		});
		try {
			return await cmd.start();
		} catch (e) {
			const err = e as NodeJS.ErrnoException;
			throw new Error(err.code === 'ENOENT' ? `cannot run ${c.argv[0]}: command not found` : `cannot run ${c.argv[0]}: ${err.message}`);
		}
	}

	/** True when the tab opens in a burst (its log is being written). */
	get bursting(): boolean {
		return this.burst.active;
	}

	/**
	 * The log is being written as the tab opens: a command (it has just started, and `kubectl logs -f`
	 * or `journalctl -f` often begin with a backlog), or a file changed within the last seconds. The
	 * tab then opens light and the probe decides (src/core/follow/burst.ts).
	 */
	private beingWritten(): boolean {
		if (this.params.command) return true;
		try {
			return Date.now() - fs.statSync(this.params.path).mtimeMs < BURST_QUIET_MS;
		} catch {
			return false;
		}
	}

	/** While in a burst (or probing), look again now and then: it ends, or the probe decides, without new lines. */
	private watchBurst(): void {
		clearTimeout(this.burstTimer);
		const ms = this.burst.recheckMs(Date.now());
		if (ms === undefined || this.state === 'stopped') return;
		this.burstTimer = setTimeout(() => {
			this.burstTimer = undefined;
			const was = this.burst.active;
			if (this.burst.check(Date.now()) !== was) this.scheduleNotify();
			this.watchBurst();
		}, ms);
	}

	/** Runs the command again in the same tab; one still running is stopped (its process group killed) first. */
	async restart(): Promise<number | undefined> {
		if (!this.params.command) return undefined;
		const old = this.command;
		this.command = undefined;
		await old?.stop();
		this.mark('restarted', `restarted: ${this.params.command.name}`);
		return this.start();
	}

	/** SIGKILL to a running command's process group, synchronously (the server is exiting). */
	killNow(): void {
		if (this.command?.running) this.command.killGroupNow();
	}

	private mark(kind: FollowMarker['kind'], text: string): void {
		this.flushIndex();
		this.markers.push({ line: this.doc.index.lineCount, kind, text });
		this.scheduleNotify();
	}

	private onBytes(data: Buffer): void {
		const now = Date.now();
		this.readAt = now;
		let n = 0;
		for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) n++;
		this.received += n;
		this.rateWindow.push([now, n]);
		const was = this.burst.active;
		if (this.burst.add(now, n) && !was) this.watchBurst();
		if (!this.filters) this.appendOutput(data);
		if (this.filters || this.alerts.active || this.anomaly) {
			this.stageBuf.push(data);
			this.stage.append(data);
			// finish() settles format detection on a short sample; appending later continues the index
			this.stage.finish();
			// every entry but the last is complete: its next header has arrived
			this.processStage(this.stage.entryCount - 1);
			clearTimeout(this.idleTimer);
			this.idleTimer = setTimeout(() => this.processStage(this.stage.entryCount), IDLE_MS);
		}
		this.scheduleNotify();
	}

	/** Hands the entries from `stageLine` up to entry `upTo` to filters and alerts; drops staged bytes no longer needed. */
	private processStage(upTo: number): void {
		const ix = this.stage;
		const from = firstEntryFrom(ix, this.stageLine);
		if (upTo <= from) return;
		this.flushIndex();
		const src = new BufferSource(this.stageBuf.length === 1 ? this.stageBuf[0] : (this.stageBuf = [Buffer.concat(this.stageBuf)])[0]);
		// Passing entries go to the tab in one append: the tab's index re-detects the format on
		// every append while its sample is short, so an append per entry cost 1.5 ms each (2.5 s
		// for a 256 KiB read of 1,670 entries, during which the follower read nothing).
		const out: Buffer[] = [];
		let outLines = 0;
		for (let e = from; e < upTo; e++) {
			const d = readEntry(ix, src, e, { maxTextBytes: 1 << 20 });
			const text = d.text ?? d.message;
			if (this.filters && !this.filters.every((f) => f.passesIndex(d.level, d.time) && f.passesDetail(d, text))) continue;
			let line = this.doc.index.lineCount;
			if (this.filters) {
				const b = Buffer.from(`${text}\n`, 'utf8');
				line += outLines;
				out.push(b);
				for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) outLines++;
			} else line = Math.max(0, line - (ix.lineCount - d.line));
			if (this.alerts.active) this.alerts.observe(d.level, text, { sessionId: this.id, uri: this.uri, path: this.params.path, line });
			if (this.anomaly) this.observeAnomaly(d.level, d.time, d.message, d.text, line);
		}
		if (out.length) this.appendOutput(out.length === 1 ? out[0] : Buffer.concat(out));
		this.stageLine = upTo < ix.entryCount ? ix.entryStartLine(upTo) : ix.lineCount;
		if (this.alerts.active) this.cb.alerts();
		if (upTo > 256 && upTo < ix.entryCount) {
			// keep only the bytes of the entries still to come
			const at = ix.lineStart(this.stageLine);
			const rest = src.read(at, ix.bytes - at);
			this.stage = new LogIndex({ format: this.format ?? (ix.settled ? ix.format.format : undefined) });
			this.stage.append(Buffer.from(rest));
			this.stage.finish();
			this.stageBuf = [Buffer.from(rest)];
			this.stageLine = 0;
		}
	}

	private observeAnomaly(level: number, time: number, message: string, text: string | undefined, line: number): void {
		const a = this.anomaly!;
		const tb = text && text.includes('\n') ? tracebackKey(text) : undefined;
		const id = a.miner.resolve(a.miner.add(message, tb));
		for (const sig of a.det.observe({ time: Number.isFinite(time) ? time : Date.now(), level, templateId: id, template: a.miner.template(id), line })) {
			this.cb.anomaly({ rule: `anomaly: ${sig.kind}`, message: sig.message, count: 1, sessionId: this.id, uri: this.uri, path: this.params.path, line, text: sig.template ?? sig.message, time: Date.now() });
		}
	}

	private appendOutput(data: Buffer): void {
		// only a format detected on a full sample: one guessed from a few lines (plain) would cut the
		// staged entries at every line when the staging index is rebuilt with it
		if (!this.format && this.doc.index.settled && this.doc.index.format.confidence > 0) this.format = this.doc.index.format.format;
		this.chunks.push(data);
		this.bytes += data.length;
		if (!this.pending.length) this.pendingOffset = this.totalOut;
		this.pending.push(data);
		this.totalOut += data.length;
		this.unindexed.push(data);
		// Once the format is settled indexing a read is cheap: it is done now, so a head trim goes
		// out in the same status as the append. Before, the append goes out first.
		if (this.doc.index.settled) this.flushIndex();
		this.scheduleNotify();
		this.scheduleIndex();
	}

	/**
	 * Indexes what the tab received since the last time (and trims its head). While the format is
	 * still being detected on a short sample it runs after the append has gone out to the client
	 * (`scheduleIndex`), so the lines reach the tab first: every append re-runs detection then,
	 * which held a busy log's first appends back by 30–140 ms. Whatever reads the tab's index or
	 * line count (marks, alerts' lines) calls it first.
	 */
	private flushIndex(): void {
		if (this.indexTimer) clearImmediate(this.indexTimer);
		this.indexTimer = undefined;
		if (!this.unindexed.length) return;
		for (const d of this.unindexed) this.doc.index.append(d);
		this.unindexed = [];
		this.doc.index.finish();
		if (this.doc.index.lineCount > this.maxLines * 1.1) {
			this.trim();
			this.scheduleNotify();
		} else this.doc.source = { size: this.bytes, read: (o, l) => this.read(o, l) };
		this.doc.indexedBytes = this.doc.totalBytes = this.bytes;
	}

	private scheduleIndex(): void {
		if (this.unindexed.length && !this.indexTimer) this.indexTimer = setImmediate(() => this.flushIndex());
	}

	private read(offset: number, len: number): Buffer {
		if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
		return (this.chunks[0] ?? Buffer.alloc(0)).subarray(offset, offset + len);
	}

	/**
	 * Keeps the last maxLines lines: memory stays bounded however long the follow runs. It runs once
	 * the tab is 10% over, so the client deletes lines from the tab's head in a few large steps, in
	 * the same edit as an append (never re-reading the whole tab).
	 */
	private trim(): void {
		const ix = this.doc.index;
		const drop = ix.lineCount - this.maxLines;
		const from = ix.lineStart(drop);
		// one copy of the part kept (not the whole buffer, then the part)
		const tail: Buffer[] = [];
		let at = 0;
		for (const c of this.chunks) {
			if (at + c.length > from) tail.push(at >= from ? c : c.subarray(from - at));
			at += c.length;
		}
		const kept = Buffer.concat(tail);
		this.chunks = [kept];
		this.bytes = kept.length;
		this.doc.index = LogIndex.fromText(kept, { format: this.format ?? ix.format.format });
		this.doc.source = new BufferSource(kept);
		for (const m of this.markers) m.line -= drop;
		while (this.markers.length && this.markers[0].line < 0) this.markers.shift();
		this.droppedLines += drop;
		this.droppedBytes += from;
		if (this.pending.length && this.droppedBytes > this.pendingOffset) {
			// part of what was never sent is gone already (one read larger than the cap): rebuild the tab
			this.reset = true;
			this.pending = [];
		}
	}

	/** What the client must apply since the last notification: appended text, or a reset. */
	private takeDelta(): Pick<FollowStatus, 'append' | 'appendOffset' | 'reset' | 'droppedLines' | 'droppedBytes'> {
		const d = { append: this.reset || !this.pending.length ? undefined : Buffer.concat(this.pending).toString('utf8'), appendOffset: this.pendingOffset, reset: this.reset, droppedLines: this.droppedLines, droppedBytes: this.droppedBytes };
		this.pending = [];
		this.reset = false;
		return d;
	}

	/** The whole tab text; appends already pending are part of it, so they are not sent again. */
	content(): FollowContent {
		this.pending = [];
		this.reset = false;
		return { text: this.read(0, this.bytes).toString('utf8'), markers: this.markers, totalOut: this.totalOut, droppedLines: this.droppedLines, droppedBytes: this.droppedBytes };
	}

	status(): FollowStatus {
		const now = Date.now();
		while (this.rateWindow.length && this.rateWindow[0][0] < now - 2000) this.rateWindow.shift();
		const recent = this.rateWindow.reduce((a, [, n]) => a + n, 0);
		return { id: this.id, uri: this.uri, path: this.params.path, lines: this.doc.index.lineCount, received: this.received, rate: Math.round(recent / 2), burst: this.burst.check(now), state: this.state, exit: this.exit, pid: this.command?.running ? this.command.pid : undefined, readAt: this.readAt, ...this.takeDelta(), markers: this.markers };
	}

	/**
	 * Appends go out as soon as the current read is handled (the follower already coalesces reads;
	 * the client batches what arrives while an edit is in flight, never re-sending the tab). A
	 * fixed delay here would only add to every line's latency.
	 */
	private scheduleNotify(): void {
		if (this.notifyTimer) return;
		this.notifyTimer = setImmediate(() => {
			this.notifyTimer = undefined;
			this.cb.changed(this.status());
		});
	}

	async stop(): Promise<void> {
		if (this.notifyTimer) clearImmediate(this.notifyTimer);
		if (this.indexTimer) clearImmediate(this.indexTimer);
		clearTimeout(this.idleTimer);
		clearTimeout(this.burstTimer);
		this.state = 'stopped';
		const cmd = this.command;
		this.command = undefined;
		await Promise.all([this.follower?.close(), cmd?.stop()]);
	}
}

/** The first entry of `ix` that starts at or after `line`. */
function firstEntryFrom(ix: LogIndex, line: number): number {
	let lo = 0;
	let hi = ix.entryCount;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (ix.entryStartLine(mid) < line) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** A follow tab's index-changed notifications go out this long after a change, and at most this often. */
const TOUCH_DELAY_MS = 100;
const TOUCH_INTERVAL_MS = 250;

export class FollowService {
	private readonly sessions = new Map<string, Session>();
	private next = 1;

	constructor(private readonly store: LogStore, private readonly alerts: AlertEngine, private readonly cb: Callbacks) {
		// a server that ends (the window closed, a crash) takes the commands it runs down with it
		process.on('exit', () => { for (const s of this.sessions.values()) s.killNow(); });
	}

	async start(p: FollowParams): Promise<FollowInfo> {
		const id = `f${this.next++}`;
		// The index-changed notification (entry marks, status bar, Problems tree: each a request back
		// and a redraw, the tree a template mining pass over the tab) goes out TOUCH_DELAY_MS after a
		// change and at most every TOUCH_INTERVAL_MS (the last change is never left out), and in a
		// burst not at all until it has ended: the session sends a status then. The delay lets a
		// burst be seen (src/core/follow/burst.ts, within ~0.1 s) before any of that work starts.
		let touched = 0;
		let touchTimer: NodeJS.Timeout | undefined;
		const touch = () => {
			clearTimeout(touchTimer);
			touchTimer = undefined;
			touched = Date.now();
			if (this.sessions.get(id) === s) this.store.touch(s.doc);
		};
		const s = new Session(id, p, {
			changed: (st) => {
				if (st.burst || st.state === 'stopped') {
					clearTimeout(touchTimer);
					touchTimer = undefined;
				} else touchTimer ??= setTimeout(touch, Math.max(TOUCH_DELAY_MS, TOUCH_INTERVAL_MS - (Date.now() - touched)));
				this.cb.changed(st);
			},
			alerts: () => this.cb.alerts(),
			anomaly: (a) => this.cb.anomaly(a),
			log: (m) => this.cb.log(m),
		}, this.alerts);
		this.sessions.set(id, s);
		this.store.attach(s.uri, s.doc);
		let pid: number | undefined;
		try {
			pid = await s.start();
		} catch (e) {
			this.sessions.delete(id);
			this.store.detach(s.uri);
			await s.stop();
			throw e;
		}
		return { id, uri: s.uri, path: p.path, pid, burst: s.bursting };
	}

	async restart(id: string): Promise<FollowInfo> {
		const s = this.sessions.get(id);
		if (!s) throw new Error('this follow session has ended');
		const pid = await s.restart();
		return { id, uri: s.uri, path: s.params.path, pid, burst: s.bursting };
	}

	async stop(id: string): Promise<void> {
		const s = this.sessions.get(id);
		if (!s) return;
		this.sessions.delete(id);
		this.store.detach(s.uri);
		await s.stop();
	}

	content(id: string): FollowContent {
		const s = this.sessions.get(id);
		return s ? s.content() : { text: '', markers: [], totalOut: 0, droppedLines: 0, droppedBytes: 0 };
	}

	async dispose(): Promise<void> {
		await Promise.all([...this.sessions.keys()].map((id) => this.stop(id)));
	}
}
