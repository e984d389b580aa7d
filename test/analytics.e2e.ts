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
 * The dashboard endpoints over HTTP: shapes, read-your-writes through `minPosition`, scoping and
 * bad input. Their arithmetic is checked against brute force in job-stats.property.spec.ts.
 */
describe('workspace analytics over HTTP', () => {
  let app: TestApp;
  let token: string;
  let position: string;
  const base = '/v1/orgs/stats/workspaces/docs';
  const now = Date.now();
  const iso = (msAgo: number) => new Date(now - msAgo).toISOString();

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.token({ org: 'stats' });
    const created = await app.request('POST', '/v1/orgs/stats/workspaces', { token, body: { name: 'docs' } });
    const workspaceId: string = created.body.workspaceId;
    // Three jobs in the last day: completed (60 s), failed while running, still queued.
    const histories: Array<[string, JobCommand[]]> = [
      [
        'a',
        [
          queue('a', workspaceId, iso(3_600_000)),
          { type: 'StartJob', data: { at: iso(3_590_000) } },
          { type: 'CompleteJob', data: { at: iso(3_530_000), output: {} } },
        ],
      ],
      [
        'b',
        [
          queue('b', workspaceId, iso(7_200_000)),
          { type: 'StartJob', data: { at: iso(7_100_000) } },
          { type: 'FailJob', data: { at: iso(7_000_000), error: { message: 'boom', code: null } } },
        ],
      ],
      ['c', [queue('c', workspaceId, iso(60_000))]],
    ];
    for (const [id, commands] of histories) {
      const result = await handleCommand(app.runtime.store, jobStreamId(`job-${id}`), jobDecider, commands, { commandId: `seed-${id}` });
      position = result.position!;
    }
  }, 60_000);

  afterAll(async () => app?.close());

  const queue = (id: string, workspaceId: string, at: string): JobCommand => ({
    type: 'QueueJob',
    data: {
      jobId: `job-${id}`,
      organizationId: 'org_local_stats',
      workspaceId,
      repositoryId: 'repo-1',
      name: `Job ${id}`,
      trigger: 'manual',
      triggeredBy: null,
      input: {},
      at,
    },
  });

  it('answers jobs.statistics from the read models once they reached the position', async () => {
    const { status, body } = await app.request('GET', `${base}/jobs/statistics?hours=24&minPosition=${position}`, { token });
    expect(status).toBe(200);
    expect(body).toEqual({
      total: 3,
      byStatus: { queued: 1, running: 0, completed: 1, failed: 1, cancelled: 0 },
      avgDurationMs: 60_000,
      successRate: 50,
    });
  });

  it('answers percentiles, time series, recent jobs, statistics, health and the workspace list', async () => {
    const q = `minPosition=${position}`;
    const percentiles = await app.request('GET', `${base}/jobs/percentiles?range=7d&${q}`, { token });
    expect(percentiles.body).toMatchObject({ hasData: true, max: 60_000, sampleSize: 1 });
    expect(Math.abs(percentiles.body.p50 - 60_000) / 60_000).toBeLessThanOrEqual(0.01);

    const before = new Date().toISOString().slice(0, 13);
    const series = await app.request('GET', `${base}/jobs/timeseries?range=24h&${q}`, { token });
    const after = new Date().toISOString().slice(0, 13);
    expect(series.body).toHaveLength(24);
    expect(series.body.reduce((sum: number, p: { jobCount: number }) => sum + p.jobCount, 0)).toBe(3);
    expect([before, after]).toContain(series.body.at(-1).timestamp); // the current hour, even if it just turned

    const recent = await app.request('GET', `${base}/jobs/recent?limit=2&${q}`, { token });
    expect(recent.body.map((j: { id: string }) => j.id)).toEqual(['job-c', 'job-a']);

    const statistics = await app.request('GET', `${base}/statistics?${q}`, { token });
    expect(statistics.body.jobs).toMatchObject({ total: 3, completed: 1, failed: 1, successRate: 50, avgDurationMs: 60_000 });
    expect(statistics.body.jobs.recent).toHaveLength(3);
    expect(statistics.body.documents).toEqual({ total: 0, chunks: 0 });
    expect(statistics.body.sources).toEqual({ total: 0, byType: {}, list: [] });
    expect(statistics.body.stores).toEqual({ total: 0, list: [] });

    const health = await app.request('GET', `${base}/health?${q}`, { token });
    expect(health.body).toEqual({ workspaceHealth: 'down', successRate: 50, storesCount: 0, sourcesCount: 0, totalJobs24h: 3, stores: [] });

    const list = await app.request('GET', `/v1/orgs/stats/workspaces?${q}`, { token });
    expect(list.body[0].lastActivity).toBe(iso(60_000));
  });

  it('compares two ranges with percentage changes as the original defines them', async () => {
    const ranges = `currentStart=${iso(3 * 3_600_000)}&currentEnd=${new Date(now).toISOString()}&previousStart=${iso(48 * 3_600_000)}&previousEnd=${iso(24 * 3_600_000)}`;
    const { status, body } = await app.request('GET', `${base}/statistics/compare?${ranges}&minPosition=${position}`, { token });
    expect(status).toBe(200);
    expect(body.current.jobs).toMatchObject({ total: 3, completed: 1, failed: 1 });
    expect(body.previous.jobs).toMatchObject({ total: 0, completed: 0 });
    expect(body.changes.jobs).toMatchObject({ total: 100, completed: 100, failed: 100, successRate: -50 });
  });

  it.each([
    ['jobs/statistics?hours=0', 'hours'],
    ['jobs/statistics?hours=1.5', 'hours'],
    ['jobs/statistics?hours=abc', 'hours'],
    ['jobs/statistics?hours=87601', 'hours'],
    ['jobs/recent?limit=51', 'limit'],
    ['jobs/percentiles?range=1y', 'range'],
    ['jobs/timeseries?range=', 'range'],
    [
      'statistics/compare?currentStart=2026-01-01T00:00:00Z&currentEnd=2026-01-02T00:00:00Z&previousStart=2025-12-31T00:00:00Z',
      'previousEnd',
    ],
    [
      'statistics/compare?currentStart=yesterday&currentEnd=2026-01-02T00:00:00Z&previousStart=2025-12-31T00:00:00Z&previousEnd=2026-01-01T00:00:00Z',
      'currentStart',
    ],
    [
      'statistics/compare?currentStart=2026-01-03T00:00:00Z&currentEnd=2026-01-02T00:00:00Z&previousStart=2025-12-31T00:00:00Z&previousEnd=2026-01-01T00:00:00Z',
      'currentEnd',
    ],
    ['health?verbose=1', 'verbose'],
  ])('refuses %s with a 400 naming %s', async (path, field) => {
    const { status, body } = await app.request('GET', `${base}/${path}`, { token });
    expect(status).toBe(400);
    expect(JSON.stringify(body.error)).toContain(field);
  });

  it('scopes every analytics route to the caller organization', async () => {
    const outsider = await app.token({ org: 'elsewhere' });
    for (const path of ['jobs/statistics', 'jobs/percentiles', 'jobs/timeseries', 'jobs/recent', 'statistics', 'health']) {
      expect((await app.request('GET', `${base}/${path}`, { token: outsider })).status).toBe(403);
      expect((await app.request('GET', `${base}/${path}`)).status).toBe(401);
    }
    expect((await app.request('GET', `/v1/orgs/stats/workspaces/missing/jobs/statistics`, { token })).status).toBe(404);
  });
  /**
   * Sources, stores and documents from the ingestion read models, in a workspace of their own:
   * two repositories connected over HTTP, one of them also connected as an integration resource,
   * a third repository connected as a resource only; two stores; documents recorded as the
   * ingestion reactor records them.
   */
  describe('with ingested documents', () => {
    const ingest = '/v1/orgs/stats/workspaces/ingest';
    const organizationId = 'org_local_stats';
    let workspaceId: string;
    let handbookRepo: string;
    let apiRepo: string;
    let last: string;
    const later = (a: string, b: string | null | undefined) => (b && comparePositions(b, a) > 0 ? b : a);

    async function record(
      jobId: string,
      storeId: string,
      repo: { githubRepoId: string; repositoryId: string | null; fullName: string },
      paths: string[],
      at: string,
    ) {
      const position = await recordDocumentBatch(app.runtime.store, {
        jobId,
        storeId,
        organizationId,
        workspaceId,
        repositoryId: repo.repositoryId,
        githubRepoId: repo.githubRepoId,
        repoFullName: repo.fullName,
        at,
        pages: paths.map((path) => ({ path })),
      });
      last = later(last, position);
    }

    beforeAll(async () => {
      const created = await app.request('POST', '/v1/orgs/stats/workspaces', { token, body: { name: 'ingest' } });
      workspaceId = created.body.workspaceId;
      last = created.body.position;
      // The repository routes resolve the workspace on its read model.
      expect((await app.request('GET', `${ingest}?minPosition=${last}`, { token })).status).toBe(200);
      // Connected as the connect route records it (that route's GitHub checks are repositories.e2e's subject).
      const connect = async (githubRepoId: string, fullName: string) => {
        const repositoryId = `repo-${githubRepoId}`;
        const connected = await handleCommand(
          app.runtime.store,
          repositoryStreamId(organizationId, githubRepoId),
          repositoryDecider,
          {
            type: 'ConnectRepository',
            data: {
              repositoryId,
              organizationId,
              githubRepoId,
              githubInstallationId: '7',
              workspaceId,
              metadata: { fullName, defaultBranch: 'main', private: false },
              at: new Date().toISOString(),
            },
          },
          { commandId: `connect-${githubRepoId}` },
        );
        last = later(last, connected.position!);
        return repositoryId;
      };
      handbookRepo = await connect('5001', 'acme/handbook');
      apiRepo = await connect('5002', 'acme/api');

      // acme/api again and acme/notes, as resources of user_1's GitHub integration.
      const t0 = new Date(now - 5 * 3_600_000).toISOString();
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
      const installation = {
        id: '7',
        accountId: '70',
        accountLogin: 'acme',
        accountType: 'Organization' as const,
        avatarUrl: null,
        permissions: {},
        installedAt: t0,
        lastValidatedAt: t0,
      };
      const integration: IntegrationCommand[] = [
        {
          type: 'ConnectGitHubIntegration',
          data: {
            userId: 'user_1',
            integrationId: 'int-1',
            encryptedAccessToken: 'v1:k:iv:tag:data',
            encryptedRefreshToken: null,
            tokenExpiresAt: null,
            scopes: ['repo'],
            installations: [installation],
            at: t0,
          },
        },
        {
          type: 'CreateResources',
          data: { userId: 'user_1', integrationId: 'int-1', resources: [resource('5002', 'api'), resource('5003', 'notes')], at: t0 },
        },
        ...['res-5002', 'res-5003'].map((resourceId): IntegrationCommand => ({
          type: 'ConnectResourceToWorkspace',
          data: {
            userId: 'user_1',
            resourceId,
            workspaceId,
            workspaceKey: 'ws-ingest',
            organizationId,
            syncConfig: { autoSync: true },
            at: t0,
          },
        })),
      ];
      last = later(
        last,
        (
          await handleCommand(app.runtime.store, integrationStreamId('user_1'), integrationDecider, integration, {
            commandId: 'seed-integration',
          })
        ).position,
      );

      for (const slug of ['handbook', 'api']) {
        const ensured = await handleCommand(
          app.runtime.store,
          storeStreamId(storeIdFor(workspaceId, slug)),
          storeDecider,
          { type: 'EnsureStore', data: { organizationId, workspaceId, slug, settings: DEFAULT_STORE_SETTINGS, at: iso(6 * 3_600_000) } },
          { commandId: `store-${slug}` },
        );
        last = later(last, ensured.position);
      }
      const handbook = storeIdFor(workspaceId, 'handbook');
      await record(
        'ingest-1',
        handbook,
        { githubRepoId: '5001', repositoryId: handbookRepo, fullName: 'acme/handbook' },
        ['a.md', 'b.md', 'c.md'],
        iso(2 * 3_600_000),
      );
      await record(
        'ingest-2',
        storeIdFor(workspaceId, 'api'),
        { githubRepoId: '5002', repositoryId: apiRepo, fullName: 'acme/api' },
        ['api.md', 'auth.md'],
        iso(3_600_000),
      );
      await record(
        'ingest-3',
        handbook,
        { githubRepoId: '5003', repositoryId: null, fullName: 'acme/notes' },
        ['notes.md'],
        iso(3 * 3_600_000),
      );

      // Last day: acme/handbook's job failed (repository id), acme/notes' completed (input only).
      const job = (id: string, repositoryId: string | null, input: Record<string, unknown>, end: JobCommand): JobCommand[] => [
        {
          type: 'QueueJob',
          data: {
            jobId: id,
            organizationId,
            workspaceId,
            repositoryId,
            name: id,
            trigger: 'manual',
            triggeredBy: null,
            input,
            at: iso(1_800_000),
          },
        },
        { type: 'StartJob', data: { at: iso(1_790_000) } },
        end,
      ];
      for (const [id, commands] of [
        [
          'ingest-job-1',
          job(
            'ingest-job-1',
            handbookRepo,
            { githubRepoId: '5001' },
            { type: 'FailJob', data: { at: iso(1_780_000), error: { message: 'boom', code: null } } },
          ),
        ],
        [
          'ingest-job-3',
          job('ingest-job-3', null, { githubRepoId: '5003' }, { type: 'CompleteJob', data: { at: iso(1_780_000), output: {} } }),
        ],
      ] as const) {
        last = later(
          last,
          (await handleCommand(app.runtime.store, jobStreamId(id), jobDecider, [...commands], { commandId: `seed-${id}` })).position,
        );
      }
    }, 60_000);

    it('lists sources (one per GitHub repository), stores and document totals in statistics', async () => {
      const { status, body } = await app.request('GET', `${ingest}/statistics?minPosition=${last}`, { token });
      expect(status).toBe(200);
      expect(body.documents).toEqual({ total: 6, chunks: 6 });
      expect(body.stores).toEqual({
        total: 2,
        list: [
          {
            id: storeIdFor(workspaceId, 'api'),
            slug: 'api',
            indexName: expect.any(String),
            embeddingDim: 1024,
            documentCount: 2,
            chunkCount: 2,
            createdAt: iso(6 * 3_600_000),
          },
          {
            id: storeIdFor(workspaceId, 'handbook'),
            slug: 'handbook',
            indexName: expect.any(String),
            embeddingDim: 1024,
            documentCount: 4,
            chunkCount: 4,
            createdAt: iso(6 * 3_600_000),
          },
        ],
      });
      expect(body.sources.total).toBe(3);
      expect(body.sources.byType).toEqual({ github: 3 });
      // Newest connection first: the two repositories (connected now), then the resource alone.
      expect(body.sources.list.map((s: { displayName: string }) => s.displayName).slice(2)).toEqual(['acme/notes']);
      const byName = Object.fromEntries(body.sources.list.map((s: { displayName: string }) => [s.displayName, s]));
      expect(byName['acme/handbook']).toEqual({
        id: handbookRepo,
        type: 'github',
        displayName: 'acme/handbook',
        documentCount: 3,
        lastSyncedAt: null,
        lastIngestedAt: null,
        metadata: {
          repoId: '5001',
          repoFullName: 'acme/handbook',
          installationId: '7',
          defaultBranch: 'main',
          isPrivate: false,
          configStatus: 'pending',
        },
      });
      // Connected both ways: one source, under the repository's id, with the resource's details.
      expect(byName['acme/api']).toMatchObject({
        id: apiRepo,
        documentCount: 2,
        metadata: { repoId: '5002', defaultBranch: 'trunk', isPrivate: true, configStatus: 'pending' },
      });
      expect(byName['acme/notes']).toMatchObject({ id: 'res-5003', documentCount: 1, metadata: { repoId: '5003', configStatus: null } });
    });

    it('puts every source under every store in the health view, with its documents in that store', async () => {
      const { status, body } = await app.request('GET', `${ingest}/health?minPosition=${last}`, { token });
      expect(status).toBe(200);
      expect(body).toMatchObject({ workspaceHealth: 'down', successRate: 50, storesCount: 2, sourcesCount: 3, totalJobs24h: 2 });
      const handbook = body.stores.find((s: { name: string }) => s.name === 'handbook');
      expect(handbook).toMatchObject({
        id: storeIdFor(workspaceId, 'handbook'),
        embeddingDim: 1024,
        documentCount: 4,
        successRate: 50,
        health: 'down',
      });
      const counts = Object.fromEntries(
        handbook.sources.map((s: { displayName: string; documentCount: number; health: string }) => [
          s.displayName,
          [s.documentCount, s.health],
        ]),
      );
      expect(counts).toEqual({ 'acme/handbook': [3, 'down'], 'acme/api': [0, 'healthy'], 'acme/notes': [1, 'healthy'] });
      const api = body.stores.find((s: { name: string }) => s.name === 'api');
      expect(api.sources.map((s: { documentCount: number }) => s.documentCount).sort()).toEqual([0, 0, 2]);
    });

    it('compares the document totals at the end of each range', async () => {
      // Ninety minutes ago: acme/handbook's three documents and acme/notes' one were indexed, acme/api's two not yet.
      const ranges = `currentStart=${iso(90 * 60_000)}&currentEnd=${new Date(now).toISOString()}&previousStart=${iso(180 * 60_000)}&previousEnd=${iso(90 * 60_000)}`;
      const { status, body } = await app.request('GET', `${ingest}/statistics/compare?${ranges}&minPosition=${last}`, { token });
      expect(status).toBe(200);
      expect(body.current.documents).toEqual({ total: 6, chunks: 6 });
      expect(body.previous.documents).toEqual({ total: 4, chunks: 4 });
      expect(body.changes.documents).toEqual({ total: 50, chunks: 50 });
    });

    it('lists each workspace with its top repositories and document total', async () => {
      await app.runtime.checkpoints.waitFor('repositories', last, 10_000);
      await app.runtime.checkpoints.waitFor('stores', last, 10_000);
      const { status, body } = await app.request('GET', `/v1/orgs/stats/workspaces?minPosition=${last}`, { token });
      expect(status).toBe(200);
      const byName = Object.fromEntries(body.map((w: { name: string }) => [w.name, w]));
      expect(byName.docs).toMatchObject({ repositories: [], repositoryCount: 0, totalDocuments: 0 });
      expect(byName.ingest).toMatchObject({ id: workspaceId, repositoryCount: 2, totalDocuments: 6, lastActivity: iso(1_800_000) });
      // Neither was ingested through a reindex yet: the latest connection comes first.
      expect(byName.ingest.repositories).toEqual([
        {
          id: apiRepo,
          configStatus: 'pending',
          metadata: { fullName: 'acme/api', defaultBranch: 'main', private: false },
          lastSyncedAt: null,
          lastIngestedAt: null,
          documentCount: 2,
        },
        {
          id: handbookRepo,
          configStatus: 'pending',
          metadata: { fullName: 'acme/handbook', defaultBranch: 'main', private: false },
          lastSyncedAt: null,
          lastIngestedAt: null,
          documentCount: 3,
        },
      ]);
    });
  });
});
