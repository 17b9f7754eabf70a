/**
 * The custom protocol between the Log Lens client (extension host) and the language server.
 * Every message is a small namespace: its method name, its type, and which way it travels.
 * This file imports no `vscode`: both sides and the tests use it.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { StatsResult } from '../core/stats';
import type { UserFilter } from '../core/filter/userFilter';
import type { Signal } from '../core/anomalies';
import type { FormatChoice } from '../core/formats/formatChoice';
import type { ServerSettings } from './settings';
import type { EsCredentials, EsServerInfo } from '../core/elasticsearch/connection';
import type { ExportProgress, ExportSummary } from '../core/elasticsearch/bulkExport';
import type { ExportState } from '../core/elasticsearch/exportSources';
import type { TemplateState } from '../core/elasticsearch/indexTemplate';
export type { Signal };

/** Canonical level names, in severity order, plus `unknown`. */
export type LevelName = 'trace' | 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'unknown';
export const LEVEL_ORDER: readonly LevelName[] = ['trace', 'debug', 'info', 'notice', 'warning', 'error', 'critical'];
export type LevelCounts = Record<LevelName, number>;

export interface UriParams { uri: string }

/** The state of one document's index, as the status bar and tree show it. */
export interface LogSummary {
	uri: string;
	/** `indexing` while a large file is still being read (counts are partial), `ready` after. */
	state: 'indexing' | 'ready' | 'binary' | 'missing' | 'error';
	/** A user-facing reason when state is binary/missing/error. */
	message?: string;
	bytes: number;
	lines: number;
	entries: number;
	format: string;
	formatName: string;
	confidence: number;
	levels: LevelCounts;
	/** ISO timestamps of the first and last timed entries, or null. */
	first: string | null;
	last: string | null;
	/** Bytes read so far while indexing (equals bytes when ready). */
	indexedBytes: number;
}

/** Sent from the client to the server: the counts and format of a document. */
export namespace SummaryRequest {
	export const method = 'logLens/summary' as const;
	export const type = new RequestType<UriParams, LogSummary, void>(method);
}

/** Sent from the server to the client whenever a document's index changed (grew, reindexed). */
export namespace IndexChangedNotification {
	export const method = 'logLens/indexChanged' as const;
	export const type = new NotificationType<LogSummary>(method);
}

/**
 * Sent from the client to the server: a log file is shown in an editor tab. VS Code does not sync
 * documents over 50 MB to extensions, so the server is told about them this way and reads them
 * from disk itself.
 */
export namespace OpenLogNotification {
	export const method = 'logLens/openLog' as const;
	export const type = new NotificationType<UriParams>(method);
}
/** Sent from the client: the tab of a log opened with OpenLogNotification was closed. */
export namespace CloseLogNotification {
	export const method = 'logLens/closeLog' as const;
	export const type = new NotificationType<UriParams>(method);
}

/** A filter over entries; every given part must match (AND). The fields are the engine's `UserFilter`. */
export interface FilterSpec extends UserFilter {
	minLevel?: LevelName;
	levels?: LevelName[];
	/** Template id (from the Problems tree): entries of that message kind only. */
	templateId?: number;
	/** The level floor the template ids were mined at (the Problems tree's minimum level). */
	templateLevel?: LevelName;
	/** Further filters that must all match too: a filter run in a filtered tab refines it this way. */
	and?: FilterSpec[];
}

