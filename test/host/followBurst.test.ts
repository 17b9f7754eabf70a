// The follow tab under bursts, measured against the floor this host sets: a plain-text tab that
// receives the same appends (the same tail, batched edits one at a time, scrolled to the end) with
// no Log Lens features, then a Log Lens follow tab, at the same rates, in one run. A measurement,
// not an assert: opt-in with LOGLENS_BURST=1 (CI stays fast), it prints the table
// (rate × tab × p50/p99 latency, lag after 10 s and at the end). A record's latency is from its
// `ts=` (the producer's clock when logging it) to the extension host seeing it in the tab.
// LOGLENS_BURST_RATES (default 2000:10x3,10000:60x2,2000:10:3x3 — rate:seconds[:idle seconds][xpairs])
// chooses the runs; with an idle time the tabs are open and quiet that long before the burst begins
// (a burst on a calm tab), without one the appends begin as the tab opens (following a busy log).
// Each run is repeated as plain/Log Lens pairs, one after the other: on a shared machine one pair's
// p99 ratio swings by 2× either way (the plain tab's own p99 varies that much between runs), so
// the summary gives, per run, the median of the pairs' ratios and the ratio of the pooled p99s.
// LOGLENS_BURST_PROFILE=file writes a CPU profile of the extension host over each Log Lens run
// (LOGLENS_RENDERER_PROFILE of scripts/run-host-tests.mjs profiles the workbench).
import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';
import * as vscode from 'vscode';
import { spawn } from 'child_process';
import { FileFollower } from '../../src/core/follow/follow';
import { closeAll, openLog, waitFor, workspacePath } from './hostUtil';

const PRODUCER = path.join(process.env.LOGLENS_REPO ?? path.resolve(__dirname, '../../..'), 'test', 'fixtures', 'python', 'log_producer.py');
const PLAIN_SCHEME = 'loglens-burst-plain';
/** The follow tab's default cap; the plain tab trims its head the same way (10% over, in the appending edit). */
const MAX_LINES = 100_000;

interface Sample { at: number; latency: number }
interface Row { rate: number; seconds: number; /** Seconds the tab was open and quiet before the burst. */ idle: number; tab: string; lines: number; /** Whole-text fetches (the tab fell more than a trim behind) and head trims. */ fetches?: number; bursts?: number; p50: number; p99: number; lag10: number; lagEnd: number; /** Per second of the run: the median and the worst latency of the records written in it. */ perSecond: [number, number][]; latencies: number[] }

function produce(file: string, rate: number, seconds: number): Promise<number> {
	return new Promise((resolve, reject) => {
		const t0 = Date.now();
		const p = spawn('python3', [PRODUCER, '--path', file, '--mode', 'file', '--count', String(rate * seconds), '--rate', String(rate), '--exc-every', '50'], { stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		p.stderr.on('data', (d: Buffer) => (err += d.toString()));
		p.on('close', (code) => (code === 0 ? resolve(t0) : reject(new Error(`producer exited ${code}: ${err}`))));
	});
}

/** Latency of each record as the tab receives it: inserted text is scanned for `seq=` and `ts=`. */
function recorder(doc: () => vscode.TextDocument | undefined): { samples: Sample[]; seen: Set<number>; dispose(): void } {
	const samples: Sample[] = [];
	const seen = new Set<number>();
	const re = /seq=(\d+) ts=(\d+\.\d+)/g;
	const sub = vscode.workspace.onDidChangeTextDocument((e) => {
		if (e.document !== doc()) return;
		const now = Date.now();
		for (const c of e.contentChanges) {
			if (!c.text) continue;
			for (const m of c.text.matchAll(re)) {
				const seq = Number(m[1]);
				if (seen.has(seq)) continue;
				seen.add(seq);
				samples.push({ at: now, latency: now - Number(m[2]) * 1000 });
			}
		}
	});
	return { samples, seen, dispose: () => sub.dispose() };
}

function quantile(xs: number[], q: number): number {
	const s = [...xs].sort((a, b) => a - b);
	return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * q))] : NaN;
}

