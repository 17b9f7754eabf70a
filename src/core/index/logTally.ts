import { promises as fsp } from 'node:fs';
import { Level } from '../levels';
import { LineScanner, ScanOptions } from './lineScanner';
import { readRange, scanSetup } from './diskScan';

/**
 * What a log holds in numbers — lines, entries per level, first and last time — read in one pass
 * in constant memory: the same scanner, format detection and header rules as `LogIndex`, without
 * keeping anything per line. For answers that need no random access (`summary`, `check`); a
 * 5 GB file costs no more memory than a small one.
 */
export class LogTally extends LineScanner {
	entryCount = 0;
	private readonly counts = new Float64Array(8);
	private firstTime = NaN;
	private lastTime = NaN;
	/** The last line started an entry (of `lastLevel`); the times before it, to take it back. */
	private lastLineEntry = false;
	private lastLevel: Level = Level.Unknown;
	private firstBefore = NaN;
	private lastBefore = NaN;

	protected resetDerived(): void {
		this.entryCount = 0;
		this.counts.fill(0);
		this.firstTime = this.lastTime = NaN;
		this.lastLineEntry = false;
	}

	protected onLine(_start: number, _cr: boolean, header: boolean): void {
		if (header) this.addEntry(this.hLevel);
		else if (this.lineCount === 1 && !this.continuation) {
			// a first line that is no header still starts an entry (as in the index)
			this.hTime = NaN;
			this.addEntry(Level.Unknown);
		} else this.lastLineEntry = false;
	}

	/** One more entry of `level`, its time in `hTime` (read from the field: no boxing per call). */
	private addEntry(level: Level): void {
		this.lastLineEntry = true;
		this.lastLevel = level;
		this.firstBefore = this.firstTime;
		this.lastBefore = this.lastTime;
		this.entryCount++;
		this.counts[level]++;
		const t = this.hTime;
		if (t === t) {
			if (this.firstTime !== this.firstTime) this.firstTime = t;
			this.lastTime = t;
		}
	}

	protected override reviseEntry(level: Level, time: number): void {
		if (!this.lastLineEntry && this.entryCount === 0) return;
		this.counts[this.lastLevel]--;
		this.counts[level]++;
		this.lastLevel = level;
		if (time === time) {
			this.firstTime = this.firstBefore !== this.firstBefore ? time : this.firstBefore;
			this.lastTime = time;
		} else {
			this.firstTime = this.firstBefore;
			this.lastTime = this.lastBefore;
		}
	}

	protected retractLine(): void {
		if (!this.lastLineEntry) return;
		this.lastLineEntry = false;
		this.entryCount--;
		this.counts[this.lastLevel]--;
		this.firstTime = this.firstBefore;
		this.lastTime = this.lastBefore;
	}

	/** Entries per level (index: `Level`). */
	levelCounts(): number[] {
		return Array.from(this.counts);
	}

	/** Time of the first / last entry that has one (NaN when none). */
	timeRange(): { first: number; last: number } {
		return { first: this.firstTime, last: this.lastTime };
	}
}

/** Options for `tallyFile`. */
export interface TallyFileOptions extends ScanOptions {
	signal?: AbortSignal;
	/** Bytes per read (two buffers of it are used); default 1 MB. */
	chunkSize?: number;
}

/**
 * Tallies a file from disk: detection sees what `indexFile` shows it (the head and a sample from
 * the middle), so counts equal the index's. Reads stay small (two 1 MB buffers, reused): fresh
 * memory costs a page fault per 4 KB, which on some virtual machines is most of the time.
 */
export async function tallyFile(path: string, opts: TallyFileOptions = {}): Promise<LogTally> {
	const fh = await fsp.open(path, 'r');
	try {
		const { size, scan } = await scanSetup(fh, path, opts);
		const tally = new LogTally(scan);
		await readRange(fh, tally, 0, () => size, { chunkSize: opts.chunkSize ?? 1024 * 1024, signal: opts.signal });
		tally.finish();
		return tally;
	} finally {
		await fh.close();
	}
}