/** Sent from the client: run a filter over a document. */
export namespace FilterRequest {
	export const method = 'logLens/filter' as const;
	export const type = new RequestType<FilterParams, FilterResult, void>(method);
}
export interface FilterParams {
	uri: string;
	filter: FilterSpec;
	/** stop after this many matching entries */
	maxEntries?: number;
	/** and before the text passes this many bytes (at least one entry is kept) */
	maxBytes?: number;
	/**
	 * The filtered tab the result is for: the server puts the tab's header line (see `filterHeader`)
	 * first in `text` and indexes the text under `uri`, so the tab is not synced back to it.
	 */
	tab?: { uri: string; name: string };
}
export interface FilterResult {
	/** The matching entries' text, whole, separated by newlines. */
	text: string;
	/** For every line of `text`, its 0-based line in the source. */
	lineMap: number[];
	matchedEntries: number;
	totalEntries: number;
	/** Level counts of all matching entries (also past maxEntries). */
	levels: LevelCounts;
	/** True when maxEntries or maxBytes cut the result short. */
	truncated: boolean;
	/** Entries in `text`. */
	shownEntries: number;
	/** Human description of the filter (`level ≥ warning, text "timeout"`). */
	description: string;
}

export type NavigationKind = 'error' | 'warning' | 'entry';
/** Sent from the client: the next/previous entry of a kind from a line. */
export namespace NavigateRequest {
	export const method = 'logLens/navigate' as const;
	export const type = new RequestType<NavigateParams, NavigateResult, void>(method);
}
export interface NavigateParams { uri: string; line: number; direction: 'next' | 'previous'; kind: NavigationKind }
export interface NavigateResult { line: number | null; endLine: number | null; wrapped: boolean }

/** Sent from the client: the entry nearest to a time. */
export namespace GotoTimeRequest {
	export const method = 'logLens/gotoTime' as const;
	export const type = new RequestType<{ uri: string; time: string }, { line: number | null; time: string | null; error?: string }, void>(method);
}

/** Line ranges (0-based, inclusive) of the continuation lines of error-or-worse entries. */
export namespace EntryRangesRequest {
	export const method = 'logLens/entryRanges' as const;
	export const type = new RequestType<{ uri: string; minLevel: LevelName }, { ranges: [number, number, LevelName][] }, void>(method);
}

/** One message kind in the Problems tree. */
export interface ProblemTemplate {
	id: number;
	/** The template, variable parts shown as `<*>`. */
	template: string;
	count: number;
	first: string | null;
	last: string | null;
	firstLine: number;
}
export interface ProblemsResult {
	uri: string;
	minLevel: LevelName;
	entries: number;
	/** Most severe first. */
	levels: { level: LevelName; count: number; templates: ProblemTemplate[] }[];
}
/** Sent from the client: entries at or above a level, grouped by level and message template. */
export namespace ProblemsRequest {
	export const method = 'logLens/problems' as const;
	export const type = new RequestType<{ uri: string; minLevel: LevelName }, ProblemsResult, void>(method);
}
export interface OccurrencesParams { uri: string; minLevel: LevelName; level?: LevelName; templateId?: number; offset: number; limit: number }
export interface Occurrence { line: number; endLine: number; level: LevelName; time: string | null; message: string }
export interface OccurrencesResult { total: number; items: Occurrence[] }
/** Sent from the client: a page of the entries of one level and/or template (in file order). */
export namespace OccurrencesRequest {
	export const method = 'logLens/occurrences' as const;
	export const type = new RequestType<OccurrencesParams, OccurrencesResult, void>(method);
}

/** A format choice for files: a built-in id, a Python logging format string, or a regex with named groups. */
export type { FormatChoice };

/** Sent from the client: parse this file with this format from now on (this session). */
export namespace SetFormatRequest {
	export const method = 'logLens/setFormat' as const;
	export const type = new RequestType<{ uri: string; format?: FormatChoice }, LogSummary, void>(method);
}

/** A workspace file handed to the server for logging-config discovery. */
export interface DiscoveryFile { path: string; text: string }
export interface DiscoveredLog {
	/** Absolute path the handler writes (may not exist yet). */
	path: string;
	exists: boolean;
	handler: string;
	handlerName: string;
	configFile: string;
	configKind: string;
	configLine: number;
	format: FormatChoice | null;
	/** Rotation policy the handler implies, in words (`RotatingFileHandler: 5 × 1 MB`). */
	rotation: string;
}
/** Sent from the client: find Python logging setups in these files (parsed, never executed). */
export namespace DiscoverLoggingRequest {
	export const method = 'logLens/discoverLogging' as const;
	export const type = new RequestType<{ files: DiscoveryFile[]; workspaceRoot?: string }, DiscoveredLog[], void>(method);
}

