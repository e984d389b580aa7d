import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { comparePositions, handleCommand } from '#event-store';
import {
  DEFAULT_STORE_SETTINGS,
  integrationDecider,
  integrationStreamId,
  jobDecider,
  jobStreamId,
  repositoryDecider,
  repositoryStreamId,
  storeDecider,
  storeIdFor,
  storeStreamId,
  type IntegrationCommand,
  type JobCommand,
} from '#domain';
import { startTestApp, type TestApp } from './support/app.js';
import { recordDocumentBatch } from './support/record-documents.js';

/**
 * `workspace.integrations.list` · `disconnect` (`GET`/`DELETE …/{ws}/sources`): every source of a
 * workspace (connected repositories and members' resource connections), with sync status,
 * document counts from the stores' counters and last ingestion; disconnection through the same
 * commands as `…/integrations/{resourceId}` and a repository's deactivation. History is seeded
 * through the deciders, as the app's own commands record it (the GitHub checks of the connect
 * routes are integrations.e2e's and repositories.e2e's subject).
 */
let app: TestApp;
const tokens: Record<'admin' | 'member' | 'outsider' | 'otherAdmin', string> = {} as never;
const ORG = 'sources';
const OTHER = 'sources-other';
const DOCS = `/v1/orgs/${ORG}/workspaces/docs/sources`;
let organizationId: string;
let otherOrganizationId: string;
let docsId: string;
let apiId: string;
let otherWorkspaceId: string;
let last: string;
const now = Date.now();
const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
const later = (a: string, b: string | null | undefined) => (b && comparePositions(b, a) > 0 ? b : a);

async function expectOk(response: { status: number; body: any }, status: number) {
  expect({ status: response.status, body: response.status === status ? 'ok' : response.body }).toEqual({ status, body: 'ok' });
  return response.body;
}

async function connectRepository(orgId: string, workspaceId: string, githubRepoId: string, fullName: string): Promise<string> {
  const repositoryId = `repo-${githubRepoId}`;
  const connected = await handleCommand(
    app.runtime.store,
    repositoryStreamId(orgId, githubRepoId),
    repositoryDecider,
    {
      type: 'ConnectRepository',
      data: {
        repositoryId,
        organizationId: orgId,
        githubRepoId,
        githubInstallationId: '7',
        workspaceId,
        metadata: { fullName, defaultBranch: 'main', private: false },
        at: iso(6 * 3_600_000),
      },
    },
    { commandId: `connect-${orgId}-${githubRepoId}` },
  );
  last = later(last, connected.position);
  return repositoryId;
}

const resource = (repoId: string, name: string) => ({
  resourceId: `res-${repoId}`,
  installationId: '7',
  repoId,
  repoName: name,
  repoFullName: `acme/${name}`,
  defaultBranch: 'trunk',
  isPrivate: true,
  isArchived: false,
});

/** A user's GitHub integration, resources, and their connections (`[resourceId, workspaceId]`). */
async function seedIntegration(userId: string, resources: ReturnType<typeof resource>[], connections: Array<[string, string]>) {
  const t0 = iso(5 * 3_600_000);
  const commands: IntegrationCommand[] = [
    {
      type: 'ConnectGitHubIntegration',
      data: {
        userId,
        integrationId: `int-${userId}`,
        encryptedAccessToken: 'v1:k:iv:tag:data',
        encryptedRefreshToken: null,
        tokenExpiresAt: null,
        scopes: ['repo'],
        installations: [
          {
            id: '7',
            accountId: '70',
            accountLogin: 'acme',
            accountType: 'Organization',
            avatarUrl: null,
            permissions: {},
            installedAt: t0,
            lastValidatedAt: t0,
          },
        ],
        at: t0,
      },
    },
    { type: 'CreateResources', data: { userId, integrationId: `int-${userId}`, resources, at: t0 } },
    ...connections.map(([resourceId, workspaceId]): IntegrationCommand => ({
      type: 'ConnectResourceToWorkspace',
      data: { userId, resourceId, workspaceId, workspaceKey: 'ws-x', organizationId, syncConfig: { autoSync: true }, at: t0 },
    })),
  ];
  const result = await handleCommand(app.runtime.store, integrationStreamId(userId), integrationDecider, commands, {
    commandId: `seed-integration-${userId}`,
  });
  last = later(last, result.position);
}

