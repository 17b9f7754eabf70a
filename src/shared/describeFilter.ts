import type { FilterSpec } from './protocol';

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
