/**
 * "Open Sample Log": writes a realistic Python-logging sample — every level, a chained traceback,
 * a rotated predecessor (`app.log.1`) — into the extension's storage and opens it. Written here
 * (not by running Python) so it works on any machine.
 */
import * as vscode from 'vscode';

/** Small deterministic PRNG so the sample is the same every time. */
function rng(seed: number): () => number {
	let s = seed >>> 0;
	return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

function stamp(ms: number): string {
	const d = new Date(ms);
	const p = (n: number, w = 2) => String(n).padStart(w, '0');
	return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())},${p(d.getUTCMilliseconds(), 3)}`;
}

/** The sample text: `count` records starting at `startMs`. */
export function sampleText(startMs: number, count: number, seed: number): string {
	const r = rng(seed);
	const users = ['alice', 'bob', 'carol', 'dave'];
	const out: string[] = [];
	let t = startMs;
	for (let i = 0; i < count; i++) {
		t += Math.floor(50 + r() * 900);
		const ts = stamp(t);
		const x = r();
		const user = users[Math.floor(r() * users.length)];
		if (x < 0.45) out.push(`${ts} - app.http - INFO - GET /api/orders/${1000 + Math.floor(r() * 9000)} 200 ${3 + Math.floor(r() * 250)}ms user=${user}`);
		else if (x < 0.62) out.push(`${ts} - app.db - DEBUG - query took ${(r() * 40).toFixed(1)} ms rows=${Math.floor(r() * 500)}`);
		else if (x < 0.72) out.push(`${ts} - app - INFO - order ${Math.floor(r() * 99999)} shipped to ${user}, error count 0`);
		else if (x < 0.85) out.push(`${ts} - app.db - WARNING - slow query: ${100 + Math.floor(r() * 800)} ms on table orders (threshold 100 ms)`);
		else if (x < 0.93) out.push(`${ts} - app.http - ERROR - upstream timeout after ${1000 + Math.floor(r() * 4000)} ms calling http://payments.internal:8080/charge`);
		else if (x < 0.98) {
			const order = Math.floor(r() * 99999);
			out.push(`${ts} - app - ERROR - order pricing failed for user ${user}`,
				'Traceback (most recent call last):',
				'  File "/srv/app/pricing.py", line 41, in price_order',
				'    amount = parse_amount(order["amount"])',
				'  File "/srv/app/pricing.py", line 12, in parse_amount',
				'    return int(text)',
				"ValueError: invalid literal for int() with base 10: '12,50'",
				'',
				'The above exception was the direct cause of the following exception:',
				'',
				'Traceback (most recent call last):',
				'  File "/srv/app/worker.py", line 88, in handle',
				'    price_order(order)',
				'  File "/srv/app/pricing.py", line 44, in price_order',
				`    raise RuntimeError(f"could not price order {order['id']}") from e`,
				`RuntimeError: could not price order ${order}`);
		} else {
			out.push(`${ts} - app - CRITICAL - cannot load configuration, shutting down worker`,
				'Traceback (most recent call last):',
				'  File "/srv/app/config.py", line 20, in load',
				"    with open(path) as f:",
				"FileNotFoundError: [Errno 2] No such file or directory: '/etc/app/settings.toml'");
		}
	}
	return out.join('\n') + '\n';
}

export async function openSampleLog(context: vscode.ExtensionContext): Promise<vscode.TextEditor> {
	const dir = vscode.Uri.joinPath(context.globalStorageUri, 'sample');
	await vscode.workspace.fs.createDirectory(dir);
	const start = Date.UTC(2024, 4, 1, 10, 0, 0);
	const enc = new TextEncoder();
	const older = sampleText(start, 300, 1);
	const lastOld = /(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),(\d{3})/g;
	let last = start;
	for (const m of older.matchAll(lastOld)) last = Date.parse(`${m[1].replace(' ', 'T')}.${m[2]}Z`);
	await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'app.log.1'), enc.encode(older));
	const current = vscode.Uri.joinPath(dir, 'app.log');
	await vscode.workspace.fs.writeFile(current, enc.encode(sampleText(last, 400, 2)));
	const doc = await vscode.workspace.openTextDocument(current);
	return vscode.window.showTextDocument(doc, { preview: false });
}
