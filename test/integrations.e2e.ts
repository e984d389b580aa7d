import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { integrationDecider, integrationStreamId } from '#domain';
import { handleCommand } from '#event-store';
import { OctokitInstallationsSource, SignedState } from '#adapters';
import {
  StoreGitHubOAuthResultCommand,
  StoreGitHubOAuthResultHandler,
} from '../apps/api/src/integrations/store-github-oauth-result.handler.js';
import { installationPayload, repositoryPayload, startFakeGitHub, type FakeGitHub, type InstallationPayload } from '#testing';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * `integration.*` and `account.integrations.*` over HTTP against the real read models, with the
 * real Octokit client talking to a fake GitHub on loopback. The OAuth result is stored through the
 * service the callback calls (the callback itself needs GitHub App credentials: see the README).
 */
let app: TestApp;
let github: FakeGitHub;
let service: StoreGitHubOAuthResultHandler;
let source: OctokitInstallationsSource;
/** Every token handed to the app: none may be stored anywhere in clear. */
const tokensGiven: string[] = [];

beforeAll(async () => {
  github = await startFakeGitHub();
  app = await startTestApp({ config: { githubApiUrl: github.url, githubOAuth: oauthConfig() } });
  source = new OctokitInstallationsSource({ baseUrl: github.url });
  // What GitHub shows through installations 11 and 12: every repository the resource tests name
  // (`repo(id)` below), private except 9002. Resources take these fields, not the request's.
  const shown = (ids: number[]) => ids.map((id) => ({ ...repositoryPayload(id, 'acme', `repo${id}`), private: id !== 9002 }));
  const ids = [1, 2, 1001, 3001, 3002, 6001, 7001, 8001, 9001, 9002, ...Array.from({ length: 100 }, (_, i) => 2000 + i)];
  github.setInstallationRepositories(11, shown(ids));
  github.setInstallationRepositories(12, shown(ids));
  // The service the OAuth callback calls, on the app's own runtime (store, cipher).
  service = new StoreGitHubOAuthResultHandler(app.runtime.cipher, app.runtime.store);
});

afterAll(async () => {
  await app?.close();
  await github?.close();
});

/** The fake GitHub accepts exactly this client; without `returnUrl` the callback answers JSON. */
const oauthConfig = (returnUrl?: string) => ({ clientId: 'gh-client-id', clientSecret: 'gh-client-secret', webUrl: github.url, returnUrl });

const tokenFor = (userId: string, org = 'acme', role: 'admin' | 'member' = 'member') => app.token({ userId, org, role });

function expectInvalidField(response: { status: number; body: any }, field: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
  const fields: string[] = (response.body.error.details?.fields ?? []).map((f: { field: string }) => f.field);
  expect(fields).toContain(field);
}

/** What the OAuth callback does after exchanging the code: list the installations, store the result. */
async function connectGitHub(userId: string, installations: InstallationPayload[] = [installationPayload(11, 'acme')]) {
  const token = `gho_${randomUUID().replace(/-/g, '')}`;
  tokensGiven.push(token);
  github.setInstallations(token, installations);
  const stored = await service.execute(
    new StoreGitHubOAuthResultCommand(
      userId,
      { accessToken: token, scopes: ['read:user'], installations: await source.listUserInstallations(token) },
      { commandId: randomUUID(), userId },
    ),
  );
  return { ...stored, token };
}

const repo = (repoId: number, installationId = 11, extra: Record<string, unknown> = {}) => ({
  installationId,
  repoId,
  repoName: `repo${repoId}`,
  repoFullName: `acme/repo${repoId}`,
  defaultBranch: 'main',
  isPrivate: true,
  isArchived: false,
  ...extra,
});

async function createResources(token: string, integrationId: string, resources: unknown[], headers: Record<string, string> = {}) {
  return app.request('POST', `/v1/me/integrations/${integrationId}/resources`, { token, body: { resources }, headers });
}

async function get(token: string, path: string, position: string | null) {
  const response = await app.request('GET', position === null ? path : `${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`, {
    token,
  });
  expect(response.status).toBe(200);
  return response.body;
}