async function recordDocuments(
  jobId: string,
  storeId: string,
  repo: { githubRepoId: string; repositoryId: string | null },
  paths: string[],
) {
  const position = await recordDocumentBatch(app.runtime.store, {
    jobId,
    storeId,
    organizationId,
    workspaceId: docsId,
    repositoryId: repo.repositoryId,
    githubRepoId: repo.githubRepoId,
    repoFullName: 'acme/x',
    at: iso(2 * 3_600_000),
    pages: paths.map((path) => ({ path })),
  });
  last = later(last, position);
}

let handbookRepo: string;
let otherRepo: string;

beforeAll(async () => {
  app = await startTestApp();
  tokens.admin = await app.token({ userId: 'user_admin', org: ORG, role: 'admin' });
  tokens.otherAdmin = await app.token({ userId: 'user_other', org: OTHER, role: 'admin' });
  tokens.outsider = await app.token({ userId: 'user_outsider', org: 'sources-nowhere', role: 'admin' });
  const created = await expectOk(await app.request('POST', '/v1/orgs', { token: tokens.admin, body: { slug: ORG } }), 201);
  organizationId = created.organizationId;
  const other = await expectOk(await app.request('POST', '/v1/orgs', { token: tokens.otherAdmin, body: { slug: OTHER } }), 201);
  otherOrganizationId = other.organizationId;
  otherWorkspaceId = other.defaultWorkspaceId;
  // The token's active organization authorizes it: a member with no further lookup.
  tokens.member = await app.token({ userId: 'user_member', org: ORG, role: 'member' });
  docsId = (await expectOk(await app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token: tokens.admin, body: { name: 'docs' } }), 201))
    .workspaceId;
  const api = await expectOk(await app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token: tokens.admin, body: { name: 'api' } }), 201);
  apiId = api.workspaceId;
  last = api.position;

  // docs: a connected repository (acme/handbook), the admin's resource acme/notes and the member's acme/guide;
  // api: the admin's acme/api. The other organization: a repository of its own.
  handbookRepo = await connectRepository(organizationId, docsId, '5001', 'acme/handbook');
  otherRepo = await connectRepository(otherOrganizationId, otherWorkspaceId, '7001', 'other/site');
  await seedIntegration(
    'user_admin',
    [resource('5002', 'api'), resource('5003', 'notes')],
    [
      ['res-5002', apiId],
      ['res-5003', docsId],
    ],
  );
  await seedIntegration('user_member', [resource('6001', 'guide')], [['res-6001', docsId]]);
  // acme/notes' initial sync completed; acme/handbook's latest job failed.
  const synced = await handleCommand(
    app.runtime.store,
    integrationStreamId('user_admin'),
    integrationDecider,
    {
      type: 'RecordWorkspaceSync',
      data: {
        userId: 'user_admin',
        resourceId: 'res-5003',
        workspaceId: docsId,
        jobId: 'sync-1',
        status: 'completed',
        error: null,
        at: iso(3_600_000),
      },
    },
    { commandId: 'sync-5003' },
  );
  last = later(last, synced.position);
  const failed: JobCommand[] = [
    {
      type: 'QueueJob',
      data: {
        jobId: 'job-5001',
        organizationId,
        workspaceId: docsId,
        repositoryId: handbookRepo,
        name: 'reindex',
        trigger: 'manual',
        triggeredBy: null,
        input: { githubRepoId: '5001' },
        at: iso(1_800_000),
      },
    },
    { type: 'StartJob', data: { at: iso(1_790_000) } },
    { type: 'FailJob', data: { at: iso(1_780_000), error: { message: 'boom', code: null } } },
  ];
  last = later(
    last,
    (await handleCommand(app.runtime.store, jobStreamId('job-5001'), jobDecider, failed, { commandId: 'seed-job' })).position,
  );

  const store = await handleCommand(
    app.runtime.store,
    storeStreamId(storeIdFor(docsId, 'docs')),
    storeDecider,
    {
      type: 'EnsureStore',
      data: { organizationId, workspaceId: docsId, slug: 'docs', settings: DEFAULT_STORE_SETTINGS, at: iso(6 * 3_600_000) },
    },
    { commandId: 'store-docs' },
  );
  last = later(last, store.position);
  await recordDocuments('ingest-1', storeIdFor(docsId, 'docs'), { githubRepoId: '5001', repositoryId: handbookRepo }, [
    'a.md',
    'b.md',
    'c.md',
  ]);
  await recordDocuments('ingest-2', storeIdFor(docsId, 'docs'), { githubRepoId: '5003', repositoryId: null }, ['notes.md']);
}, 60_000);

