// A log and its rotated predecessors as one timeline: `app.log.3.gz`, `app.log.2.gz`, `app.log.1`,
// `app.log` read oldest first as if they were one file, every record once. The naming rules are
// followRotation's (the follower and this module must agree on what a rotated sibling is); this
// module adds compressed archives and an order that does not depend on file times alone.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { compareRotationAge, isRotatedName, reliableBirth, RotatedSibling } from './follow/followRotation';
import { ChunkReadOptions, isGzipPath, logChunks, openLog, OpenedLog } from './gzipSource';

/** One file of a rotated set. */
export interface RotatedMember {
	path: string;
	/** A `.gz` archive (decompressed while it is read). */
	compressed: boolean;
	/** Position in the timeline: 0 is the oldest file; the live file (when it exists) is last. */
	order: number;
	/** The file at the path that was asked for (the one being written). */
	live: boolean;
}

/** A chunk of a file set's bytes, and which member it came from. */
export interface SetChunk {
	/** Valid until the next chunk is requested. */
	data: Buffer;
	/** Index into the set's members. */
	member: number;
}

/** Files opened together, read as one stream with `chunks()`. */
export interface OpenFileSet {
	readonly members: RotatedMember[];
	/**
	 * The members' bytes in order. A member that does not end with a newline gets one, so its last
	 * line does not run into the next file's first line (the last member is left as it is).
	 */
	chunks(opts?: ChunkReadOptions): AsyncGenerator<SetChunk>;
	close(): Promise<void>;
}

/** Extensions of compressed archives this module can read. Others (`.bz2`, `.xz`, `.zst`) are left out of sets. */
const COMPRESSED = /\.gz$/i;
const OTHER_ARCHIVE = /\.(bz2|xz|zst|lz4|z|zip|7z)$/i;

/**
 * The rotated set of `filePath`, oldest first, the live file last (left out when it does not
 * exist). Recognised predecessors: RotatingFileHandler `app.log.1` … `.N` (higher is older),
 * TimedRotatingFileHandler `app.log.2024-05-01[_12[-00-00]]`, logrotate `app.log-20240501` and
 * `app-20240501.log`, and any of these with `.gz`. When both `X` and `X.gz` exist (an archive being
 * written), only `X` is taken, so no record appears twice.
 */
export async function findRotatedSet(filePath: string): Promise<RotatedMember[]> {
	const dir = path.dirname(filePath);
	const base = path.basename(filePath);
	let names: string[];
	try {
		names = await fsp.readdir(dir);
	} catch {
		names = [];
	}
	const plain = new Set<string>();
	const found: { name: string; stripped: string; compressed: boolean }[] = [];
	for (const name of names) {
		if (OTHER_ARCHIVE.test(name)) continue;
		const compressed = COMPRESSED.test(name);
		const stripped = compressed ? name.replace(COMPRESSED, '') : name;
		if (!isRotatedName(base, stripped)) continue;
		if (!compressed) plain.add(name);
		found.push({ name, stripped, compressed });
	}
	const candidates = found.filter((f) => !(f.compressed && plain.has(f.stripped)));
	const stats = await Promise.all(candidates.map(async (c) => {
		const p = path.join(dir, c.name);
		try {
			const st = await fsp.stat(p, { bigint: true });
			if (!st.isFile()) return undefined;
			const sib: RotatedSibling = { path: p, dev: Number(st.dev), ino: Number(st.ino), size: Number(st.size), mtimeNs: st.mtimeNs, birthNs: reliableBirth(st) };
			return { ...c, sib, key: suffixKey(base, c.stripped) };
		} catch {
			return undefined;
		}
	}));
	const rotated = stats.filter((s): s is NonNullable<typeof s> => s !== undefined);
	const allNumbered = rotated.every((r) => typeof r.key === 'number');
	const allDated = rotated.every((r) => typeof r.key === 'string');
	rotated.sort((a, b) => {
		// The name is what the rotating tool wrote on purpose; file times only break ties or decide
		// when numbered and dated names are mixed.
		if (allNumbered && a.key !== b.key) return (b.key as number) - (a.key as number);
		if (allDated && a.key !== b.key) return (a.key as string) < (b.key as string) ? -1 : 1;
		return compareRotationAge(a.sib, b.sib);
	});
	const members: RotatedMember[] = rotated.map((r, i) => ({ path: r.sib.path, compressed: r.compressed, order: i, live: false }));
	try {
		const st = await fsp.stat(filePath);
		if (st.isFile()) members.push({ path: filePath, compressed: isGzipPath(filePath), order: members.length, live: true });
	} catch {
		// No live file (everything rotated away): the set is its archives.
	}
	return dedupeByIdentity(members);
}

/**
 * The live file a rotated name belongs to (`app.log.2.gz`, `app.log.2024-05-01`, `app-20240501.log`
 * → `app.log`), so "open the rotated set" works from any member. A name that does not look rotated,
 * or whose live file does not exist, is its own live file.
 */
