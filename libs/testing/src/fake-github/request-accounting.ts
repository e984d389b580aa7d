import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Answer {
  readonly installationId: string;
  /** `METHOD /path`, the key a 304 is counted under. */
  readonly key: string;
  readonly etag: string | undefined;
  readonly headers?: Record<string, string>;
  readonly body: () => string;
}

/**
 * What the fake counts and what it spends: requests by path and by route, 304s, blobs served,
 * each installation's rate limit, and the outage `failNext` arranged.
 */
export class RequestAccounting {
  readonly requests = new Map<string, number>();
  readonly routes = new Map<string, number>();
  readonly notModified = new Map<string, number>();
  readonly blobsServed = { count: 0 };
  /** Requests left, by installation id (REST) or `graphql:<installation id>`. */
  private readonly rateLimits = new Map<string, number>();
  private failures: { status: number; remaining: number } | null = null;

  /** Counts a request; returns the status it must fail with while an outage lasts. */
  receive(key: string): number | undefined {
    increment(this.requests, key);
    if (!this.failures || this.failures.remaining === 0) return undefined;
    this.failures.remaining--;
    return this.failures.status;
  }

  failNext(status: number, count: number): void {
    this.failures = { status, remaining: count };
  }

  countRoute(route: string): void {
    increment(this.routes, route);
  }

  setRateLimitRemaining(installationId: string, remaining: number): void {
    this.rateLimits.set(installationId, remaining);
  }

  /** Spends one GraphQL request of the installation; returns what is left. */
  spendGraphql(installationId: string): number {
    const left = Math.max(0, (this.rateLimits.get(`graphql:${installationId}`) ?? 5000) - 1);
    this.rateLimits.set(`graphql:${installationId}`, left);
    return left;
  }

  /** A 200 that spends one request of the installation's rate limit, or a free 304 when the ETag matches. */
  answer(request: IncomingMessage, response: ServerResponse, { installationId, key, etag, headers = {}, body }: Answer): void {
    const remaining = this.rateLimits.get(installationId) ?? 5000;
    const rate = (left: number) => ({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(left),
      'x-ratelimit-used': String(5000 - left),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
    });
    const tagged = etag === undefined ? headers : { ...headers, etag };
    if (etag !== undefined && request.headers['if-none-match'] === etag) {
      increment(this.notModified, key);
      response.writeHead(304, { ...tagged, ...rate(remaining) });
      return void response.end();
    }
    const left = Math.max(0, remaining - 1);
    this.rateLimits.set(installationId, left);
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...tagged, ...rate(left) });
    response.end(body());
  }
}

const increment = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
