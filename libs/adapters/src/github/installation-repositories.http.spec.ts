import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { repositoryPayload, startFakeGitHub, type FakeGitHub } from '#testing';
import { githubRateLimitRemaining, metricsRegistry } from '../observability/metrics.js';
import { InProcessCache, RedisCache, type Cache } from './cache.js';
import { GitHubAppClients } from './github-app.client.js';
import { InstallationRepositories } from './installation-repositories.js';
import { SingleFlightCache } from './single-flight-cache.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const appId = '424242';
const ttlMs = 150;

// Redis is optional (without REDIS_URL Console caches in process) and `npm test` must pass on a
// machine with nothing installed, so the Redis cases are skipped only when no Redis answers and
// REDIS_URL is unset. CI sets REDIS_URL (.ci/run), where an unreachable Redis fails them instead.
const redisUrl = process.env.REDIS_URL ?? ((await reachable(6379)) ? 'redis://127.0.0.1:6379' : undefined);

let github: FakeGitHub;

beforeAll(async () => {
  github = await startFakeGitHub({ pageSize: 100 });
  github.setApp({ appId, publicKey });
});

afterAll(async () => {
  await github?.close();
});

const listings = () => github.requests.get('GET /installation/repositories') ?? 0;
const revalidations = () => github.notModified.get('GET /installation/repositories') ?? 0;
const tokenRequests = () =>
  [...github.requests].filter(([key]) => /^POST \/app\/installations\/\d+\/access_tokens$/.test(key)).reduce((sum, [, n]) => sum + n, 0);
const repos = (count: number, owner = 'acme') => Array.from({ length: count }, (_, i) => repositoryPayload(10_000 + i, owner, `repo-${i}`));

const backends: Array<[string, () => Promise<Cache & { clear?: () => Promise<void> }> | undefined, number]> = [
  ['in-process', () => Promise.resolve(new InProcessCache()), 100],
  ['Redis', () => (redisUrl ? Promise.resolve(new RedisCache(redisUrl, `console-test:${randomUUID()}:`)) : undefined), 200],
];

