import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhooks } from '@octokit/webhooks';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { INGESTION_JOB_KIND, jobDecider, jobStreamId, repositoryDecider, repositoryStreamId, type IngestionJobInput } from '#domain';
import { handleCommand } from '#event-store';
import { QuotaExceededError, Quotas } from '../apps/api/src/quotas/quotas.service.js';
import { loadQuotas, loadRateLimits } from '#runtime';
import { startTestApp, type TestApp } from './support/app.js';

/** The quota service on the app's own read database, as the api builds it. */
function quotasOn(app: TestApp): Quotas {
  const { store, config, dataSource, checkpoints, logger } = app.runtime;
  return new Quotas(store, config, checkpoints, logger, dataSource);
}

/**
 * Issue 9, abuse resistance: rate limits (failed authentications per client address, search per
 * API key, a per-organization limit on a route), quotas, and body sizes per route. Limits are set
 * small here; `TRUST_PROXY=loopback` lets each test speak from its own client address
 * (X-Forwarded-For), so spending one address's allowance leaves the others' requests alone.
 */
const SECRET = 'abuse-webhook-secret';
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    config: {
      trustProxy: 'loopback',
      githubWebhookSecret: SECRET,
      rateLimits: loadRateLimits({ RATE_LIMIT_AUTH_FAILURES: '3/600', RATE_LIMIT_SEARCH: '3/600', RATE_LIMIT_WORKSPACE_CREATE: '3/600' }),
      quotas: loadQuotas({ QUOTA_WORKSPACES: '2', QUOTA_API_KEYS_PER_USER: '2', QUOTA_QUEUED_JOBS: '2', QUOTA_REPOSITORIES: '1' }),
    },
  });
});

afterAll(async () => {
  await app?.close();
});

const from = (address: string) => ({ 'x-forwarded-for': address });
const command = () => ({ commandId: randomUUID() });

async function createOrg(slug: string, userId = `user_${slug}`): Promise<{ token: string; organizationId: string }> {
  const token = await app.token({ userId, org: slug });
  const created = await app.request('POST', '/v1/orgs', { token, body: { slug, name: slug } });
  expect(created.status).toBe(201);
  return { token, organizationId: created.body.organizationId };
}

function expectRateLimited(response: { status: number; body: any; headers: Headers }, setting: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 429, code: 'rate_limited' });
  expect(response.body.error.message).toContain(setting);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(600);
}

function expectQuotaExceeded(response: { status: number; body: any }, status: number, setting: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code: 'quota_exceeded' });
  expect(response.body.error.message).toContain(setting);
  expect(response.body.error.details).toMatchObject({ setting });
}

describe('failed authentications per client address', () => {
  it('after 3 failures, every request from that address needing a token gets 429, a valid token included', async () => {
    const { token } = await createOrg('authlimit');
    const attacker = from('203.0.113.7');
    for (let i = 0; i < 3; i++) {
      const refused = await app.request('GET', '/v1/orgs/authlimit/workspaces', { token: `not-a-token-${i}`, headers: attacker });
      expect({ attempt: i, status: refused.status }).toEqual({ attempt: i, status: 401 });
    }

    // Refused before anything is verified: telling a valid token apart would cost the verification
    // the limit is there to save (as GitHub does after many bad credentials).
    expectRateLimited(await app.request('GET', '/v1/orgs/authlimit/workspaces', { token, headers: attacker }), 'RATE_LIMIT_AUTH_FAILURES');
    expectRateLimited(
      await app.request('GET', '/v1/orgs/authlimit/workspaces', { token: 'lf_guess', headers: attacker }),
      'RATE_LIMIT_AUTH_FAILURES',
    );

    // Other addresses, and public routes from the same address, are not affected.
    expect((await app.request('GET', '/v1/orgs/authlimit/workspaces', { token, headers: from('203.0.113.8') })).status).toBe(200);
    expect((await app.request('GET', '/v1/orgs/authlimit/workspaces', { token })).status).toBe(200);
    expect((await app.request('GET', '/health/live', { headers: attacker })).status).toBe(200);
  });

  it('does not count requests without an Authorization header (nothing is verified)', async () => {
    const anonymous = from('203.0.113.9');
    for (let i = 0; i < 5; i++) expect((await app.request('GET', '/v1/me/api-keys', { headers: anonymous })).status).toBe(401);
    const token = await app.token({ userId: 'user_anonymous_neighbour' });
    expect((await app.request('GET', '/v1/me/api-keys', { token, headers: anonymous })).status).toBe(200);
  });

  it('counts an IPv6 client per /64', async () => {
    for (let i = 0; i < 3; i++)
      expect((await app.request('GET', '/v1/me/api-keys', { token: 'bad', headers: from(`2001:db8:aa:bb::${i + 1}`) })).status).toBe(401);
    expectRateLimited(
      await app.request('GET', '/v1/me/api-keys', { token: 'bad', headers: from('2001:db8:aa:bb:ffff::9') }),
      'RATE_LIMIT_AUTH_FAILURES',
    );
    expect((await app.request('GET', '/v1/me/api-keys', { token: 'bad', headers: from('2001:db8:aa:cc::1') })).status).toBe(401);
  });
});

