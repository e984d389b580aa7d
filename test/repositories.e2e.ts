import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from './support/app.js';
import { type FakeGitHub, repositoryPayload, startFakeGitHub, useGitHubAppEnv } from '#testing';
import { connectGitHubIntegration, ownInstallation } from './support/github-integration.js';

/** Repositories over HTTP: connect/reactivate, list, get, config detection against the fake GitHub, reindex. */
describe('repositories over HTTP', () => {
  let app: TestApp;
  let github: FakeGitHub;
  let token: string;
  let otherToken: string;
  let repositoryId: string;
  let position: string;
  let firstJobId: string;
  const base = '/v1/orgs/repos/repositories';
  let appEnv: { restore(): void };

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.setInstallationRepositories(7, [repositoryPayload(4242, 'acme', 'docs'), repositoryPayload(4343, 'acme', 'site')]);
    github.setRepositoryFiles('acme/docs', {
      'README.md': '# docs',
      'docs/intro.mdx': 'hi',
      '.lightfast.yaml': 'version: 1\nstore: docs-site\ninclude:\n  - docs/**/*.mdx\n',
    });
    github.setRepositoryFiles('acme/site', { 'README.md': '# site' });
    appEnv = useGitHubAppEnv(github);
    app = await startTestApp({ config: { githubApiUrl: github.url } });
    token = await app.token({ org: 'repos' });
    otherToken = await app.token({ userId: 'user_2', org: 'other' });
    await ownInstallation(app, github, { token, userId: 'user_1', org: 'repos', installationId: 7, owner: 'acme' });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await github?.close();
    appEnv?.restore();
  });

  it('connects a repository into the default workspace, lists and gets it', async () => {
    const connected = await app.request('POST', base, { token, body: { githubRepoId: '4242', githubInstallationId: '7' } });
    expect(connected.status).toBe(201);
    expect(connected.body).toMatchObject({
      repositoryId: expect.any(String),
      reactivated: false,
      workspaceId: expect.any(String),
      position: expect.any(String),
    });
    repositoryId = connected.body.repositoryId;
    position = connected.body.position;

    const again = await app.request('POST', base, { token, body: { githubRepoId: '4242', githubInstallationId: '7' } });
    expect(again.status).toBe(409);

    const list = await app.request('GET', `${base}?minPosition=${position}`, { token });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(1);
    expect(list.body[0]).toMatchObject({
      id: repositoryId,
      githubRepoId: '4242',
      isActive: true,
      configStatus: 'pending',
      metadata: { fullName: 'acme/docs' },
    });

    const got = await app.request('GET', `${base}/${repositoryId}?minPosition=${position}`, { token });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: repositoryId, documentCount: 0, activeJobId: null });
  });

  it('answers 404 for another organization’s repository', async () => {
    expect(
      (await app.request('GET', `/v1/orgs/other/repositories/${repositoryId}?minPosition=${position}`, { token: otherToken })).status,
    ).toBe(404);
    expect(
      (await app.request('POST', `/v1/orgs/other/repositories/${repositoryId}/reindex?minPosition=${position}`, { token: otherToken }))
        .status,
    ).toBe(404);
    expect((await app.request('GET', `${base}/no-such-id?minPosition=${position}`, { token })).status).toBe(404);
  });

  it('merges a metadata update into the repository’s metadata (admins), keeping GitHub’s keys', async () => {
    const first = await app.request('PATCH', `${base}/${repositoryId}?minPosition=${position}`, {
      token,
      body: { metadata: { extras: { team: 'docs' }, stargazersCount: 3 } },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      success: true,
      metadata: expect.objectContaining({ fullName: 'acme/docs', extras: { team: 'docs' }, stargazersCount: 3 }),
      position: expect.stringMatching(/^\d+\/\d+$/),
    });
    // A second update merges over the first: keys not named stay, named ones are replaced.
    const second = await app.request('PATCH', `${base}/${repositoryId}`, {
      token,
      body: { metadata: { stargazersCount: 4, topic: null } },
    });
    expect(second.status).toBe(200);
    const got = await app.request('GET', `${base}/${repositoryId}?minPosition=${second.body.position}`, { token });
    expect(got.body.metadata).toEqual({ ...second.body.metadata });
    expect(got.body.metadata).toMatchObject({ fullName: 'acme/docs', extras: { team: 'docs' }, stargazersCount: 4, topic: null });
    // The same values again change nothing.
    const same = await app.withoutAppending(() =>
      app.request('PATCH', `${base}/${repositoryId}`, { token, body: { metadata: { stargazersCount: 4 } } }),
    );
    expect(same.body).toMatchObject({ success: true, metadata: got.body.metadata });
  });

  it('refuses a metadata update from a member, another organization or for an unknown repository, appending nothing', async () => {
    const member = await app.token({ userId: 'user_3', org: 'repos', role: 'member' });
    const body = { metadata: { extras: { team: 'x' } } };
    await app.withoutAppending(async () => {
      expect(await app.request('PATCH', `${base}/${repositoryId}`, { token: member, body })).toMatchObject({
        status: 403,
        body: { error: { code: 'forbidden' } },
      });
      // Another organization names this organization's repository: its own organization has none by that id.
      expect(await app.request('PATCH', `/v1/orgs/other/repositories/${repositoryId}`, { token: otherToken, body })).toMatchObject({
        status: 404,
      });
      // Or asks in this organization, which it is not a member of.
      expect(await app.request('PATCH', `${base}/${repositoryId}`, { token: otherToken, body })).toMatchObject({ status: 403 });
      expect(await app.request('PATCH', `${base}/no-such-id`, { token, body })).toMatchObject({ status: 404 });
    });
  });

  it.each<[string, unknown, string]>([
    ['no metadata', {}, 'metadata'],
    ['metadata that is not an object', { metadata: 'x' }, 'metadata'],
    ['empty metadata', { metadata: {} }, 'metadata'],
    ['GitHub’s full name', { metadata: { fullName: 'evil/repo' } }, 'metadata.fullName'],
    ['GitHub’s default branch', { metadata: { defaultBranch: 'other' } }, 'metadata.defaultBranch'],
    ['the deletion mark', { metadata: { deleted: true } }, 'metadata.deleted'],
    ['a key with a space', { metadata: { 'a b': 1 } }, 'metadata.a b'],
    ['an unknown property', { metadata: { a: 1 }, name: 'x' }, 'name'],
  ])('refuses a metadata update with %s (400 naming the field), appending nothing', async (_, body, field) => {
    const response = await app.withoutAppending(() => app.request('PATCH', `${base}/${repositoryId}`, { token, body }));
    expect({ status: response.status, code: response.body.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
    expect(response.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('detects the config with exactly two GitHub requests: the root listing and the file', async () => {
    const before = countRepoRequests(github);
    const detected = await app.request('POST', `${base}/${repositoryId}/detect-config?minPosition=${position}`, { token });
    expect(detected.status).toBe(200);
    expect(detected.body).toMatchObject({
      exists: true,
      path: '.lightfast.yaml',
      status: 'configured',
      config: { version: 1, store: 'docs-site', include: ['docs/**/*.mdx'] },
      error: null,
    });
    expect(countRepoRequests(github) - before).toBe(2);
    const got = await app.request('GET', `${base}/${repositoryId}?minPosition=${detected.body.position}`, { token });
    expect(got.body).toMatchObject({ configStatus: 'configured', configPath: '.lightfast.yaml' });
  });

  it('records an unconfigured repository after one listing', async () => {
    const site = await app.request('POST', base, { token, body: { githubRepoId: '4343', githubInstallationId: '7' } });
    const before = countRepoRequests(github);
    const detected = await app.request('POST', `${base}/${site.body.repositoryId}/detect-config?minPosition=${site.body.position}`, {
      token,
    });
    expect(detected.body).toMatchObject({ exists: false, path: null, status: 'unconfigured' });
    expect(countRepoRequests(github) - before).toBe(1);
  });

  it('answers a reindex with 202 at once, then 409 while the job is queued; the job is listed', async () => {
    const first = await app.request('POST', `${base}/${repositoryId}/reindex`, { token });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ jobId: expect.any(String), position: expect.any(String) });
    firstJobId = first.body.jobId;

    const second = await app.request('POST', `${base}/${repositoryId}/reindex`, { token });
    expect(second.status).toBe(409);

    // A retry of the first request (same Idempotency-Key) is not a second reindex.
    const keyed = await app.request('POST', `${base}/${repositoryId}/reindex`, {
      token: await app.token({ org: 'repos' }),
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(keyed.status).toBe(409);

    const workspaces = await app.request('GET', `/v1/orgs/repos/workspaces?minPosition=${first.body.position}`, { token });
    const ws = workspaces.body.find((w: { id: string }) => w.id === first.body.workspaceId);
    const jobs = await app.request(
      'GET',
      `/v1/orgs/repos/workspaces/${ws.name}/jobs?repositoryId=${repositoryId}&minPosition=${first.body.position}`,
      { token },
    );
    expect(jobs.status).toBe(200);
    const items = jobs.body.items ?? jobs.body.jobs ?? jobs.body;
    expect(items).toEqual([
      expect.objectContaining({
        id: first.body.jobId,
        status: 'queued',
        trigger: 'manual',
        name: 'Docs Ingestion: acme/docs',
        repositoryId,
      }),
    ]);
  });

  it('allows a new reindex once the job ended (read from the job stream)', async () => {
    const ws = (await app.request('GET', '/v1/orgs/repos/workspaces', { token })).body[0].name;
    const cancelled = await app.request('POST', `/v1/orgs/repos/workspaces/${ws}/jobs/${firstJobId}/cancel`, { token });
    expect(cancelled.status).toBe(200);
    const again = await app.request('POST', `${base}/${repositoryId}/reindex`, { token, headers: { 'idempotency-key': 'after-cancel' } });
    expect(again.status).toBe(202);
    const retried = await app.request('POST', `${base}/${repositoryId}/reindex`, { token, headers: { 'idempotency-key': 'after-cancel' } });
    expect(retried.status).toBe(202);
    expect(retried.body.jobId).toBe(again.body.jobId);
  });
  it("lists an installation's repositories (every page, then from the cache) and reads a repository's config, through the caller's own integration", async () => {
    const integration = await connectGitHubIntegration(app, github, { userId: 'user_1', installationId: 7, owner: 'acme' });
    const installationBase = `/v1/me/integrations/${integration.id}/installations/7/repositories`;
    // Read with the user's own token: GitHub shows them only what they may see.
    const listings = () => github.requests.get('GET /user/installations/7/repositories') ?? 0;
    const userRoute = () => github.routes.get('GET /user/installations/{installation_id}/repositories') ?? 0;
    const appListings = () => github.requests.get('GET /installation/repositories') ?? 0;
    const before = listings();
    const [userRouteBefore, appListingsBefore] = [userRoute(), appListings()];

    const list = await app.request('GET', `${installationBase}?minPosition=${integration.position}`, { token });
    expect(list.status).toBe(200);
    expect(list.body.map((r: { fullName: string }) => r.fullName)).toEqual(['acme/docs', 'acme/site']);
    expect(list.body[0]).toMatchObject({
      id: '4242',
      name: 'docs',
      owner: 'acme',
      defaultBranch: 'main',
      isArchived: false,
      url: expect.stringContaining('acme/docs'),
    });
    expect(listings() - before).toBe(1);
    expect((await app.request('GET', installationBase, { token })).body).toEqual(list.body);
    expect(listings() - before).toBe(1); // the second answer came from the cache
    // Never the App's own listing (`GET /installation/repositories`), which would show every repository of the installation.
    expect([userRoute() - userRouteBefore, appListings() - appListingsBefore]).toEqual([1, 0]);

    const config = await app.request('GET', `${installationBase}/acme/docs/config`, { token });
    expect(config).toMatchObject({
      status: 200,
      body: {
        exists: true,
        path: '.lightfast.yaml',
        content: expect.stringContaining('store: docs-site'),
        sha: expect.stringMatching(/^[0-9a-f]{40}$/),
      },
    });
    expect((await app.request('GET', `${installationBase}/acme/site/config?ref=main`, { token })).body).toEqual({ exists: false });
    expect((await app.request('GET', `${installationBase}/acme/docs/config?ref=${encodeURIComponent('main; rm')}`, { token })).status).toBe(
      400,
    );
    // Another user's integration, and an installation the integration does not list: not found.
    expect((await app.request('GET', installationBase, { token: otherToken })).status).toBe(404);
    expect((await app.request('GET', `/v1/me/integrations/${integration.id}/installations/8/repositories`, { token })).status).toBe(404);
  });
});

function countRepoRequests(github: FakeGitHub): number {
  let total = 0;
  for (const [key, count] of github.requests) if (key.startsWith('GET /repos/')) total += count;
  return total;
}
