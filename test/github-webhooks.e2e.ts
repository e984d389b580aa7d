import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhooks } from '@octokit/webhooks';
import { randomBytes, randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from './support/app.js';
import { type FakeGitHub, repositoryPayload, startFakeGitHub, useGitHubAppEnv } from '#testing';
import { connectGitHubIntegration, ownInstallation, registerRepositoryResource } from './support/github-integration.js';

const SECRET = randomBytes(20).toString('hex');
const ORG = 'hooks';
const base = `/v1/orgs/${ORG}/repositories`;
const CONFIG = 'version: 1\nstore: handbook\ninclude:\n  - docs/**/*.md\n';

/** The payload of a push of `commits` to `branch` of a repository payload. */
function pushPayload(
  repo: { id: number; full_name: string; default_branch: string },
  branch: string,
  commits: { added?: string[]; modified?: string[]; removed?: string[] }[],
  after = 'b'.repeat(40),
) {
  return {
    ref: `refs/heads/${branch}`,
    before: 'a'.repeat(40),
    after,
    repository: { id: repo.id, full_name: repo.full_name, default_branch: repo.default_branch, name: repo.full_name.split('/')[1] },
    installation: { id: 7 },
    commits: commits.map((c, i) => ({
      id: String(i).repeat(40),
      added: c.added ?? [],
      modified: c.modified ?? [],
      removed: c.removed ?? [],
    })),
    head_commit: { timestamp: '2026-11-26T10:00:00Z' },
  };
}

/** GitHub webhooks over HTTP: signatures, de-duplication, pushes queueing ingestion, repository lifecycle. */
describe('GitHub webhooks', () => {
  let app: TestApp;
  let github: FakeGitHub;
  let token: string;
  let workspace: string;
  const repos = {
    docs: repositoryPayload(4242, 'acme', 'docs'),
    site: repositoryPayload(4343, 'acme', 'site'),
    wiki: repositoryPayload(4444, 'acme', 'wiki'),
    other: repositoryPayload(5151, 'beta', 'other'),
    lone: repositoryPayload(5252, 'beta', 'lone'),
  };
  const ids: Record<string, string> = {};
  let appEnv: { restore(): void };

  async function deliver(
    event: string | undefined,
    payload: unknown,
    options: { deliveryId?: string | null; secret?: string; body?: string; signature?: string | null } = {},
  ) {
    const body = options.body ?? JSON.stringify(payload);
    const signature =
      options.signature === undefined ? await new Webhooks({ secret: options.secret ?? SECRET }).sign(body) : options.signature;
    const deliveryId = options.deliveryId === undefined ? randomUUID() : options.deliveryId;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (event !== undefined) headers['x-github-event'] = event;
    if (deliveryId !== null) headers['x-github-delivery'] = deliveryId;
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    return app.request('POST', '/v1/webhooks/github', { body, headers });
  }

  /** Runs `send` and asserts the store's head did not move. */
  async function withoutAppending<T>(send: () => Promise<T>): Promise<T> {
    const before = await app.runtime.store.headPosition();
    const result = await send();
    expect(await app.runtime.store.headPosition()).toBe(before);
    return result;
  }

  const repository = async (name: keyof typeof repos, position: string) =>
    (await app.request('GET', `${base}/${ids[name]}?minPosition=${position}`, { token })).body;
  const jobsOf = async (name: keyof typeof repos, position: string) =>
    (await app.request('GET', `/v1/orgs/${ORG}/workspaces/${workspace}/jobs?repositoryId=${ids[name]}&minPosition=${position}`, { token }))
      .body.items;

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.setInstallationRepositories(7, [repos.docs, repos.site, repos.wiki]);
    github.setInstallationRepositories(8, [repos.other, repos.lone]);
    github.setRepositoryFiles('acme/docs', { 'README.md': '# docs', 'docs/intro.md': 'hi' });
    appEnv = useGitHubAppEnv(github);
    app = await startTestApp({ config: { githubApiUrl: github.url, githubWebhookSecret: SECRET } });
    token = await app.token({ org: ORG });
    // The organization owns both installations, each bound on its member's GitHub token; the
    // member's token (which lists one installation at a time here) must see each repository.
    let position = '';
    for (const [installationId, owner] of [
      [7, 'acme'],
      [8, 'beta'],
    ] as const) {
      await ownInstallation(app, github, { token, userId: 'user_1', org: ORG, installationId, owner });
      for (const [name, repo] of Object.entries(repos).filter(([, r]) => (r.id > 5000 ? 8 : 7) === installationId)) {
        const installation = String(installationId);
        const connected = await app.request('POST', base, {
          token,
          body: { githubRepoId: String(repo.id), githubInstallationId: installation },
        });
        expect(connected.status).toBe(201);
        ids[name as keyof typeof repos] = connected.body.repositoryId;
        position = connected.body.position;
      }
    }
    const workspaces = await app.request('GET', `/v1/orgs/${ORG}/workspaces?minPosition=${position}`, { token });
    workspace = workspaces.body[0].name;
    // The installation-wide webhook finds repositories through the read model: let it catch up.
    expect((await app.request('GET', `${base}?minPosition=${position}`, { token })).body).toHaveLength(5);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await github?.close();
    appEnv?.restore();
  });

  it('refuses unsigned, wrongly signed and tampered deliveries with 401, appending nothing', async () => {
    const payload = pushPayload(repos.docs, 'main', [{ modified: ['docs/intro.md'] }]);
    const body = JSON.stringify(payload);
    const refused = await withoutAppending(async () => [
      await deliver('push', payload, { signature: null }),
      await deliver('push', payload, { signature: 'sha256=' + '0'.repeat(64) }),
      await deliver('push', payload, { signature: 'garbage' }),
      await deliver('push', payload, { secret: 'another-secret' }),
      await deliver('push', undefined, {
        body: body.replace('docs/intro.md', 'docs/evil.md'),
        signature: await new Webhooks({ secret: SECRET }).sign(body),
      }),
    ]);
    expect(refused.map((r) => [r.status, r.body.error.code])).toEqual(Array(refused.length).fill([401, 'unauthenticated']));
    expect(refused[0]!.body.error.message).toContain('x-hub-signature-256');
  });

  it('answers 400 naming the missing header, the unparsable body or the payload field, appending nothing', async () => {
    const payload = pushPayload(repos.docs, 'main', [{ modified: ['docs/intro.md'] }]);
    const [noEvent, noDelivery, badDelivery, notJson, notObject, noRepoId, badCommits] = await withoutAppending(async () => [
      await deliver(undefined, payload),
      await deliver('push', payload, { deliveryId: null }),
      await deliver('push', payload, { deliveryId: 'has spaces/and slashes' }),
      await deliver('push', undefined, { body: '{"ref": "refs/heads/main",' }),
      await deliver('push', [payload]),
      await deliver('push', { ...payload, repository: { ...payload.repository, id: undefined } }),
      await deliver('push', { ...payload, commits: [{ added: 'docs/a.md' }] }),
    ]);
    expect(noEvent).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringContaining('x-github-event') } },
    });
    expect(noDelivery).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('x-github-delivery') } } });
    expect(badDelivery).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('x-github-delivery') } } });
    expect(notJson.status).toBe(400);
    expect(notObject).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('payload') } } });
    expect(noRepoId).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('payload.repository.id') } } });
    expect(badCommits).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining('payload.commits[0].added') } } });
  });

  it('queues exactly one ingestion job for a push to the default branch; a redelivery queues no second', async () => {
    const deliveryId = randomUUID();
    const payload = pushPayload(repos.docs, 'main', [{ added: ['docs/a.md'], modified: ['docs/intro.md'] }, { removed: ['docs/a.md'] }]);
    const pushed = await deliver('push', payload, { deliveryId });
    expect(pushed).toMatchObject({
      status: 200,
      body: {
        received: true,
        deliveryId,
        event: 'push',
        jobId: expect.any(String),
        changedFileCount: 2,
        configStatus: null,
        position: expect.any(String),
      },
    });
    expect(pushed.body.duplicate).toBeUndefined();

    const jobs = await jobsOf('docs', pushed.body.position);
    expect(jobs).toEqual([
      expect.objectContaining({
        id: pushed.body.jobId,
        name: 'Docs Ingestion: acme/docs',
        trigger: 'webhook',
        repositoryId: ids.docs,
        input: expect.objectContaining({
          kind: 'docs-ingestion',
          source: 'github-webhook',
          ref: 'main',
          afterSha: 'b'.repeat(40),
          deliveryId,
          changedFileCount: 2,
          githubRepoId: '4242',
          githubInstallationId: '7',
          repoFullName: 'acme/docs',
          fallbackStore: null,
        }),
      }),
    ]);

    const again = await withoutAppending(() => deliver('push', payload, { deliveryId }));
    expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true, position: pushed.body.position } });
    expect(await jobsOf('docs', pushed.body.position)).toHaveLength(1);
  });

  it('queues one job when the same delivery arrives twice at once (acting replays by command id, the delivery is recorded once)', async () => {
    const deliveryId = randomUUID();
    const payload = pushPayload(repos.site, 'main', [{ modified: ['README.md'] }]);
    const answers = await Promise.all([deliver('push', payload, { deliveryId }), deliver('push', payload, { deliveryId })]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const jobIds = new Set(answers.map((a) => a.body.jobId).filter(Boolean));
    expect(jobIds.size).toBe(1);
    const position = answers
      .map((a) => a.body.position as string)
      .sort(app.runtime.store.comparePositions)
      .at(-1)!;
    expect((await jobsOf('site', position)).map((j: { id: string }) => j.id)).toEqual([...jobIds]);
    const delivery = await app.runtime.store.readStream(`github-delivery-${deliveryId}`);
    expect(delivery.map((e) => e.type)).toEqual(['GitHubDeliveryReceived']);
  });

  it('ignores pushes to other branches, of unknown repositories, without changed files, and unhandled events, appending nothing', async () => {
    const answers = await withoutAppending(async () => [
      await deliver('push', pushPayload(repos.docs, 'feature/x', [{ modified: ['docs/intro.md'] }])),
      await deliver('push', pushPayload(repositoryPayload(999, 'acme', 'unknown'), 'main', [{ modified: ['docs/intro.md'] }])),
      await deliver('push', pushPayload(repos.docs, 'main', [])),
      await deliver('ping', { zen: 'Keep it logically awesome.', hook_id: 1 }),
      await deliver('repository', { action: 'archived', repository: { id: repos.docs.id, full_name: 'acme/docs' } }),
      await deliver('issues', { action: 'opened' }),
    ]);
    expect(answers.map((a) => [a.status, a.body.ignored])).toEqual([
      [200, 'not_default_branch'],
      [200, 'unknown_repository'],
      [200, 'no_changed_files'],
      [200, 'unhandled_event'],
      [200, 'unhandled_event'],
      [200, 'unhandled_event'],
    ]);
    expect(answers.every((a) => a.body.received === true)).toBe(true);
  });

  it("ignores a push naming an installation the repository was not connected through (unbound, another organization's, none), appending nothing", async () => {
    // Another organization owns installation 9 (its member's GitHub token lists it); acme/docs is this organization's, connected through 7.
    github.setInstallationRepositories(9, [repositoryPayload(6161, 'gamma', 'mine')]);
    const rivalToken = await app.token({ userId: 'user_2', org: 'rival' });
    const { boundPosition } = await ownInstallation(app, github, {
      token: rivalToken,
      userId: 'user_2',
      org: 'rival',
      installationId: 9,
      owner: 'gamma',
    });
    // Routing finds owners through the read model: once it has the binding, installation 9 has an owner, just not this repository's.
    expect(
      (
        await app.request('GET', `/v1/orgs/rival/github/installations?minPosition=${encodeURIComponent(boundPosition)}`, {
          token: rivalToken,
        })
      ).body,
    ).toEqual([expect.objectContaining({ installationId: '9', accountLogin: 'gamma' })]);
    const through = (installation: unknown) => ({
      ...pushPayload(repos.docs, 'main', [{ modified: ['docs/intro.md'] }], 'd'.repeat(40)),
      installation,
    });
    const answers = await withoutAppending(async () => [
      await deliver('push', through({ id: 99 })),
      await deliver('push', through({ id: 9 })),
      await deliver('push', through({ id: 8 })),
      await deliver('push', through(undefined)),
    ]);
    expect(answers.map((a) => [a.status, a.body.ignored])).toEqual([
      [200, 'unknown_repository'],
      [200, 'unknown_repository'],
      [200, 'unknown_repository'],
      [200, 'no_installation'],
    ]);
    expect(answers.every((a) => a.body.jobId === undefined)).toBe(true);
  });

  it('queues one job for the same push (same repository and after SHA) delivered under two delivery ids', async () => {
    const after = 'c'.repeat(40);
    const payload = pushPayload(repos.site, 'main', [{ modified: ['README.md'] }], after);
    const first = await deliver('push', payload);
    expect(first).toMatchObject({ status: 200, body: { jobId: expect.any(String), alreadyQueued: false } });
    const eventsBefore = await app.eventCount();
    const secondId = randomUUID();
    const second = await deliver('push', payload, { deliveryId: secondId });
    expect(second).toMatchObject({ status: 200, body: { jobId: first.body.jobId, alreadyQueued: true } });
    expect(second.body.duplicate).toBeUndefined();
    // Only the second delivery itself was recorded: no second job, nothing on the repository.
    expect(await app.eventCount()).toBe(eventsBefore + 1);
    expect((await app.runtime.store.readStream(`github-delivery-${secondId}`)).map((e) => e.type)).toEqual(['GitHubDeliveryReceived']);
    expect((await app.runtime.store.readStream(`job-${first.body.jobId}`)).map((e) => e.type)).toEqual(['JobQueued']);
    const jobs = await jobsOf('site', second.body.position);
    expect(jobs.filter((j: { input: { afterSha: string | null } }) => j.input.afterSha === after).map((j: { id: string }) => j.id)).toEqual(
      [first.body.jobId],
    );
  });

  it("queues a job for each workspace a repository is connected to only as an integration resource, of that connection's organization only", async () => {
    // acme/notes (installation 7) is connected by a member of res-a; delta/notes (installation 10) by a member of res-b, whose
    // member's GitHub access is installation 10 only. Neither organization has a `repositories` entry for them.
    const notes = repositoryPayload(4545, 'acme', 'notes');
    const rivalNotes = repositoryPayload(4646, 'delta', 'notes');
    github.setInstallationRepositories(7, [repos.docs, repos.site, repos.wiki, notes, repositoryPayload(4747, 'acme', 'nobody')]);
    github.setInstallationRepositories(10, [rivalNotes]);
    const connectAsResource = async (org: string, userId: string, installationId: number, repo: typeof notes) => {
      const orgToken = await app.token({ userId, org, role: 'admin' });
      const integration = await connectGitHubIntegration(app, github, { userId, installationId, owner: repo.full_name.split('/')[0]! });
      const resourceId = await registerRepositoryResource(app, orgToken, integration.id, {
        installationId,
        repoId: repo.id,
        fullName: repo.full_name,
      });
      const workspace = await app.request('POST', `/v1/orgs/${org}/workspaces`, { token: orgToken, body: { name: 'notes' } });
      expect(workspace.status).toBe(201);
      const base = `/v1/orgs/${org}/workspaces/notes/integrations`;
      const connected = await app.request('POST', `${base}?minPosition=${workspace.body.position}`, {
        token: orgToken,
        body: { resourceId },
      });
      expect(connected).toMatchObject({ status: 201, body: { initialSyncStarted: true } });
      // Push routing finds connections on the read model: let it catch up.
      expect((await app.request('GET', `${base}?minPosition=${connected.body.position}`, { token: orgToken })).body).toHaveLength(1);
      return { orgToken, workspaceId: connected.body.workspaceId as string };
    };
    const a = await connectAsResource('res-a', 'user_3', 7, notes);
    const b = await connectAsResource('res-b', 'user_4', 10, rivalNotes);
    const webhookJobs = async (org: string, orgToken: string, position: string) =>
      (await app.request('GET', `/v1/orgs/${org}/workspaces/notes/jobs?minPosition=${position}`, { token: orgToken })).body.items.filter(
        (job: { trigger: string }) => job.trigger === 'webhook',
      );

    const deliveryId = randomUUID();
    const after = 'e'.repeat(40);
    const pushed = await deliver('push', pushPayload(notes, 'main', [{ modified: ['docs/intro.md'] }], after), { deliveryId });
    expect(pushed).toMatchObject({
      status: 200,
      body: { received: true, jobId: expect.any(String), alreadyQueued: false, changedFileCount: 1 },
    });
    expect(pushed.body.jobIds).toBeUndefined();
    expect(await webhookJobs('res-a', a.orgToken, pushed.body.position)).toEqual([
      expect.objectContaining({
        id: pushed.body.jobId,
        name: 'Docs Ingestion: acme/notes',
        trigger: 'webhook',
        repositoryId: null,
        input: expect.objectContaining({
          source: 'github-webhook',
          githubRepoId: '4545',
          githubInstallationId: '7',
          afterSha: after,
          deliveryId,
          repositoryId: null,
        }),
      }),
    ]);
    expect((await app.runtime.store.readStream(`job-${pushed.body.jobId}`))[0]!.data).toMatchObject({
      organizationId: 'org_local_res-a',
      workspaceId: a.workspaceId,
    });
    expect(await webhookJobs('res-b', b.orgToken, pushed.body.position)).toEqual([]);

    // The same push under another delivery id: the same job, queued once.
    const again = await deliver('push', pushPayload(notes, 'main', [{ modified: ['docs/intro.md'] }], after));
    expect(again).toMatchObject({ status: 200, body: { jobId: pushed.body.jobId, alreadyQueued: true } });

    // A signed push naming res-a's repository id through res-b's installation reaches nobody; nor does a repository nobody connected.
    const forged = await withoutAppending(async () => [
      await deliver('push', { ...pushPayload(notes, 'main', [{ modified: ['docs/intro.md'] }], 'f'.repeat(40)), installation: { id: 10 } }),
      await deliver('push', pushPayload(repositoryPayload(4747, 'acme', 'nobody'), 'main', [{ modified: ['README.md'] }])),
    ]);
    expect(forged.map((r) => [r.status, r.body.ignored])).toEqual([
      [200, 'unknown_repository'],
      [200, 'unknown_repository'],
    ]);

    // res-b's own repository, through its installation: its workspace only.
    const rival = await deliver('push', { ...pushPayload(rivalNotes, 'main', [{ added: ['README.md'] }]), installation: { id: 10 } });
    expect(rival).toMatchObject({ status: 200, body: { jobId: expect.any(String) } });
    expect((await webhookJobs('res-b', b.orgToken, rival.body.position)).map((j: { id: string }) => j.id)).toEqual([rival.body.jobId]);
    expect((await webhookJobs('res-a', a.orgToken, rival.body.position)).map((j: { id: string }) => j.id)).toEqual([pushed.body.jobId]);
  });

  it('re-detects the config at the pushed commit when a config file changed, and records it', async () => {
    const sha = github.updateRepositoryFiles('acme', 'docs', { upsert: { 'lightfast.yml': CONFIG } });
    // The branch has moved on (the config removed again): only a read at the pushed commit finds it.
    github.updateRepositoryFiles('acme', 'docs', { remove: ['lightfast.yml'] });
    const pushed = await deliver('push', pushPayload(repos.docs, 'main', [{ added: ['lightfast.yml'] }], sha));
    expect(pushed).toMatchObject({ status: 200, body: { configStatus: 'configured', jobId: expect.any(String) } });
    expect(await repository('docs', pushed.body.position)).toMatchObject({
      configStatus: 'configured',
      configPath: 'lightfast.yml',
      config: { store: 'handbook' },
    });
    expect(await jobsOf('docs', pushed.body.position)).toHaveLength(2);
  });

  it('merges a rename into the metadata, and marks a deleted repository inactive with its metadata replaced', async () => {
    const renamed = await deliver('repository', {
      action: 'renamed',
      installation: { id: 7 },
      repository: { id: repos.site.id, full_name: 'acme/website' },
      changes: { repository: { name: { from: 'site' } } },
    });
    expect(renamed).toMatchObject({ status: 200, body: { repositoryIds: [ids.site] } });
    expect(await repository('site', renamed.body.position)).toMatchObject({
      isActive: true,
      metadata: { fullName: 'acme/website', defaultBranch: 'main' },
    });

    // Other changes GitHub reports are merged the same way, from the payload's `repository`.
    const edited = await deliver('repository', {
      action: 'edited',
      installation: { id: 7 },
      repository: { id: repos.site.id, full_name: 'acme/website', default_branch: 'trunk', description: 'The site' },
      changes: { default_branch: { from: 'main' }, description: { from: null } },
    });
    expect(edited).toMatchObject({ status: 200, body: { repositoryIds: [ids.site] } });
    const privatized = await deliver('repository', {
      action: 'privatized',
      installation: { id: 7 },
      repository: { id: repos.site.id, full_name: 'acme/website', private: true },
    });
    expect(privatized.status).toBe(200);
    expect((await repository('site', privatized.body.position)).metadata).toMatchObject({
      fullName: 'acme/website',
      defaultBranch: 'trunk',
      description: 'The site',
      private: true,
    });
    // An edit of something the metadata does not hold appends nothing to the repository.
    await app.withoutAppending(
      async () => {
        const homepage = await deliver('repository', {
          action: 'edited',
          installation: { id: 7 },
          repository: { id: repos.site.id, full_name: 'acme/website' },
          changes: { homepage: { from: null } },
        });
        expect(homepage.status).toBe(200);
      },
      { streams: 'repository-%' },
    );

    const deleted = await deliver('repository', {
      action: 'deleted',
      installation: { id: 7 },
      repository: { id: repos.wiki.id, full_name: 'acme/wiki' },
    });
    expect(deleted.status).toBe(200);
    const wiki = await repository('wiki', deleted.body.position);
    expect(wiki).toMatchObject({ isActive: false });
    expect(wiki.metadata).toEqual({ deleted: true, deletedAt: expect.any(String) });
    // Deleting it again (another delivery) changes nothing.
    const head = await app.runtime.store.headPosition();
    const again = await deliver('repository', {
      action: 'deleted',
      installation: { id: 7 },
      repository: { id: repos.wiki.id, full_name: 'acme/wiki' },
    });
    expect(again.status).toBe(200);
    expect((await repository('wiki', again.body.position)).metadata).toEqual(wiki.metadata);
    expect(app.runtime.store.comparePositions(again.body.position, head)).toBeGreaterThan(0); // only the delivery was recorded
  });

  it('deactivates repositories removed from the installation, and every repository of a deleted installation, which the organization then no longer owns', async () => {
    const removed = await deliver('installation_repositories', {
      action: 'removed',
      installation: { id: 7 },
      repositories_removed: [
        { id: repos.docs.id, full_name: 'acme/docs' },
        { id: 777, full_name: 'acme/never-connected' },
      ],
      repositories_added: [],
    });
    expect(removed).toMatchObject({ status: 200, body: { repositoryIds: [ids.docs] } });
    expect(await repository('docs', removed.body.position)).toMatchObject({ isActive: false });
    expect(await repository('site', removed.body.position)).toMatchObject({ isActive: true });

    // A push to an inactive repository is ignored.
    const push = await withoutAppending(() => deliver('push', pushPayload(repos.docs, 'main', [{ modified: ['docs/intro.md'] }])));
    expect(push.body.ignored).toBe('inactive_repository');

    const installations = async (position: string) =>
      (await app.request('GET', `/v1/orgs/${ORG}/github/installations?minPosition=${position}`, { token })).body.map(
        (i: { installationId: string }) => i.installationId,
      );
    expect(await installations(removed.body.position)).toEqual(['7', '8']);
    const deleted = await deliver('installation', { action: 'deleted', installation: { id: 8, account: { login: 'beta' } } });
    expect(deleted).toMatchObject({
      status: 200,
      body: { repositoryIds: expect.arrayContaining([ids.other, ids.lone]), organizationCount: 1 },
    });
    expect(await repository('other', deleted.body.position)).toMatchObject({ isActive: false });
    expect(await repository('lone', deleted.body.position)).toMatchObject({ isActive: false });
    expect(await repository('site', deleted.body.position)).toMatchObject({ isActive: true });
    // The organization no longer owns installation 8: it is not listed, and nothing is routed through it.
    expect(await installations(deleted.body.position)).toEqual(['7']);
    const afterUnbind = await withoutAppending(() =>
      deliver('push', { ...pushPayload(repos.other, 'main', [{ modified: ['docs/intro.md'] }]), installation: { id: 8 } }),
    );
    expect(afterUnbind.body.ignored).toBe('unknown_repository');
  });
});

describe('GitHub webhooks without a secret', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ projector: false, config: { githubWebhookSecret: undefined } });
  }, 60_000);
  afterAll(async () => app?.close());

  it('answers 503: no delivery can be verified, so none is trusted', async () => {
    const body = JSON.stringify({ zen: 'hi' });
    const response = await app.request('POST', '/v1/webhooks/github', {
      body,
      headers: {
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await new Webhooks({ secret: 'anything' }).sign(body),
      },
    });
    expect(response).toMatchObject({
      status: 503,
      body: { error: { code: 'not_configured', message: expect.stringContaining('GITHUB_WEBHOOK_SECRET') } },
    });
  });
});
