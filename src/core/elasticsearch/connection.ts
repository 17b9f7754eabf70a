// Connecting to Elasticsearch with the official client: where (URL or Elastic Cloud id), how
// (API key or user and password, an extra CA), a transport that retries 429 and 5xx responses with
// exponential backoff, and error messages a user can act on.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, ClientOptions, errors, SniffingTransport, TransportRequestOptions, TransportRequestParams } from '@elastic/elasticsearch';

/** Credentials: an API key (encoded `id:key` base64, as Kibana shows it) or user and password. */
export type EsCredentials = { apiKey: string } | { username: string; password: string };

/** Where and how to connect. */
export interface EsConnectionOptions {
	/** `http(s)://host:port`; or `cloudId`. */
	url?: string;
	cloudId?: string;
	credentials?: EsCredentials;
	/** PEM file of an extra certificate authority (self-signed clusters). */
	caFile?: string;
	/** Policy for retrying 429 / 5xx / dropped connections. */
	retry?: RetryPolicy;
	/** Per-request timeout, ms (default 30 s). */
	requestTimeoutMs?: number;
}

/** How failed requests are retried. */
export interface RetryPolicy {
	/** Further attempts after the first (default 5). */
	retries?: number;
	/** First backoff, ms (default 500); doubles per attempt with jitter, capped at `maxDelayMs`. */
	baseDelayMs?: number;
	/** Cap of one backoff, ms (default 30 s). */
	maxDelayMs?: number;
}

/** Statuses worth retrying: the cluster is busy or briefly unable, not the request wrong. */
export function isRetryableStatus(status: number | undefined): boolean {
	return status === 429 || (status !== undefined && status >= 500 && status !== 501 && status !== 505);
}

/** Backoff before attempt `n` (1-based): exponential with "equal jitter", at least `Retry-After`. */
export function backoffDelay(policy: Required<RetryPolicy>, attempt: number, retryAfterHeader?: string | string[]): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	let delay = ceiling / 2 + Math.random() * (ceiling / 2);
	const ra = Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader;
	if (ra !== undefined && /^\d+$/.test(ra.trim())) delay = Math.max(delay, Math.min(policy.maxDelayMs, +ra * 1000));
	return delay;
}

function fullPolicy(p: RetryPolicy | undefined): Required<RetryPolicy> {
	return { retries: p?.retries ?? 5, baseDelayMs: p?.baseDelayMs ?? 500, maxDelayMs: p?.maxDelayMs ?? 30_000 };
}

/**
 * The client's transport retries 502/503/504 and dropped connections only; a whole bulk request
 * answered 429 or 500 would end the bulk helper. This transport retries those too, with backoff.
 * Every request we send is idempotent (index with an explicit `_id`, search, template PUT).
 */
function retryingTransport(policy: Required<RetryPolicy>): typeof SniffingTransport {
	return class RetryingTransport extends SniffingTransport {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		override async request(params: TransportRequestParams, options: TransportRequestOptions = {}): Promise<any> {
			const opts: TransportRequestOptions = { retryBackoff: (_min, _max, attempt) => backoffDelay(policy, attempt) / 1000, ...options };
			for (let attempt = 1; ; attempt++) {
				try {
					return await super.request(params, opts);
				} catch (e) {
					const status = e instanceof errors.ResponseError ? e.statusCode : undefined;
					if (!isRetryableStatus(status) || attempt > policy.retries || options.signal?.aborted) throw e;
					const delay = backoffDelay(policy, attempt, (e as errors.ResponseError).headers?.['retry-after']);
					await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
					if (options.signal?.aborted) throw e;
				}
			}
		}
	};
}

/** A user-facing connection or configuration problem (the message says what to do). */
export class EsConfigError extends Error {}

