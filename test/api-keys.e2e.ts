import { ApiKeyQueries, sqlOnDataSource } from '#read-models';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { apiKeyStreamId, apiKeyUsageStreamId } from '#domain';
import { ApiError } from '../apps/api/src/common/api-error.js';
import {
  API_KEY_USE_INTERVAL_MS,
  ApiKeyAuthenticator,
  apiKeyLookups,
  authenticateApiKeyBearer,
  requireSessionPrincipal,
} from '../apps/api/src/api-keys/api-key.authenticator.js';
import { generateApiKeySecret, hashApiKey } from '../apps/api/src/api-keys/api-key-secret.js';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * `account.apiKeys.*` over HTTP, and the authenticator the AuthGuard calls for `lf_…` bearer
 * tokens, against the real read model the projector builds.
 */
let app: TestApp;
/** Every secret any response showed: none may be stored anywhere in clear. */
const secretsShown: string[] = [];

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.close();
});

const tokenFor = (userId: string) => app.token({ userId });

function expectInvalidField(response: { status: number; body: any }, field: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
  const fields: string[] = (response.body.error.details?.fields ?? []).map((f: { field: string }) => f.field);
  expect(fields).toContain(field);
}

async function createKey(token: string, body: Record<string, unknown> = { name: 'CI' }): Promise<any> {
  const response = await app.request('POST', '/v1/me/api-keys', { token, body });
  expect(response.status).toBe(201);
  if (response.body.key) secretsShown.push(response.body.key);
  return response.body;
}

async function listKeys(token: string, position: string): Promise<any[]> {
  const response = await app.request('GET', `/v1/me/api-keys?minPosition=${position}`, { token });
  expect(response.status).toBe(200);
  return response.body;
}

