import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhooks } from '@octokit/webhooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { startReactors } from '../apps/projector/src/reactors/reactors.js';
import { startTestApp, type TestApp } from './support/app.js';
import { type FakeGitHub, repositoryPayload, startFakeGitHub, useGitHubAppEnv } from '#testing';
import { connectGitHubIntegration, ownInstallation, registerRepositoryResource } from './support/github-integration.js';
import { waitForJob, waitForReadModel } from './support/wait-for-job.js';

const WEBHOOK_SECRET = randomBytes(20).toString('hex');
const CONFIG = 'version: 1\nstore: handbook\ninclude:\n  - docs/**/*.md\n  - docs/**/*.mdx\n  - docs/assets/**\n';
/** A small cap for the test's trees (INGESTION_MAX_TREE_ENTRIES, 500,000 by default). */
const MAX_TREE_ENTRIES = 40;
const page = (i: number) =>
  `---\ntitle: Page ${i}\ndescription: About page ${i}\n---\n# Page ${i}\n\n${`Words about topic${i} and the shared subject. `.repeat(40 + i)}`;

function initialFiles(): Array<[string, string]> {
  const files: Array<[string, string]> = [
    ['lightfast.yml', CONFIG],
    ['README.md', '# readme'],
    ['src/index.ts', 'export {};'],
    ['docs/.hidden.md', '# dotfiles are not matched'],
    ['docs/logo.md', 'PNG\u0000\u0001binary'],
    ['docs/assets/diagram.png', 'PNG\u0000\u0002image'],
  ];
  for (let i = 0; i < 12; i++) files.push([`docs/${i % 3 === 0 ? 'guides/' : ''}page-${i}.${i % 2 ? 'mdx' : 'md'}`, page(i)]);
  return files;
}

/** Blob contents GitHub served, over REST or inside GraphQL queries: the files ingestion read. */
const blobReads = (github: FakeGitHub) => github.blobsServed.count;
/** Every GitHub API call but installation-token requests (auth-app caches the token for an hour). */
const apiCalls = (github: FakeGitHub) =>
  [...github.routes].filter(([route]) => !route.includes('access_tokens')).reduce((sum, [, count]) => sum + count, 0);

