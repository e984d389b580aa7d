import type { Octokit } from '@octokit/rest';
import type { Cache } from './cache.js';

interface StoredResponse {
  readonly etag: string;
  readonly url: string;
  /** Only what a later reader needs: `link` drives pagination, so a page replayed from a 304 still leads to the next. */
  readonly headers: Record<string, string>;
  readonly data: unknown;
}

export interface ConditionalCacheOptions {
  /** Scopes entries: an ETag is only valid for the credentials that saw the response. */
  readonly installationId: string;
  /** How long an ETag is remembered; a 304 needs it, a miss only costs one full response. */
  readonly ttlMs?: number;
  /** Larger answers (by Content-Length) are not remembered: a 100k-entry tree listing would hold megabytes per entry. */
  readonly maxEntryBytes?: number;
}

const IMMUTABLE_BLOB = /\/git\/blobs\/[0-9a-f]{40}(?:[?#]|$)/;

const keptHeaders = ['link', 'etag', 'last-modified', 'content-type'];

/**
 * Conditional requests for every GET: the last `{etag, data}` of a (method, url) is sent back as
 * `If-None-Match`, and on `304 Not Modified` the stored data is returned as a 200. GitHub does not
 * count a 304 against the rate limit, so revalidating an unchanged listing is free.
 */
export function useConditionalRequests(octokit: Octokit, cache: Cache, options: ConditionalCacheOptions): void {
  const ttlMs = options.ttlMs ?? 7 * 24 * 3600_000;
  const maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
  octokit.hook.wrap('request', async (request, requestOptions) => {
    if (requestOptions.method !== 'GET' || hasHeader(requestOptions.headers, 'if-none-match')) return request(requestOptions);
    const { url } = octokit.request.endpoint.parse(requestOptions);
    // A blob is addressed by its SHA and never changes; ingestion never asks for one twice, so
    // remembering 100k blob bodies would only fill the cache.
    if (IMMUTABLE_BLOB.test(url)) return request(requestOptions);
    const key = `etag:${options.installationId}:GET ${url}`;
    const stored = await cache.get<StoredResponse>(key);
    // before-after-hook binds the original options to every inner hook: they are changed in
    // place, since options passed to `request(…)` would not reach the hooks inside this one.
    if (stored) requestOptions.headers['if-none-match'] = stored.etag;
    try {
      const response = await request(requestOptions);
      const etag = response.headers.etag;
      if (typeof etag === 'string' && etag.length > 0 && sizeOf(response) <= maxEntryBytes) {
        const kept = Object.fromEntries(
          keptHeaders.flatMap((name) => (typeof response.headers[name] === 'string' ? [[name, response.headers[name] as string]] : [])),
        );
        await cache.set(key, { etag, url: response.url, headers: kept, data: response.data } satisfies StoredResponse, ttlMs);
      }
      return response;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (status !== 304 || !stored) throw error;
      const fresh = (error as { response?: { headers?: Record<string, string | number | undefined> } }).response?.headers ?? {};
      return { status: 200, url: stored.url, headers: { ...fresh, ...stored.headers }, data: stored.data } as Awaited<
        ReturnType<typeof request>
      >;
    }
  });
}

/** Content-Length when GitHub sends it; a chunked (or compressed) answer is measured as the JSON it parsed to. */
function sizeOf(response: { headers: Record<string, unknown>; data: unknown }): number {
  const length = Number(response.headers['content-length']);
  return Number.isFinite(length) && length > 0 ? length : JSON.stringify(response.data ?? null).length;
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((header) => header.toLowerCase() === name);
}