describe('GitHub integration', () => {
  it('stores the OAuth result with the token sealed: listed without it, never in clear in the event store', async () => {
    const token = await tokenFor('user_connect');
    const connected = await connectGitHub('user_connect', [installationPayload(11, 'acme'), installationPayload(12, 'octocat', 'User')]);
    expect(connected).toEqual({
      id: expect.any(String),
      created: true,
      position: expect.stringMatching(/^\d+\/\d+$/),
      token: connected.token,
    });

    const list = await get(token, '/v1/me/integrations', connected.position);
    expect(list).toEqual([
      { id: connected.id, provider: 'github', isActive: true, connectedAt: expect.any(String), lastSyncAt: expect.any(String) },
    ]);
    const githubView = await get(token, '/v1/me/integrations/github', connected.position);
    expect(githubView).toEqual({
      id: connected.id,
      userId: 'user_connect',
      provider: 'github',
      connectedAt: list[0].connectedAt,
      isActive: true,
      installations: [
        {
          id: '11',
          accountId: '110',
          accountLogin: 'acme',
          accountType: 'Organization',
          avatarUrl: 'https://avatars.example.test/acme',
          permissions: { contents: 'read', metadata: 'read' },
          installedAt: '2026-01-15T08:30:00.000Z',
          lastValidatedAt: list[0].connectedAt,
        },
        expect.objectContaining({ id: '12', accountLogin: 'octocat', accountType: 'User' }),
      ],
    });
    for (const body of [list, githubView]) expect(JSON.stringify(body)).not.toMatch(/gho_|v1:/);

    const inClear: Array<{ n: number }> = await app.runtime.dataSource.query(
      `SELECT count(*)::int AS n FROM es_events WHERE data::text LIKE '%' || $1 || '%' OR metadata::text LIKE '%' || $1 || '%'`,
      [connected.token],
    );
    expect(inClear[0]!.n).toBe(0);
    const [event] = (await app.runtime.store.readStream(integrationStreamId('user_connect'))).map(
      (e) => e.data as { encryptedAccessToken: string },
    );
    expect(event!.encryptedAccessToken).toMatch(/^v1:/);
    expect(app.runtime.cipher.decrypt(event!.encryptedAccessToken)).toBe(connected.token);
  });

  it('answers JSON null for a user who never connected GitHub, and an empty list', async () => {
    const token = await tokenFor('user_nothing');
    const response = await app.request('GET', '/v1/me/integrations/github', { token });
    expect([response.status, response.body, response.headers.get('content-type')]).toEqual([200, null, 'application/json; charset=utf-8']);
    expect(await get(token, '/v1/me/integrations', null)).toEqual([]);
  });

  it('reconnects under the same integration id with the new token', async () => {
    const token = await tokenFor('user_reconnect');
    const first = await connectGitHub('user_reconnect');
    const second = await connectGitHub('user_reconnect', [installationPayload(21, 'other-org')]);
    expect(second).toMatchObject({ id: first.id, created: false });
    const view = await get(token, '/v1/me/integrations/github', second.position);
    expect(view.installations.map((i: { id: string }) => i.id)).toEqual(['21']);
    const events = await app.runtime.store.readStream(integrationStreamId('user_reconnect'));
    expect(app.runtime.cipher.decrypt((events.at(-1)!.data as { encryptedAccessToken: string }).encryptedAccessToken)).toBe(second.token);
  });

  describe('validation', () => {
    it('re-reads the installations from GitHub with the stored token, once, and records what changed', async () => {
      const token = await tokenFor('user_validate');
      const connected = await connectGitHub('user_validate', [installationPayload(31, 'a'), installationPayload(32, 'b')]);
      github.setInstallations(connected.token, [installationPayload(32, 'b'), installationPayload(33, 'c'), installationPayload(34, 'd')]);
      const calls = github.requests.get('GET /user/installations') ?? 0;

      const response = await app.request('POST', '/v1/me/integrations/github/validate', { token });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ added: 2, removed: 1, total: 3, position: expect.any(String) });
      expect(github.requests.get('GET /user/installations')).toBe(calls + 1);
      const view = await get(token, '/v1/me/integrations/github', response.body.position);
      expect(view.installations.map((i: { id: string }) => i.id)).toEqual(['32', '33', '34']);
    });

    it('answers 422 when GitHub rejects the token and 503 when GitHub is down, appending nothing', async () => {
      const token = await tokenFor('user_validate_fail');
      const connected = await connectGitHub('user_validate_fail');

      github.failNext(502);
      const down = await app.withoutAppending(() => app.request('POST', '/v1/me/integrations/github/validate', { token }));
      expect([down.status, down.body.error.code]).toEqual([503, 'github_unavailable']);

      github.revoke(connected.token);
      const rejected = await app.withoutAppending(() => app.request('POST', '/v1/me/integrations/github/validate', { token }));
      expect([rejected.status, rejected.body.error.code]).toEqual([422, 'github_token_rejected']);
    });

    it('answers 404 when GitHub is not connected, without calling GitHub', async () => {
      const calls = github.requests.get('GET /user/installations') ?? 0;
      const response = await app.withoutAppending(async () =>
        app.request('POST', '/v1/me/integrations/github/validate', { token: await tokenFor('user_never') }),
      );
      expect(response.status).toBe(404);
      expect(github.requests.get('GET /user/installations') ?? 0).toBe(calls);
    });
  });

  it('disconnects: listed inactive, a second disconnect is a no-op, resources and validation are refused', async () => {
    const token = await tokenFor('user_disconnect');
    const connected = await connectGitHub('user_disconnect');

    const response = await app.request('DELETE', `/v1/me/integrations/${connected.id}`, { token });

    expect(response.body).toEqual({ success: true, position: expect.any(String) });
    expect(await get(token, '/v1/me/integrations', response.body.position)).toEqual([
      expect.objectContaining({ id: connected.id, isActive: false }),
    ]);
    expect((await get(token, '/v1/me/integrations/github', response.body.position)).isActive).toBe(false);
    const again = await app.withoutAppending(() => app.request('DELETE', `/v1/me/integrations/${connected.id}`, { token }));
    expect(again.body).toEqual(response.body);
    const refused = await app.withoutAppending(() => createResources(token, connected.id, [repo(1)]));
    expect([refused.status, refused.body.error.code]).toEqual([422, 'refused']);
    expect((await app.withoutAppending(() => app.request('POST', '/v1/me/integrations/github/validate', { token }))).status).toBe(404);
  });
});

