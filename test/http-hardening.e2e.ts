import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { encodeCursor } from '#read-models';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * What an attacker tries on the HTTP surface before any tenant data: waiting on another tenant's
 * log, crafted numbers and cursors, idempotency keys replayed against other requests, response
 * headers, and what the public health and metrics endpoints give away.
 */
let app: TestApp;
const METRICS_TOKEN = 'metrics-token-for-tests';
const FAR_FUTURE = '999999999/1';
/** Short, so the member's far-future read (which must wait) ends soon; an outsider's 403 must not depend on it. */
const CONSISTENCY_TIMEOUT_MS = 1_000;

let memberToken: string;
let outsiderToken: string;
let workspaceId: string;

beforeAll(async () => {
  app = await startTestApp({ config: { metricsToken: METRICS_TOKEN, consistencyTimeoutMs: CONSISTENCY_TIMEOUT_MS } });
  memberToken = await app.token({ userId: 'user_acme', org: 'acme', role: 'admin' });
  outsiderToken = await app.token({ userId: 'user_evil', org: 'evil', role: 'admin' });
  const created = await app.request('POST', '/v1/orgs/acme/workspaces', { token: memberToken, body: { name: 'private' } });
  expect(created.status).toBe(201);
  workspaceId = created.body.workspaceId;
  expect(
    (await app.request('GET', `/v1/orgs/acme/workspaces/private?minPosition=${created.body.position}`, { token: memberToken })).status,
  ).toBe(200);
});

afterAll(async () => {
  await app?.close();
});

const POSITION = /\d+\/\d+/;