export async function liveFileOf(filePath: string): Promise<string> {
	const dir = path.dirname(filePath);
	const name = path.basename(filePath).replace(COMPRESSED, '');
	const bases: string[] = [];
	const tail = /^(.+?)[._-]\d[\d._-]*$/.exec(name);
	if (tail) bases.push(tail[1]);
	const inner = /^(.+?)[._-]\d[\d._-]*(\.[A-Za-z][\w]*)$/.exec(name);
	if (inner) bases.push(inner[1] + inner[2]);
	for (const base of bases) {
		if (!isRotatedName(base, name)) continue;
		try {
			if ((await fsp.stat(path.join(dir, base))).isFile()) return path.join(dir, base);
		} catch {
			// Not there: try the next reading of the name.
		}
	}
	return filePath;
}

/**
 * How a rotated name orders: a small number for `app.log.3` (higher is older), else the digits of
 * a date / time suffix as text (`20240501`, `2024050112`), which sort in time order.
 */
function suffixKey(base: string, name: string): number | string {
	let suffix: string;
	if (name.startsWith(base)) suffix = name.slice(base.length);
	else {
		const ext = path.extname(base);
		suffix = name.slice(base.length - ext.length, name.length - ext.length);
	}
	const m = /^[._-](\d{1,5})$/.exec(suffix);
	if (m) return Number(m[1]);
	return suffix.replace(/\D/g, '');
}

/** Hard links (the same file under two rotated names) would repeat records. */
async function dedupeByIdentity(members: RotatedMember[]): Promise<RotatedMember[]> {
	const seen = new Set<string>();
	const out: RotatedMember[] = [];
	for (const m of members) {
		let id = m.path;
		try {
			const st = await fsp.stat(m.path);
			id = `${st.dev}:${st.ino}`;
		} catch {
			continue;
		}
		if (seen.has(id)) continue;
		seen.add(id);
		out.push({ ...m, order: out.length });
	}
	return out;
}

/**
 * Opens a list of files (oldest first) to be read as one stream. Every file is opened before the
 * first byte is read: a rotation while the set is read renames or deletes names, but the open
 * descriptors still read the files as they were found, so no record is skipped or read twice.
 */
export async function openFileSet(members: RotatedMember[]): Promise<OpenFileSet> {
	const opened: OpenedLog[] = [];
	try {
		for (const m of members) opened.push(await openLog(m.path));
	} catch (e) {
		await Promise.all(opened.map((o) => o.handle.close()));
		throw e;
	}
	return fileSet(members.map((m, i) => ({ ...m, compressed: opened[i].compressed })), opened);
}

function fileSet(members: RotatedMember[], opened: OpenedLog[]): OpenFileSet {
	let closed = false;
	return {
		members,
		async *chunks(opts: ChunkReadOptions = {}): AsyncGenerator<SetChunk> {
			for (let i = 0; i < opened.length; i++) {
				let last = -1;
				for await (const data of logChunks(opened[i], opts)) {
					if (data.length === 0) continue;
					last = data[data.length - 1];
					yield { data, member: i };
				}
				if (last !== -1 && last !== 0x0a && i + 1 < opened.length) yield { data: Buffer.from('\n'), member: i };
			}
		},
		async close(): Promise<void> {
			if (closed) return;
			closed = true;
			await Promise.all(opened.map((o) => o.handle.close().catch(() => undefined)));
		},
	};
}

/**
 * Finds and opens the rotated set of `filePath` (see `findRotatedSet`). The names are listed
 * again after opening: when a rotation renamed files in between, the files opened may not be the
 * ones listed, so the set is opened again (a few times at most).
 */
export async function openRotatedSet(filePath: string): Promise<OpenFileSet> {
	for (let attempt = 0; ; attempt++) {
		const members = await findRotatedSet(filePath);
		const opened: OpenedLog[] = [];
		try {
			for (const m of members) opened.push(await openLog(m.path));
		} catch (e) {
			await Promise.all(opened.map((o) => o.handle.close()));
			if ((e as NodeJS.ErrnoException).code === 'ENOENT' && attempt < 5) continue; // renamed away meanwhile
			throw e;
		}
		const again = await findRotatedSet(filePath);
		if (attempt < 5 && !(await sameFiles(again, opened))) {
			await Promise.all(opened.map((o) => o.handle.close()));
			continue;
		}
		return fileSet(members.map((m, i) => ({ ...m, compressed: opened[i].compressed })), opened);
	}
}

async function sameFiles(members: RotatedMember[], opened: OpenedLog[]): Promise<boolean> {
	if (members.length !== opened.length) return false;
	for (let i = 0; i < members.length; i++) {
		if (members[i].path !== opened[i].path) return false;
		try {
			const st = await fsp.stat(members[i].path);
			if (st.dev !== opened[i].dev || st.ino !== opened[i].ino) return false;
		} catch {
			return false;
		}
	}
	return true;
}

/**
 * The rotated set's bytes, oldest file first, as one stream (`.gz` decompressed as it streams).
 * The files are closed when the iteration ends, also when it ends early.
 */
export async function* readRotatedSet(filePath: string, opts: ChunkReadOptions = {}): AsyncGenerator<SetChunk> {
	const set = await openRotatedSet(filePath);
	try {
		yield* set.chunks(opts);
	} finally {
		await set.close();
	}
}
