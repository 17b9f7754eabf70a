// The follow tab under bursts, measured against the floor this host sets: a plain-text tab that
// receives the same appends (the same tail, batched edits one at a time, scrolled to the end) with
// no Log Lens features, then a Log Lens follow tab, at the same rates, in one run. A measurement,
// not an assert: opt-in with LOGLENS_BURST=1 (CI stays fast), it prints the table
// (rate × tab × p50/p99 latency, lag after 10 s and at the end). A record's latency is from its
// `ts=` (the producer's clock when logging it) to the extension host seeing it in the tab.
// LOGLENS_BURST_RATES (default 2000:10,10000:60 — rate:seconds) chooses the runs.
import * as fs from 'fs';
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
interface Row { rate: number; seconds: number; tab: string; lines: number; /** Whole-text fetches (the tab fell more than a trim behind) and head trims. */ fetches?: number; bursts?: number; p50: number; p99: number; lag10: number; lagEnd: number; /** Per second of the run: the median and the worst latency of the records written in it. */ perSecond: [number, number][] }

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
class PlainTab implements vscode.TextDocumentContentProvider {
	private queue: string[] = [];
	private applying = false;
	private lines = 0;
	readonly uri = vscode.Uri.from({ scheme: PLAIN_SCHEME, path: '/plain.txt' });
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
const runs = (process.env.LOGLENS_BURST_RATES || '2000:10,10000:60').split(',').map((r) => r.split(':').map(Number) as [number, number]);

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
				const plain = rows.find((x) => x.rate === r.rate && x.seconds === r.seconds && x.tab === 'plain text');
				return `| ${r.rate.toLocaleString('en-US')}/s | ${r.seconds} | ${r.tab} | ${r.lines.toLocaleString('en-US')}${r.fetches ? ` (${r.fetches} whole-text fetches)` : ''}${r.bursts !== undefined ? ` (${r.bursts} burst${r.bursts === 1 ? '' : 's'})` : ''} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.lag10)} | ${f(r.lagEnd)} | ${plain && r !== plain ? `${(r.p99 / plain.p99).toFixed(2)}×` : '-'} |`;
			}),
		];
		console.log(`follow burst table:\n${lines.join('\n')}`);
		const out = process.env.LOGLENS_BURST_OUT;
		if (out) fs.writeFileSync(out, JSON.stringify(rows, null, 1));
	});

	for (const [rate, seconds] of runs) {
		if (tabs.includes('plain')) test(`plain-text tab at ${rate} lines/s for ${seconds} s`, async function () {
			this.timeout((seconds + 150) * 1000);
			await openLog('basic.log');
			const tab = new PlainTab();
			const reg = vscode.workspace.registerTextDocumentContentProvider(PLAIN_SCHEME, tab);
			const file = workspacePath(`burst-plain-${rate}.log`);
			fs.writeFileSync(file, '');
			let doc = await vscode.workspace.openTextDocument(tab.uri);
			doc = await vscode.languages.setTextDocumentLanguage(doc, 'plaintext');
			tab.doc = doc;
			await vscode.window.showTextDocument(doc, { preview: false });
			const rec = recorder(() => tab.doc);
			const follower = new FileFollower(file, { fromStart: true });
			follower.on('lines', (l) => tab.push(l.data.toString('utf8')));
			await follower.start();
			try {
				const t0 = await produce(file, rate, seconds);
				await waitFor(() => rec.seen.size === rate * seconds, `all ${rate * seconds} records in the plain tab (have ${rec.seen.size})`, 120_000);
				const lat = rec.samples.map((s) => s.latency);
				rows.push({ rate, seconds, tab: 'plain text', lines: rec.seen.size, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), lag10: lagAt(rec.samples, t0, Math.min(10, seconds) * 1000), lagEnd: lagAt(rec.samples, t0, seconds * 1000), perSecond: perSecond(rec.samples, t0, seconds) });
			} finally {
				rec.dispose();
				await follower.close();
				reg.dispose();
			}
		});

		if (tabs.includes('loglens')) test(`Log Lens follow tab at ${rate} lines/s for ${seconds} s`, async function () {
			this.timeout((seconds + 150) * 1000);
			const { api } = await openLog('basic.log');
			const file = workspacePath(`burst-loglens-${rate}.log`);
			fs.writeFileSync(file, '');
			const ed = await vscode.commands.executeCommand<vscode.TextEditor>('logLens.followFile', file);
			const doc = ed.document;
			const rec = recorder(() => doc);
			try {
				const fetches = api.follow.counts.fetches;
				const bursts = api.follow.counts.bursts;
				const t0 = await produce(file, rate, seconds);
				// The tab keeps the last maxLines lines: when it falls more than a trim behind, it fetches
				// its text whole and records trimmed meanwhile are never shown. The last one must be.
				await waitFor(() => rec.seen.has(rate * seconds - 1), `the last record in the follow tab (have ${rec.seen.size})`, 120_000);
				const lat = rec.samples.map((s) => s.latency);
				rows.push({ rate, seconds, tab: 'Log Lens follow', lines: rec.seen.size, fetches: api.follow.counts.fetches - fetches, bursts: api.follow.counts.bursts - bursts, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), lag10: lagAt(rec.samples, t0, Math.min(10, seconds) * 1000), lagEnd: lagAt(rec.samples, t0, seconds * 1000), perSecond: perSecond(rec.samples, t0, seconds) });
			} finally {
				rec.dispose();
			}
		});
	}
});
