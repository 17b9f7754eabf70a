// The index template that gives exported entries ECS mappings: `@timestamp` a date, `log.level` a
// keyword, `message` text, `error.stack_trace` wildcard (grep-like search inside traces), and the
// document id as a keyword so search can page on it.
import type { Client } from '@elastic/elasticsearch';

/** Name of the template Log Lens manages for an index (or index pattern). */
export function templateName(index: string): string {
	return `loglens-${index.replace(/[*?"<>|/\\, #:]+/g, '_').replace(/^[-_+]+/, '')}`;
}

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/** The mappings of an exported document (what `toEcs` writes). */
export const ECS_MAPPINGS = {
	dynamic_templates: [
		{ labels: { path_match: 'labels.*', mapping: keyword } },
		{ python_strings: { path_match: 'python.*', match_mapping_type: 'string', mapping: keyword } },
	],
	properties: {
		'@timestamp': { type: 'date' },
		message: { type: 'text' },
		tags: keyword,
		ecs: { properties: { version: keyword } },
		log: {
			properties: {
				level: keyword,
				logger: keyword,
				offset: { type: 'long' },
				file: { properties: { path: keyword } },
				origin: {
					properties: {
						file: { properties: { name: keyword, line: { type: 'long' } } },
						function: keyword,
					},
				},
			},
		},
		event: {
			properties: {
				id: keyword,
				// ECS: kept in _source, not indexed.
				original: { type: 'keyword', index: false, doc_values: false },
			},
		},
		error: {
			properties: {
				type: keyword,
				message: { type: 'text' },
				stack_trace: { type: 'wildcard' },
			},
		},
		host: { properties: { name: keyword } },
		container: { properties: { id: keyword, name: keyword, runtime: keyword } },
		process: {
			properties: {
				pid: { type: 'long' },
				name: keyword,
				thread: { properties: { id: { type: 'long' }, name: keyword } },
			},
		},
		python: {
			properties: {
				levelno: { type: 'long' },
				lineno: { type: 'long' },
				created: { type: 'double' },
				msecs: { type: 'double' },
				relativeCreated: { type: 'double' },
				thread: { type: 'long' },
				process: { type: 'long' },
			},
		},
	},
} as const;

/** The body of `PUT _index_template/<name>` for `index` (a name or a pattern). */
export function templateBody(index: string): Record<string, unknown> {
	return {
		index_patterns: [index],
		priority: 200,
		template: { mappings: ECS_MAPPINGS },
		_meta: { managed_by: 'loglens', description: 'ECS mappings for log entries exported by Log Lens' },
	};
}

/** Whether the template exists; `created` when this call put it. */
export type TemplateState = 'exists' | 'created' | 'missing';

/**
 * Checks for Log Lens's template of `index` (HEAD), and puts it when missing and `create` is set.
 * An index that already exists keeps its mappings: templates apply to new indices only.
 */
export async function ensureIndexTemplate(client: Client, index: string, create: boolean): Promise<TemplateState> {
	const name = templateName(index);
	if (await client.indices.existsIndexTemplate({ name })) return 'exists';
	if (!create) return 'missing';
	await client.indices.putIndexTemplate({ name, ...templateBody(index) } as Parameters<Client['indices']['putIndexTemplate']>[0]);
	return 'created';
}
