import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { OctokitInstallationsSource } from '#integrations';
import { GitHubIntegrationService } from '../apps/api/src/integrations/github-integration.service.js';
import { startTestApp, type TestApp } from './support/app.js';
import { installationPayload, repositoryPayload, startFakeGitHub, type FakeGitHub } from './support/fake-github.js';
import { waitForJob, waitForReadModel } from './support/wait-for-job.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

const CONFIG = 'version: 1\nstore: handbook\ninclude:\n  - docs/**/*.md\n  - docs/**/*.mdx\n';
const page = (i: number) => `---\ntitle: Page ${i}\ndescription: About page ${i}\n---\n# Page ${i}\n\n${`Words about topic${i} and the shared subject. `.repeat(40 + i)}`;

function initialFiles(): Array<[string, string]> {
  const files: Array<[string, string]> = [['lightfast.yml', CONFIG], ['README.md', '# readme'], ['src/index.ts', 'export {};'], ['docs/.hidden.md', '# dotfiles are not matched'], ['docs/logo.md', 'PNG\u0000\u0001binary']];
  for (let i = 0; i < 12; i++) files.push([`docs/${i % 3 === 0 ? 'guides/' : ''}page-${i}.${i % 2 ? 'mdx' : 'md'}`, page(i)]);
  return files;
}

const blobReads = (github: FakeGitHub) => github.routes.get('GET /repos/{owner}/{repo}/git/blobs/{file_sha}') ?? 0;
/** Every GitHub API call but installation-token requests (auth-app caches the token for an hour). */
const apiCalls = (github: FakeGitHub) => [...github.routes].filter(([route]) => !route.includes('access_tokens')).reduce((sum, [, count]) => sum + count, 0);

