import type { FilterResult, FilterSpec } from './protocol';

/** A short human description of a filter, used in tab titles. */
export function describeFilter(f: FilterSpec): string {
	const parts: string[] = [];
	if (f.levels?.length) parts.push(f.levels.join('+'));
	else if (f.minLevel) parts.push(`≥${f.minLevel}`);
	if (f.include) parts.push(`"${f.include}"`);
	if (f.exclude) parts.push(`-"${f.exclude}"`);
	if (f.since || f.until) parts.push(`${f.since ?? '…'}–${f.until ?? '…'}`);
	if (f.logger) parts.push(`logger ${f.logger}`);
	for (const [k, v] of Object.entries(f.fields ?? {})) parts.push(`${k}=${v}`);
	if (f.templateId !== undefined) parts.push(`template #${f.templateId}`);
	for (const a of f.and ?? []) parts.push(describeFilter(a));
	return parts.join(', ') || 'all';
}

/**
 * `1234567` → `1,234,567`. Number#toLocaleString builds an ICU number format, whose first use in a
 * process costs tens of milliseconds on the event loop; counts in status texts need none of it.
 */
export function formatCount(n: number): string {
	return Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(n);
}

/** The first line of a filtered tab: the filter, the counts and, when cut short, how to get the rest. */
export function filterHeader(r: Pick<FilterResult, 'description' | 'matchedEntries' | 'totalEntries' | 'truncated' | 'shownEntries'>, name: string): string {
	return `# Log Lens filter: ${r.description} — ${formatCount(r.matchedEntries)} of ${formatCount(r.totalEntries)} entries from ${name}` +
		(r.truncated ? ` (first ${formatCount(r.shownEntries)} shown: "Save Filter Result to File…" writes all, or raise logLens.filter.maxEntries)` : '');
}