/** Sent from the client: the whole text of the entry holding a line (Copy Traceback / Copy Entry). */
export namespace EntryTextRequest {
	export const method = 'logLens/entryText' as const;
	export const type = new RequestType<{ uri: string; line: number }, { text: string; line: number; endLine: number } | null, void>(method);
}

/** A command whose output is followed (Follow Command Output…): argv, no shell unless `shell`. */
export interface FollowCommand {
	argv: string[];
	/** Run `argv.join(' ')` with the system shell. */
	shell?: boolean;
	cwd?: string;
	/** Shown as the tab's name. */
	name: string;
}

/** Options for following a file (or a command's output) live. */
export interface FollowParams {
	/** The file; for a command, its display name. */
	path: string;
	/** Follow this command's stdout and stderr instead of a file (the server runs it). */
	command?: FollowCommand;
	/** Read the existing file from its first byte instead of showing only its last lines. */
	fromStart?: boolean;
	/** Only entries passing this filter go into the tab (filtered follow). */
	filter?: FilterSpec;
	/** Lines kept in the tab (older ones are dropped): `logLens.follow.maxLines`. */
	maxLines?: number;
	/** Rely on stat polling only (`logLens.follow.usePolling`). */
	usePolling?: boolean;
	pollIntervalMs?: number;
	/** Raise alerts for anomaly signals (new message kinds, spikes, silences) while following. */
	anomalyAlerts?: boolean;
	/**
	 * From this many lines per second the tab is in a burst (src/core/follow/burst.ts): the
	 * index-changed notifications that make the client redraw entry marks and the Problems tree wait
	 * until it ends, and the client drops the grammar. 0: never. Default 200.
	 */
	burstLinesPerSecond?: number;
}
export interface FollowInfo {
	id: string; uri: string; path: string; /** The command's process id (process group). */ pid?: number;
	/** The tab opens in a burst: its log is being written (a file changed within the last seconds, a command); the server says within half a second whether it holds. */
	burst?: boolean;
}
/** Sent from the client: start following a file; the tab's URI comes back. */
export namespace FollowStartRequest {
	export const method = 'logLens/follow/start' as const;
	export const type = new RequestType<FollowParams, FollowInfo, void>(method);
}
/** Sent from the client: run a command session's command again, in the same tab (it is stopped first if it still runs). */
export namespace FollowRestartRequest {
	export const method = 'logLens/follow/restart' as const;
	export const type = new RequestType<{ id: string }, FollowInfo, void>(method);
}
/** Sent from the client: stop a follow session (its tab was closed or Stop Following ran); a command is killed with its process group. */
export namespace FollowStopNotification {
	export const method = 'logLens/follow/stop' as const;
	export const type = new NotificationType<{ id: string }>(method);
}
/** Sent from the client: the current text of a follow tab. */
export namespace FollowContentRequest {
	export const method = 'logLens/follow/content' as const;
	export const type = new RequestType<{ id: string }, FollowContent, void>(method);
}
/** A follow tab's whole text: bytes [droppedBytes, totalOut) of everything ever appended, starting at line droppedLines of it. */
export interface FollowContent { text: string; markers: FollowMarker[]; totalOut: number; droppedLines: number; droppedBytes: number }
/** Where a rotation or truncation happened, as a line of the follow tab. */
export interface FollowMarker { line: number; kind: 'rotated' | 'truncated' | 'created' | 'missing' | 'dropped' | 'exited' | 'restarted'; text: string }
/** Sent from the server: a follow tab has new content (throttled). */
export namespace FollowChangedNotification {
	export const method = 'logLens/follow/changed' as const;
	export const type = new NotificationType<FollowStatus>(method);
}
export interface FollowStatus {
	id: string;
	uri: string;
	path: string;
	/** Lines currently in the tab, and lines received since following began. */
	lines: number;
	received: number;
	/** Lines per second over the last seconds. */
	rate: number;
	/** Lines arrive faster than `burstLinesPerSecond`: the tab does lighter work until this is false again (a status is sent when it changes). */
	burst?: boolean;
	/** `running`/`exited`: a command session; `exit` says how it ended. */
	state: 'following' | 'missing' | 'stopped' | 'running' | 'exited';
	exit?: { code: number | null; signal: string | null };
	/** A command session's process id while it runs. */
	pid?: number;
	/** Date.now() on the server when the newest bytes were read (latency measurement). */
	readAt: number;
	/** Text appended to the tab since the previous notification, starting at byte `appendOffset` of everything ever appended. */
	append?: string;
	appendOffset: number;
	/** The tab's text was rebuilt since the previous notification: fetch it whole. */
	reset: boolean;
	/**
	 * The tab keeps the last lines only (`maxLines`): lines and bytes ever dropped from its head. The
	 * client deletes the lines it still shows below `droppedLines`, in the edit that appends.
	 */
	droppedLines: number;
	droppedBytes: number;
	markers: FollowMarker[];
}

