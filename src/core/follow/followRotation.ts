// Finding rotated siblings of a followed log file. When several rotations happen between two looks
// at the directory (polling on a network file system, a busy machine, a tiny maxBytes), the files
// in between were never opened by the follower; they are still on disk under rotated names, and
// this module finds them so their lines are not lost.
import { promises as fsp, BigIntStats } from 'node:fs';
import * as path from 'node:path';

/** A sibling file on disk that looks like a rotated copy of the followed file. */
export interface RotatedSibling {
	path: string;
	dev: number;
	ino: number;
	size: number;
	mtimeNs: bigint;
	/** See `reliableBirth`. */
	birthNs: bigint;
}

/**
 * The creation time in ns when the file system really reports one, else 0n. Where it does not,
 * Node fills in the change time, which moves with every write and so cannot identify a file.
 */
export function reliableBirth(st: BigIntStats): bigint {
	return st.birthtimeNs > 0n && st.birthtimeNs < st.ctimeNs ? st.birthtimeNs : 0n;
}

/**
 * True when `name` looks like a rotated copy of `base`: `app.log.1`, `app.log.2024-05-01_12-00`,
 * `app.log-20240501` (logrotate dateext), `app.1.log`, `app-2024-05-01.log`. Compressed archives
 * (`app.log.1.gz`) do not match: their bytes are not the log's lines.
 */
export function isRotatedName(base: string, name: string): boolean {
	if (name === base) return false;
	const suffix = /^[._-][0-9][0-9._-]*$/;
	if (name.startsWith(base) && suffix.test(name.slice(base.length))) return true;
	const ext = path.extname(base);
	if (!ext) return false;
	const stem = base.slice(0, -ext.length);
	if (!name.startsWith(stem) || !name.endsWith(ext) || name.length <= base.length) return false;
	return suffix.test(name.slice(stem.length, name.length - ext.length));
}

/**
 * Stats every sibling of `filePath` whose name looks rotated. Errors on single entries (a file
 * deleted between readdir and stat) are skipped; a missing directory yields an empty list.
 */
export async function listRotatedSiblings(filePath: string): Promise<RotatedSibling[]> {
	const dir = path.dirname(filePath);
	const base = path.basename(filePath);
	let names: string[];
	try {
		names = await fsp.readdir(dir);
	} catch {
		return [];
	}
	const candidates = names.filter((n) => isRotatedName(base, n));
	const stats = await Promise.all(candidates.map(async (name) => {
		const p = path.join(dir, name);
		try {
			const st = await fsp.stat(p, { bigint: true });
			if (!st.isFile()) return undefined;
			return { path: p, dev: Number(st.dev), ino: Number(st.ino), size: Number(st.size), mtimeNs: st.mtimeNs, birthNs: reliableBirth(st) };
		} catch {
			return undefined;
		}
	}));
	return stats.filter((s): s is RotatedSibling => s !== undefined);
}

/**
 * Like `listRotatedSiblings`, but a consistent picture: listing and stat-ing names while a rename
 * chain runs (RotatingFileHandler shifting `.1` → `.2` → …) can miss a file or see one twice, so
 * the directory is listed until two listings in a row agree.
 */
export async function listRotatedSiblingsStable(filePath: string, maxRounds = 6): Promise<{ siblings: RotatedSibling[]; settled: boolean }> {
	let prev = await listRotatedSiblings(filePath);
	for (let round = 1; round < maxRounds; round++) {
		const next = await listRotatedSiblings(filePath);
		// Agreeing at once: nothing was renaming files meanwhile.
		if (sameListing(prev, next)) return { siblings: next, settled: round === 1 };
		prev = next;
	}
	return { siblings: prev, settled: false };
}

function sameListing(a: RotatedSibling[], b: RotatedSibling[]): boolean {
	if (a.length !== b.length) return false;
	const at = new Map(a.map((s) => [s.path, s]));
	return b.every((s) => {
		const o = at.get(s.path);
		return o !== undefined && o.dev === s.dev && o.ino === s.ino;
	});
}

/**
 * Orders rotated files oldest first, i.e. in the order their lines were written. File time stamps
 * are coarse (a clock tick of several ms), so ties are common when rotations come fast: creation
 * time decides first, then the last write, then the name (`app.log.3` is older than `app.log.2`;
 * date suffixes sort as text).
 */
export function compareRotationAge(a: RotatedSibling, b: RotatedSibling): number {
	if (a.birthNs !== 0n && b.birthNs !== 0n && a.birthNs !== b.birthNs) return a.birthNs < b.birthNs ? -1 : 1;
	if (a.mtimeNs !== b.mtimeNs) return a.mtimeNs < b.mtimeNs ? -1 : 1;
	const na = /\.(\d+)$/.exec(a.path);
	const nb = /\.(\d+)$/.exec(b.path);
	if (na && nb && na[1].length < 6 && nb[1].length < 6) return Number(nb[1]) - Number(na[1]);
	return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