afterAll(async () => {
  await app?.close();
});

const byName = (sources: Array<{ displayName: string }>) =>
  Object.fromEntries(sources.map((s) => [s.displayName, s])) as Record<string, any>;

describe('GET …/{ws}/sources', () => {
  it('lists every source of the workspace with its sync status, documents and last ingestion, in the original’s shape', async () => {
    const body = await expectOk(await app.request('GET', `${DOCS}?minPosition=${last}`, { token: tokens.member }), 200);
    expect(body.map((s: { displayName: string }) => s.displayName).sort()).toEqual(['acme/guide', 'acme/handbook', 'acme/notes']);
    const sources = byName(body);
    expect(sources['acme/handbook']).toEqual({
      id: handbookRepo,
      provider: 'github',
      isActive: true,
      connectedAt: iso(6 * 3_600_000),
      lastSyncAt: null,
      isBilledViaVercel: false,
      displayName: 'acme/handbook',
      syncStatus: 'failed',
      lastSyncError: 'boom',
      documentCount: 3,
      documentsByStore: { [storeIdFor(docsId, 'docs')]: 3 },
      lastIngestedAt: null,
      repositoryId: handbookRepo,
      resourceId: null,
      metadata: {
        repoId: '5001',
        repoFullName: 'acme/handbook',
        installationId: '7',
        defaultBranch: 'main',
        isPrivate: false,
        configStatus: 'pending',
      },
    });
    expect(sources['acme/notes']).toMatchObject({
      id: 'res-5003',
      isActive: true,
      syncStatus: 'completed',
      lastSyncError: null,
      lastSyncAt: iso(3_600_000),
      documentCount: 1,
      repositoryId: null,
      resourceId: 'res-5003',
    });
    // Connected, never synced: pending, no documents.
    expect(sources['acme/guide']).toMatchObject({ id: 'res-6001', syncStatus: 'pending', documentCount: 0, documentsByStore: {} });
  });

  it('lists only the workspace’s own sources', async () => {
    const body = await expectOk(
      await app.request('GET', `/v1/orgs/${ORG}/workspaces/api/sources?minPosition=${last}`, { token: tokens.admin }),
      200,
    );
    expect(body.map((s: { id: string }) => s.id)).toEqual(['res-5002']);
  });

  it('refuses a non-member (403), an unknown workspace (404) and a malformed minPosition (400), appending nothing', async () => {
    await app.withoutAppending(async () => {
      expect(await app.request('GET', DOCS, { token: tokens.outsider })).toMatchObject({
        status: 403,
        body: { error: { code: 'forbidden' } },
      });
      expect(await app.request('GET', DOCS, { token: tokens.otherAdmin })).toMatchObject({ status: 403 });
      expect(await app.request('GET', `/v1/orgs/${ORG}/workspaces/nope/sources`, { token: tokens.admin })).toMatchObject({ status: 404 });
      const bad = await app.request('GET', `${DOCS}?minPosition=soon`, { token: tokens.admin });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('minPosition');
    });
  });
});