/** Reindex through the ingestion reactor against the fake GitHub: what is fetched, what is indexed. */
describe('ingestion', () => {
  let app: TestApp;
  let github: FakeGitHub;
  let token: string;
  let repositoryId: string;
  const base = '/v1/orgs/ingest/repositories';
  let appEnv: { restore(): void };

  const reindex = async () => {
    const response = await app.request('POST', `${base}/${repositoryId}/reindex`, { token });
    expect(response.status).toBe(202);
    return response.body.jobId as string;
  };
  const documents = async () => {
    await app.runtime.checkpoints.waitFor('documents', await app.runtime.store.headPosition(), 10_000);
    return app.runtime.dataSource.query(
      `SELECT path, title, description, blob_sha, chunk_count FROM documents WHERE store_id LIKE '%\\_handbook' ORDER BY path`,
    );
  };

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.setInstallationRepositories(7, [repositoryPayload(4242, 'acme', 'docs')]);
    github.setRepository('acme', 'docs', { id: 4242, files: initialFiles() });
    appEnv = useGitHubAppEnv(github);
    app = await startTestApp({
      config: { githubApiUrl: github.url, githubWebhookSecret: WEBHOOK_SECRET },
      reactors: { pollIntervalMs: 200, settings: { batchSize: 5, progressIntervalMs: 0, maxTreeEntries: MAX_TREE_ENTRIES } },
    });
    token = await app.token({ org: 'ingest' });
    await ownInstallation(app, github, { token, userId: 'user_1', org: 'ingest', installationId: 7, owner: 'acme' });
    const connected = await app.request('POST', base, { token, body: { githubRepoId: '4242', githubInstallationId: '7' } });
    expect(connected.status).toBe(201);
    repositoryId = connected.body.repositoryId;
    await app.request('GET', `${base}/${repositoryId}?minPosition=${connected.body.position}`, { token });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await github?.close();
    appEnv?.restore();
  });

  it('indexes every matched file of the first reindex, with frontmatter titles, in batches with progress', async () => {
    const blobsBefore = blobReads(github);
    const callsBefore = apiCalls(github);
    const jobId = await reindex();
    const job = await waitForJob(app, jobId);
    expect(job).toMatchObject({ status: 'completed', trigger: 'manual' });
    expect(job.output).toMatchObject({
      storeSlug: 'handbook',
      configStatus: 'configured',
      filesMatched: 14,
      documentsIndexed: 12,
      documentsRemoved: 0,
      unchanged: 0,
      skippedBinary: 2,
      treeTruncated: false,
    });
    // One blob read per matched file plus the config; the dotfile, README and sources are never read,
    // nor is the image, known by its extension (the binary `logo.md` is only known once read).
    expect(blobReads(github) - blobsBefore).toBe(14);
    // The job counts its own calls: the commit, one recursive tree listing, the config blob, and one
    // GraphQL query per batch of 5 files (13 files: 3 queries).
    expect(job.output.githubCalls).toBe(apiCalls(github) - callsBefore);
    expect(apiCalls(github) - callsBefore).toBe(6);
    expect(github.routes.get('GET /repos/{owner}/{repo}/git/blobs/{file_sha}')).toBe(1);
    expect(job.progress).toMatchObject({ processed: 13, total: 13 });

    const rows = await documents();
    expect(rows).toHaveLength(12);
    expect(rows.find((r: any) => r.path === 'docs/guides/page-0.md')).toMatchObject({ title: 'Page 0', description: 'About page 0' });
    expect(rows.every((r: any) => r.chunk_count >= 1)).toBe(true);

    const repository = await app.request(
      'GET',
      `${base}/${repositoryId}?minPosition=${encodeURIComponent(await app.runtime.store.headPosition())}`,
      { token },
    );
    expect(repository.body).toMatchObject({ activeJobId: null, configStatus: 'configured', documentCount: 12 });
  });

  it('fetches nothing again when nothing changed', async () => {
    const blobsBefore = blobReads(github);
    const rowsBefore = await documents();
    const job = await waitForJob(app, await reindex());
    expect(job.output).toMatchObject({ documentsIndexed: 0, documentsRemoved: 0, unchanged: 12 });
    // The config, and the binary file (skipped, so not in the index to compare SHAs with).
    expect(blobReads(github) - blobsBefore).toBe(2);
    expect(await documents()).toEqual(rowsBefore);
  });

  it('fetches only changed and added files and removes deleted ones', async () => {
    github.updateRepositoryFiles('acme', 'docs', {
      upsert: { 'docs/page-1.mdx': '---\ntitle: Page one, rewritten\n---\nshort now', 'docs/new.md': '# New\n\nfresh text' },
      remove: ['docs/page-2.md'],
    });
    const blobsBefore = blobReads(github);
    const job = await waitForJob(app, await reindex());
    expect(job.output).toMatchObject({ documentsIndexed: 2, documentsRemoved: 1, unchanged: 10 });
    expect(blobReads(github) - blobsBefore).toBe(4); // the two files, the config and the binary file
    const rows = await documents();
    expect(rows.map((r: any) => r.path)).not.toContain('docs/page-2.md');
    expect(rows.find((r: any) => r.path === 'docs/page-1.mdx')).toMatchObject({ title: 'Page one, rewritten', chunk_count: 1 });
    expect(rows.find((r: any) => r.path === 'docs/new.md')).toMatchObject({ title: 'new' });
    const [{ stale }] = await app.runtime.dataSource.query(
      `SELECT count(*)::int AS stale FROM document_chunks c JOIN documents d ON d.id = c.document_id WHERE d.path = 'docs/page-1.mdx' AND c.chunk_index >= d.chunk_count`,
    );
    expect(stale).toBe(0);
  });

  it('records an invalid config and fails the job with its error, never leaving it running', async () => {
    github.updateRepositoryFiles('acme', 'docs', { upsert: { 'lightfast.yml': 'version: 2\nstore: Bad Slug\ninclude: []\n' } });
    const job = await waitForJob(app, await reindex());
    expect(job).toMatchObject({ status: 'failed', error_code: 'invalid_config' });
    expect(job.error_message).toMatch(/lightfast\.yml: version: must be 1/);
    const repository = await app.request(
      'GET',
      `${base}/${repositoryId}?minPosition=${encodeURIComponent(await app.runtime.store.headPosition())}`,
      { token },
    );
    expect(repository.body).toMatchObject({ configStatus: 'error', activeJobId: null });
    github.updateRepositoryFiles('acme', 'docs', { upsert: { 'lightfast.yml': CONFIG } });
  });

  it('fails a job whose lightfast.yml holds a catastrophic glob with invalid_config naming it, before compiling it', async () => {
    // Compiled and matched against the bait path, this glob would hold the event loop for hours (O(n^7)).
    const hostile = '*a*a*a*a*a*a*a*b';
    github.updateRepositoryFiles('acme', 'docs', {
      upsert: {
        'lightfast.yml': `version: 1\nstore: handbook\ninclude:\n  - docs/**/*.md\n  - "${hostile}"\n`,
        [`${'a'.repeat(200)}.md`]: 'bait',
      },
    });
    const job = await waitForJob(app, await reindex());
    expect(job).toMatchObject({ status: 'failed', error_code: 'invalid_config' });
    expect(job.error_message).toBe(`lightfast.yml: include[1] "${hostile}": more than 2 "*" in one path segment`);
    const repository = await app.request(
      'GET',
      `${base}/${repositoryId}?minPosition=${encodeURIComponent(await app.runtime.store.headPosition())}`,
      { token },
    );
    expect(repository.body).toMatchObject({ configStatus: 'error', activeJobId: null });
    github.updateRepositoryFiles('acme', 'docs', { upsert: { 'lightfast.yml': CONFIG }, remove: [`${'a'.repeat(200)}.md`] });
  });

  it('fails a job whose tree has more files than the cap with tree_too_large, naming the cap and its setting', async () => {
    const extra = Array.from({ length: MAX_TREE_ENTRIES }, (_, i) => `generated/file-${i}.txt`);
    github.updateRepositoryFiles('acme', 'docs', { upsert: Object.fromEntries(extra.map((path) => [path, path])) });
    const blobsBefore = blobReads(github);
    const job = await waitForJob(app, await reindex());
    expect(job).toMatchObject({ status: 'failed', error_code: 'tree_too_large' });
    expect(job.error_message).toBe(
      `The tree of acme/docs has more than ${MAX_TREE_ENTRIES} files: this deployment reads at most ${MAX_TREE_ENTRIES} entries per job (INGESTION_MAX_TREE_ENTRIES)`,
    );
    expect(blobReads(github) - blobsBefore).toBe(0); // not even the config was read
    github.updateRepositoryFiles('acme', 'docs', { remove: extra });
  });

  it('ingests what a push to the default branch changed, fetching only the changed file', async () => {
    const after = github.updateRepositoryFiles('acme', 'docs', {
      upsert: { 'docs/guides/page-3.mdx': '---\ntitle: Pushed page\n---\npushed words' },
    });
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: 'a'.repeat(40),
      after,
      repository: { id: 4242, name: 'docs', full_name: 'acme/docs', default_branch: 'main' },
      installation: { id: 7 },
      commits: [{ id: after, added: [], modified: ['docs/guides/page-3.mdx'], removed: [] }],
      head_commit: { timestamp: new Date().toISOString() },
    });
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await new Webhooks({ secret: WEBHOOK_SECRET }).sign(body),
    };
    const blobsBefore = blobReads(github);
    const pushed = await app.request('POST', '/v1/webhooks/github', { body, headers });
    expect(pushed.status).toBe(200);
    const job = await waitForJob(app, pushed.body.jobId);
    expect(job).toMatchObject({
      status: 'completed',
      trigger: 'webhook',
      output: expect.objectContaining({ commitSha: after, documentsIndexed: 1, documentsRemoved: 0 }),
    });
    // The changed file, the config and the binary file skipped earlier: nothing else is read.
    expect(blobReads(github) - blobsBefore).toBe(3);
    expect((await documents()).find((r: any) => r.path === 'docs/guides/page-3.mdx')).toMatchObject({ title: 'Pushed page' });
    // Each document's commit time is the last commit that changed its file: the pushed one for the
    // pushed file, an earlier one (the fake's commits are a second apart) for a file left alone since.
    const committed = new Map<string, Date>(
      (await app.runtime.dataSource.query(`SELECT path, committed_at FROM documents WHERE store_id LIKE '%\\_handbook'`)).map(
        (r: { path: string; committed_at: Date }) => [r.path, r.committed_at],
      ),
    );
    const pushedAt = committed.get('docs/guides/page-3.mdx')!.getTime();
    expect(pushedAt).toBe(Math.max(...[...committed.values()].map((d) => d.getTime())));
    expect(committed.get('docs/guides/page-0.md')!.getTime()).toBeLessThan(pushedAt);
  });

  it('runs the first sync of a repository resource connected to a workspace, indexing every matched file', async () => {
    // No lightfast.yml: the original's default globs (docs/**/*.md, docs/**/*.mdx, README.md) into store "docs".
    github.setRepository('acme', 'handbook', {
      id: 5151,
      files: [
        ['README.md', '# Handbook'],
        ['docs/a.md', 'alpha'],
        ['docs/b.mdx', 'beta'],
        ['notes/c.md', 'not matched'],
      ],
    });
    const integration = await connectGitHubIntegration(app, github, { userId: 'user_1', installationId: 7, owner: 'acme' });
    const resourceId = await registerRepositoryResource(app, token, integration.id, {
      installationId: 7,
      repoId: 5151,
      fullName: 'acme/handbook',
    });
    const workspace = await app.request('POST', '/v1/orgs/ingest/workspaces', { token, body: { name: 'handbook' } });
    expect(workspace.status).toBe(201);
    await app.request('GET', `/v1/orgs/ingest/workspaces/handbook?minPosition=${workspace.body.position}`, { token });
    const connected = await app.request('POST', '/v1/orgs/ingest/workspaces/handbook/integrations', { token, body: { resourceId } });
    expect(connected.status).toBe(201);

    // The sync's job id is not in the connection's answer: the reactor queues it a moment later.
    const jobId = await waitForReadModel(
      app,
      'jobs',
      async () =>
        (
          (await app.runtime.dataSource.query(`SELECT id FROM jobs WHERE workspace_id = $1`, [connected.body.workspaceId])) as Array<{
            id: string;
          }>
        )[0]?.id,
      'the initial sync job',
    );
    const job = await waitForJob(app, jobId);
    expect(job).toMatchObject({ status: 'completed', trigger: 'automatic', name: 'Repository Initial Sync: acme/handbook' });
    expect(job.output).toMatchObject({ storeSlug: 'docs', configStatus: 'unconfigured', filesMatched: 3, documentsIndexed: 3 });
    expect(job.input).toMatchObject({ source: 'initial-sync', deliveryId: `initial-sync-${resourceId}` });
    // The connection's sync status, as the original's `lastSyncStatus`: completed, with when.
    const head = encodeURIComponent(await app.runtime.store.headPosition());
    const connections = await app.request('GET', `/v1/orgs/ingest/workspaces/handbook/integrations?minPosition=${head}`, { token });
    expect(connections.body).toEqual([
      expect.objectContaining({ resourceId, lastSyncStatus: 'completed', lastSyncError: null, lastSyncedAt: expect.any(String) }),
    ]);

    // A push to the repository, connected only as a resource: its workspace's job ingests the changed file.
    const after = github.updateRepositoryFiles('acme', 'handbook', { upsert: { 'docs/a.md': 'alpha, pushed' } });
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      before: 'a'.repeat(40),
      after,
      repository: { id: 5151, name: 'handbook', full_name: 'acme/handbook', default_branch: 'main' },
      installation: { id: 7 },
      commits: [{ id: after, added: [], modified: ['docs/a.md'], removed: [] }],
      head_commit: { timestamp: new Date().toISOString() },
    });
    const pushed = await app.request('POST', '/v1/webhooks/github', {
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await new Webhooks({ secret: WEBHOOK_SECRET }).sign(body),
      },
    });
    expect(pushed).toMatchObject({ status: 200, body: { jobId: expect.any(String) } });
    const pushJob = await waitForJob(app, pushed.body.jobId);
    expect(pushJob).toMatchObject({
      status: 'completed',
      trigger: 'webhook',
      workspace_id: connected.body.workspaceId,
      repository_id: null,
    });
    expect(pushJob.output).toMatchObject({ commitSha: after, storeSlug: 'docs', documentsIndexed: 1, unchanged: 2 });
    await app.runtime.checkpoints.waitFor('documents', await app.runtime.store.headPosition(), 10_000);
    const rows: Array<{ path: string; content: string; committed_at: Date }> = await app.runtime.dataSource.query(
      'SELECT path, content, committed_at FROM documents WHERE workspace_id = $1 ORDER BY path',
      [connected.body.workspaceId],
    );
    expect(rows.map((r) => [r.path, r.content])).toEqual([
      ['README.md', '# Handbook'],
      ['docs/a.md', 'alpha, pushed'],
      ['docs/b.mdx', 'beta'],
    ]);
    expect(rows[1]!.committed_at.getTime()).toBeGreaterThan(rows[2]!.committed_at.getTime());
  });
});

