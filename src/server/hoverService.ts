/** Hover on an entry: its parsed fields, the time since the previous entry and since the first. */
import { Hover, MarkupKind } from 'vscode-languageserver/node';
import { levelName } from '../core/levels';
import { readEntry } from '../core/entryReader';
import { parseTraceback } from '../core/python/traceback';
import type { LogDoc } from './logStore';

export function formatDelta(ms: number): string {
	if (!Number.isFinite(ms)) return '—';
	const sign = ms < 0 ? '−' : '+';
	let a = Math.abs(ms);
	if (a < 1000) return `${sign}${a} ms`;
	if (a < 60_000) return `${sign}${(a / 1000).toFixed(3)} s`;
	const h = Math.floor(a / 3_600_000); a -= h * 3_600_000;
	const m = Math.floor(a / 60_000); a -= m * 60_000;
	const s = (a / 1000).toFixed(3).padStart(6, '0');
	return h ? `${sign}${h} h ${m} min ${s} s` : `${sign}${m} min ${s} s`;
}

function cell(v: string): string {
	return v.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').slice(0, 300);
}

export function hover(doc: LogDoc, line: number): Hover | null {
	const ix = doc.index;
	const e = ix.entryAtLine(line);
	if (e < 0 || e >= ix.entryCount) return null;
	const d = readEntry(ix, doc.source, e);
	const rows: [string, string][] = [];
	if (d.levelFrom === 'status') rows.push(['level', `${levelName(d.level)} (derived from HTTP status \`${d.levelRaw ?? '?'}\`; the log has no level field)`]);
	else rows.push(['level', `${levelName(d.level)}${d.levelRaw && d.levelRaw.toLowerCase() !== levelName(d.level) ? ` (\`${d.levelRaw}\`)` : ''}`]);
	if (Number.isFinite(d.time)) {
		rows.push(['time', new Date(d.time).toISOString()]);
		let prev = e - 1;
		while (prev >= 0 && !Number.isFinite(ix.entryTime(prev))) prev--;
		if (prev >= 0) rows.push(['since previous entry', formatDelta(d.time - ix.entryTime(prev))]);
		const first = ix.timeRange().first;
		if (Number.isFinite(first)) rows.push(['since first entry', formatDelta(d.time - first)]);
	}
	if (d.logger) rows.push(['logger', d.logger]);
	for (const [k, v] of Object.entries(d.fields ?? {})) {
		if (k === 'message' || k === 'levelname' || k === 'asctime' || k === 'name') continue;
		rows.push([k, v]);
	}
	rows.push(['lines', d.endLine > d.line ? `${d.line + 1}–${d.endLine + 1}` : `${d.line + 1}`]);
	let md = `**Log Lens** · entry ${(e + 1).toLocaleString('en-US')} of ${ix.entryCount.toLocaleString('en-US')} · format ${ix.format.format.name}\n\n| field | value |\n|---|---|\n`;
	md += rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`).join('\n');
	if (d.exception) {
		md += `\n\n**${cell(d.exception.type)}**: ${cell(d.exception.message)}`;
		const tb = d.text ? parseTraceback(d.text) : null;
		if (tb && tb.chain.length > 1) {
			// Python prints the oldest exception first; say how each led to the next.
			md += '\n\nException chain, oldest first:\n\n' + tb.chain.map((c, i) => {
				const next = tb.chain[i + 1];
				const how = next?.relation === 'cause' ? ' — the direct cause of the next' : next?.relation === 'context' ? ' — the next was raised while handling it' : '';
				const where = c.frames.length ? ` at \`${cell(c.frames[c.frames.length - 1].file.split('/').pop() ?? '')}:${c.frames[c.frames.length - 1].line}\`` : '';
				return `${i + 1}. **${cell(c.type)}**: ${cell(c.message)}${where}${how}`;
			}).join('\n');
		} else if (tb?.raisingFrame) {
			md += ` — raised in \`${cell(tb.raisingFrame.func ?? '?')}\` at \`${cell(tb.raisingFrame.file)}:${tb.raisingFrame.line}\``;
		}
	}
	return { contents: { kind: MarkupKind.Markdown, value: md }, range: { start: { line: d.line, character: 0 }, end: { line: d.line, character: 0 } } };
}