/** An alert rule (`logLens.alerts`). */
export interface AlertRule {
	name?: string;
	/** Level floor. */
	level?: LevelName;
	/** Text or regex (with `regex: true`) matched against the entry. */
	pattern?: string;
	regex?: boolean;
	ignoreCase?: boolean;
	/** Fire only when `count` matches arrive within `seconds`. */
	count?: number;
	seconds?: number;
	/** Shown in the notification. */
	message?: string;
}
export interface AlertEvent {
	rule: string;
	message: string;
	/** Matches since the last alert event of this rule (a burst is one event). */
	count: number;
	sessionId: string;
	uri: string;
	path: string;
	/** Line in the follow tab of the latest match, and its first line of text. */
	line: number;
	text: string;
	time: number;
}
/** Sent from the server: an alert rule matched while following (coalesced per rule). */
export namespace AlertNotification {
	export const method = 'logLens/alert' as const;
	export const type = new NotificationType<AlertEvent>(method);
}
/** Sent from the server: alert rules that cannot be used, with the reason. */
export namespace AlertRulesInvalidNotification {
	export const method = 'logLens/alertRulesInvalid' as const;
	export const type = new NotificationType<{ errors: string[] }>(method);
}

export interface StatsParams { uri: string; bucketMs?: number; detail?: boolean; topN?: number }
/** Sent from the client: aggregated statistics of a log (the statistics view gets only buckets). */
export namespace StatsRequest {
	export const method = 'logLens/stats' as const;
	export const type = new RequestType<StatsParams, StatsResult, void>(method);
}

/** Sent from the client: anomaly signals of a log (the Problems tree's Anomalies group). */
export namespace AnomaliesRequest {
	export const method = 'logLens/anomalies' as const;
	export const type = new RequestType<UriParams, Signal[], void>(method);
}

/** A window of a large file: `count` lines from `startLine` (0-based), read from disk by the server. */
/**
 * `uri`: the window's document. The server indexes the text it returns under that URI, so the client
 * does not sync the window's text back (the document is excluded from text document sync).
 */
