import { describe, expect, it } from '@jest/globals';
import { loadQuotas, loadRateLimits } from './limits.config.js';

describe('rate limits and quotas from the environment', () => {
  it('has defaults for every limit and quota', () => {
    expect(loadRateLimits({})).toEqual({
      windows: {
        authFailures: { limit: 60, windowSeconds: 60 },
        search: { limit: 300, windowSeconds: 60 },
        contents: { limit: 600, windowSeconds: 60 },
        connect: { limit: 30, windowSeconds: 60 },
        reindex: { limit: 30, windowSeconds: 60 },
        workspaceCreate: { limit: 30, windowSeconds: 60 },
      },
      redisPrefix: 'console:rate-limit:',
    });
    expect(loadQuotas({})).toEqual({ repositories: 1000, workspaces: 100, apiKeys: 50, queuedJobs: 100 });
  });

  it('reads "<count>/<seconds>", "off", and quotas as counts or "off"', () => {
    const limits = loadRateLimits({ RATE_LIMIT_SEARCH: '5/10s', RATE_LIMIT_CONNECT: 'OFF', RATE_LIMIT_REDIS_PREFIX: 'staging:' });
    expect(limits.windows.search).toEqual({ limit: 5, windowSeconds: 10 });
    expect(limits.windows.connect).toBeNull();
    expect(limits.redisPrefix).toBe('staging:');
    expect(loadQuotas({ QUOTA_WORKSPACES: '0', QUOTA_QUEUED_JOBS: 'off' })).toMatchObject({ workspaces: 0, queuedJobs: null });
  });

  it.each([
    ['RATE_LIMIT_SEARCH', '100'],
    ['RATE_LIMIT_SEARCH', '0/60'],
    ['RATE_LIMIT_REINDEX', '10/0'],
    ['RATE_LIMIT_AUTH_FAILURES', 'ten/60'],
  ])('refuses %s=%s at startup, naming the variable', (name, value) => {
    expect(() => loadRateLimits({ [name]: value })).toThrow(name);
  });

  it.each([
    ['QUOTA_REPOSITORIES', '-1'],
    ['QUOTA_API_KEYS_PER_USER', '1.5'],
    ['QUOTA_WORKSPACES', 'many'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadQuotas({ [name]: value })).toThrow(name);
  });
});
