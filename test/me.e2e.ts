import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeClerk, type FakeClerk } from '#testing';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * `account.profile.get` (`GET /v1/me`): Clerk's user in Clerk mode (read through the directory
 * adapter against a fake Clerk on loopback, cached: no Clerk call when warm), the local identity's
 * user without Clerk.
 */
describe('GET /v1/me without Clerk (local identity)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ projector: false });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers the token’s user, with no profile fields the local identity does not have', async () => {
    const token = await app.token({ userId: 'user_local_1', org: 'acme', role: 'member' });
    const response = await app.withoutAppending(() => app.request('GET', '/v1/me', { token }));
    expect(response).toMatchObject({ status: 200 });
    expect(response.body).toEqual({
      id: 'user_local_1',
      firstName: null,
      lastName: null,
      fullName: null,
      username: null,
      primaryEmailAddress: null,
      imageUrl: null,
      createdAt: null,
    });
  });

  it('is each caller’s own profile', async () => {
    const token = await app.token({ userId: 'user_local_2' });
    expect((await app.request('GET', '/v1/me', { token })).body.id).toBe('user_local_2');
  });

  it('refuses a request without a token (401) and an API key (403)', async () => {
    expect(await app.request('GET', '/v1/me')).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    const session = await app.token({ userId: 'user_local_3' });
    const created = await app.request('POST', '/v1/me/api-keys', { token: session, body: { name: 'profile' } });
    expect(created.status).toBe(201);
    expect(await app.request('GET', '/v1/me', { token: created.body.key })).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
  });
});

describe('GET /v1/me with Clerk', () => {
  let clerk: FakeClerk;
  let app: TestApp;

  beforeAll(async () => {
    clerk = await startFakeClerk();
    app = await startTestApp({
      projector: false,
      config: { clerk: { jwtKey: clerk.publicKeyPem, secretKey: clerk.secretKey, apiUrl: clerk.url } },
    });
  });

  afterAll(async () => {
    await app?.close();
    await clerk?.close();
  });

  const userCalls = (userId: string) => clerk.requests.get(`GET /v1/users/${userId}`) ?? 0;

  it('answers Clerk’s user in the original’s shape, then from its cache with no Clerk call', async () => {
    const seeded = clerk.seedUser({
      id: 'user_clerk_1',
      firstName: 'Ada',
      lastName: 'Lovelace',
      username: 'ada',
      email: 'ada@example.test',
    });
    const token = await clerk.sessionToken({ sub: 'user_clerk_1' });
    const first = await app.request('GET', '/v1/me', { token });
    expect(first).toMatchObject({ status: 200 });
    expect(first.body).toEqual({
      id: 'user_clerk_1',
      firstName: 'Ada',
      lastName: 'Lovelace',
      fullName: 'Ada Lovelace',
      username: 'ada',
      primaryEmailAddress: 'ada@example.test',
      imageUrl: 'https://img.clerk.test/user_clerk_1',
      createdAt: new Date(seeded.created_at).toISOString(),
    });
    expect(userCalls('user_clerk_1')).toBe(1);

    const before = clerk.totalRequests();
    for (let i = 0; i < 5; i++) expect((await app.request('GET', '/v1/me', { token })).body).toEqual(first.body);
    expect(clerk.totalRequests() - before).toBe(0);
  });

  it('asks Clerk once for concurrent cold requests of one user', async () => {
    clerk.seedUser({ id: 'user_clerk_2', firstName: 'Grace', lastName: null, email: null });
    const token = await clerk.sessionToken({ sub: 'user_clerk_2' });
    clerk.delayMs = 50;
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => app.request('GET', '/v1/me', { token })));
      expect(answers.map((a) => [a.status, a.body.fullName, a.body.primaryEmailAddress])).toEqual(
        Array.from({ length: 5 }, () => [200, 'Grace', null]),
      );
    } finally {
      clerk.delayMs = 0;
    }
    expect(userCalls('user_clerk_2')).toBe(1);
  });

  it('answers 404 for a user Clerk does not know, and 503 while Clerk fails, keeping neither answer', async () => {
    const unknown = await clerk.sessionToken({ sub: 'user_clerk_gone' });
    expect(await app.request('GET', '/v1/me', { token: unknown })).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await app.request('GET', '/v1/me', { token: unknown })).toMatchObject({ status: 404 });
    expect(userCalls('user_clerk_gone')).toBe(2);

    clerk.seedUser({ id: 'user_clerk_3', firstName: 'Edsger' });
    const token = await clerk.sessionToken({ sub: 'user_clerk_3' });
    clerk.failWith = 500;
    try {
      expect(await app.request('GET', '/v1/me', { token })).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } } });
    } finally {
      clerk.failWith = null;
    }
    expect(await app.request('GET', '/v1/me', { token })).toMatchObject({ status: 200, body: { firstName: 'Edsger' } });
  });
});