/** The median latency of the records written in the second before `t` (ms since the producer started). */
function lagAt(samples: Sample[], start: number, t: number): number {
	return quantile(samples.filter((s) => s.at - s.latency >= start + t - 1000 && s.at - s.latency < start + t).map((s) => s.latency), 0.5);
}

function perSecond(samples: Sample[], start: number, seconds: number): [number, number][] {
	return Array.from({ length: seconds }, (_, i) => {
		const xs = samples.filter((s) => s.at - s.latency >= start + i * 1000 && s.at - s.latency < start + (i + 1) * 1000).map((s) => s.latency);
		return [quantile(xs, 0.5), Math.max(...xs)] as [number, number];
	});
}

/**
 * The floor: a plain-text tab fed the same way as ours — the file tailed (the same core follower),
 * one edit in flight, what arrived meanwhile batched into the next, the head trimmed at the same
 * cap, the cursor and view moved to the end after each edit. No Log Lens feature is involved.
 */
let plainTabs = 0;
class PlainTab implements vscode.TextDocumentContentProvider {
	private queue: string[] = [];
	private applying = false;
	private lines = 0;
	/** A new document per run: a closed one can stay open in the extension host, text and all. */
	readonly uri = vscode.Uri.from({ scheme: PLAIN_SCHEME, path: `/plain-${++plainTabs}.txt` });
	doc: vscode.TextDocument | undefined;
	provideTextDocumentContent(): string {
		return '';
	}
	push(text: string): void {
		this.queue.push(text);
		if (!this.applying) void this.drain();
	}
	private async drain(): Promise<void> {
		this.applying = true;
		while (this.queue.length && this.doc) {
			const text = this.queue.splice(0).join('');
			let n = 0;
			for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
			this.lines += n;
			const we = new vscode.WorkspaceEdit();
			we.insert(this.uri, this.doc.lineAt(this.doc.lineCount - 1).range.end, text);
			if (this.lines > MAX_LINES * 1.1) {
				we.delete(this.uri, new vscode.Range(0, 0, this.lines - MAX_LINES, 0));
				this.lines = MAX_LINES;
			}
			await vscode.workspace.applyEdit(we);
			const last = this.doc.lineCount - 1;
			for (const ed of vscode.window.visibleTextEditors) {
				if (ed.document !== this.doc) continue;
				ed.selection = new vscode.Selection(last, 0, last, 0);
				ed.revealRange(new vscode.Range(Math.max(0, last - 1), 0, last, 0));
			}
		}
		this.applying = false;
	}
}

/** LOGLENS_BURST_TABS=plain or =loglens runs one kind only (to profile it alone). */
const tabs = process.env.LOGLENS_BURST_TABS ?? 'plain,loglens';
const runs = (process.env.LOGLENS_BURST_RATES || '2000:10x3,10000:60x2,2000:10:3x3').split(',').flatMap((r) => {
	const [spec, pairs = '1'] = r.split('x');
	return Array.from({ length: Number(pairs) }, () => spec.split(':').map(Number) as [number, number, number?]);
});

/** A calm tab: the log has been quiet for `idle` s (its file older than that) and the tab open that long. */
function quietLog(file: string, idle: number): void {
	fs.writeFileSync(file, '');
	if (!idle) return;
	const then = new Date(Date.now() - idle * 1000);
	fs.utimesSync(file, then, then);
}

/** The tab stays open and quiet for the run's idle time (the scenario, not a wait for a condition). */
function idleFor(idle: number): Promise<void> {
	return new Promise((r) => setTimeout(r, idle * 1000));
}