describe('api keys', () => {
  it('creates a key: the secret is shown once, lf_ + 32 characters, the preview is … + its last 4', async () => {
    const token = await tokenFor('user_create');
    const before = await app.eventCount();

    const created = await createKey(token, { name: 'CI' });

    expect(created).toEqual({
      id: expect.any(String),
      name: 'CI',
      key: expect.stringMatching(/^lf_[A-Za-z0-9]{32}$/),
      keyPreview: `…${created.key.slice(-4)}`,
      expiresAt: null,
      createdAt: expect.any(String),
      position: expect.stringMatching(/^\d+\/\d+$/),
    });
    // The key's creation, and its hash's owner (ApiKeyHashRegistered) so any process finds it at once.
    expect(await app.eventCount()).toBe(before + 2);
    const list = await listKeys(token, created.position);
    expect(list).toEqual([
      {
        id: created.id,
        name: 'CI',
        keyPreview: created.keyPreview,
        isActive: true,
        expiresAt: null,
        lastUsedAt: null,
        createdAt: created.createdAt,
      },
    ]);
  });

  it('never lists the secret or its hash, and stores only the hash', async () => {
    const token = await tokenFor('user_secret');
    const created = await createKey(token, { name: 'secret-check' });

    const list = await listKeys(token, created.position);

    const text = JSON.stringify(list);
    expect(text).not.toContain(created.key);
    expect(text).not.toContain(hashApiKey(created.key));
    const inClear: Array<{ n: number }> = await app.runtime.dataSource.query(
      'SELECT count(*)::int AS n FROM es_events WHERE position($1 in data::text) > 0 OR position($1 in metadata::text) > 0',
      [created.key],
    );
    expect(inClear[0]!.n).toBe(0);
    const hashed: Array<{ type: string }> = await app.runtime.dataSource.query("SELECT type FROM es_events WHERE data->>'keyHash' = $1", [
      hashApiKey(created.key),
    ]);
    expect(hashed).toEqual([{ type: 'ApiKeyCreated' }]);
  });

  it('stores an expiry in canonical form and lists it', async () => {
    const token = await tokenFor('user_expiry');
    const created = await createKey(token, { name: 'expiring', expiresAt: '2999-01-01' });
    expect(created.expiresAt).toBe('2999-01-01T00:00:00.000Z');
    const offset = await createKey(token, { name: 'offset', expiresAt: '2999-01-01T02:00:00+02:00' });
    expect(offset.expiresAt).toBe('2999-01-01T00:00:00.000Z');
    const list = await listKeys(token, offset.position);
    expect(list.map((k) => [k.name, k.expiresAt])).toEqual([
      ['offset', '2999-01-01T00:00:00.000Z'],
      ['expiring', '2999-01-01T00:00:00.000Z'],
    ]);
  });

  it('revokes a key: the list shows it inactive; revoking it again is a no-op', async () => {
    const token = await tokenFor('user_revoke');
    const created = await createKey(token);

    const revoked = await app.request('POST', `/v1/me/api-keys/${created.id}/revoke`, { token });

    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ success: true, position: expect.stringMatching(/^\d+\/\d+$/) });
    expect(await listKeys(token, revoked.body.position)).toEqual([expect.objectContaining({ id: created.id, isActive: false })]);
    const again = await app.withoutAppending(() => app.request('POST', `/v1/me/api-keys/${created.id}/revoke`, { token }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ success: true, position: revoked.body.position });
  });

  it('rotates a key in one append: the old one revoked, the new one active with its name and expiry', async () => {
    const token = await tokenFor('user_rotate');
    const old = await createKey(token, { name: 'deploy', expiresAt: '2999-06-01T00:00:00.000Z' });
    const before = await app.eventCount();

    const rotated = await app.request('POST', `/v1/me/api-keys/${old.id}/rotate`, { token });

    expect(rotated.status).toBe(201);
    secretsShown.push(rotated.body.key);
    expect(rotated.body).toEqual({
      id: expect.any(String),
      name: 'deploy',
      key: expect.stringMatching(/^lf_[A-Za-z0-9]{32}$/),
      keyPreview: `…${rotated.body.key.slice(-4)}`,
      expiresAt: '2999-06-01T00:00:00.000Z',
      createdAt: expect.any(String),
      revokedKeyId: old.id,
      position: expect.stringMatching(/^\d+\/\d+$/),
    });
    expect(rotated.body.id).not.toBe(old.id);
    expect(rotated.body.key).not.toBe(old.key);
    expect(await app.eventCount()).toBe(before + 3); // revoked + created, and the new hash's owner
    const events: Array<{
      tx: string;
      global_position: string;
      stream_revision: string;
      type: string;
      key_id: string;
      command_id: string;
    }> = await app.runtime.dataSource.query(
      `SELECT transaction_id::text AS tx, global_position, stream_revision, type, data->>'keyId' AS key_id, metadata->>'commandId' AS command_id
         FROM es_events WHERE stream_id = $1 ORDER BY stream_revision`,
      [apiKeyStreamId('user_rotate')],
    );
    const [revoked, created] = events.slice(-2);
    expect([revoked!.type, revoked!.key_id, created!.type, created!.key_id]).toEqual([
      'ApiKeyRevoked',
      old.id,
      'ApiKeyCreated',
      rotated.body.id,
    ]);
    // One append: one transaction, one command, consecutive revisions and positions.
    expect(created!.tx).toBe(revoked!.tx);
    expect(created!.command_id).toBe(revoked!.command_id);
    expect(BigInt(created!.stream_revision) - BigInt(revoked!.stream_revision)).toBe(1n);
    expect(BigInt(created!.global_position) - BigInt(revoked!.global_position)).toBe(1n);
    const list = await listKeys(token, rotated.body.position);
    expect(list.map((k) => [k.id, k.isActive])).toEqual(
      expect.arrayContaining([
        [old.id, false],
        [rotated.body.id, true],
      ]),
    );
    expect(list).toHaveLength(2);
  });

  it('rotates under a new name and expiry, or into a key that never expires', async () => {
    const token = await tokenFor('user_rotate_options');
    const old = await createKey(token, { name: 'before', expiresAt: '2999-01-01' });

    const renamed = await app.request('POST', `/v1/me/api-keys/${old.id}/rotate`, {
      token,
      body: { name: 'after', expiresAt: '2998-01-01T00:00:00Z' },
    });
    expect(renamed.status).toBe(201);
    secretsShown.push(renamed.body.key);
    expect(renamed.body).toMatchObject({ name: 'after', expiresAt: '2998-01-01T00:00:00.000Z' });

    const unbounded = await app.request('POST', `/v1/me/api-keys/${renamed.body.id}/rotate`, { token, body: { expiresAt: null } });
    expect(unbounded.status).toBe(201);
    secretsShown.push(unbounded.body.key);
    expect(unbounded.body).toMatchObject({ name: 'after', expiresAt: null });
  });

  it('refuses to rotate a revoked key (422) and appends nothing', async () => {
    const token = await tokenFor('user_rotate_revoked');
    const created = await createKey(token);
    await app.request('POST', `/v1/me/api-keys/${created.id}/revoke`, { token });

    const response = await app.withoutAppending(() => app.request('POST', `/v1/me/api-keys/${created.id}/rotate`, { token }));

    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('refused');
  });

  it('deletes active and revoked keys: they are gone from the list, a second delete is a 404', async () => {
    const token = await tokenFor('user_delete');
    const active = await createKey(token, { name: 'active' });
    const revoked = await createKey(token, { name: 'revoked' });
    await app.request('POST', `/v1/me/api-keys/${revoked.id}/revoke`, { token });

    const first = await app.request('DELETE', `/v1/me/api-keys/${active.id}`, { token });
    const second = await app.request('DELETE', `/v1/me/api-keys/${revoked.id}`, { token });

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body).toEqual({ success: true, position: expect.stringMatching(/^\d+\/\d+$/) });
    expect(await listKeys(token, second.body.position)).toEqual([]);
    const again = await app.withoutAppending(() => app.request('DELETE', `/v1/me/api-keys/${active.id}`, { token }));
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('not_found');
  });

  it('answers 404 for another user’s key on every command, appends nothing, and never lists it', async () => {
    const owner = await tokenFor('user_owner');
    const intruder = await tokenFor('user_intruder');
    const created = await createKey(owner);

    for (const [method, path] of [
      ['POST', `/v1/me/api-keys/${created.id}/revoke`],
      ['POST', `/v1/me/api-keys/${created.id}/rotate`],
      ['DELETE', `/v1/me/api-keys/${created.id}`],
    ] as const) {
      const response = await app.withoutAppending(() => app.request(method, path, { token: intruder }));
      expect({ path, status: response.status, code: response.body.error.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    expect(await listKeys(intruder, created.position)).toEqual([]);
    expect(await listKeys(owner, created.position)).toEqual([expect.objectContaining({ id: created.id, isActive: true })]);
  });

  it('requires a token', async () => {
    const response = await app.request('GET', '/v1/me/api-keys');
    expect(response.status).toBe(401);
  });

  describe('bad input: 400 naming the field, nothing appended', () => {
    const cases: Array<[string, unknown, string]> = [
      ['a missing name', {}, 'name'],
      ['an empty name', { name: '' }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a name of 101 characters', { name: 'n'.repeat(101) }, 'name'],
      ['a name that is not a string', { name: 42 }, 'name'],
      ['an expiry in the past', { name: 'CI', expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      ['an expiry that is not a date', { name: 'CI', expiresAt: 'tomorrow' }, 'expiresAt'],
      ['an expiry without a time zone', { name: 'CI', expiresAt: '2999-01-01T00:00:00' }, 'expiresAt'],
      ['an impossible date', { name: 'CI', expiresAt: '2999-02-30' }, 'expiresAt'],
      ['an expiry that is a number', { name: 'CI', expiresAt: 4102444800000 }, 'expiresAt'],
      ['an unknown property', { name: 'CI', scopes: ['admin'] }, 'scopes'],
    ];

    it.each(cases)('refuses a create with %s', async (_, body, field) => {
      const token = await tokenFor('user_bad_input');
      const response = await app.withoutAppending(() => app.request('POST', '/v1/me/api-keys', { token, body }));
      expectInvalidField(response, field);
    });

    it.each([
      ['an expiry in the past', { expiresAt: '2020-01-01' }, 'expiresAt'],
      ['a name of 101 characters', { name: 'n'.repeat(101) }, 'name'],
      ['an unknown property', { keyId: 'x' }, 'keyId'],
    ])('refuses a rotation with %s', async (_, body, field) => {
      const token = await tokenFor('user_bad_rotate');
      const created = await createKey(token);
      const response = await app.withoutAppending(() => app.request('POST', `/v1/me/api-keys/${created.id}/rotate`, { token, body }));
      expectInvalidField(response, field);
    });

    it('refuses a body that is not JSON', async () => {
      const token = await tokenFor('user_bad_input');
      const response = await app.withoutAppending(() =>
        app.request('POST', '/v1/me/api-keys', { token, body: '{"name":', headers: { 'content-type': 'application/json' } }),
      );
      expect(response.status).toBe(400);
    });
  });

  describe('idempotency', () => {
    it('answers a repeated create with the same Idempotency-Key with the same key, one event, and the secret only the first time', async () => {
      const token = await tokenFor('user_idem');
      const before = await app.eventCount();
      const send = () =>
        app.request('POST', '/v1/me/api-keys', { token, body: { name: 'once' }, headers: { 'Idempotency-Key': 'create-once' } });

      const first = await send();
      const second = await send();

      expect([first.status, second.status]).toEqual([201, 201]);
      secretsShown.push(first.body.key);
      expect(first.body.key).toMatch(/^lf_/);
      expect(second.body).toEqual({ ...first.body, key: null });
      expect(await app.eventCount()).toBe(before + 2); // the key and its hash's owner, once
    });

    it('rotates once for concurrent retries with the same Idempotency-Key; exactly one response shows the secret', async () => {
      const token = await tokenFor('user_idem_rotate');
      const created = await createKey(token);
      const before = await app.eventCount();

      const responses = await Promise.all(
        Array.from({ length: 3 }, () =>
          app.request('POST', `/v1/me/api-keys/${created.id}/rotate`, { token, headers: { 'Idempotency-Key': 'rotate-once' } }),
        ),
      );

      expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
      expect(new Set(responses.map((r) => `${r.body.id} ${r.body.position}`)).size).toBe(1);
      const shown = responses.map((r) => r.body.key).filter((k) => k !== null);
      expect(shown).toHaveLength(1);
      secretsShown.push(shown[0]);
      expect(hashApiKey(shown[0])).toBe(
        ((await app.runtime.store.readStream(apiKeyStreamId('user_idem_rotate'))).at(-1)!.data as { keyHash: string }).keyHash,
      );
      expect(await app.eventCount()).toBe(before + 3); // revoked + created, and the new hash's owner, once
    });
  });
});

describe('api key authentication', () => {
  let authenticator: ApiKeyAuthenticator;
  beforeAll(() => {
    // The provider the AuthGuard will call, on the app's runtime: the same read model and store.
    authenticator = new ApiKeyAuthenticator(
      new ApiKeyQueries(sqlOnDataSource(app.runtime.dataSource)),
      app.runtime.store,
      app.runtime.logger,
    );
  });
  afterAll(async () => authenticator?.flush());

  async function rejection(secret: string, now?: Date): Promise<{ status: number; message: string }> {
    try {
      await authenticator.authenticate(secret, now);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return { status: error.getStatus(), message: (error.getResponse() as { error: { message: string } }).error.message };
    }
    throw new Error('the key was accepted');
  }

  async function usesRecorded(keyId: string): Promise<Array<{ usedAt: string; position: string }>> {
    return (await app.runtime.store.readStream(apiKeyUsageStreamId(keyId))).map((e) => ({
      usedAt: (e.data as { usedAt: string }).usedAt,
      position: e.position,
    }));
  }

  it('authenticates a valid key as its user', async () => {
    const token = await tokenFor('user_auth');
    const created = await createKey(token, { name: 'auth' });
    await listKeys(token, created.position);

    const principal = await authenticateApiKeyBearer(created.key, authenticator);

    expect(principal).toEqual({
      kind: 'apiKey',
      userId: 'user_auth',
      apiKeyId: created.id,
      organizationId: null,
      organizationSlug: null,
      role: null,
    });
    expect(() => requireSessionPrincipal(principal!)).toThrow(ApiError);
  });

  it('leaves tokens that are not API keys to the session verifier', async () => {
    expect(await authenticateApiKeyBearer(await tokenFor('user_auth'), authenticator)).toBeNull();
  });

  it('rejects malformed and unknown keys with a 401', async () => {
    expect(await rejection('lf_short')).toEqual({ status: 401, message: 'The API key is malformed' });
    expect(await rejection(generateApiKeySecret())).toEqual({ status: 401, message: 'The API key is not valid' });
  });

  it('rejects a revoked key, a deleted key and an expired key with a 401 that says why', async () => {
    const token = await tokenFor('user_auth_rejected');
    const revoked = await createKey(token, { name: 'revoked' });
    const deleted = await createKey(token, { name: 'deleted' });
    const expiring = await createKey(token, { name: 'expiring', expiresAt: '2999-01-01T00:00:00Z' });
    await app.request('POST', `/v1/me/api-keys/${revoked.id}/revoke`, { token });
    const last = await app.request('DELETE', `/v1/me/api-keys/${deleted.id}`, { token });
    await listKeys(token, last.body.position);

    expect(await rejection(revoked.key)).toEqual({ status: 401, message: 'The API key has been revoked' });
    expect(await rejection(deleted.key)).toEqual({ status: 401, message: 'The API key is not valid' });
    expect(await rejection(expiring.key, new Date('2999-01-01T00:00:00Z'))).toEqual({
      status: 401,
      message: 'The API key expired at 2999-01-01T00:00:00.000Z',
    });
    expect((await authenticator.authenticate(expiring.key, new Date('2998-12-31T23:59:59Z'))).apiKeyId).toBe(expiring.id);
  });

  it('rejects the old key of a rotation and accepts the new one', async () => {
    const token = await tokenFor('user_auth_rotated');
    const old = await createKey(token);
    const rotated = await app.request('POST', `/v1/me/api-keys/${old.id}/rotate`, { token });
    secretsShown.push(rotated.body.key);
    await listKeys(token, rotated.body.position);

    expect(await rejection(old.key)).toEqual({ status: 401, message: 'The API key has been revoked' });
    expect((await authenticator.authenticate(rotated.body.key)).apiKeyId).toBe(rotated.body.id);
  });

  it('records the last use at most once per key per interval, and lists it', async () => {
    const token = await tokenFor('user_auth_usage');
    const created = await createKey(token, { name: 'busy' });
    await listKeys(token, created.position);
    const own = new ApiKeyAuthenticator(new ApiKeyQueries(sqlOnDataSource(app.runtime.dataSource)), app.runtime.store, app.runtime.logger);
    // A future interval of our own, so the throttle's buckets do not depend on the wall clock.
    const t = (Math.floor(Date.now() / API_KEY_USE_INTERVAL_MS) + 10) * API_KEY_USE_INTERVAL_MS + 1_000;
    const at = (ms: number) => new Date(t + ms);

    await Promise.all(Array.from({ length: 5 }, () => own.authenticate(created.key, at(0))));
    await own.authenticate(created.key, at(30_000));
    await own.flush();
    expect((await usesRecorded(created.id)).map((u) => u.usedAt)).toEqual([at(0).toISOString()]);

    await own.authenticate(created.key, at(API_KEY_USE_INTERVAL_MS));
    await own.authenticate(created.key, at(API_KEY_USE_INTERVAL_MS + 1));
    await own.flush();
    const uses = await usesRecorded(created.id);
    expect(uses.map((u) => u.usedAt)).toEqual([at(0).toISOString(), at(API_KEY_USE_INTERVAL_MS).toISOString()]);

    const list = await listKeys(token, uses.at(-1)!.position);
    expect(list).toEqual([expect.objectContaining({ id: created.id, lastUsedAt: at(API_KEY_USE_INTERVAL_MS).toISOString() })]);

    // Another process (or a restart) starts with an empty throttle: the projected last use holds it back.
    const restarted = new ApiKeyAuthenticator(
      new ApiKeyQueries(sqlOnDataSource(app.runtime.dataSource)),
      app.runtime.store,
      app.runtime.logger,
    );
    await restarted.authenticate(created.key, at(API_KEY_USE_INTERVAL_MS + 30_000));
    await restarted.flush();
    expect(await usesRecorded(created.id)).toHaveLength(2);
  });

  it('records one use per interval bucket even across processes that have not seen each other’s', async () => {
    const token = await tokenFor('user_auth_usage_race');
    const created = await createKey(token, { name: 'shared' });
    await listKeys(token, created.position);
    const t = (Math.floor(Date.now() / API_KEY_USE_INTERVAL_MS) + 20) * API_KEY_USE_INTERVAL_MS + 1_000;
    const [first, second] = [
      new ApiKeyAuthenticator(new ApiKeyQueries(sqlOnDataSource(app.runtime.dataSource)), app.runtime.store, app.runtime.logger),
      new ApiKeyAuthenticator(new ApiKeyQueries(sqlOnDataSource(app.runtime.dataSource)), app.runtime.store, app.runtime.logger),
    ];

    // Hold the projector back (an open transaction keeps the store's visibility horizon below the
    // use event), so the second process cannot see the first one's use in the read model either.
    const holder = new pg.Client({ connectionString: app.database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      await first.authenticate(created.key, new Date(t));
      await first.flush();
      await second.authenticate(created.key, new Date(t + 5_000));
      await second.flush();
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }

    expect((await usesRecorded(created.id)).map((u) => u.usedAt)).toEqual([new Date(t).toISOString()]);
  });
});

describe('api key authentication does not wait for the projector', () => {
  const lookups = async (via: 'read_model' | 'stream') => (await apiKeyLookups.get()).values.find((v) => v.labels.via === via)?.value ?? 0;

  /** 401 with its reason, or the id of the key that authenticated. */
  async function outcome(authenticator: ApiKeyAuthenticator, secret: string): Promise<string> {
    try {
      return (await authenticator.authenticate(secret)).apiKeyId;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return `${error.getStatus()} ${(error.getResponse() as { error: { message: string } }).error.message}`;
    }
  }

  describe('with no projector at all (the read model never sees a key)', () => {
    let bare: TestApp;
    let authenticator: ApiKeyAuthenticator;
    beforeAll(async () => {
      bare = await startTestApp({ projector: false });
      authenticator = new ApiKeyAuthenticator(
        new ApiKeyQueries(sqlOnDataSource(bare.runtime.dataSource)),
        bare.runtime.store,
        bare.runtime.logger,
      );
    });
    afterAll(async () => {
      await authenticator?.flush();
      await bare?.close();
    });

    it('accepts a new key on its first request, over HTTP too', async () => {
      const token = await bare.token({ userId: 'user_lagfree' });
      const created = await bare.request('POST', '/v1/me/api-keys', { token, body: { name: 'fresh' } });
      expect(created.status).toBe(201);
      secretsShown.push(created.body.key);
      expect(await bare.runtime.dataSource.query('SELECT id FROM api_keys')).toEqual([]);

      expect(await outcome(authenticator, created.body.key)).toBe(created.body.id);
      // Authenticated (the guard let it through); the route itself is for sessions only: 403, not 401.
      const viaHttp = await bare.request('GET', '/v1/me/organizations', { token: created.body.key });
      expect({ status: viaHttp.status, code: viaHttp.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
    });

    it('refuses a revoked key, a deleted key and the old key of a rotation on the next request; accepts the rotated one', async () => {
      const token = await bare.token({ userId: 'user_lagfree_changes' });
      const keys = await Promise.all(
        ['revoked', 'deleted', 'rotated'].map(
          async (name) => (await bare.request('POST', '/v1/me/api-keys', { token, body: { name } })).body,
        ),
      );
      secretsShown.push(...keys.map((k) => k.key));
      const [revoked, deleted, old] = keys;
      for (const key of keys) expect(await outcome(authenticator, key.key)).toBe(key.id);

      expect((await bare.request('POST', `/v1/me/api-keys/${revoked.id}/revoke`, { token })).status).toBe(200);
      expect((await bare.request('DELETE', `/v1/me/api-keys/${deleted.id}`, { token })).status).toBe(200);
      const rotated = await bare.request('POST', `/v1/me/api-keys/${old.id}/rotate`, { token });
      expect(rotated.status).toBe(201);
      secretsShown.push(rotated.body.key);

      expect(await outcome(authenticator, revoked.key)).toBe('401 The API key has been revoked');
      expect(await outcome(authenticator, deleted.key)).toBe('401 The API key is not valid');
      expect(await outcome(authenticator, old.key)).toBe('401 The API key has been revoked');
      expect(await outcome(authenticator, rotated.body.key)).toBe(rotated.body.id);
      const viaHttp = await bare.request('GET', '/v1/me/organizations', { token: revoked.key });
      expect({ status: viaHttp.status, message: viaHttp.body.error.message }).toEqual({
        status: 401,
        message: 'The API key has been revoked',
      });
    });

    it('still refuses unknown keys, with one read of an empty stream', async () => {
      expect(await outcome(authenticator, generateApiKeySecret())).toBe('401 The API key is not valid');
    });
  });

  describe('with a projector that stops after the key was projected', () => {
    it('answers from the read model while it is current, and from the log once the key stream moved past it', async () => {
      const token = await tokenFor('user_lagfree_stale');
      const created = await createKey(token, { name: 'stale' });
      await listKeys(token, created.position);
      const authenticator = new ApiKeyAuthenticator(
        new ApiKeyQueries(sqlOnDataSource(app.runtime.dataSource)),
        app.runtime.store,
        app.runtime.logger,
      );

      const fromReadModel = await lookups('read_model');
      expect(await outcome(authenticator, created.key)).toBe(created.id);
      expect(await lookups('read_model')).toBe(fromReadModel + 1);

      // Hold the projector back: an open transaction keeps the store's visibility horizon below the
      // revocation, so the read model still shows the key active while the log says revoked.
      const holder = new pg.Client({ connectionString: app.database.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT pg_current_xact_id()');
        const revoked = await app.request('POST', `/v1/me/api-keys/${created.id}/revoke`, { token });
        expect(revoked.status).toBe(200);
        expect(await app.runtime.dataSource.query('SELECT is_active FROM api_keys WHERE id = $1', [created.id])).toEqual([
          { is_active: true },
        ]);

        const fromStream = await lookups('stream');
        expect(await outcome(authenticator, created.key)).toBe('401 The API key has been revoked');
        expect(await lookups('stream')).toBe(fromStream + 1);
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
        await authenticator.flush();
      }
    });
  });
});

describe('secrets at rest', () => {
  it('appear nowhere in the event store or the read model in clear', async () => {
    expect(secretsShown.length).toBeGreaterThan(10);
    for (const secret of secretsShown) expect(secret).toMatch(/^lf_[A-Za-z0-9]{32}$/);
    const [events]: Array<{ n: number }> = await app.runtime.dataSource.query(
      'SELECT count(*)::int AS n FROM es_events e WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) s WHERE position(s in e.data::text) > 0 OR position(s in e.metadata::text) > 0)',
      [secretsShown],
    );
    const [rows]: Array<{ n: number }> = await app.runtime.dataSource.query(
      'SELECT count(*)::int AS n FROM api_keys k WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) s WHERE position(s in k::text) > 0)',
      [secretsShown],
    );
    expect({ events: events!.n, rows: rows!.n }).toEqual({ events: 0, rows: 0 });
  });
});