describe('resources', () => {
  let token: string;
  let integrationId: string;
  beforeAll(async () => {
    token = await tokenFor('user_resources');
    integrationId = (await connectGitHub('user_resources', [installationPayload(11, 'acme'), installationPayload(12, 'acme-2')])).id;
  });

  it('creates one resource, and the same repository again is the same resource: nothing appended', async () => {
    const first = await createResources(token, integrationId, [repo(1001)]);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      resources: [
        {
          id: expect.any(String),
          integrationId,
          provider: 'github',
          type: 'repository',
          installationId: '11',
          repoId: '1001',
          repoName: 'repo1001',
          repoFullName: 'acme/repo1001',
          defaultBranch: 'main',
          isPrivate: true,
          isArchived: false,
          createdAt: expect.any(String),
          created: true,
        },
      ],
      created: 1,
      position: expect.any(String),
    });

    // The id as a string this time, and other metadata: still the same repository.
    const again = await app.withoutAppending(() =>
      createResources(token, integrationId, [repo(1001, 11, { repoId: '1001', defaultBranch: 'develop' })]),
    );
    expect(again.status).toBe(201);
    expect(again.body.resources).toEqual([{ ...first.body.resources[0], created: false }]);
    expect(again.body.created).toBe(0);

    const list = await get(token, `/v1/me/integrations/${integrationId}/resources`, first.body.position);
    expect(list).toEqual([(({ created: _, ...view }) => view)(first.body.resources[0])]);
  });

  it('creates 100 resources in one append: one event, one transaction', async () => {
    const before = await app.eventCount();
    const [{ last }]: Array<{ last: string }> = await app.runtime.dataSource.query(
      'SELECT max(global_position)::text AS last FROM es_events',
    );
    const hundred = Array.from({ length: 100 }, (_, i) => repo(2000 + i, i % 2 ? 11 : 12));

    const response = await createResources(token, integrationId, hundred, { 'Idempotency-Key': 'hundred' });

    expect(response.status).toBe(201);
    expect(response.body.created).toBe(100);
    expect(response.body.resources).toHaveLength(100);
    expect(await app.eventCount()).toBe(before + 1);
    const appended: Array<{ n: number; transactions: number; resources: number; type: string }> = await app.runtime.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT transaction_id)::int AS transactions, max(jsonb_array_length(data->'resources'))::int AS resources, max(type) AS type
         FROM es_events WHERE stream_id = $1 AND global_position > $2::bigint`,
      [integrationStreamId('user_resources'), last],
    );
    expect(appended).toEqual([{ n: 1, transactions: 1, resources: 100, type: 'ResourcesCreated' }]);
    const list = await get(token, `/v1/me/integrations/${integrationId}/resources`, response.body.position);
    expect(list).toHaveLength(101);

    // A retry with the same Idempotency-Key answers the same resources and appends nothing.
    const retry = await app.withoutAppending(() => createResources(token, integrationId, hundred, { 'Idempotency-Key': 'hundred' }));
    expect(retry.body.resources.map((r: { id: string }) => r.id)).toEqual(response.body.resources.map((r: { id: string }) => r.id));
  });

  it('creates only the new repositories of a mixed batch, and a repository listed twice once', async () => {
    const response = await createResources(token, integrationId, [repo(2000), repo(3001), repo(2001), repo(3001), repo(3002)]);
    expect(response.status).toBe(201);
    expect(response.body.resources.map((r: any) => [r.repoId, r.created])).toEqual([
      ['2000', false],
      ['3001', true],
      ['2001', false],
      ['3002', true],
    ]);
  });

  it('refuses 101 resources with a 400 naming the field and appends nothing', async () => {
    const response = await app.withoutAppending(() =>
      createResources(
        token,
        integrationId,
        Array.from({ length: 101 }, (_, i) => repo(5000 + i)),
      ),
    );
    expectInvalidField(response, 'resources');
    expect(response.body.error.message).toContain('at most 100');
  });

  it('refuses a repository from an installation the integration does not have (422), appending nothing', async () => {
    const response = await app.withoutAppending(() => createResources(token, integrationId, [repo(6001), repo(6002, 99)]));
    expect([response.status, response.body.error.code, response.body.error.details.field]).toEqual([
      422,
      'refused',
      'resources.1.installationId',
    ]);
  });

  describe('bad input: 400 naming the field, nothing appended', () => {
    it.each([
      ['an empty list', { resources: [] }, 'resources'],
      ['no list', {}, 'resources'],
      ['a list that is not one', { resources: repo(1) }, 'resources'],
      ['a missing repo id', { resources: [{ ...repo(1), repoId: undefined }] }, 'resources.0.repoId'],
      ['a repo id that is not a GitHub id', { resources: [repo(1), { ...repo(2), repoId: 'abc' }] }, 'resources.1.repoId'],
      ['a negative installation id', { resources: [{ ...repo(1), installationId: -4 }] }, 'resources.0.installationId'],
      ['a full name without an owner', { resources: [{ ...repo(1), repoFullName: 'repo1' }] }, 'resources.0.repoFullName'],
      ['a flag that is not a boolean', { resources: [{ ...repo(1), isPrivate: 'yes' }] }, 'resources.0.isPrivate'],
      ['an empty default branch', { resources: [{ ...repo(1), defaultBranch: '' }] }, 'resources.0.defaultBranch'],
      ['an unknown property', { resources: [{ ...repo(1), stars: 5 }] }, 'resources.0.stars'],
      ['an element that is not an object', { resources: ['acme/repo1'] }, 'resources.0'],
    ])('refuses %s', async (_, body, field) => {
      const response = await app.withoutAppending(() =>
        app.request('POST', `/v1/me/integrations/${integrationId}/resources`, { token, body }),
      );
      if (field === 'resources.0') expect(response.status).toBe(400);
      else expectInvalidField(response, field);
    });

    it('refuses a repository name that does not match the full name', async () => {
      const response = await app.withoutAppending(() => createResources(token, integrationId, [{ ...repo(1), repoName: 'other' }]));
      expectInvalidField(response, 'resources.0.repoName');
    });

    it("keeps GitHub's description of a repository, not the request's", async () => {
      const response = await createResources(token, integrationId, [{ ...repo(1), defaultBranch: 'develop', isPrivate: false }]);
      expect(response.status).toBe(201);
      expect(response.body.resources[0]).toMatchObject({
        repoId: '1',
        repoName: 'repo1',
        repoFullName: 'acme/repo1',
        defaultBranch: 'main',
        isPrivate: true,
      });
    });

    it('refuses a repository GitHub does not show the user through that installation (404), appending nothing', async () => {
      const response = await app.withoutAppending(() => createResources(token, integrationId, [repo(424_242)]));
      expect([response.status, response.body.error.code]).toEqual([404, 'not_found']);
    });
  });

  it('answers 404 for another user’s integration on every route, appends nothing, and never lists it', async () => {
    const intruder = await tokenFor('user_intruder');
    await connectGitHub('user_intruder');
    for (const [method, path, body] of [
      ['POST', `/v1/me/integrations/${integrationId}/resources`, { resources: [repo(7001)] }],
      ['GET', `/v1/me/integrations/${integrationId}/resources`, undefined],
      ['DELETE', `/v1/me/integrations/${integrationId}`, undefined],
    ] as const) {
      const response = await app.withoutAppending(() => app.request(method, path, { token: intruder, body }));
      expect({ path, method, status: response.status, code: response.body.error.code }).toEqual({
        path,
        method,
        status: 404,
        code: 'not_found',
      });
    }
    const own = await get(intruder, '/v1/me/integrations', null);
    expect(own.map((i: { id: string }) => i.id)).not.toContain(integrationId);
  });

  it('requires a session: no token is a 401, an API key a 403', async () => {
    expect((await app.request('GET', '/v1/me/integrations')).status).toBe(401);
    const created = await app.request('POST', '/v1/me/api-keys', { token, body: { name: 'integrations' } });
    await get(token, '/v1/me/api-keys', created.body.position);
    for (const [method, path] of [
      ['GET', '/v1/me/integrations'],
      ['GET', '/v1/me/integrations/github'],
      ['POST', '/v1/me/integrations/github/validate'],
      ['POST', `/v1/me/integrations/${integrationId}/resources`],
    ] as const) {
      // Only the integration streams: the key's first use is recorded (ApiKeyUsed) on a stream of its own.
      const response = await app.withoutAppending(
        () => app.request(method, path, { token: created.body.key, body: method === 'POST' ? { resources: [repo(8001)] } : undefined }),
        { streams: 'integrations-%' },
      );
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
  });
});

describe('workspace integrations', () => {
  let owner: string;
  let admin: string;
  let member: string;
  let resourceId: string;
  let otherResourceId: string;
  let integrationId: string;
  const base = '/v1/orgs/acme/workspaces/docs/integrations';

  beforeAll(async () => {
    owner = await tokenFor('user_ws_owner');
    admin = await tokenFor('user_ws_admin', 'acme', 'admin');
    member = await tokenFor('user_ws_member');
    const workspace = await app.request('POST', '/v1/orgs/acme/workspaces', { token: admin, body: { name: 'docs' } });
    expect(workspace.status).toBe(201);
    await get(admin, '/v1/orgs/acme/workspaces/docs', workspace.body.position);
    integrationId = (await connectGitHub('user_ws_owner')).id;
    const created = await createResources(owner, integrationId, [repo(9001), repo(9002, 11, { isPrivate: false })]);
    [resourceId, otherResourceId] = created.body.resources.map((r: { id: string }) => r.id);
  });

  it('connects a resource: the event that starts the initial sync carries what the sync needs; status and list show it', async () => {
    const response = await app.request('POST', base, { token: owner, body: { resourceId, syncConfig: { paths: ['docs/**'] } } });

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      workspaceId: expect.any(String),
      resourceId,
      syncConfig: { paths: ['docs/**'], autoSync: true },
      isActive: true,
      initialSyncStarted: true,
      position: expect.any(String),
    });
    const event = (await app.runtime.store.readStream(integrationStreamId('user_ws_owner'))).at(-1)!;
    expect({ type: event.type, data: event.data }).toEqual({
      type: 'ResourceConnectedToWorkspace',
      data: {
        resourceId,
        workspaceId: response.body.workspaceId,
        workspaceKey: 'ws-docs',
        organizationId: 'org_local_acme',
        integrationId,
        installationId: '11',
        repoId: '9001',
        repoFullName: 'acme/repo9001',
        defaultBranch: 'main',
        isPrivate: true,
        syncConfig: { paths: ['docs/**'], autoSync: true },
        connectedBy: 'user_ws_owner',
        connectedAt: expect.any(String),
      },
    });

    const status = await get(owner, `${base}/status?repoFullName=ACME/repo9001`, response.body.position);
    expect(status).toEqual({
      workspaceId: response.body.workspaceId,
      resourceId,
      integrationId,
      connectedBy: 'user_ws_owner',
      syncConfig: { paths: ['docs/**'], autoSync: true },
      isActive: true,
      connectedAt: (event.data as { connectedAt: string }).connectedAt,
      lastSyncedAt: null,
      lastSyncStatus: 'pending',
      lastSyncError: null,
      resource: expect.objectContaining({ id: resourceId, repoFullName: 'acme/repo9001', installationId: '11' }),
    });
    // Any member sees the workspace's connections; the status is of the caller's own repositories.
    expect(await get(member, base, response.body.position)).toEqual([status]);
    const notMine = await app.request('GET', `${base}/status?repoFullName=acme/repo9001`, { token: member });
    expect([notMine.status, notMine.body]).toEqual([200, null]);
    const unknown = await app.request('GET', `${base}/status?repoFullName=acme/nothing`, { token: owner });
    expect([unknown.status, unknown.body]).toEqual([200, null]);
  });

  it("starts the initial sync again when connected again before one reported (the original's rule); once one runs, the same configuration does nothing and a new one starts no new sync", async () => {
    const again = await app.request('POST', base, {
      token: owner,
      body: { resourceId, syncConfig: { autoSync: true, paths: ['docs/**'] } },
    });
    expect(again.body).toMatchObject({ initialSyncStarted: true });
    expect((await app.runtime.store.readStream(integrationStreamId('user_ws_owner'))).at(-1)!.type).toBe('ResourceConnectedToWorkspace');
    // What the ingestion reactor records when the sync starts (this app runs no reactor).
    await handleCommand(
      app.runtime.store,
      integrationStreamId('user_ws_owner'),
      integrationDecider,
      {
        type: 'RecordWorkspaceSync',
        data: {
          userId: 'user_ws_owner',
          resourceId,
          workspaceId: again.body.workspaceId as string,
          jobId: 'sync-started',
          status: 'in_progress',
          error: null,
          at: new Date().toISOString(),
        },
      },
      { commandId: `sync-started-${resourceId}` },
    );
    const same = await app.withoutAppending(() =>
      app.request('POST', base, { token: owner, body: { resourceId, syncConfig: { autoSync: true, paths: ['docs/**'] } } }),
    );
    expect(same.body).toMatchObject({ initialSyncStarted: false });

    const changed = await app.request('POST', base, {
      token: owner,
      body: { resourceId, syncConfig: { branches: ['main'], autoSync: false } },
    });
    expect(changed.body).toMatchObject({ initialSyncStarted: false, syncConfig: { branches: ['main'], autoSync: false } });
    expect((await app.runtime.store.readStream(integrationStreamId('user_ws_owner'))).at(-1)!.type).toBe('WorkspaceSyncConfigChanged');
    const list = await get(owner, base, changed.body.position);
    expect(list).toEqual([expect.objectContaining({ resourceId, syncConfig: { branches: ['main'], autoSync: false } })]);
  });

  it('connects to a workspace created a moment ago when given the creation’s position', async () => {
    const created = await app.request('POST', '/v1/orgs/acme/workspaces', { token: owner, body: { name: 'fresh' } });
    const response = await app.request('POST', `/v1/orgs/acme/workspaces/fresh/integrations?minPosition=${created.body.position}`, {
      token: owner,
      body: { resourceId },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ workspaceId: created.body.workspaceId, initialSyncStarted: true });
  });

  it('answers 404 for another user’s resource and for an unknown workspace, appending nothing', async () => {
    const notOwned = await app.withoutAppending(() => app.request('POST', base, { token: member, body: { resourceId: otherResourceId } }));
    expect([notOwned.status, notOwned.body.error.code]).toEqual([404, 'not_found']);
    const noWorkspace = await app.withoutAppending(() =>
      app.request('POST', '/v1/orgs/acme/workspaces/nope/integrations', { token: owner, body: { resourceId: otherResourceId } }),
    );
    expect(noWorkspace.status).toBe(404);
  });

  it('refuses a caller of another organization on every route, appending nothing', async () => {
    const outsider = await tokenFor('user_ws_owner', 'other-org', 'admin');
    for (const [method, path, body] of [
      ['GET', base, undefined],
      ['GET', `${base}/status?repoFullName=acme/repo9001`, undefined],
      ['POST', base, { resourceId: otherResourceId }],
      ['DELETE', `${base}/${resourceId}`, undefined],
    ] as const) {
      const response = await app.withoutAppending(() => app.request(method, path, { token: outsider, body }));
      expect({ method, path, refused: [403, 404].includes(response.status) }).toEqual({ method, path, refused: true });
    }
  });

  describe('bad input: 400 naming the field, nothing appended', () => {
    it.each([
      ['no resource id', {}, 'resourceId'],
      ['a resource id that is not a string', { resourceId: 7 }, 'resourceId'],
      ['an autoSync that is not a boolean', { resourceId: 'r', syncConfig: { autoSync: 'yes' } }, 'syncConfig.autoSync'],
      ['paths that are not strings', { resourceId: 'r', syncConfig: { paths: [1] } }, 'syncConfig.paths'],
      ['an unknown sync option', { resourceId: 'r', syncConfig: { schedule: 'daily' } }, 'syncConfig.schedule'],
      ['an unknown property', { resourceId: 'r', workspaceId: 'w' }, 'workspaceId'],
    ])('refuses a connection with %s', async (_, body, field) => {
      expectInvalidField(await app.withoutAppending(() => app.request('POST', base, { token: owner, body })), field);
    });

    it.each([
      ['no repoFullName', ''],
      ['a repoFullName without an owner', '?repoFullName=repo9001'],
      ['an unknown parameter', '?repoFullName=acme/repo9001&verbose=1'],
    ])('refuses a status query with %s', async (_, query) => {
      const response = await app.request('GET', `${base}/status${query}`, { token: owner });
      expectInvalidField(response, query.includes('verbose') ? 'verbose' : 'repoFullName');
    });
  });

  it('disconnects: a member who does not own it is refused, its owner may, and connecting again starts a new sync', async () => {
    const refused = await app.withoutAppending(() => app.request('DELETE', `${base}/${resourceId}`, { token: member }));
    expect(refused.status).toBe(403);

    const removed = await app.request('DELETE', `${base}/${resourceId}`, { token: owner });
    expect(removed.body).toEqual({ success: true, position: expect.any(String) });
    expect(await get(owner, base, removed.body.position)).toEqual([]);
    expect((await get(owner, `${base}/status?repoFullName=acme/repo9001`, removed.body.position)).isActive).toBe(false);

    const again = await app.request('POST', base, { token: owner, body: { resourceId } });
    expect(again.body).toMatchObject({ initialSyncStarted: true, syncConfig: { autoSync: true } });
    expect(await get(owner, base, again.body.position)).toEqual([
      expect.objectContaining({ resourceId, isActive: true, lastSyncStatus: 'pending' }),
    ]);
  });

  it('lets an admin of the organization disconnect a connection another member made', async () => {
    const connected = await app.request('POST', base, { token: owner, body: { resourceId: otherResourceId } });
    await get(admin, base, connected.body.position);

    const removed = await app.request('DELETE', `${base}/${otherResourceId}`, { token: admin });

    expect(removed.status).toBe(200);
    const event = (await app.runtime.store.readStream(integrationStreamId('user_ws_owner'))).at(-1)!;
    expect([event.type, (event.data as { disconnectedBy: string }).disconnectedBy]).toEqual([
      'ResourceDisconnectedFromWorkspace',
      'user_ws_admin',
    ]);
    expect((await get(admin, base, removed.body.position)).map((c: { resourceId: string }) => c.resourceId)).toEqual([resourceId]);
  });
});

describe('GitHub OAuth callback', () => {
  const exchanges = () => github.requests.get('POST /login/oauth/access_token') ?? 0;

  /** What the browser does: ask for the authorize URL (keeping the cookie), come back from GitHub with a code. */
  async function authorize(userId: string): Promise<{ state: string; token: string; code: string; cookie: string; url: string }> {
    const response = await app.request('GET', '/v1/github/auth', { token: await tokenFor(userId) });
    expect(response.status).toBe(200);
    const url = new URL(response.body.url);
    expect([url.origin + url.pathname, url.searchParams.get('client_id'), url.searchParams.get('code_challenge_method')]).toEqual([
      `${github.url}/login/oauth/authorize`,
      'gh-client-id',
      'S256',
    ]);
    const token = `gho_${randomUUID().replace(/-/g, '')}`;
    tokensGiven.push(token);
    const code = github.authorize(response.body.url, token, 'read:user,read:org');
    github.setInstallations(token, [installationPayload(41, 'oauth-org')]);
    return { state: url.searchParams.get('state')!, token, code, cookie: oauthCookie(response.headers), url: response.body.url };
  }

  const callback = (params: Record<string, string>, cookie?: string) =>
    app.request('GET', `/v1/github/callback?${new URLSearchParams(params)}`, { headers: cookie ? { cookie } : {} });

  it('binds the round to the browser: an HttpOnly, SameSite=Lax cookie for the GitHub routes only, and a PKCE S256 challenge', async () => {
    const response = await app.request('GET', '/v1/github/auth', { token: await tokenFor('user_oauth_cookie') });
    const [setCookie] = response.headers.getSetCookie();
    expect(setCookie).toMatch(
      /^console_github_oauth=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/v1\/github; Expires=.+; HttpOnly; SameSite=Lax$/,
    );
    const url = new URL(response.body.url);
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Neither the nonce nor anything derived from it in clear travels through GitHub.
    expect(response.body.url).not.toContain(oauthCookie(response.headers).split('=')[1]);
  });

  it('refuses a callback completed in another browser (no cookie, or the cookie of another round) before talking to GitHub', async () => {
    const victim = await authorize('user_oauth_victim_browser');
    const attacker = await authorize('user_oauth_attacker_browser');
    const before = exchanges();
    for (const [label, cookie] of [
      ['no cookie', undefined],
      ["another round's cookie", attacker.cookie],
      ['a forged cookie', 'console_github_oauth=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ] as const) {
      const response = await app.withoutAppending(() => callback({ code: victim.code, state: victim.state }, cookie));
      expect({ label, status: response.status, code: response.body.error.code }).toEqual({ label, status: 400, code: 'invalid_state' });
    }
    expect(exchanges()).toBe(before);
  });

  it('cannot redeem a code authorized for another round: the PKCE verifier does not match its challenge', async () => {
    const intercepted = await authorize('user_oauth_pkce_victim');
    const own = await authorize('user_oauth_pkce_attacker');
    // The attacker's own state and cookie, with the victim's code injected.
    const response = await app.withoutAppending(() => callback({ code: intercepted.code, state: own.state }, own.cookie));
    expect([response.status, response.body.error.code]).toEqual([422, 'no_access_token']);
    expect(response.body.error.message).toContain('bad_verification_code');
  });

  it('the fake GitHub checks PKCE as GitHub does: a missing or wrong verifier is refused when a challenge was sent', async () => {
    const { url } = await authorize('user_oauth_fake');
    const exchange = async (code: string, verifier?: string) =>
      (await (
        await fetch(`${github.url}/login/oauth/access_token`, {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({
            client_id: 'gh-client-id',
            client_secret: 'gh-client-secret',
            code,
            ...(verifier === undefined ? {} : { code_verifier: verifier }),
          }),
        })
      ).json()) as { error?: string; access_token?: string };
    const token = `gho_${randomUUID().replace(/-/g, '')}`;
    expect((await exchange(github.authorize(url, token))).error).toBe('bad_verification_code');
    expect((await exchange(github.authorize(url, token), 'x'.repeat(43))).error).toBe('bad_verification_code');
  });

  it('exchanges the code, lists the installations and stores the token sealed, for the user the state names', async () => {
    const { state, code, cookie } = await authorize('user_oauth');

    const response = await callback({ code, state, installation_id: '41', setup_action: 'install' }, cookie);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ connected: true, integrationId: expect.any(String), created: true, position: expect.any(String) });
    const view = await get(await tokenFor('user_oauth'), '/v1/me/integrations/github', response.body.position);
    expect(view).toMatchObject({
      id: response.body.integrationId,
      isActive: true,
      installations: [expect.objectContaining({ id: '41', accountLogin: 'oauth-org' })],
    });
    const [event] = await app.runtime.store.readStream(integrationStreamId('user_oauth'));
    expect((event!.data as { scopes: string[] }).scopes).toEqual(['read:user', 'read:org']);

    // Reloading the callback page: the same answer from the stored event, no second code exchange.
    const before = exchanges();
    const reloaded = await app.withoutAppending(() => callback({ code, state }, cookie));
    expect(reloaded.body).toEqual(response.body);
    expect(exchanges()).toBe(before);
  });

  it('refuses a forged, altered or expired state before talking to GitHub, and appends nothing', async () => {
    const { state, code, cookie } = await authorize('user_oauth_victim');
    const [body, mac] = state.split('.');
    const otherUser = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), u: 'user_attacker' }),
    ).toString('base64url');
    const expired = new SignedState(app.runtime.cipher.deriveKey('github-oauth-state')).sign('user_oauth_victim', Date.now() - 11 * 60_000);
    const before = exchanges();
    for (const [forged, reason] of [
      [`${otherUser}.${mac}`, 'invalid_state'],
      [`${body}.${mac!.slice(1)}x`, 'invalid_state'],
      ['', 'invalid_state'],
      [expired, 'state_expired'],
    ] as const) {
      const response = await app.withoutAppending(() => callback(forged ? { code, state: forged } : { code }, cookie));
      expect({ forged, status: response.status, code: response.body.error.code }).toEqual({ forged, status: 400, code: reason });
    }
    expect(exchanges()).toBe(before);
  });

  it('answers a bad code, a cancelled authorization and a revoked token with the original reasons', async () => {
    const first = await authorize('user_oauth_bad');
    const badCode = await app.withoutAppending(() => callback({ code: 'not-a-code', state: first.state }, first.cookie));
    expect([badCode.status, badCode.body.error.code]).toEqual([422, 'no_access_token']);

    const cancelled = await app.withoutAppending(() => callback({ error: 'access_denied', state: first.state }, first.cookie));
    expect([cancelled.status, cancelled.body.error.code]).toEqual([400, 'missing_code']);

    const second = await authorize('user_oauth_bad');
    github.revoke(second.token);
    const unauthorized = await app.withoutAppending(() => callback({ code: second.code, state: second.state }, second.cookie));
    expect([unauthorized.status, unauthorized.body.error.code]).toEqual([422, 'unauthorized']);
  });

  it('needs a session to start the flow', async () => {
    expect((await app.request('GET', '/v1/github/auth')).status).toBe(401);
  });

  describe('with GITHUB_OAUTH_RETURN_URL', () => {
    let redirecting: TestApp;
    beforeAll(async () => {
      redirecting = await startTestApp({
        projector: false,
        config: { githubApiUrl: github.url, githubOAuth: oauthConfig('https://console.example.test/settings?tab=github') },
      });
    });
    afterAll(async () => redirecting?.close());

    const follow = (params: Record<string, string>, cookie: string) =>
      fetch(`${redirecting.baseUrl}/v1/github/callback?${new URLSearchParams(params)}`, { redirect: 'manual', headers: { cookie } });

    it('sends the browser back to the console with the outcome', async () => {
      const started = await redirecting.request('GET', '/v1/github/auth', { token: await redirecting.token({ userId: 'user_redirect' }) });
      const state = new URL(started.body.url).searchParams.get('state')!;
      const cookie = oauthCookie(started.headers);
      const token = `gho_${randomUUID().replace(/-/g, '')}`;
      tokensGiven.push(token);
      const code = github.authorize(started.body.url, token);
      github.setInstallations(token, [installationPayload(51, 'redirect-org')]);

      const connected = await follow({ code, state }, cookie);
      const refused = await follow({ code, state: 'forged.state' }, cookie);

      expect(connected.status).toBe(302);
      const location = new URL(connected.headers.get('location')!);
      expect([location.origin + location.pathname, location.searchParams.get('tab'), location.searchParams.get('github')]).toEqual([
        'https://console.example.test/settings',
        'github',
        'connected',
      ]);
      expect(location.searchParams.get('integrationId')).toEqual(expect.any(String));
      expect([refused.status, new URL(refused.headers.get('location')!).searchParams.get('github_error')]).toEqual([302, 'invalid_state']);
    });
  });
});

describe('secrets at rest', () => {
  it('no token given to the app is stored in clear in any event or read-model row', async () => {
    expect(tokensGiven.length).toBeGreaterThan(5);
    for (const token of tokensGiven) {
      const rows: Array<{ events: number; integrations: number; resources: number; connections: number }> =
        await app.runtime.dataSource.query(
          `SELECT (SELECT count(*)::int FROM es_events WHERE data::text LIKE '%' || $1 || '%' OR metadata::text LIKE '%' || $1 || '%') AS events,
                (SELECT count(*)::int FROM integrations i WHERE row_to_json(i)::text LIKE '%' || $1 || '%') AS integrations,
                (SELECT count(*)::int FROM integration_resources r WHERE row_to_json(r)::text LIKE '%' || $1 || '%') AS resources,
                (SELECT count(*)::int FROM workspace_integrations w WHERE row_to_json(w)::text LIKE '%' || $1 || '%') AS connections`,
          [token],
        );
      expect(rows[0]).toEqual({ events: 0, integrations: 0, resources: 0, connections: 0 });
    }
  });
});

/** The `name=value` of the OAuth round's cookie, as a browser would send it back. */
function oauthCookie(headers: Headers): string {
  const cookie = headers.getSetCookie().find((c) => c.startsWith('console_github_oauth='));
  expect(cookie).toBeDefined();
  return cookie!.split(';')[0]!;
}
