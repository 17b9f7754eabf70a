/**
 * The URI schemes of the documents Log Lens makes, for the client (content providers) and the
 * server (which produces and indexes their text) alike, and the query a filtered tab's URI carries.
 */
import type { FilterSpec } from './protocol';

/** A live follow tab: `loglens-follow:/Following/app.log?<session id>`. */
export const FOLLOW_SCHEME = 'loglens-follow';
/** A window of a large log: `loglens-window:/app.log?<file path>`. */
export const WINDOW_SCHEME = 'loglens-window';
/** A merged timeline: `loglens-merge:/<title>.log?<merge id>`. */
export const MERGE_SCHEME = 'loglens-merge';
/** A filtered tab: `loglens-filter:/<title>?<FilterState as JSON>`. */
export const FILTER_SCHEME = 'loglens-filter';

/** What a filtered tab's URI query holds: the source document's URI and the filter. */
export interface FilterState {
	source: string;
	filter: FilterSpec;
}

/** The filter state of a filtered tab's URI query; undefined when it is not one. */
export function decodeFilterQuery(query: string): FilterState | undefined {
	try {
		const st = JSON.parse(query) as FilterState;
		return st && typeof st.source === 'string' && st.filter && typeof st.filter === 'object' ? st : undefined;
	} catch {
		return undefined;
	}
}
