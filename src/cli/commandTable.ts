/** A `loglens` sub-command: runs with the arguments after its name, resolves to the exit code. */
export interface CliCommand {
	/** One line for the global `--help`. */
	readonly summary: string;
	run(argv: string[]): Promise<number>;
}

/**
 * Every command, loaded on first use. To add one: create `commands/<name>.ts` exporting
 * `summary` and `run`, and add ONE line here.
 */
export const COMMANDS: Record<string, () => Promise<CliCommand>> = {
	summary: () => import('./commands/summary'),
	entries: () => import('./commands/entries'),
	filter: () => import('./commands/filter'),
	check: () => import('./commands/check'),
	templates: () => import('./commands/templates'),
	stats: () => import('./commands/stats'),
	anomalies: () => import('./commands/anomalies'),
	follow: () => import('./commands/follow'),
	export: () => import('./commands/export'),
	'es-search': () => import('./commands/esSearch'),
	merge: () => import('./commands/merge'),
};