/** Builds the client; throws EsConfigError when neither URL nor cloud id is given or the CA file is unreadable. */
export function createEsClient(opts: EsConnectionOptions): Client {
	const policy = fullPolicy(opts.retry);
	const co: ClientOptions = {
		Transport: retryingTransport(policy),
		maxRetries: Math.min(policy.retries, 3),
		requestTimeout: opts.requestTimeoutMs ?? 30_000,
	};
	if (opts.cloudId) co.cloud = { id: opts.cloudId };
	else if (opts.url) {
		let u: URL;
		try {
			u = new URL(opts.url);
		} catch {
			throw new EsConfigError(`'${opts.url}' is not a URL (expected http://host:9200 or https://host:9200)`);
		}
		if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new EsConfigError(`'${opts.url}': only http and https URLs are supported`);
		co.node = opts.url;
	} else throw new EsConfigError('no Elasticsearch URL or Cloud ID configured');
	const c = opts.credentials;
	if (c && 'apiKey' in c) co.auth = { apiKey: c.apiKey };
	else if (c) co.auth = { username: c.username, password: c.password };
	if (opts.caFile) {
		try {
			co.tls = { ca: readFileSync(opts.caFile) };
		} catch (e) {
			throw new EsConfigError(`cannot read the CA file ${opts.caFile}: ${(e as Error).message}`);
		}
	}
	return new Client(co);
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|EPROTO|SSL|HOSTNAME_MISMATCH|ERR_SSL/i;

function causeChain(e: unknown): string {
	const parts: string[] = [];
	for (let c: unknown = e, i = 0; c && i < 6; c = (c as { cause?: unknown }).cause, i++) {
		const x = c as { code?: string; message?: string };
		parts.push(`${x.code ?? ''} ${x.message ?? ''}`);
	}
	return parts.join(' | ');
}

/** The reason of an Elasticsearch error response, `type: reason`. */
export function responseReason(body: unknown): string | undefined {
	const err = (body as { error?: unknown })?.error;
	if (typeof err === 'string') return err;
	const root = (err as { root_cause?: { type?: string; reason?: string }[] })?.root_cause?.[0] ?? (err as { type?: string; reason?: string } | undefined);
	if (root?.type || root?.reason) return `${root.type ?? 'error'}: ${root.reason ?? ''}`.trim();
	return undefined;
}

/**
 * One sentence for any failure of the client: refused / unreachable, bad credentials, missing
 * privileges, TLS, not Elasticsearch (the client's product check), timeouts, other responses.
 */
export function describeEsError(e: unknown, where = 'Elasticsearch'): string {
	if (e instanceof EsConfigError) return e.message;
	if (e instanceof errors.ProductNotSupportedError) {
		return `the server at ${where} answered, but it is not Elasticsearch (no 'X-Elastic-Product: Elasticsearch' header): check the URL and port`;
	}
	if (e instanceof errors.ResponseError) {
		const s = e.statusCode;
		const why = responseReason(e.body);
		if (s === 401) return `${where} rejected the credentials (401 Unauthorized): set them again with "Set Elasticsearch Credentials" (API key, or user and password)`;
		if (s === 403) return `the credentials lack a privilege (403 Forbidden)${why ? `: ${why}` : ''}`;
		if (s === 404) return `not found (404)${why ? `: ${why}` : ''}`;
		return `${where} answered ${s}${why ? `: ${why}` : ''}`;
	}
	if (e instanceof errors.TimeoutError) return `${where} did not answer in time (request timeout)`;
	if (e instanceof errors.RequestAbortedError) return 'cancelled';
	const chain = causeChain(e);
	if (TLS_CODES.test(chain)) {
		return `TLS error talking to ${where}: ${chain.replace(/\s*\|\s*/g, '; ').trim()} — for a self-signed cluster set its CA file (logLens.elasticsearch.caFile / --ca-file), or use http:// if the server does not speak TLS`;
	}
	if (/ECONNREFUSED/.test(chain)) return `connection refused by ${where}: is Elasticsearch running and listening on that host and port?`;
	if (/ENOTFOUND|EAI_AGAIN/.test(chain)) return `cannot resolve the host of ${where}: check the URL`;
	if (/ECONNRESET|other side closed|socket hang up|SocketError/i.test(chain)) return `${where} closed the connection: ${chain.split('|')[0].trim()} (an http:// URL against an https:// server also looks like this)`;
	if (e instanceof errors.ConnectionError || e instanceof errors.NoLivingConnectionsError) return `cannot reach ${where}: ${e.message}`;
	return e instanceof Error ? e.message : String(e);
}

/** What a connection test found. */
export interface EsServerInfo {
	clusterName: string;
	version: string;
	/** `default` for Elasticsearch; serverless deployments say `serverless`. */
	buildFlavor?: string;
}

/** `GET /` through the client (product check included); throws what `describeEsError` explains. */
export async function testConnection(client: Client): Promise<EsServerInfo> {
	const info = await client.info();
	return { clusterName: info.cluster_name, version: info.version.number, buildFlavor: info.version.build_flavor };
}