/** Reindex through the ingestion reactor against the fake GitHub: what is fetched, what is indexed. */
describe('ingestion', () => {
  let app: TestApp;
  let github: FakeGitHub;
  let token: string;
  let repositoryId: string;
  const base = '/v1/orgs/ingest/repositories';
  const saved = { id: process.env.GITHUB_APP_ID, key: process.env.GITHUB_APP_PRIVATE_KEY };

  const reindex = async () => {
    const response = await app.request('POST', `${base}/${repositoryId}/reindex`, { token });
    expect(response.status).toBe(202);
    return response.body.jobId as string;
  };
  const documents = async () => {
    await app.runtime.checkpoints.waitFor('documents', await app.runtime.store.headPosition(), 10_000);
    return app.runtime.dataSource.query(`SELECT path, title, description, blob_sha, chunk_count FROM documents WHERE store_id LIKE '%\\_handbook' ORDER BY path`);
  };

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.setApp({ appId: '99', publicKey });
    github.setInstallationRepositories(7, [repositoryPayload(4242, 'acme', 'docs')]);
    github.setRepository('acme', 'docs', { id: 4242, files: initialFiles() });
    process.env.GITHUB_APP_ID = '99';
    process.env.GITHUB_APP_PRIVATE_KEY = privateKey;
    app = await startTestApp({ config: { githubApiUrl: github.url }, reactors: { pollIntervalMs: 200, settings: { batchSize: 5, progressIntervalMs: 0 } } });
    token = await app.token({ org: 'ingest' });
    const connected = await app.request('POST', base, { token, body: { githubRepoId: '4242', githubInstallationId: '7', metadata: { fullName: 'acme/docs', defaultBranch: 'main' } } });
    expect(connected.status).toBe(201);
    repositoryId = connected.body.repositoryId;
    await app.request('GET', `${base}/${repositoryId}?minPosition=${connected.body.position}`, { token });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await github?.close();
    process.env.GITHUB_APP_ID = saved.id;
    process.env.GITHUB_APP_PRIVATE_KEY = saved.key;
    if (saved.id === undefined) delete process.env.GITHUB_APP_ID;
    if (saved.key === undefined) delete process.env.GITHUB_APP_PRIVATE_KEY;
  });

  it('indexes every matched file of the first reindex, with frontmatter titles, in batches with progress', async () => {
    const blobsBefore = blobReads(github);
    const callsBefore = apiCalls(github);
    const jobId = await reindex();
    const job = await waitForJob(app, jobId);
    expect(job).toMatchObject({ status: 'completed', trigger: 'manual' });
    expect(job.output).toMatchObject({ storeSlug: 'handbook', configStatus: 'configured', filesMatched: 13, documentsIndexed: 12, documentsRemoved: 0, unchanged: 0, skippedBinary: 1, treeTruncated: false });
    // One blob read per matched file plus the config; the dotfile, README and sources are never read.
    expect(blobReads(github) - blobsBefore).toBe(14);
    // The job counts its own calls: the blobs, the commit and one recursive tree listing.
    expect(job.output.githubCalls).toBe(apiCalls(github) - callsBefore);
    expect(apiCalls(github) - callsBefore).toBe(16);
    expect(job.progress).toMatchObject({ processed: 13, total: 13 });

    const rows = await documents();
    expect(rows).toHaveLength(12);
    expect(rows.find((r: any) => r.path === 'docs/guides/page-0.md')).toMatchObject({ title: 'Page 0', description: 'About page 0' });
    expect(rows.every((r: any) => r.chunk_count >= 1)).toBe(true);

    const repository = await app.request('GET', `${base}/${repositoryId}?minPosition=${encodeURIComponent(await app.runtime.store.headPosition())}`, { token });
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
    github.updateRepositoryFiles('acme', 'docs', { upsert: { 'docs/page-1.mdx': '---\ntitle: Page one, rewritten\n---\nshort now', 'docs/new.md': '# New\n\nfresh text' }, remove: ['docs/page-2.md'] });
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
    const repository = await app.request('GET', `${base}/${repositoryId}?minPosition=${encodeURIComponent(await app.runtime.store.headPosition())}`, { token });
    expect(repository.body).toMatchObject({ configStatus: 'error', activeJobId: null });
    github.updateRepositoryFiles('acme', 'docs', { upsert: { 'lightfast.yml': CONFIG } });
  });

  it('runs the first sync of a repository resource connected to a workspace, indexing every matched file', async () => {
    // No lightfast.yml: the original's default globs (docs/**/*.md, docs/**/*.mdx, README.md) into store "docs".
    github.setRepository('acme', 'handbook', { id: 5151, files: [['README.md', '# Handbook'], ['docs/a.md', 'alpha'], ['docs/b.mdx', 'beta'], ['notes/c.md', 'not matched']] });
    const userToken = `gho_${randomUUID().replaceAll('-', '')}`;
    github.setInstallations(userToken, [installationPayload(7, 'acme')]);
    const source = new OctokitInstallationsSource({ baseUrl: github.url });
    const integration = await new GitHubIntegrationService(app.runtime, source).storeOAuthResult(
      'user_1',
      { accessToken: userToken, scopes: [], installations: await source.listUserInstallations(userToken) },
      { commandId: randomUUID(), userId: 'user_1' },
    );
    const resources = await app.request('POST', `/v1/me/integrations/${integration.id}/resources`, {
      token,
      body: { resources: [{ installationId: 7, repoId: 5151, repoName: 'handbook', repoFullName: 'acme/handbook', defaultBranch: 'main', isPrivate: false, isArchived: false }] },
    });
    expect(resources.status).toBe(201);
    const workspace = await app.request('POST', '/v1/orgs/ingest/workspaces', { token, body: { name: 'handbook' } });
    expect(workspace.status).toBe(201);
    await app.request('GET', `/v1/orgs/ingest/workspaces/handbook?minPosition=${workspace.body.position}`, { token });
    const connected = await app.request('POST', '/v1/orgs/ingest/workspaces/handbook/integrations', { token, body: { resourceId: resources.body.resources[0].id } });
    expect(connected.status).toBe(201);

    // The sync's job id is not in the connection's answer: the reactor queues it a moment later.
    const jobId = await waitForReadModel(
      app,
      'jobs',
      async () => ((await app.runtime.dataSource.query(`SELECT id FROM jobs WHERE workspace_id = $1`, [connected.body.workspaceId])) as Array<{ id: string }>)[0]?.id,
      'the initial sync job',
    );
    const job = await waitForJob(app, jobId);
    expect(job).toMatchObject({ status: 'completed', trigger: 'automatic', name: 'Repository Initial Sync: acme/handbook' });
    expect(job.output).toMatchObject({ storeSlug: 'docs', configStatus: 'unconfigured', filesMatched: 3, documentsIndexed: 3 });
    expect(job.input).toMatchObject({ source: 'initial-sync', deliveryId: `initial-sync-${resources.body.resources[0].id}` });
  });
});