export interface WindowParams { path: string; startLine: number; count: number; uri?: string }
/** Sent from the client: a window document closed; `releaseFile` when it was the file's last window. */
export interface CloseWindowParams { path: string; uri?: string; releaseFile?: boolean }
export interface WindowResult {
	text: string;
	startLine: number;
	/** Lines in the window's text. */
	lines: number;
	totalLines: number;
	totalEntries: number;
	state: LogSummary['state'];
	indexedBytes: number;
	bytes: number;
}
/** Sent from the client: a window of a large file (Open Large Log). */
export namespace WindowRequest {
	export const method = 'logLens/window' as const;
	export const type = new RequestType<WindowParams, WindowResult, void>(method);
}
/** Sent from the client: a window document closed (drops its index; the file's when it was the last). */
export namespace CloseWindowNotification {
	export const method = 'logLens/closeWindow' as const;
	export const type = new NotificationType<CloseWindowParams>(method);
}
/** Sent from the client: a document whose index the server built itself (a filtered tab) closed. */
export namespace ReleaseDocumentNotification {
	export const method = 'logLens/releaseDocument' as const;
	export const type = new NotificationType<UriParams>(method);
}
/** Sent from the client: write every entry matching a filter to a file (no cap). */
export namespace FilterToFileRequest {
	export const method = 'logLens/filterToFile' as const;
	export const type = new RequestType<{ uri: string; filter: FilterSpec; path: string }, { entries: number; bytes: number }, void>(method);
}

/** Sent from the client: merge several logs (or a rotated set) into one time-ordered tab. */
export namespace MergeRequest {
	export const method = 'logLens/merge' as const;
	export const type = new RequestType<MergeParams, MergeInfo, void>(method);
}
export interface MergeParams { paths: string[]; rotated?: boolean; maxEntries?: number }
export interface MergeInfo {
	id: string;
	files: { path: string; label: string }[];
	entries: number;
	truncated: boolean;
}
/** Sent from the client: the merged text and, per entry, where it came from (for source labels). */
export namespace MergeContentRequest {
	export const method = 'logLens/merge/content' as const;
	export const type = new RequestType<{ id: string }, { text: string; entryLines: number[]; entryFiles: number[] }, void>(method);
}
/** Sent from the client: the file and line a line of a merged tab came from. */
export namespace MergeSourceRequest {
	export const method = 'logLens/merge/source' as const;
	export const type = new RequestType<{ id: string; line: number }, { file: string; line: number } | null, void>(method);
}

/** Sent from the client: the inner log of a wrapped log (container runtime, journald) for a Show Inner Log tab. */
export namespace InnerLogRequest {
	export const method = 'logLens/innerLog' as const;
	/** Null when the log is not wrapped. */
	export const type = new RequestType<InnerLogParams, InnerLogResult | null, void>(method);
}

export interface InnerLogParams {
	/** The wrapped log. */
	uri: string;
	/** Stop after about this much text (whole entries). */
	maxBytes?: number;
	/** The tab's URI: the server indexes the inner text under it (hover, levels, navigation in the tab). */
	tab?: string;
}

export interface InnerLogResult {
	/** The inner log (escape sequences removed). */
	text: string;
	/** For each line of `text`, the 0-based line of the wrapped log it starts on (Go to Source Line). */
	lineMap: number[];
	/** The envelope's and the inner log's format names. */
	wrapper: string;
	inner: string;
	/** Entries shown / in the log. */
	entries: number;
	totalEntries: number;
	truncated: boolean;
}

/**
 * Sent from the client at start (in `initializationOptions.settings` too) and whenever a
 * `logLens.*` setting changes: the settings the server uses. The server never asks VS Code for
 * settings; the client reads them through its one settings module (client/settings.ts).
 */
export namespace ServerSettingsNotification {
	export const method = 'logLens/settings' as const;
	export const type = new NotificationType<ServerSettings>(method);
}

/** Sent from the client when a merged tab closes: the server forgets that merge. */
export namespace MergeDropNotification {
	export const method = 'logLens/merge/drop' as const;
	export const type = new NotificationType<{ id: string }>(method);
}

// ---- Elasticsearch: export and search run in the server -------------------------------------------
// The client reads where to connect from the settings and the credentials from SecretStorage, and
// passes both with every request; the server uses them for that request (or that continuous
// export) only and never keeps them. Failures are ResponseErrors whose message says what to fix.