describe('search per API key', () => {
  it('answers 429 after 3 searches with one key; another key of the same user, and contents, still pass', async () => {
    const { token } = await createOrg('searcher');
    expect((await app.request('POST', '/v1/orgs/searcher/workspaces', { token, body: { name: 'docs' } })).status).toBe(201);
    const store = await app.request('PUT', '/v1/orgs/searcher/workspaces/docs/stores/docs', { token, body: {} });
    expect(store.status).toBe(201);
    const first = await app.request('POST', '/v1/me/api-keys', { token, body: { name: 'first' } });
    const second = await app.request('POST', '/v1/me/api-keys', { token, body: { name: 'second' } });
    expect([first.status, second.status]).toEqual([201, 201]);
    const workspace = await app.request('GET', `/v1/orgs/searcher/workspaces/docs?minPosition=${second.body.position}`, { token });
    expect(workspace.status).toBe(200);
    const headers = { 'x-workspace-id': workspace.body.id };
    const search = (key: string) =>
      app.request('POST', '/v1/search', { token: key, headers, body: { query: 'anything', filters: { labels: ['store:docs'] } } });

    for (let i = 0; i < 3; i++) expect({ search: i, status: (await search(first.body.key)).status }).toEqual({ search: i, status: 200 });
    expectRateLimited(await search(first.body.key), 'RATE_LIMIT_SEARCH');

    expect((await search(second.body.key)).status).toBe(200);
    expect((await app.request('POST', '/v1/contents', { token: first.body.key, headers, body: { ids: ['doc_unknown'] } })).status).toBe(
      200,
    );
  });
});

describe('a per-organization limit on a route (@RateLimit, here workspace creation)', () => {
  it("counts members' requests per organization; an outsider's requests get 403 and spend nothing", async () => {
    const { token } = await createOrg('busy');
    const outsider = await app.token({ userId: 'user_busy_outsider', org: 'elsewhere' });
    for (let i = 0; i < 4; i++)
      expect((await app.request('POST', '/v1/orgs/busy/workspaces', { token: outsider, body: { name: `o${i}` } })).status).toBe(403);

    // Three attempts pass the limit (the quota of 2 workspaces answers the last ones), the fourth is refused.
    const answers = [];
    for (const name of ['one', 'two', 'three'])
      answers.push((await app.request('POST', '/v1/orgs/busy/workspaces', { token, body: { name } })).status);
    expect(answers).toEqual([201, 422, 422]);
    await app.withoutAppending(async () =>
      expectRateLimited(
        await app.request('POST', '/v1/orgs/busy/workspaces', { token, body: { name: 'four' } }),
        'RATE_LIMIT_WORKSPACE_CREATE',
      ),
    );

    // Another organization has its own allowance.
    const other = await createOrg('quiet');
    expect((await app.request('POST', '/v1/orgs/quiet/workspaces', { token: other.token, body: { name: 'one' } })).status).toBe(201);
  });
});

