import type { Octokit } from '@octokit/rest';
import { githubRateLimitRemaining, githubRequestDuration } from '../observability/metrics.js';

/**
 * Times every call that reaches the network and records `x-ratelimit-remaining`. Registered before
 * the conditional cache, so it sits inside it: a 304 is measured, a response served from memory is not.
 */
export function useGitHubMetrics(octokit: Octokit, installationId: string): void {
  octokit.hook.wrap('request', async (request, options) => {
    const stop = githubRequestDuration.startTimer({ method: options.method, route: route(options.url, options.baseUrl) });
    try {
      const response = await request(options);
      observe(response.headers, response.status);
      return response;
    } catch (error) {
      const response = (error as { response?: { headers?: Record<string, unknown> } }).response;
      const status = (error as { status?: unknown }).status;
      observe(response?.headers ?? {}, typeof status === 'number' ? status : 0);
      throw error;
    }

    function observe(headers: Record<string, unknown>, status: number): void {
      stop({ status: String(status) });
      const remaining = Number(headers['x-ratelimit-remaining']);
      if (headers['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining))
        githubRateLimitRemaining.set({ installation: installationId }, remaining);
    }
  });
}

/**
 * The path without origin, base path and query: pagination follows `Link` headers, so later pages
 * (and `paginate`'s first) arrive as full URLs rather than route templates.
 */
function route(url: string, baseUrl: string): string {
  if (!url.includes('://')) return url.split('?')[0]!;
  const base = new URL(baseUrl).pathname.replace(/\/$/, '');
  const path = new URL(url).pathname;
  return base && path.startsWith(base) ? path.slice(base.length) : path;
}