/** Where and how to reach Elasticsearch, for one request. */
export interface EsConnectionParams {
	url?: string;
	cloudId?: string;
	/** PEM file of an extra CA (already resolved: no `${workspaceFolder}`). */
	caFile?: string;
	credentials?: EsCredentials;
}

/** Sent from the client: `GET /` on the cluster. */
export namespace EsTestConnectionRequest {
	export const method = 'logLens/elasticsearch/testConnection' as const;
	export const type = new RequestType<{ connection: EsConnectionParams }, EsServerInfo, void>(method);
}

/** Sent from the client: whether `index` has Log Lens's ECS index template (creating it when `create`). */
export namespace EsTemplateRequest {
	export const method = 'logLens/elasticsearch/template' as const;
	export const type = new RequestType<{ connection: EsConnectionParams; index: string; create: boolean }, TemplateState, void>(method);
}

export interface ExportParams {
	/** Chosen by the client; progress, state and end notifications carry it. */
	id: string;
	connection: EsConnectionParams;
	/** A file URI (or path), or a filtered tab's URI: then only its entries. */
	uri: string;
	/** The text to export when the source is not a saved file (untitled or unsaved). */
	text?: string;
	index: string;
	/** Make the documents searchable right away (one-shot exports). */
	refresh?: boolean;
	/** Keep exporting what is appended (files only): the request returns once it runs. */
	follow?: boolean;
	/** Where a continuous export resumes: the last state the server sent for this id. */
	state?: ExportState;
}
/** An export's outcome, as the server reports it (`error` described, `text` for the user). */
export type ExportOutcome = Omit<ExportSummary, 'error'> & { error?: string; text: string };
export type ExportResult = ExportOutcome | { following: string };

/** Sent from the client: export entries as ECS documents (cancellable: the request's token). */
export namespace ExportRequest {
	export const method = 'logLens/elasticsearch/export' as const;
	export const type = new RequestType<ExportParams, ExportResult, void>(method);
}

/** Sent from the server while an export runs. `totalBytes`: the source's size, when known. */
export namespace ExportProgressNotification {
	export const method = 'logLens/elasticsearch/exportProgress' as const;
	export const type = new NotificationType<ExportProgress & { id: string; totalBytes?: number }>(method);
}

/** Sent from the server: the acknowledged position of a continuous export, for the client to keep (resume after a restart). */
export namespace ExportStateNotification {
	export const method = 'logLens/elasticsearch/exportState' as const;
	export const type = new NotificationType<{ id: string; state: ExportState }>(method);
}

/** Sent from the server when a continuous export ended (stopped, or failed for good). */
export namespace ExportEndedNotification {
	export const method = 'logLens/elasticsearch/exportEnded' as const;
	export const type = new NotificationType<{ id: string; outcome: ExportOutcome }>(method);
}

/** Sent from the client: stop continuous exports (these ids); resolves with their outcomes once what was read is sent. */
export namespace StopExportRequest {
	export const method = 'logLens/elasticsearch/stopExport' as const;
	export const type = new RequestType<{ ids: string[] }, ExportOutcome[], void>(method);
}

export interface SearchParams {
	id: string;
	connection: EsConnectionParams;
	index: string;
	/** ISO time, HH:MM[:SS], or relative (`15m`, `2h`, `1d`). */
	since?: string;
	until?: string;
	minLevel?: LevelName;
	query?: string;
	limit: number;
}

/** Sent from the client: read entries back (cancellable); the hits as log text, in time order. */
export namespace SearchRequest {
	export const method = 'logLens/elasticsearch/search' as const;
	export const type = new RequestType<SearchParams, { lines: string[] }, void>(method);
}

/** Sent from the server while a search reads: hits so far. */
export namespace SearchProgressNotification {
	export const method = 'logLens/elasticsearch/searchProgress' as const;
	export const type = new NotificationType<{ id: string; read: number }>(method);
}