describe('quotas', () => {
  it('workspaces: 422 quota_exceeded naming QUOTA_WORKSPACES, nothing appended', async () => {
    const { token } = await createOrg('full');
    expect((await app.request('POST', '/v1/orgs/full/workspaces', { token, body: { name: 'second' } })).status).toBe(201);
    const refused = await app.withoutAppending(() => app.request('POST', '/v1/orgs/full/workspaces', { token, body: { name: 'third' } }));
    expectQuotaExceeded(refused, 422, 'QUOTA_WORKSPACES');
    expect(refused.body.error.details).toEqual({ quota: 'workspaces', setting: 'QUOTA_WORKSPACES', limit: 2, current: 2 });
  });

  it('API keys, per user: 422 naming QUOTA_API_KEYS_PER_USER; a key revoked a moment ago frees its place at once', async () => {
    const token = await app.token({ userId: 'user_collector' });
    const keys = [];
    for (const name of ['a', 'b'])
      keys.push(
        await app.request('POST', '/v1/me/api-keys', { token, body: { name }, headers: { 'Idempotency-Key': `collector-${name}` } }),
      );
    expect(keys.map((k) => k.status)).toEqual([201, 201]);
    const refused = await app.withoutAppending(() => app.request('POST', '/v1/me/api-keys', { token, body: { name: 'c' } }));
    expectQuotaExceeded(refused, 422, 'QUOTA_API_KEYS_PER_USER');
    // A retry of a create that succeeded is its replay, not a new key: answered, even at the quota.
    const replay = await app.request('POST', '/v1/me/api-keys', {
      token,
      body: { name: 'b' },
      headers: { 'Idempotency-Key': 'collector-b' },
    });
    expect({ status: replay.status, id: replay.body.id, key: replay.body.key }).toEqual({ status: 201, id: keys[1]!.body.id, key: null });

    // No wait for the projector here: the quota catches up with the user's key stream before counting.
    expect((await app.request('POST', `/v1/me/api-keys/${keys[0]!.body.id}/revoke`, { token })).status).toBe(200);
    expect((await app.request('POST', '/v1/me/api-keys', { token, body: { name: 'c' } })).status).toBe(201);
  });

  it('repositories: counted after catching up with the log, so a repository connected a moment ago counts', async () => {
    const quotas = quotasOn(app);
    const organizationId = `org_${randomUUID()}`;
    await quotas.requireRepositoryQuota(organizationId);
    await handleCommand(
      app.runtime.store,
      repositoryStreamId(organizationId, '9001'),
      repositoryDecider,
      {
        type: 'ConnectRepository',
        data: {
          repositoryId: randomUUID(),
          organizationId,
          githubRepoId: '9001',
          githubInstallationId: '1',
          workspaceId: null,
          metadata: {},
          at: new Date().toISOString(),
        },
      },
      command(),
    );
    const refused = await quotas.requireRepositoryQuota(organizationId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(QuotaExceededError);
    const error = refused as QuotaExceededError;
    expect({ status: error.getStatus(), body: error.getResponse() }).toEqual({
      status: 422,
      body: {
        error: {
          code: 'quota_exceeded',
          message: expect.stringContaining('QUOTA_REPOSITORIES'),
          details: { quota: 'repositories', setting: 'QUOTA_REPOSITORIES', limit: 1, current: 1 },
        },
      },
    });
  });

  it('queued jobs: 429 with Retry-After naming QUOTA_QUEUED_JOBS while the queue is full; a finished job frees a place', async () => {
    const quotas = quotasOn(app);
    const organizationId = `org_${randomUUID()}`;
    const jobIds = [randomUUID(), randomUUID()];
    let position = '';
    for (const jobId of jobIds) {
      const input: IngestionJobInput = {
        kind: INGESTION_JOB_KIND,
        source: 'manual',
        repositoryId: null,
        githubRepoId: '77',
        githubInstallationId: '1',
        repoFullName: 'acme/docs',
        ref: null,
        afterSha: null,
        deliveryId: null,
        changedFileCount: null,
        fallbackStore: null,
      };
      const queued = await handleCommand(
        app.runtime.store,
        jobStreamId(jobId),
        jobDecider,
        {
          type: 'QueueJob',
          data: {
            jobId,
            organizationId,
            workspaceId: 'ws',
            repositoryId: null,
            name: 'job',
            trigger: 'manual',
            triggeredBy: null,
            input,
            at: new Date().toISOString(),
          },
        },
        command(),
      );
      position = queued.position!;
    }
    // This quota does not catch up by itself (it sits on the webhook's path): wait as a caller would see it.
    await app.runtime.checkpoints.waitFor('ingestion_queue', position, 10_000);
    const refused = (await quotas.requireQueuedJobQuota(organizationId).catch((error: unknown) => error)) as QuotaExceededError;
    expect(refused).toBeInstanceOf(QuotaExceededError);
    expect({ status: refused.getStatus(), headers: refused.headers, body: refused.getResponse() }).toEqual({
      status: 429,
      headers: { 'Retry-After': '60' },
      body: {
        error: {
          code: 'quota_exceeded',
          message: expect.stringContaining('QUOTA_QUEUED_JOBS'),
          details: { quota: 'queuedJobs', setting: 'QUOTA_QUEUED_JOBS', limit: 2, current: 2 },
        },
      },
    });

    const cancelled = await handleCommand(
      app.runtime.store,
      jobStreamId(jobIds[0]!),
      jobDecider,
      { type: 'CancelJob', data: { at: new Date().toISOString(), reason: 'test' } },
      command(),
    );
    await app.runtime.checkpoints.waitFor('ingestion_queue', cancelled.position!, 10_000);
    await quotas.requireQueuedJobQuota(organizationId);
  });
});

describe('body sizes', () => {
  const MB = 1024 * 1024;
  const padded = (bytes: number) => JSON.stringify({ zen: 'hi', hook_id: 1, padding: 'x'.repeat(bytes) });

  it('the GitHub webhook takes a body of 24 MB (signature verified over it) and refuses 26 MB with 413', async () => {
    const body = padded(24 * MB);
    const accepted = await app.request('POST', '/v1/webhooks/github', {
      body,
      headers: {
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await new Webhooks({ secret: SECRET }).sign(body),
      },
    });
    expect(accepted.status).toBeLessThan(300);

    const refused = await app.withoutAppending(() =>
      app.request('POST', '/v1/webhooks/github', {
        body: padded(26 * MB),
        headers: { 'x-github-event': 'ping', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': 'sha256=00' },
      }),
    );
    expect(refused).toMatchObject({
      status: 413,
      body: { error: { code: 'payload_too_large', message: expect.stringContaining('25 MB') } },
    });
  });

  it('the Clerk webhook reads a 2 MB body (then refuses it unsigned), other routes answer 413 above 100 kB', async () => {
    const clerk = await app.request('POST', '/v1/webhooks/clerk', { body: padded(2 * MB) });
    expect(clerk.status).not.toBe(413);
    expect(clerk.body?.error?.code).not.toBe('payload_too_large');

    const token = await app.token({ userId: 'user_big_body' });
    const refused = await app.withoutAppending(() => app.request('POST', '/v1/me/api-keys', { token, body: { name: 'x'.repeat(2 * MB) } }));
    expect(refused).toMatchObject({
      status: 413,
      body: { error: { code: 'payload_too_large', message: expect.stringContaining('100 kB') } },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Redis: two api processes on one Redis share the counters. Skipped on a machine without Redis
// (Console counts in process then); CI sets REDIS_URL.

const redisUrl = process.env.REDIS_URL ?? ((await reachable(6379)) ? 'redis://127.0.0.1:6379' : undefined);
const withRedis = redisUrl ? describe : describe.skip;

withRedis('rate limits in Redis', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    // A prefix of this run's own: other test files and runs on the same Redis never share a count.
    const config = {
      redisUrl,
      trustProxy: 'loopback',
      rateLimits: loadRateLimits({ RATE_LIMIT_AUTH_FAILURES: '2/600', RATE_LIMIT_REDIS_PREFIX: `console-test:${randomUUID()}:` }),
    };
    [first, second] = await Promise.all([startTestApp({ projector: false, config }), startTestApp({ projector: false, config })]);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  it('failures counted by one process make the other refuse the address', async () => {
    const address = from('198.51.100.23');
    for (let i = 0; i < 2; i++)
      expect((await first.request('GET', '/v1/me/api-keys', { token: 'bad', headers: address })).status).toBe(401);
    const token = await second.token({ userId: 'user_redis' });
    expectRateLimited(await second.request('GET', '/v1/me/api-keys', { token, headers: address }), 'RATE_LIMIT_AUTH_FAILURES');
    expect((await second.request('GET', '/v1/me/api-keys', { token })).status).toBe(200);
  });
});

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('rate limits with Redis unreachable', () => {
  let app: TestApp;
  beforeAll(async () => {
    // Port 1: refused at once. Every limiter falls back to its in-process insurance.
    const config = {
      redisUrl: 'redis://127.0.0.1:1',
      trustProxy: 'loopback',
      rateLimits: loadRateLimits({ RATE_LIMIT_AUTH_FAILURES: '2/600' }),
    };
    app = await startTestApp({ projector: false, config });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('still answers, and still limits (per process)', async () => {
    const token = await app.token({ userId: 'user_no_redis' });
    expect((await app.request('GET', '/v1/me/api-keys', { token })).status).toBe(200);
    const address = from('198.51.100.77');
    for (let i = 0; i < 2; i++) expect((await app.request('GET', '/v1/me/api-keys', { token: 'bad', headers: address })).status).toBe(401);
    expectRateLimited(await app.request('GET', '/v1/me/api-keys', { token, headers: address }), 'RATE_LIMIT_AUTH_FAILURES');
  });
});