(process.env.LOGLENS_BURST === '1' ? suite : suite.skip)('Follow tab under bursts (measurement, LOGLENS_BURST=1)', () => {
	const rows: Row[] = [];
	teardown(async () => {
		await vscode.commands.executeCommand('logLens.stopFollowing');
		await closeAll();
	});
	suiteTeardown(() => {
		const f = (n: number) => (Number.isFinite(n) ? `${Math.round(n)} ms` : '-');
		const lines = [
			'| rate | seconds | tab | records shown | p50 | p99 | lag after 10 s | lag at end | p99 vs plain |',
			'|---|---|---|---|---|---|---|---|---|',
			...rows.map((r) => {
				// the plain row just before (pairs run one after the other)
				const plain = rows.slice(0, rows.indexOf(r)).reverse().find((x) => x.rate === r.rate && x.seconds === r.seconds && x.idle === r.idle && x.tab === 'plain text');
				return `| ${r.rate.toLocaleString('en-US')}/s | ${r.seconds}${r.idle ? ` after ${r.idle} s quiet` : ''} | ${r.tab} | ${r.lines.toLocaleString('en-US')}${r.fetches ? ` (${r.fetches} whole-text fetches)` : ''}${r.bursts !== undefined ? ` (${r.bursts} burst${r.bursts === 1 ? '' : 's'})` : ''} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.lag10)} | ${f(r.lagEnd)} | ${plain && r.tab !== 'plain text' ? `${(r.p99 / plain.p99).toFixed(2)}×` : '-'} |`;
			}),
		];
		// per run (rate, seconds, idle): the pairs' p99 ratios, their median, and the pooled p99s
		// does a tab fall further behind? the mean of its per-second median lags, per 10 s of the run
		const lag10s = (r: Row) => Array.from({ length: Math.floor(r.seconds / 10) }, (_, i) => {
			const xs = r.perSecond.slice(i * 10, i * 10 + 10).map((p) => p[0]).filter(Number.isFinite);
			return xs.reduce((a, b) => a + b, 0) / xs.length;
		});
		const summary = ['| run | pairs | p99 ratios (Log Lens / plain, per pair) | median ratio | pooled p99 plain / Log Lens | pooled ratio | Log Lens lag per 10 s (ms) |', '|---|---|---|---|---|---|---|'];
		const keys = [...new Set(rows.map((r) => `${r.rate}:${r.seconds}:${r.idle}`))];
		for (const k of keys) {
			const rs = rows.filter((r) => `${r.rate}:${r.seconds}:${r.idle}` === k);
			const ratios: number[] = [];
			for (let i = 0; i < rs.length; i++) {
				const plain = rs.slice(0, i).reverse().find((x) => x.tab === 'plain text');
				if (rs[i].tab !== 'plain text' && plain) ratios.push(rs[i].p99 / plain.p99);
			}
			const pool = (tab: string) => quantile(rs.filter((r) => r.tab === tab).flatMap((r) => r.latencies), 0.99);
			const [rate, secs, idle] = k.split(':').map(Number);
			const pp = pool('plain text');
			const pl = pool('Log Lens follow');
			summary.push(`| ${rate.toLocaleString('en-US')}/s × ${secs} s${idle ? ` after ${idle} s quiet` : ''} | ${ratios.length} | ${ratios.map((x) => `${x.toFixed(2)}×`).join(', ')} | ${ratios.length ? `${quantile(ratios, 0.5).toFixed(2)}×` : '-'} | ${f(pp)} / ${f(pl)} | ${Number.isFinite(pp / pl) ? `${(pl / pp).toFixed(2)}×` : '-'} | ${secs >= 20 ? rs.filter((r) => r.tab !== 'plain text').map((r) => lag10s(r).map((x) => Math.round(x)).join(' → ')).join('; ') : '-'} |`);
		}
		console.log(`follow burst table:\n${lines.join('\n')}\n\nfollow burst summary:\n${summary.join('\n')}`);
		const out = process.env.LOGLENS_BURST_OUT;
		if (out) fs.writeFileSync(out, JSON.stringify(rows.map(({ latencies: _, ...r }) => r), null, 1));
	});

	for (const [rate, seconds, idle = 0] of runs) {
		const when = idle ? ` after ${idle} s quiet` : '';
		if (tabs.includes('plain')) test(`plain-text tab at ${rate} lines/s for ${seconds} s${when}`, async function () {
			this.timeout((seconds + 150) * 1000);
			await openLog('basic.log');
			const tab = new PlainTab();
			const reg = vscode.workspace.registerTextDocumentContentProvider(PLAIN_SCHEME, tab);
			const file = workspacePath(`burst-plain-${rate}-${idle}.log`);
			quietLog(file, idle);
			let doc = await vscode.workspace.openTextDocument(tab.uri);
			doc = await vscode.languages.setTextDocumentLanguage(doc, 'plaintext');
			tab.doc = doc;
			await vscode.window.showTextDocument(doc, { preview: false });
			const rec = recorder(() => tab.doc);
			const follower = new FileFollower(file, { fromStart: true });
			follower.on('lines', (l) => tab.push(l.data.toString('utf8')));
			await follower.start();
			try {
				await idleFor(idle);
				const t0 = await produce(file, rate, seconds);
				await waitFor(() => rec.seen.size === rate * seconds, `all ${rate * seconds} records in the plain tab (have ${rec.seen.size})`, 120_000);
				const lat = rec.samples.map((s) => s.latency);
				rows.push({ rate, seconds, idle, tab: 'plain text', lines: rec.seen.size, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), lag10: lagAt(rec.samples, t0, Math.min(10, seconds) * 1000), lagEnd: lagAt(rec.samples, t0, seconds * 1000), perSecond: perSecond(rec.samples, t0, seconds), latencies: lat });
			} finally {
				rec.dispose();
				await follower.close();
				reg.dispose();
			}
		});

		if (tabs.includes('loglens')) test(`Log Lens follow tab at ${rate} lines/s for ${seconds} s${when}`, async function () {
			this.timeout((seconds + 150) * 1000);
			const { api } = await openLog('basic.log');
			const file = workspacePath(`burst-loglens-${rate}-${idle}.log`);
			quietLog(file, idle);
			const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.followFile', file);
			const doc = ed.document;
			const rec = recorder(() => doc);
			try {
				const fetches = api.follow.counts.fetches;
				const bursts = api.follow.counts.bursts;
				await idleFor(idle);
				const insp = process.env.LOGLENS_BURST_PROFILE ? new inspector.Session() : undefined;
				if (insp) { insp.connect(); await new Promise((r) => insp.post('Profiler.enable', () => insp.post('Profiler.setSamplingInterval', { interval: 500 }, () => insp.post('Profiler.start', r)))); }
				const t0 = await produce(file, rate, seconds);
				if (insp) await new Promise((r) => insp.post('Profiler.stop', (_e: unknown, res: { profile: unknown }) => { fs.writeFileSync(process.env.LOGLENS_BURST_PROFILE!, JSON.stringify(res.profile)); r(undefined); }));
				// The tab keeps the last maxLines lines: when it falls more than a trim behind, it fetches
				// its text whole and records trimmed meanwhile are never shown. The last one must be.
				await waitFor(() => rec.seen.has(rate * seconds - 1), `the last record in the follow tab (have ${rec.seen.size})`, 120_000);
				const lat = rec.samples.map((s) => s.latency);
				rows.push({ rate, seconds, idle, tab: 'Log Lens follow', lines: rec.seen.size, fetches: api.follow.counts.fetches - fetches, bursts: api.follow.counts.bursts - bursts, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), lag10: lagAt(rec.samples, t0, Math.min(10, seconds) * 1000), lagEnd: lagAt(rec.samples, t0, seconds * 1000), perSecond: perSecond(rec.samples, t0, seconds), latencies: lat });
			} finally {
				rec.dispose();
			}
		});
	}
});