describe('DELETE …/{ws}/sources/{id}', () => {
  it('answers 404 for an unknown id, another workspace’s source and another organization’s repository, appending nothing', async () => {
    await app.withoutAppending(async () => {
      for (const id of ['res-nope', 'res-5002', otherRepo, 'repo-7001']) {
        expect({ id, ...(await app.request('DELETE', `${DOCS}/${id}`, { token: tokens.admin })) }).toMatchObject({
          id,
          status: 404,
          body: { error: { code: 'not_found' } },
        });
      }
      // And a non-member names the other organization's source in its own workspace: 403 (not a member of this one).
      expect(await app.request('DELETE', `${DOCS}/res-5003`, { token: tokens.otherAdmin })).toMatchObject({ status: 403 });
    });
  });

  it('refuses a member another member’s resource connection and a connected repository (403), appending nothing', async () => {
    await app.withoutAppending(async () => {
      expect(await app.request('DELETE', `${DOCS}/res-5003`, { token: tokens.member })).toMatchObject({ status: 403 });
      expect(await app.request('DELETE', `${DOCS}/${handbookRepo}`, { token: tokens.member })).toMatchObject({ status: 403 });
    });
  });

  it('lets a member disconnect their own resource, with the command of …/integrations/{resourceId}', async () => {
    const answer = await expectOk(await app.request('DELETE', `${DOCS}/res-6001`, { token: tokens.member }), 200);
    expect(answer).toEqual({ success: true, position: expect.stringMatching(/^\d+\/\d+$/) });
    const events = await app.runtime.store.readStream(integrationStreamId('user_member'));
    expect(events.at(-1)).toMatchObject({
      type: 'ResourceDisconnectedFromWorkspace',
      data: { resourceId: 'res-6001', disconnectedBy: 'user_member' },
    });
    const sources = byName(
      await expectOk(await app.request('GET', `${DOCS}?minPosition=${answer.position}`, { token: tokens.member }), 200),
    );
    expect(sources['acme/guide']).toMatchObject({ isActive: false });
    const connections = await expectOk(
      await app.request('GET', `/v1/orgs/${ORG}/workspaces/docs/integrations?minPosition=${answer.position}`, { token: tokens.member }),
      200,
    );
    expect(connections.map((c: { resourceId: string }) => c.resourceId)).toEqual(['res-5003']);
  });

  it('lets an admin disconnect another member’s resource and a connected repository; a second time is a no-op', async () => {
    const notes = await expectOk(await app.request('DELETE', `${DOCS}/res-5003`, { token: tokens.admin }), 200);
    const repository = await expectOk(await app.request('DELETE', `${DOCS}/${handbookRepo}`, { token: tokens.admin }), 200);
    const position = later(notes.position, repository.position);
    const sources = byName(await expectOk(await app.request('GET', `${DOCS}?minPosition=${position}`, { token: tokens.admin }), 200));
    expect(sources['acme/notes']).toMatchObject({ isActive: false, documentCount: 1 });
    expect(sources['acme/handbook']).toMatchObject({ isActive: false, documentCount: 3 });
    expect(
      await expectOk(
        await app.request('GET', `/v1/orgs/${ORG}/repositories/${handbookRepo}?minPosition=${position}`, { token: tokens.admin }),
        200,
      ),
    ).toMatchObject({
      isActive: false,
    });
    const events = await app.runtime.store.readStream(repositoryStreamId(organizationId, '5001'));
    expect(events.at(-1)).toMatchObject({ type: 'RepositoryDeactivated', data: { reason: 'disconnected' } });

    await app.withoutAppending(async () => {
      expect(await app.request('DELETE', `${DOCS}/res-5003`, { token: tokens.admin })).toMatchObject({
        status: 200,
        body: { success: true },
      });
      expect(await app.request('DELETE', `${DOCS}/${handbookRepo}`, { token: tokens.admin })).toMatchObject({ status: 200 });
    });
    // The other workspace's source is untouched.
    const api = await expectOk(
      await app.request('GET', `/v1/orgs/${ORG}/workspaces/api/sources?minPosition=${position}`, { token: tokens.admin }),
      200,
    );
    expect(api).toMatchObject([{ id: 'res-5002', isActive: true }]);
  });
});