describe('?minPosition= waits only for an authorized caller', () => {
  it.each([
    ['an {org} route', 'GET', `/v1/orgs/acme/workspaces?minPosition=${FAR_FUTURE}`],
    ['an {org}/{ws} route', 'GET', `/v1/orgs/acme/workspaces/private/jobs?minPosition=${FAR_FUTURE}`],
    ['a by-id route', 'GET', `/v1/orgs/by-id/org_local_acme?minPosition=${FAR_FUTURE}`],
  ])('refuses a non-member on %s with 403 before any wait', async (_, method, path) => {
    const response = await app.withoutAppending(() => app.request(method, path, { token: outsiderToken }));
    expect(response.status).not.toBe(503);
    expect({ status: response.status, code: response.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
  });

  it('answers a key route for a workspace of another organization 404, as for an unknown one, before any wait', async () => {
    const created = await app.request('POST', '/v1/me/api-keys', { token: outsiderToken, body: { name: 'evil' } });
    expect(created.status).toBe(201);
    const search = (workspace: string) =>
      app.request('POST', `/v1/search?minPosition=${FAR_FUTURE}`, {
        token: created.body.key,
        headers: { 'X-Workspace-ID': workspace },
        body: { query: 'secret', filters: { labels: ['store:docs'] } },
      });
    const foreign = await search(workspaceId);
    const unknown = await search('ws_unknown');
    expect(foreign.status).not.toBe(503);
    expect({ status: foreign.status, body: foreign.body }).toEqual({ status: 404, body: unknown.body });
    expect(unknown.status).toBe(404);
  });

  it('refuses a session token on a key route with 403 before any wait', async () => {
    const response = await app.request('POST', `/v1/contents?minPosition=${FAR_FUTURE}`, {
      token: outsiderToken,
      headers: { 'X-Workspace-ID': workspaceId },
      body: { ids: ['doc_x'] },
    });
    expect({ status: response.status, code: response.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
  });

  it('refuses a path parameter the handler would refuse (a NUL byte) with the same 400, before any query', async () => {
    const response = await app.request('GET', `/v1/orgs/ac%00me/workspaces?minPosition=${FAR_FUTURE}`, { token: memberToken });
    expect({
      status: response.status,
      code: response.body.error.code,
      fields: response.body.error.details.fields.map((f: { field: string }) => f.field),
    }).toEqual({
      status: 400,
      code: 'invalid_request',
      fields: ['org'],
    });
  });

  it('makes a member wait, and its 503 names no position', async () => {
    const response = await app.request('GET', `/v1/orgs/acme/workspaces?minPosition=${FAR_FUTURE}`, { token: memberToken });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.body.error).toEqual({ code: 'not_yet_consistent', message: expect.any(String), details: { projection: 'workspaces' } });
    expect(JSON.stringify(response.body)).not.toMatch(POSITION);
  });
});

describe('integers in query strings are decimal digits', () => {
  const jobs = (query: string) => app.request('GET', `/v1/orgs/acme/workspaces/private/jobs?${query}`, { token: memberToken });
  const statistics = (query: string) =>
    app.request('GET', `/v1/orgs/acme/workspaces/private/jobs/statistics?${query}`, { token: memberToken });

  it.each(['limit=0x10', 'limit=1e1', 'limit=%205', 'limit=5%20', 'limit=%2B5', 'limit=0b1', 'limit=', 'limit=5.0', 'limit=1&limit=2'])(
    'refuses jobs?%s with a 400 naming limit',
    async (query) => {
      const response = await app.withoutAppending(() => jobs(query));
      expect({ status: response.status, code: response.body.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
      expect(response.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['limit']);
    },
  );

  it.each(['hours=1e3', 'hours=0x10', 'hours=%2B24', 'hours=%2024'])('refuses statistics?%s with a 400 naming hours', async (query) => {
    const response = await statistics(query);
    expect({ status: response.status, code: response.body.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
    expect(response.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['hours']);
  });

  it('accepts plain decimal integers', async () => {
    expect((await jobs('limit=5')).status).toBe(200);
    expect((await statistics('hours=48')).status).toBe(200);
  });
});

describe('job list cursors', () => {
  const base64url = (text: string) => Buffer.from(text).toString('base64url');
  const crafted: Array<[string, string]> = [
    ['not base64url', 'not*a*cursor'],
    ['padded', `${encodeCursor('2026-01-01T00:00:00.000Z', 'job_1')}==`],
    ['not JSON', base64url('{')],
    ['an object', base64url('{"createdAt":"2026-01-01T00:00:00.000Z","id":"x"}')],
    ['three items', base64url('["2026-01-01T00:00:00.000Z","x","y"]')],
    ['an id that is a number', base64url('["2026-01-01T00:00:00.000Z",1]')],
    ['a NUL in the id', base64url('["2026-01-01T00:00:00.000Z","a\\u0000b"]')],
    ['a control character in the id', base64url('["2026-01-01T00:00:00.000Z","a\\nb"]')],
    ['February 30th', base64url('["2026-02-30T00:00:00.000Z","x"]')],
    ['year 0', base64url('["0000-01-01T00:00:00.000Z","x"]')],
    ['hour 24', base64url('["2026-01-01T24:00:00.000Z","x"]')],
    ['a zone offset', base64url('["2026-01-01T00:00:00.000+01:00","x"]')],
    ['extra whitespace', base64url('[ "2026-01-01T00:00:00.000Z","x"]')],
    ['an id of 300 characters', base64url(JSON.stringify(['2026-01-01T00:00:00.000Z', 'x'.repeat(300)]))],
  ];

  it.each(crafted)('refuses a cursor that is %s with a 400 naming cursor', async (_, cursor) => {
    const response = await app.request('GET', `/v1/orgs/acme/workspaces/private/jobs?cursor=${encodeURIComponent(cursor)}`, {
      token: memberToken,
    });
    expect({ status: response.status, code: response.body.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
    expect(response.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(['cursor']);
  });

  it('accepts a cursor in the form it emits', async () => {
    const response = await app.request(
      'GET',
      `/v1/orgs/acme/workspaces/private/jobs?cursor=${encodeCursor('2026-01-01T00:00:00.000Z', '0b7c4e2a-1d7f-4c1e-9b55-2b9c3a1d0e6f')}`,
      { token: memberToken },
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [], nextCursor: null, hasMore: false });
  });
});

describe('Idempotency-Key', () => {
  const createKey = (token: string, key: string, body: unknown) =>
    app.request('POST', '/v1/me/api-keys', { token, body, headers: { 'Idempotency-Key': key } });

  it('replays a retry with the same body, whatever the order of its properties', async () => {
    const token = await app.token({ userId: 'user_idem_same' });
    const first = await createKey(token, 'k-same', { name: 'ci', expiresAt: '2999-01-01T00:00:00Z' });
    const retry = await app.withoutAppending(() => createKey(token, 'k-same', { expiresAt: '2999-01-01T00:00:00Z', name: 'ci' }));
    expect(first.status).toBe(201);
    expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: { ...first.body, key: null } });
  });

  it('refuses the same key with another body: 422 idempotency_key_reused, nothing appended, no replayed answer', async () => {
    const token = await app.token({ userId: 'user_idem_body' });
    expect((await createKey(token, 'k-body', { name: 'first' })).status).toBe(201);
    const reused = await app.withoutAppending(() => createKey(token, 'k-body', { name: 'second' }));
    expect({ status: reused.status, code: reused.body.error?.code }).toEqual({ status: 422, code: 'idempotency_key_reused' });
    expect(JSON.stringify(reused.body)).not.toContain('first');
  });

  it('refuses the same key on another route of the same stream', async () => {
    const token = await app.token({ userId: 'user_idem_route' });
    const [a, b] = await Promise.all([createKey(token, 'k-a', { name: 'a' }), createKey(token, 'k-b', { name: 'b' })]);
    const revoke = (id: string) =>
      app.request('POST', `/v1/me/api-keys/${id}/revoke`, { token, headers: { 'Idempotency-Key': 'k-revoke' } });
    expect((await revoke(a.body.id)).status).toBe(200);
    expect((await revoke(a.body.id)).status).toBe(200);
    const reused = await app.withoutAppending(() => revoke(b.body.id));
    expect({ status: reused.status, code: reused.body.error?.code }).toEqual({ status: 422, code: 'idempotency_key_reused' });
  });

  it('refuses the same key on a route that writes another stream', async () => {
    const token = await app.token({ userId: 'user_idem_stream', org: 'idem-org', role: 'admin' });
    expect((await createKey(token, 'k-cross', { name: 'cross' })).status).toBe(201);
    const reused = await app.withoutAppending(() =>
      app.request('POST', '/v1/orgs/idem-org/workspaces', { token, body: { name: 'cross' }, headers: { 'Idempotency-Key': 'k-cross' } }),
    );
    expect({ status: reused.status, code: reused.body.error?.code }).toEqual({ status: 422, code: 'idempotency_key_reused' });
  });

  it('keeps keys of different callers apart', async () => {
    const [one, two] = [await app.token({ userId: 'user_idem_one' }), await app.token({ userId: 'user_idem_two' })];
    expect((await createKey(one, 'k-shared', { name: 'one' })).status).toBe(201);
    const other = await createKey(two, 'k-shared', { name: 'two' });
    expect({ status: other.status, name: other.body.name, shown: typeof other.body.key }).toEqual({
      status: 201,
      name: 'two',
      shown: 'string',
    });
  });
});

describe('response headers', () => {
  it.each([
    ['a public route', '/health/live', undefined],
    ['an error', '/v1/me/api-keys', undefined],
    ['an unknown route', '/v1/nothing-here', 'token'],
  ])('sets security headers and no X-Powered-By on %s', async (_, path, auth) => {
    const response = await app.request('GET', path, auth ? { token: memberToken } : {});
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it.each([
    ['a read', '/v1/orgs/acme/workspaces/private', 200],
    ['an error', '/v1/orgs/acme/workspaces/absent', 404],
  ])('tells the server time apart from the network with Server-Timing on %s', async (_, path, status) => {
    const started = process.hrtime.bigint();
    const response = await app.request('GET', path, { token: memberToken });
    const roundTripMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(response.status).toBe(status);
    const [, duration] = /^app;dur=(\d+\.\d{3})$/.exec(response.headers.get('server-timing') ?? '') ?? [];
    expect(Number(duration)).toBeGreaterThan(0);
    expect(Number(duration)).toBeLessThanOrEqual(roundTripMs); // measured inside the round trip, so never longer
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  it('refuses a request without the token or with another one, and answers the token', async () => {
    const none = await app.request('GET', '/metrics');
    const wrong = await app.request('GET', '/metrics', { token: `${METRICS_TOKEN}x` });
    const session = await app.request('GET', '/metrics', { token: memberToken });
    for (const refused of [none, wrong, session])
      expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 401, code: 'unauthenticated' });
    const granted = await app.request('GET', '/metrics', { token: METRICS_TOKEN });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatch(/^# HELP /m);
  });
});

describe('/health/ready when the database is down', () => {
  it('says which dependency is down and gives out no driver error', async () => {
    const down = await startTestApp({ projector: false });
    const name = new URL(down.database.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      const response = await down.request('GET', '/health/ready');
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ status: 'not_ready', checks: { database: 'down', eventStore: 'down' } });
      expect(JSON.stringify(response.body)).not.toMatch(new RegExp(`${name}|terminat|connect|FATAL|127\\.0\\.0\\.1`, 'i'));
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await down.close();
    }
  });
});