/** Cancellation and crash recovery at a known point: a blob fetch held by the fake GitHub mid-job. */
describe('ingestion stopped mid-job', () => {
  let app: TestApp;
  let github: FakeGitHub;
  let token: string;
  let workspaceName: string;
  const base = '/v1/orgs/halt/repositories';
  let appEnv: { restore(): void };
  // Two files per batch (one GraphQL query), progress after every batch: the job's position is observable.
  const reactorSettings = { pollIntervalMs: 200, retryDelayMs: 0, settings: { batchSize: 2, progressIntervalMs: 0 } };
  const files = (prefix: string): Array<[string, string]> => [
    ['lightfast.yml', CONFIG],
    ...Array.from({ length: 7 }, (_, i): [string, string] => [`docs/${prefix}-${i}.md`, page(i)]),
  ];

  const connectAndReindex = async (githubRepoId: number, name: string) => {
    github.setRepository('acme', name, { id: githubRepoId, files: files(name) });
    const connected = await app.request('POST', base, { token, body: { githubRepoId: String(githubRepoId), githubInstallationId: '7' } });
    expect(connected.status).toBe(201);
    const reindex = await app.request('POST', `${base}/${connected.body.repositoryId}/reindex?minPosition=${connected.body.position}`, {
      token,
    });
    expect(reindex.status).toBe(202);
    return reindex.body.jobId as string;
  };
  /** Documents the job recorded, as the documents read model holds them once it has caught up. */
  const documentsOf = async (jobId: string) => {
    await app.runtime.checkpoints.waitFor('documents', await app.runtime.store.headPosition(), 10_000);
    return (await app.runtime.dataSource.query('SELECT path FROM documents WHERE job_id = $1 ORDER BY path', [jobId])).map(
      (r: { path: string }) => r.path,
    );
  };

  beforeAll(async () => {
    github = await startFakeGitHub();
    appEnv = useGitHubAppEnv(github);
    github.setInstallationRepositories(7, [repositoryPayload(6101, 'acme', 'cancel-me'), repositoryPayload(6102, 'acme', 'resume-me')]);
    app = await startTestApp({ config: { githubApiUrl: github.url } });
    token = await app.token({ org: 'halt' });
    const created = await app.request('POST', '/v1/orgs', { token, body: { slug: 'halt', name: 'Halt' } });
    expect(created.status).toBe(201);
    await ownInstallation(app, github, { token, userId: 'user_1', org: 'halt', installationId: 7, owner: 'acme' });
    workspaceName = created.body.defaultWorkspaceName;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await github?.close();
    appEnv?.restore();
  });

  it('stops a cancelled job between batches: what was recorded stays, nothing more is written', async () => {
    const reactors = await startReactors(app.runtime, reactorSettings);
    try {
      // The config blob and the first batch's query pass; the second batch's query is held.
      const gate = github.holdBlobs(2);
      const jobId = await connectAndReindex(6101, 'cancel-me');
      await gate.waitForHeld(1);
      await waitForJob(app, jobId, ['running'], 30_000).then(() =>
        waitForReadModel(
          app,
          'jobs',
          async () =>
            (await app.runtime.dataSource.query('SELECT progress FROM jobs WHERE id = $1', [jobId]))[0]?.progress?.processed >= 2
              ? true
              : undefined,
          'the first batch',
        ),
      );
      const cancelled = await app.request('POST', `/v1/orgs/halt/workspaces/${encodeURIComponent(workspaceName)}/jobs/${jobId}/cancel`, {
        token,
      });
      expect(cancelled.status).toBe(200);
      gate.release();

      const job = await waitForJob(app, jobId);
      expect(job.status).toBe('cancelled');
      expect(await documentsOf(jobId)).toEqual(['docs/cancel-me-0.md', 'docs/cancel-me-1.md']);
      // The repository is free again: a new reindex is accepted, and indexes the rest.
      await app.runtime.checkpoints.waitFor('repositories', await app.runtime.store.headPosition(), 10_000);
      const repository = (await app.runtime.dataSource.query(`SELECT id FROM repositories WHERE github_repo_id = '6101'`))[0];
      const again = await app.request('POST', `${base}/${repository.id}/reindex`, { token });
      expect(again.status).toBe(202);
      expect((await waitForJob(app, again.body.jobId)).output).toMatchObject({ documentsIndexed: 5, unchanged: 2 });
    } finally {
      await reactors.stop();
    }
  }, 30_000);

  it('resumes a job its reactor left running (stopped mid-job) without indexing any file twice', async () => {
    const first = await startReactors(app.runtime, reactorSettings);
    const gate = github.holdBlobs(2);
    const jobId = await connectAndReindex(6102, 'resume-me');
    await gate.waitForHeld(1);
    await waitForReadModel(
      app,
      'jobs',
      async () =>
        (await app.runtime.dataSource.query('SELECT progress FROM jobs WHERE id = $1', [jobId]))[0]?.progress?.processed >= 2
          ? true
          : undefined,
      'the first batch',
    );
    // Stopping aborts the job at its next step: the held fetch is answered, and the job stays running.
    const stopped = first.stop();
    gate.release();
    await stopped;
    expect((await app.runtime.dataSource.query('SELECT status FROM jobs WHERE id = $1', [jobId]))[0].status).toBe('running');
    expect(await documentsOf(jobId)).toEqual(['docs/resume-me-0.md', 'docs/resume-me-1.md']);

    const second = await startReactors(app.runtime, reactorSettings);
    try {
      const job = await waitForJob(app, jobId);
      expect(job).toMatchObject({ status: 'completed', output: expect.objectContaining({ documentsIndexed: 7, unchanged: 2 }) });
      expect(await documentsOf(jobId)).toEqual(Array.from({ length: 7 }, (_, i) => `docs/resume-me-${i}.md`));
      // Batches 0 (before the stop) and 1, 2 (after): numbered on, none recorded twice.
      const batches = await app.runtime.dataSource.query(
        `SELECT data->>'batch' AS batch FROM es_events WHERE stream_id = $1 ORDER BY data->>'batch'`,
        [`ingestion-${jobId}`],
      );
      expect(batches.map((b: { batch: string }) => b.batch)).toEqual(['0', '1', '2', '3']);
    } finally {
      await second.stop();
    }
  }, 30_000);

  it("cancels an initial sync between batches when its resource is disconnected from the workspace (the original's cancelOn)", async () => {
    const reactors = await startReactors(app.runtime, reactorSettings);
    try {
      github.setRepository('acme', 'sync-me', { id: 6103, files: files('sync-me') });
      const integration = await connectGitHubIntegration(app, github, { userId: 'user_1', installationId: 7, owner: 'acme' });
      const resourceId = await registerRepositoryResource(app, token, integration.id, {
        installationId: 7,
        repoId: 6103,
        fullName: 'acme/sync-me',
      });
      const workspace = await app.request('POST', '/v1/orgs/halt/workspaces', { token, body: { name: 'sync-ws' } });
      const gate = github.holdBlobs(2);
      const connected = await app.request('POST', `/v1/orgs/halt/workspaces/sync-ws/integrations?minPosition=${workspace.body.position}`, {
        token,
        body: { resourceId },
      });
      expect(connected.status).toBe(201);
      const jobId = await waitForReadModel(
        app,
        'jobs',
        async () =>
          (
            (await app.runtime.dataSource.query(`SELECT id FROM jobs WHERE workspace_id = $1 AND (progress->>'processed')::int >= 2`, [
              connected.body.workspaceId,
            ])) as Array<{ id: string }>
          )[0]?.id,
        'the first batch of the initial sync',
      );
      await gate.waitForHeld(1);

      const disconnected = await app.request('DELETE', `/v1/orgs/halt/workspaces/sync-ws/integrations/${resourceId}`, { token });
      expect(disconnected.status).toBe(200);
      gate.release();

      expect((await waitForJob(app, jobId)).status).toBe('cancelled');
      expect(await documentsOf(jobId)).toEqual(['docs/sync-me-0.md', 'docs/sync-me-1.md']);
    } finally {
      await reactors.stop();
    }
  }, 30_000);
});
