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