describe.each(backends)('installation repositories, cached %s', (name, makeCache, firstInstallation) => {
  // The Redis variant needs a server: CI sets REDIS_URL (the machine runs Redis); a machine without it runs the in-process variant only.
  const run = name === 'Redis' && !redisUrl ? it.skip : it;
  let cache: Cache & { clear?: () => Promise<void> };
  let repositories: InstallationRepositories;
  let next = firstInstallation;
  // The listing's TTL running out, without waiting for it: its ETags stay, as they outlive the listing.
  const expire = (id: string) => cache.delete(`repos:${id}`);
  // Each test its own installation, so tokens, ETags and cache entries never leak between tests.
  const installation = (count: number) => {
    const id = String(next++);
    github.setInstallationRepositories(id, repos(count, `org-${id}`));
    return id;
  };

  beforeAll(async () => {
    const made = await makeCache();
    if (!made) return;
    cache = made;
    repositories = new InstallationRepositories(
      new GitHubAppClients({ appId, privateKey, baseUrl: github.url }, cache, { retries: 0 }),
      new SingleFlightCache(cache),
      ttlMs,
    );
  });

  afterAll(async () => {
    await cache?.clear?.();
    await cache?.close();
  });

  run('lists every page: 250 repositories in 3 requests of 100, with one installation token', async () => {
    const id = installation(250);
    const [listed, tokens] = [listings(), tokenRequests()];

    const list = await repositories.list(id);

    expect(list).toHaveLength(250);
    expect(new Set(list.map((r) => r.id)).size).toBe(250);
    expect(list[0]).toEqual({
      id: '10000',
      name: 'repo-0',
      fullName: `org-${id}/repo-0`,
      ownerLogin: `org-${id}`,
      private: true,
      defaultBranch: 'main',
      htmlUrl: `https://github.example.test/org-${id}/repo-0`,
      archived: false,
      description: null,
      language: null,
      stargazersCount: 0,
      updatedAt: null,
    });
    expect(listings() - listed).toBe(3);
    expect(tokenRequests() - tokens).toBe(1);
  });

  run('answers from the cache within the TTL, with no request', async () => {
    const id = installation(250);
    const first = await repositories.list(id);
    const [listed, tokens] = [listings(), tokenRequests()];

    const second = await repositories.list(id);

    expect(second).toEqual(first);
    expect(listings() - listed).toBe(0);
    expect(tokenRequests() - tokens).toBe(0);
  });

  run('revalidates after the TTL with ETags: every page a 304, the same data, no rate limit spent', async () => {
    const id = installation(250);
    const first = await repositories.list(id);
    const remaining = await rateLimitGauge(id);
    const [listed, notModified, tokens] = [listings(), revalidations(), tokenRequests()];
    await expire(id);

    const again = await repositories.list(id);

    expect(again).toEqual(first);
    expect(listings() - listed).toBe(3);
    expect(revalidations() - notModified).toBe(3);
    // The installation token is still valid: auth-app reuses it.
    expect(tokenRequests() - tokens).toBe(0);
    expect(await rateLimitGauge(id)).toBe(remaining);
  });

  run('sees a change after the TTL: changed pages come back as 200s with the new data', async () => {
    const id = installation(250);
    await repositories.list(id);
    github.setInstallationRepositories(id, [...repos(250, `org-${id}`), repositoryPayload(99_999, `org-${id}`, 'new-repo')]);
    const notModified = revalidations();
    await expire(id);

    const again = await repositories.list(id);

    expect(again).toHaveLength(251);
    expect(again.at(-1)?.name).toBe('new-repo');
    // Pages 1 and 2 are unchanged; page 3 gained a repository (total_count changed on every page here).
    expect(revalidations() - notModified).toBe(0);
  });

  run('shares one listing among 10 concurrent calls (single-flight)', async () => {
    const id = installation(250);
    const [listed, tokens] = [listings(), tokenRequests()];

    const lists = await Promise.all(Array.from({ length: 10 }, () => repositories.list(id)));

    expect(lists.every((list) => list.length === 250)).toBe(true);
    expect(listings() - listed).toBe(3);
    expect(tokenRequests() - tokens).toBe(1);
  });

  run('exports x-ratelimit-remaining per installation to /metrics', async () => {
    const id = installation(50);
    github.setRateLimitRemaining(id, 4321);

    await repositories.list(id);

    // One 200 spent one request of the budget.
    expect(await rateLimitGauge(id)).toBe(4320);
    expect(await metricsRegistry.metrics()).toContain(`github_rate_limit_remaining{installation="${id}"} 4320`);
    expect(await metricsRegistry.metrics()).toMatch(
      /github_request_duration_seconds_count\{method="GET",route="\/installation\/repositories",status="200"\} \d+/,
    );
  });

  run('measures uncached, cached and revalidated latency of a 250-repository listing', async () => {
    const samples = { uncached: [] as number[], cached: [] as number[], revalidated: [] as number[] };
    for (let i = 0; i < 5; i++) {
      const id = installation(250);
      let start = performance.now();
      await repositories.list(id);
      samples.uncached.push(performance.now() - start);
      start = performance.now();
      await repositories.list(id);
      samples.cached.push(performance.now() - start);
      await expire(id);
      start = performance.now();
      await repositories.list(id);
      samples.revalidated.push(performance.now() - start);
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!.toFixed(2);
    console.log(
      `[${name}] 250 repos, median of 5 (ms): uncached (token + 3 pages) ${median(samples.uncached)}, cached ${median(samples.cached)}, revalidated (3× 304) ${median(samples.revalidated)}`,
    );
    expect(Number(median(samples.cached))).toBeLessThan(Number(median(samples.uncached)));
  });
});

describe('GitHub App authentication', () => {
  it('is refused when the JWT is not signed by the app key', async () => {
    const other = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    github.setInstallationRepositories('900', repos(1));
    const cache = new InProcessCache();
    const repositories = new InstallationRepositories(
      new GitHubAppClients({ appId, privateKey: other.privateKey, baseUrl: github.url }, cache, { retries: 0 }),
      new SingleFlightCache(cache),
    );

    await expect(repositories.list('900')).rejects.toMatchObject({ status: 401 });
  });
});

async function rateLimitGauge(installation: string): Promise<number | undefined> {
  return (await githubRateLimitRemaining.get()).values.find((value) => value.labels.installation === installation)?.value;
}

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 300 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}
