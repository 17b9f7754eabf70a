/**
 * Document links for stack frames: Python `File "path", line N` and Java `at pkg.Class.m(File.java:N)`.
 * A frame opens the workspace file at that line: absolute paths that exist are used as they are;
 * `logLens.pathMappings` maps container paths (`/app/` → the workspace); otherwise the workspace is
 * searched for a file whose path ends with the frame's path (Java: the package path).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DocumentLink } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { lineText } from './lineText';
import type { LogDoc } from './logStore';

let workspaceFolders: string[] = [];
let pathMappings: Record<string, string> = {};
let fileIndex: Map<string, string[]> | undefined;

export function setWorkspaceFolders(uris: string[]): void {
	workspaceFolders = uris.filter((u) => u.startsWith('file:')).map((u) => URI.parse(u).fsPath);
	fileIndex = undefined;
}

export function setPathMappings(m: Record<string, string> | undefined): void {
	pathMappings = m ?? {};
}

const SKIP = new Set(['node_modules', '.git', '.hg', '.svn', '__pycache__', '.venv', 'venv', '.tox', 'dist', 'build', 'out', '.mypy_cache', '.idea', 'target']);
const MAX_FILES = 100_000;

/** basename → absolute paths of workspace files (built once, lazily, bounded). */
function workspaceFiles(): Map<string, string[]> {
	if (fileIndex) return fileIndex;
	const idx = new Map<string, string[]>();
	let count = 0;
	const stack = [...workspaceFolders];
	while (stack.length && count < MAX_FILES) {
		const dir = stack.pop()!;
		let ents: fs.Dirent[];
		try {
			ents = fs.readdirSync(dir, { withFileTypes: true });
		} catch {
			continue;
		}
		for (const d of ents) {
			if (d.isDirectory()) {
				if (!SKIP.has(d.name) && !d.name.startsWith('.')) stack.push(path.join(dir, d.name));
			} else if (d.isFile() && /\.(py|pyw|java|kt|scala|groovy|js|ts|go|rb|cs)$/.test(d.name)) {
				count++;
				const list = idx.get(d.name);
				if (list) list.push(path.join(dir, d.name));
				else idx.set(d.name, [path.join(dir, d.name)]);
			}
		}
	}
	fileIndex = idx;
	return idx;
}

/** Resolves a path written in a log to a workspace file, or undefined. */
export function resolveFramePath(written: string): string | undefined {
	for (const [from, to] of Object.entries(pathMappings)) {
		if (written.startsWith(from)) {
			const mapped = to.replace(/\$\{workspaceFolder\}/g, workspaceFolders[0] ?? '') + written.slice(from.length);
			if (exists(mapped)) return mapped;
		}
	}
	if (path.isAbsolute(written) && exists(written)) return written;
	for (const ws of workspaceFolders) {
		const p = path.join(ws, written);
		if (!path.isAbsolute(written) && exists(p)) return p;
	}
	// Tail match: the longest suffix of the written path that a workspace file ends with.
	const parts = written.split(/[\\/]/).filter(Boolean);
	const base = parts[parts.length - 1];
	const candidates = base ? workspaceFiles().get(base) : undefined;
	if (!candidates?.length) return undefined;
	let best: string | undefined, bestScore = 0;
	for (const c of candidates) {
		const cp = c.split(path.sep);
		let k = 0;
		while (k < parts.length && k < cp.length && cp[cp.length - 1 - k] === parts[parts.length - 1 - k]) k++;
		if (k > bestScore) { bestScore = k; best = c; }
	}
	return best;
}

function exists(p: string): boolean {
	try {
		return fs.statSync(p).isFile();
	} catch {
		return false;
	}
}

const PY_FRAME = /File "([^"]+)", line (\d+)/;
const JAVA_FRAME = /^\s*at\s+((?:[\w$]+\.)+)[\w$<>]+\(([\w$]+\.(?:java|kt|scala|groovy)):(\d+)\)/;
const MAX_LINKS = 5000;

export function documentLinks(doc: LogDoc): DocumentLink[] {
	const ix = doc.index;
	const out: DocumentLink[] = [];
	// Frames live in entries' continuation lines; single-line entries are skipped without reading.
	for (let e = 0; e < ix.entryCount && out.length < MAX_LINKS; e++) {
		const s = ix.entryStartLine(e), end = ix.entryEndLine(e);
		for (let l = s; l <= end && out.length < MAX_LINKS; l++) {
			if (l === s && end === s) continue;
			const text = lineText(ix, doc.source, l, 2000);
			let m = PY_FRAME.exec(text);
			if (m) {
				const target = resolveFramePath(m[1]);
				if (target) {
					const start = m.index + 6;
					out.push({ range: { start: { line: l, character: start }, end: { line: l, character: start + m[1].length } }, target: `${URI.file(target).toString()}#L${m[2]}`, tooltip: `Open ${path.basename(target)} at line ${m[2]}` });
				}
				continue;
			}
			m = JAVA_FRAME.exec(text);
			if (m) {
				const pkgPath = m[1].split('.').filter(Boolean);
				pkgPath.pop(); // the class name
				const rel = [...pkgPath, m[2]].join('/');
				const target = resolveFramePath(rel);
				if (target) {
					const start = text.indexOf(m[2] + ':' + m[3]);
					out.push({ range: { start: { line: l, character: start }, end: { line: l, character: start + m[2].length + 1 + m[3].length } }, target: `${URI.file(target).toString()}#L${m[3]}`, tooltip: `Open ${rel} at line ${m[3]}` });
				}
			}
		}
	}
	return out;
}
