import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECTIONS } from '#read-models';
import { randomUUID } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import pg from 'pg';
import { jobDecider, jobStreamId, type JobCommand, type JobStatus } from '#domain';
import { handleCommand } from '#event-store';
import { LocalIdentityProvider } from '#adapters';
import { startTestApp, type TestApp } from './support/app.js';

let app: TestApp;

// The far-future read waits for the whole consistency timeout (10 s in startTestApp) before it may
// answer 503. It is sent as soon as the app is up and asserted by the last test, so that wait runs
// alongside every other test instead of after them.
const CONSISTENCY_TIMEOUT_MS = 10_000;
let farFutureRead: Promise<{ response: Awaited<ReturnType<TestApp['request']>>; elapsedMs: number }>;

beforeAll(async () => {
  app = await startTestApp();
  const token = await app.token({ org: 'lagging' });
  const started = Date.now();
  farFutureRead = app
    .request('GET', '/v1/orgs/lagging/workspaces?minPosition=999999999/1', { token })
    .then((response) => ({ response, elapsedMs: Date.now() - started }));
});

afterAll(async () => {
  await farFutureRead?.catch(() => undefined);
  await app?.close();
});

const orgId = (slug: string) => `org_local_${slug}`;

/**
 * Runs `during` as if the projector lagged behind it. An open transaction that holds a transaction id
 * keeps the event store's visibility horizon below everything appended after it (subscribers read only
 * events of transactions older than every running one: postgres.subscription.ts), so no projection
 * applies those events until it ends. Commands read streams directly and are not held back.
 */
async function whileProjectorLags<T>(during: () => Promise<T>): Promise<T> {
  const holder = new pg.Client({ connectionString: app.database.url });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT pg_current_xact_id()');
    return await during();
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await holder.end();
  }
}

function expectInvalidField(response: { status: number; body: any }, field: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
  const fields: string[] = (response.body.error.details?.fields ?? []).map((f: { field: string }) => f.field);
  expect(fields).toContain(field);
}

async function createWorkspace(token: string, org: string, name: string): Promise<{ workspaceId: string; position: string }> {
  const response = await app.request('POST', `/v1/orgs/${org}/workspaces`, { token, body: { name } });
  expect(response.status).toBe(201);
  return response.body;
}

describe('workspaces', () => {
  it('creates a workspace and shows it to a read that names the returned position', async () => {
    const token = await app.token({ org: 'ws-create' });
    const before = await app.eventCount();

    const created = await app.request('POST', '/v1/orgs/ws-create/workspaces', { token, body: { name: 'Docs' } });

    expect(created.status).toBe(201);
    expect(created.body).toEqual(
      expect.objectContaining({ workspaceId: expect.any(String), workspaceName: 'Docs', position: expect.stringMatching(/^\d+\/\d+$/) }),
    );
    expect(await app.eventCount()).toBe(before + 1);
    const list = await app.request('GET', `/v1/orgs/ws-create/workspaces?minPosition=${created.body.position}`, { token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({
        id: created.body.workspaceId,
        name: 'Docs',
        slug: 'docs',
        isDefault: false,
        clerkOrgId: orgId('ws-create'),
      }),
    ]);
    // Nothing connected or ingested yet; the filled fields are asserted in analytics.e2e.ts.
    expect(list.body[0]).toMatchObject({ repositories: [], repositoryCount: 0, totalDocuments: 0, lastActivity: list.body[0].createdAt });
    const one = await app.request('GET', `/v1/orgs/ws-create/workspaces/Docs?minPosition=${created.body.position}`, { token });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(expect.objectContaining({ id: created.body.workspaceId, name: 'Docs' }));
  });

  it('renames a workspace: the old name is gone and the new one answers', async () => {
    const token = await app.token({ org: 'ws-rename' });
    const { workspaceId, position } = await createWorkspace(token, 'ws-rename', 'alpha');
    await app.request('GET', `/v1/orgs/ws-rename/workspaces?minPosition=${position}`, { token });

    const renamed = await app.request('PATCH', '/v1/orgs/ws-rename/workspaces/alpha', { token, body: { name: 'beta' } });

    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ success: true, newWorkspaceName: 'beta', position: expect.stringMatching(/^\d+\/\d+$/) });
    const old = await app.request('GET', `/v1/orgs/ws-rename/workspaces/alpha?minPosition=${renamed.body.position}`, { token });
    expect(old.status).toBe(404);
    expect(old.body.error.code).toBe('not_found');
    const current = await app.request('GET', `/v1/orgs/ws-rename/workspaces/beta?minPosition=${renamed.body.position}`, { token });
    expect(current.status).toBe(200);
    expect(current.body).toEqual(expect.objectContaining({ id: workspaceId, name: 'beta', slug: 'alpha' }));
  });

  it('stores the workspace’s settings (admins), returns them by GET, and renames with them in one append', async () => {
    const org = 'ws-settings';
    const admin = await app.token({ userId: 'user_admin', org, role: 'admin' });
    const member = await app.token({ userId: 'user_member', org, role: 'member' });
    const { position } = await createWorkspace(admin, org, 'docs');
    const fresh = await app.request('GET', `/v1/orgs/${org}/workspaces/docs?minPosition=${position}`, { token: member });
    expect(fresh.body).toMatchObject({ name: 'docs', settings: {} });

    const settings = {
      features: { multiLanguage: false, codeIndexing: true },
      defaults: { patterns: ['docs/**/*.md'], ignore: ['docs/drafts/**'] },
      repositories: { 'repo-1': { enabled: true }, 'repo-2': { enabled: false } },
    };
    const before = await app.eventCount();
    const updated = await app.request('PATCH', `/v1/orgs/${org}/workspaces/docs`, { token: admin, body: { settings } });
    expect(updated).toMatchObject({ status: 200 });
    expect(updated.body).toEqual({ success: true, settings, position: expect.stringMatching(/^\d+\/\d+$/) });
    expect(await app.eventCount()).toBe(before + 1);
    const read = await app.request('GET', `/v1/orgs/${org}/workspaces/docs?minPosition=${updated.body.position}`, { token: member });
    expect(read.body).toEqual({
      id: expect.any(String),
      name: 'docs',
      slug: 'docs',
      isDefault: false,
      settings,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      clerkOrgId: orgId(org),
    });
    expect(Date.parse(read.body.updatedAt)).toBeGreaterThan(Date.parse(read.body.createdAt));
    const list = await app.request('GET', `/v1/orgs/${org}/workspaces?minPosition=${updated.body.position}`, { token: member });
    expect(list.body[0]).toMatchObject({ name: 'docs', settings });

    // The same settings again (in another key order) change nothing.
    const reordered = {
      repositories: settings.repositories,
      defaults: settings.defaults,
      features: { codeIndexing: true, multiLanguage: false },
    };
    await app.withoutAppending(() =>
      app.request('PATCH', `/v1/orgs/${org}/workspaces/docs`, { token: admin, body: { settings: reordered } }),
    );

    // A rename with new settings: one append of two events; `{}` clears them.
    const both = await app.request('PATCH', `/v1/orgs/${org}/workspaces/docs`, { token: admin, body: { name: 'handbook', settings: {} } });
    expect(both.body).toEqual({ success: true, newWorkspaceName: 'handbook', settings: {}, position: expect.any(String) });
    const renamed = await app.request('GET', `/v1/orgs/${org}/workspaces/handbook?minPosition=${both.body.position}`, { token: member });
    expect(renamed.body).toMatchObject({ name: 'handbook', settings: {} });
    const events = await app.runtime.store.readStream(`workspaces-${orgId(org)}`);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['WorkspaceSettingsUpdated', 'WorkspaceRenamed']);
  });

  it('refuses settings from a member (403), a non-member (403) and for an unknown workspace (404), appending nothing', async () => {
    const org = 'ws-settings-authz';
    const admin = await app.token({ userId: 'user_admin', org, role: 'admin' });
    const member = await app.token({ userId: 'user_member', org, role: 'member' });
    const outsider = await app.token({ userId: 'user_outsider', org: 'ws-settings-elsewhere', role: 'admin' });
    const { position } = await createWorkspace(admin, org, 'docs');
    await app.request('GET', `/v1/orgs/${org}/workspaces?minPosition=${position}`, { token: admin });
    const body = { settings: { features: { codeIndexing: true } } };
    await app.withoutAppending(async () => {
      expect(await app.request('PATCH', `/v1/orgs/${org}/workspaces/docs`, { token: member, body })).toMatchObject({
        status: 403,
        body: { error: { code: 'forbidden' } },
      });
      // Also with a name: the rename part alone would be a member's to make, the request is refused whole.
      expect(
        await app.request('PATCH', `/v1/orgs/${org}/workspaces/docs`, { token: member, body: { ...body, name: 'other' } }),
      ).toMatchObject({ status: 403 });
      expect(await app.request('PATCH', `/v1/orgs/${org}/workspaces/docs`, { token: outsider, body })).toMatchObject({ status: 403 });
      expect(await app.request('PATCH', `/v1/orgs/${org}/workspaces/nope`, { token: admin, body })).toMatchObject({ status: 404 });
    });
  });

  // A rename resolves `{ws}` through the workspaces read model (WorkspaceQueries.byName) instead of
  // the directory stream it then appends to, so it acts on whatever the projector has applied so far.
  it('renames a workspace right after creating it, whatever the projector has applied', async () => {
    const token = await app.token({ org: 'ws-rename-fresh' });

    const renamed = await whileProjectorLags(async () => {
      await createWorkspace(token, 'ws-rename-fresh', 'fresh');
      return app.request('PATCH', '/v1/orgs/ws-rename-fresh/workspaces/fresh', { token, body: { name: 'renamed' } });
    });

    expect(renamed.status).toBe(200);
  });

  it('refuses to rename a workspace by a name it no longer has, whatever the projector has applied', async () => {
    const token = await app.token({ org: 'ws-rename-stale' });
    const { position } = await createWorkspace(token, 'ws-rename-stale', 'first');
    await app.request('GET', `/v1/orgs/ws-rename-stale/workspaces?minPosition=${position}`, { token });

    const [renamed, stale] = await whileProjectorLags(async () => [
      await app.request('PATCH', '/v1/orgs/ws-rename-stale/workspaces/first', { token, body: { name: 'second' } }),
      await app.request('PATCH', '/v1/orgs/ws-rename-stale/workspaces/first', { token, body: { name: 'third' } }),
    ]);

    expect(renamed.status).toBe(200);
    expect(stale.status).toBe(404);
    const list = await app.request(
      'GET',
      `/v1/orgs/ws-rename-stale/workspaces?minPosition=${stale.body.position ?? renamed.body.position}`,
      { token },
    );
    expect(list.body.map((w: { name: string }) => w.name)).toEqual(['second']);
  });

  it.each([
    ['the same name', 'Reports'],
    ['the same name in another case', 'REPORTS'],
  ])('refuses to create a workspace with %s (409) and appends nothing', async (_, duplicate) => {
    const slug = `ws-dup-${duplicate === 'Reports' ? 'exact' : 'case'}`;
    const token = await app.token({ org: slug });
    await createWorkspace(token, slug, 'Reports');

    const response = await app.withoutAppending(() =>
      app.request('POST', `/v1/orgs/${slug}/workspaces`, { token, body: { name: duplicate } }),
    );

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('conflict');
  });

  it('refuses to rename a workspace to a name another one holds (409) and appends nothing', async () => {
    const token = await app.token({ org: 'ws-rename-taken' });
    await createWorkspace(token, 'ws-rename-taken', 'one');
    const { position } = await createWorkspace(token, 'ws-rename-taken', 'two');
    await app.request('GET', `/v1/orgs/ws-rename-taken/workspaces?minPosition=${position}`, { token });

    const response = await app.withoutAppending(() =>
      app.request('PATCH', '/v1/orgs/ws-rename-taken/workspaces/two', { token, body: { name: 'ONE' } }),
    );

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('conflict');
  });

  it('answers a repeated create with the same Idempotency-Key with the original result and one event', async () => {
    const token = await app.token({ org: 'ws-idem' });
    const before = await app.eventCount();
    const send = () =>
      app.request('POST', '/v1/orgs/ws-idem/workspaces', {
        token,
        body: { name: 'retry-me' },
        headers: { 'Idempotency-Key': 'create-retry-me-1' },
      });

    const first = await send();
    const second = await send();

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(await app.eventCount()).toBe(before + 1);
  });

  it('answers concurrent retries with the same Idempotency-Key with one result and one event', async () => {
    const token = await app.token({ org: 'ws-idem-concurrent' });
    const before = await app.eventCount();

    const responses = await Promise.all(
      Array.from({ length: 4 }, () =>
        app.request('POST', '/v1/orgs/ws-idem-concurrent/workspaces', {
          token,
          body: { name: 'once' },
          headers: { 'Idempotency-Key': 'same-key' },
        }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(responses.map((r) => `${r.body.workspaceId} ${r.body.position}`)).size).toBe(1);
    expect(await app.eventCount()).toBe(before + 1);
  });

  it('lets exactly one of five concurrent creates of the same name win, the rest get 409', async () => {
    // A fresh organization: its directory stream does not exist yet, the hardest case for the append.
    const token = await app.token({ org: 'ws-race' });
    const before = await app.eventCount();

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => app.request('POST', '/v1/orgs/ws-race/workspaces', { token, body: { name: 'contested' } })),
    );

    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await app.eventCount()).toBe(before + 1);
    const winner = responses.find((r) => r.status === 201)!;
    const list = await app.request('GET', `/v1/orgs/ws-race/workspaces?minPosition=${winner.body.position}`, { token });
    expect(list.body.map((w: { id: string }) => w.id)).toEqual([winner.body.workspaceId]);
  });

  it('keeps names unique per organization only, and lists each organization its own workspaces', async () => {
    const acme = await app.token({ org: 'ws-scope-a' });
    const globex = await app.token({ org: 'ws-scope-b' });
    const a = await createWorkspace(acme, 'ws-scope-a', 'shared');
    const b = await createWorkspace(globex, 'ws-scope-b', 'shared');

    const listA = await app.request('GET', `/v1/orgs/ws-scope-a/workspaces?minPosition=${b.position}`, { token: acme });
    const listB = await app.request('GET', `/v1/orgs/ws-scope-b/workspaces?minPosition=${b.position}`, { token: globex });

    expect(listA.body.map((w: { id: string }) => w.id)).toEqual([a.workspaceId]);
    expect(listB.body.map((w: { id: string }) => w.id)).toEqual([b.workspaceId]);
  });
});

type Outcome = JobStatus;

interface SeededJob {
  readonly id: string;
  readonly workspaceId: string;
  readonly repositoryId: string | null;
  readonly status: Outcome;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly durationMs: number | null;
  readonly errorMessage: string | null;
  readonly position: string;
}

const BASE = Date.parse('2025-03-01T08:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Writes a job's history through the real command path, every time explicit. */
async function seedJob(input: {
  org: string;
  workspaceId: string;
  repositoryId: string | null;
  createdAtMs: number;
  outcome: Outcome;
  durationMs?: number;
}): Promise<SeededJob> {
  const id = randomUUID();
  const { createdAtMs: queuedAt, outcome } = input;
  const startedAt = queuedAt + 1_000;
  const durationMs = input.durationMs ?? 4_321;
  const commands: JobCommand[] = [
    {
      type: 'QueueJob',
      data: {
        jobId: id,
        organizationId: orgId(input.org),
        workspaceId: input.workspaceId,
        repositoryId: input.repositoryId,
        name: 'reindex',
        trigger: 'manual',
        triggeredBy: 'user_1',
        input: {},
        at: iso(queuedAt),
      },
    },
  ];
  if (outcome === 'running' || outcome === 'completed' || outcome === 'failed')
    commands.push({ type: 'StartJob', data: { at: iso(startedAt) } });
  if (outcome === 'completed') commands.push({ type: 'CompleteJob', data: { at: iso(startedAt + durationMs), output: { files: 3 } } });
  if (outcome === 'failed')
    commands.push({ type: 'FailJob', data: { at: iso(startedAt + durationMs), error: { message: `boom ${id}`, code: 'E_TEST' } } });
  if (outcome === 'cancelled') commands.push({ type: 'CancelJob', data: { at: iso(queuedAt + 2_000), reason: null } });
  const result = await handleCommand(app.runtime.store, jobStreamId(id), jobDecider, commands, { commandId: randomUUID() });
  const ended = outcome === 'completed' || outcome === 'failed';
  return {
    id,
    workspaceId: input.workspaceId,
    repositoryId: input.repositoryId,
    status: outcome,
    createdAt: iso(queuedAt),
    startedAt: outcome === 'queued' || outcome === 'cancelled' ? null : iso(startedAt),
    completedAt: ended ? iso(startedAt + durationMs) : outcome === 'cancelled' ? iso(queuedAt + 2_000) : null,
    durationMs: ended ? durationMs : null,
    errorMessage: outcome === 'failed' ? `boom ${id}` : null,
    position: result.position!,
  };
}

const latest = (positions: readonly string[]) => positions.reduce((a, b) => (app.runtime.store.comparePositions(a, b) >= 0 ? a : b));
const newestFirst = (a: SeededJob, b: SeededJob) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

describe('jobs', () => {
  const ORG = 'jobs-org';
  const STATUSES: Outcome[] = ['completed', 'failed', 'queued', 'running', 'cancelled'];
  let token: string;
  let main: { workspaceId: string };
  let other: { workspaceId: string };
  let seeded: SeededJob[];
  let otherJob: SeededJob;
  let foreignJob: SeededJob;
  let seenAt: string;

  const jobsPath = (query = '') => `/v1/orgs/${ORG}/workspaces/main/jobs${query}`;

  beforeAll(async () => {
    token = await app.token({ org: ORG });
    main = await createWorkspace(token, ORG, 'main');
    other = await createWorkspace(token, ORG, 'other');
    const foreignToken = await app.token({ org: 'jobs-foreign' });
    const foreign = await createWorkspace(foreignToken, 'jobs-foreign', 'main');
    seeded = [];
    for (let i = 0; i < 25; i++) {
      // 7 is coprime with 25, so creation times are a shuffled spread; jobs 3–5 share one instant to exercise the id tie-break.
      const minute = i >= 3 && i <= 5 ? 21 : (i * 7) % 25;
      seeded.push(
        await seedJob({
          org: ORG,
          workspaceId: main.workspaceId,
          repositoryId: [`repo-a`, `repo-b`, null][i % 3]!,
          createdAtMs: BASE + minute * 3_600_000,
          outcome: STATUSES[i % 5]!,
          durationMs: 1_000 + i * 137,
        }),
      );
    }
    otherJob = await seedJob({ org: ORG, workspaceId: other.workspaceId, repositoryId: 'repo-a', createdAtMs: BASE, outcome: 'queued' });
    foreignJob = await seedJob({
      org: 'jobs-foreign',
      workspaceId: foreign.workspaceId,
      repositoryId: 'repo-a',
      createdAtMs: BASE,
      outcome: 'queued',
    });
    seenAt = latest([...seeded, otherJob, foreignJob].map((j) => j.position));
  });

  it('pages through every job of the workspace, newest first, each exactly once', async () => {
    const pages: Array<{ ids: string[]; hasMore: boolean; nextCursor: string | null }> = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=10&minPosition=${seenAt}${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await app.request('GET', jobsPath(query), { token });
      expect(response.status).toBe(200);
      pages.push({
        ids: response.body.items.map((j: { id: string }) => j.id),
        hasMore: response.body.hasMore,
        nextCursor: response.body.nextCursor,
      });
      cursor = response.body.nextCursor;
    } while (cursor && pages.length < 10);

    expect(pages.map((p) => [p.ids.length, p.hasMore])).toEqual([
      [10, true],
      [10, true],
      [5, false],
    ]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages.flatMap((p) => p.ids)).toEqual([...seeded].sort(newestFirst).map((j) => j.id));
  });

  it('keeps later pages stable when jobs arrive between requests', async () => {
    const { workspaceId } = await createWorkspace(token, ORG, 'paging');
    const initial: SeededJob[] = [];
    for (let hour = 10; hour < 16; hour++)
      initial.push(await seedJob({ org: ORG, workspaceId, repositoryId: null, createdAtMs: BASE + hour * 3_600_000, outcome: 'queued' }));
    const path = (query: string) => `/v1/orgs/${ORG}/workspaces/paging/jobs?limit=2&${query}`;
    const first = await app.request('GET', path(`minPosition=${latest(initial.map((j) => j.position))}`), { token });
    // One job newer than all (it belongs before page 1, so later pages must not show it) and one older
    // than all (it belongs after the last page, so it must appear there).
    const newer = await seedJob({ org: ORG, workspaceId, repositoryId: null, createdAtMs: BASE + 100 * 3_600_000, outcome: 'queued' });
    const older = await seedJob({ org: ORG, workspaceId, repositoryId: null, createdAtMs: BASE, outcome: 'queued' });
    const rest: string[] = [];
    let cursor: string | null = first.body.nextCursor;
    for (let pages = 0; cursor && pages < 10; pages++) {
      const response = await app.request('GET', path(`cursor=${cursor}&minPosition=${latest([newer.position, older.position])}`), {
        token,
      });
      rest.push(...response.body.items.map((j: { id: string }) => j.id));
      cursor = response.body.nextCursor;
    }

    expect([...first.body.items.map((j: { id: string }) => j.id), ...rest]).toEqual([...initial.sort(newestFirst), older].map((j) => j.id));
  });

  it.each(['queued', 'running', 'completed', 'failed', 'cancelled'] as const)('filters by status %s', async (status) => {
    const response = await app.request('GET', jobsPath(`?status=${status}&limit=100&minPosition=${seenAt}`), { token });

    expect(response.status).toBe(200);
    expect(response.body.items.map((j: { id: string }) => j.id)).toEqual(
      seeded
        .filter((j) => j.status === status)
        .sort(newestFirst)
        .map((j) => j.id),
    );
    expect(response.body.items.every((j: { status: string }) => j.status === status)).toBe(true);
    expect(response.body.hasMore).toBe(false);
  });

  it('filters by repository, alone and with a status, and pages the filtered list', async () => {
    const byRepo = await app.request('GET', jobsPath(`?repositoryId=repo-a&limit=100&minPosition=${seenAt}`), { token });
    const both = await app.request('GET', jobsPath(`?repositoryId=repo-b&status=completed&minPosition=${seenAt}`), { token });
    const expectedRepoA = seeded
      .filter((j) => j.repositoryId === 'repo-a')
      .sort(newestFirst)
      .map((j) => j.id);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await app.request('GET', jobsPath(`?repositoryId=repo-a&limit=3${cursor ? `&cursor=${cursor}` : ''}`), { token });
      paged.push(...response.body.items.map((j: { id: string }) => j.id));
      cursor = response.body.nextCursor;
    } while (cursor);

    expect(byRepo.body.items.map((j: { id: string }) => j.id)).toEqual(expectedRepoA);
    expect(both.body.items.map((j: { id: string }) => j.id)).toEqual(
      seeded
        .filter((j) => j.repositoryId === 'repo-b' && j.status === 'completed')
        .sort(newestFirst)
        .map((j) => j.id),
    );
    expect(paged).toEqual(expectedRepoA);
  });

  it.each(['completed', 'failed', 'queued', 'running', 'cancelled'] as const)(
    'returns one %s job with its times, duration and error',
    async (status) => {
      const job = seeded.find((j) => j.status === status)!;

      const response = await app.request('GET', jobsPath(`/${job.id}?minPosition=${seenAt}`), { token });

      expect(response.status).toBe(200);
      expect(response.body).toEqual(
        expect.objectContaining({
          id: job.id,
          clerkOrgId: orgId(ORG),
          workspaceId: main.workspaceId,
          repositoryId: job.repositoryId,
          status,
          createdAt: job.createdAt,
          startedAt: job.startedAt,
          completedAt: job.completedAt,
          durationMs: job.durationMs,
          errorMessage: job.errorMessage,
        }),
      );
      if (status === 'completed' || status === 'failed') expect(typeof response.body.durationMs).toBe('number');
    },
  );

  it('answers 404 for a job of another workspace or another organization through this workspace', async () => {
    for (const job of [otherJob, foreignJob]) {
      const read = await app.request('GET', jobsPath(`/${job.id}?minPosition=${seenAt}`), { token });
      const cancel = await app.withoutAppending(() => app.request('POST', jobsPath(`/${job.id}/cancel`), { token }));
      expect([read.status, read.body.error.code]).toEqual([404, 'not_found']);
      expect([cancel.status, cancel.body.error.code]).toEqual([404, 'not_found']);
    }
  });

  it('cancels a queued job and then shows it cancelled with when', async () => {
    const job = await seedJob({ org: ORG, workspaceId: other.workspaceId, repositoryId: null, createdAtMs: BASE, outcome: 'queued' });
    const before = await app.eventCount();
    const requestedAt = Date.now();

    const cancel = await app.request('POST', `/v1/orgs/${ORG}/workspaces/other/jobs/${job.id}/cancel`, { token });

    expect(cancel.status).toBe(200);
    expect(cancel.body).toEqual({ success: true, position: expect.stringMatching(/^\d+\/\d+$/) });
    expect(await app.eventCount()).toBe(before + 1);
    const read = await app.request('GET', `/v1/orgs/${ORG}/workspaces/other/jobs/${job.id}?minPosition=${cancel.body.position}`, { token });
    expect(read.body).toEqual(expect.objectContaining({ status: 'cancelled', durationMs: null }));
    expect(Date.parse(read.body.completedAt)).toBeGreaterThanOrEqual(requestedAt - 1_000);
    expect(Date.parse(read.body.completedAt)).toBeLessThanOrEqual(Date.now() + 1_000);
  });

  it('cancels a running job', async () => {
    const job = await seedJob({ org: ORG, workspaceId: other.workspaceId, repositoryId: null, createdAtMs: BASE, outcome: 'running' });

    const cancel = await app.request('POST', `/v1/orgs/${ORG}/workspaces/other/jobs/${job.id}/cancel`, { token });

    expect(cancel.status).toBe(200);
    const read = await app.request('GET', `/v1/orgs/${ORG}/workspaces/other/jobs/${job.id}?minPosition=${cancel.body.position}`, { token });
    expect(read.body).toEqual(expect.objectContaining({ status: 'cancelled', startedAt: job.startedAt, completedAt: expect.any(String) }));
  });

  it('answers a repeated cancel with the same Idempotency-Key with the original result; without a key the repeat is refused', async () => {
    const job = await seedJob({ org: ORG, workspaceId: other.workspaceId, repositoryId: null, createdAtMs: BASE, outcome: 'queued' });
    const path = `/v1/orgs/${ORG}/workspaces/other/jobs/${job.id}/cancel`;
    const before = await app.eventCount();

    const first = await app.request('POST', path, { token, headers: { 'Idempotency-Key': 'cancel-1' } });
    const retry = await app.request('POST', path, { token, headers: { 'Idempotency-Key': 'cancel-1' } });
    const again = await app.request('POST', path, { token });

    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.body).toEqual(first.body);
    expect(await app.eventCount()).toBe(before + 1);
    expect(again.status).toBe(422);
    expect(again.body.error).toEqual(expect.objectContaining({ code: 'refused', message: 'Cannot cancel job with status: cancelled' }));
  });

  it('refuses to cancel a completed job (422) and appends nothing', async () => {
    const job = seeded.find((j) => j.status === 'completed')!;

    const response = await app.withoutAppending(() => app.request('POST', jobsPath(`/${job.id}/cancel`), { token }));

    expect(response.status).toBe(422);
    expect(response.body.error).toEqual(expect.objectContaining({ code: 'refused', message: 'Cannot cancel job with status: completed' }));
  });

  it('answers 404 to a cancel of an unknown job and appends nothing', async () => {
    const response = await app.withoutAppending(() => app.request('POST', jobsPath(`/${randomUUID()}/cancel`), { token }));

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('answers 404 for the jobs of an unknown workspace', async () => {
    const response = await app.request('GET', `/v1/orgs/${ORG}/workspaces/nope/jobs`, { token });

    expect(response.status).toBe(404);
  });
});

describe('authentication and organization scope', () => {
  const ORG = 'scope-acme';
  let workspaceName: string;
  let jobId: string;

  beforeAll(async () => {
    const token = await app.token({ org: ORG });
    const { workspaceId } = await createWorkspace(token, ORG, 'guarded');
    workspaceName = 'guarded';
    const job = await seedJob({ org: ORG, workspaceId, repositoryId: null, createdAtMs: BASE, outcome: 'queued' });
    jobId = job.id;
    await app.request('GET', `/v1/orgs/${ORG}/workspaces/${workspaceName}/jobs?minPosition=${job.position}`, { token });
  });

  const routes = (): Array<[string, string, unknown?]> => [
    ['GET', `/v1/orgs/${ORG}/workspaces`],
    ['POST', `/v1/orgs/${ORG}/workspaces`, { name: 'intruder' }],
    ['GET', `/v1/orgs/${ORG}/workspaces/${workspaceName}`],
    ['PATCH', `/v1/orgs/${ORG}/workspaces/${workspaceName}`, { name: 'hijacked' }],
    ['GET', `/v1/orgs/${ORG}/workspaces/${workspaceName}/jobs`],
    ['GET', `/v1/orgs/${ORG}/workspaces/${workspaceName}/jobs/${jobId}`],
    ['POST', `/v1/orgs/${ORG}/workspaces/${workspaceName}/jobs/${jobId}/cancel`],
  ];

  async function forgedTokens(): Promise<Array<[string, string | undefined, Record<string, string>?]>> {
    const genuine = await app.token({ org: ORG });
    const [header, payload] = genuine.split('.');
    const otherKey = await (await LocalIdentityProvider.ephemeral()).mint({ userId: 'user_1', organizationSlug: ORG, role: 'admin' });
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone_else' })).toString('base64url')}.${genuine.split('.')[2]}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    const { privateKey } = await generateKeyPair('RS256');
    const foreignIssuer = await new SignJWT({ org_id: orgId(ORG), org_slug: ORG, org_role: 'org:admin' })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('user_1')
      .setIssuer('console-local')
      .setExpirationTime('1h')
      .sign(privateKey);
    const expired = await app.runtime.identity.mint({ userId: 'user_1', organizationSlug: ORG, role: 'admin', expiresIn: '-1m' });
    return [
      ['no token', undefined],
      ['a non-bearer scheme', undefined, { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }],
      ['a malformed token', 'not-a-jwt'],
      ['a token signed by another key', otherKey],
      ['a token from another issuer key', foreignIssuer],
      ['a token with a tampered payload', tampered],
      ['an unsigned token', unsigned],
      ['an expired token', expired],
    ];
  }

  it('answers 401 without a valid token on every route and appends nothing', async () => {
    const cases = await forgedTokens();
    for (const [method, path, body] of routes()) {
      for (const [label, token, headers] of cases) {
        const response = await app.withoutAppending(() => app.request(method, path, { token, body, headers }));
        expect({ label, method, path, status: response.status, code: response.body?.error?.code }).toEqual({
          label,
          method,
          path,
          status: 401,
          code: 'unauthenticated',
        });
      }
    }
  });

  it('answers 403 on every route to a valid token of another organization and appends nothing', async () => {
    const outsider = await app.token({ org: 'other' });
    for (const [method, path, body] of routes()) {
      const response = await app.withoutAppending(() => app.request(method, path, { token: outsider, body }));
      expect({ method, path, status: response.status, code: response.body?.error?.code }).toEqual({
        method,
        path,
        status: 403,
        code: 'forbidden',
      });
      expect(JSON.stringify(response.body)).not.toContain(jobId);
    }
  });
});

describe('bad input', () => {
  const ORG = 'bad-input';
  let token: string;

  beforeAll(async () => {
    token = await app.token({ org: ORG });
    const { position } = await createWorkspace(token, ORG, 'main');
    await app.request('GET', `/v1/orgs/${ORG}/workspaces?minPosition=${position}`, { token });
  });

  it.each<[string, unknown, string]>([
    ['a missing name', {}, 'name'],
    ['a name with a space', { name: 'has space' }, 'name'],
    ['a name of 101 characters', { name: 'a'.repeat(101) }, 'name'],
    ['a name that is a number', { name: 42 }, 'name'],
    ['a name that is null', { name: null }, 'name'],
    ['a name that is an array', { name: ['docs'] }, 'name'],
    ['an unknown property', { name: 'fine', extra: true }, 'extra'],
  ])('refuses a create with %s (400 naming the field) and appends nothing', async (_, body, field) => {
    const response = await app.withoutAppending(() => app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token, body }));

    expectInvalidField(response, field);
  });

  it.each(['.', '..'])('refuses a create named %j with the same 400 shape as every other invalid name, appending nothing', async (name) => {
    const response = await app.withoutAppending(() => app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token, body: { name } }));

    expect(response.status).toBe(400);
    expectInvalidField(response, 'name');
  });

  it.each<[string, string]>([
    ['a body that is not JSON', '{"name": "docs"'],
    ['a JSON array body', '[{"name": "from-array"}]'],
    ['an empty JSON array body', '[]'],
    ['a JSON string body', '"docs"'],
  ])('refuses a create with %s (400, never 5xx) and appends nothing', async (_, raw) => {
    const response = await app.withoutAppending(() => app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token, body: raw }));

    expect(response.status).toBe(400);
    expect(response.body?.error?.code).toBe('invalid_request');
  });

  it.each<[string, unknown, string]>([
    ['a name with a space', { name: 'bad name' }, 'name'],
    ['a name of 101 characters', { name: 'b'.repeat(101) }, 'name'],
    ['a missing name', {}, 'name'],
    ['an unknown property', { name: 'ok', isDefault: true }, 'isDefault'],
  ])('refuses a rename with %s (400 naming the field) and appends nothing', async (_, body, field) => {
    const response = await app.withoutAppending(() => app.request('PATCH', `/v1/orgs/${ORG}/workspaces/main`, { token, body }));

    expectInvalidField(response, field);
  });

  it.each<[string, unknown, string]>([
    ['settings that are not an object', { settings: 'on' }, 'settings'],
    ['settings that are an array', { settings: [] }, 'settings'],
    ['an unknown setting', { settings: { colour: 'blue' } }, 'settings.colour'],
    ['a feature that is not a boolean', { settings: { features: { codeIndexing: 'yes' } } }, 'settings.features.codeIndexing'],
    ['an unknown feature', { settings: { features: { turbo: true } } }, 'settings.features.turbo'],
    ['patterns that are not an array', { settings: { defaults: { patterns: 'docs/**' } } }, 'settings.defaults.patterns'],
    ['an empty ignore pattern', { settings: { defaults: { ignore: [''] } } }, 'settings.defaults.ignore.0'],
    ['a repository entry without enabled', { settings: { repositories: { r1: {} } } }, 'settings.repositories.r1.enabled'],
    [
      'a repository entry with an unknown key',
      { settings: { repositories: { r1: { enabled: true, mode: 'x' } } } },
      'settings.repositories.r1.mode',
    ],
    ['neither name nor settings', {}, 'name'],
  ])('refuses a workspace update with %s (400 naming the field) and appends nothing', async (_, body, field) => {
    const response = await app.withoutAppending(() => app.request('PATCH', `/v1/orgs/${ORG}/workspaces/main`, { token, body }));

    expectInvalidField(response, field);
  });

  it.each<[string, string]>([
    ['status=bogus', 'status'],
    ['status=queued&status=failed', 'status'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['cursor=garbage', 'cursor'],
    // Valid base64url JSON of the right shape whose "time" JavaScript parses but PostgreSQL does not.
    [`cursor=${Buffer.from(JSON.stringify(['1', 'x'])).toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from(JSON.stringify([123, 'x'])).toString('base64url')}`, 'cursor'],
    [`repositoryId=${'r'.repeat(192)}`, 'repositoryId'],
    ['minPosition=notaposition', 'minPosition'],
    ['minPosition=', 'minPosition'],
    ['unknownParam=1', 'unknownParam'],
  ])('refuses a job list with %s (400 naming the field)', async (query, field) => {
    const response = await app.withoutAppending(() => app.request('GET', `/v1/orgs/${ORG}/workspaces/main/jobs?${query}`, { token }));

    expectInvalidField(response, field);
  });

  it.each<[string, string]>([
    ['minPosition=1/', 'minPosition'],
    ['unknownParam=1', 'unknownParam'],
  ])('refuses a workspace list and a job read with %s (400 naming the field)', async (query, field) => {
    expectInvalidField(await app.request('GET', `/v1/orgs/${ORG}/workspaces?${query}`, { token }), field);
    expectInvalidField(await app.request('GET', `/v1/orgs/${ORG}/workspaces/main/jobs/${randomUUID()}?${query}`, { token }), field);
  });

  it.each<[string, string]>([
    ['of 201 characters', 'k'.repeat(201)],
    ['that is empty', ''],
  ])('refuses a cancel with an Idempotency-Key %s (400 naming the header) and appends nothing', async (_, key) => {
    const job = await seedJob({
      org: ORG,
      workspaceId: (await app.request('GET', `/v1/orgs/${ORG}/workspaces/main`, { token })).body.id,
      repositoryId: null,
      createdAtMs: BASE,
      outcome: 'queued',
    });
    await app.request('GET', `/v1/orgs/${ORG}/workspaces/main/jobs/${job.id}?minPosition=${job.position}`, { token });

    const response = await app.withoutAppending(() =>
      app.request('POST', `/v1/orgs/${ORG}/workspaces/main/jobs/${job.id}/cancel`, { token, headers: { 'Idempotency-Key': key } }),
    );

    expectInvalidField(response, 'Idempotency-Key');
  });

  it('refuses a create with an Idempotency-Key of 201 characters and appends nothing', async () => {
    const response = await app.withoutAppending(() =>
      app.request('POST', `/v1/orgs/${ORG}/workspaces`, {
        token,
        body: { name: 'keyed' },
        headers: { 'Idempotency-Key': 'k'.repeat(201) },
      }),
    );

    expectInvalidField(response, 'Idempotency-Key');
  });
});

describe('health and metrics', () => {
  it('reports live', async () => {
    const response = await app.request('GET', '/health/live');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('reports ready with the database, the event store and every projection', async () => {
    const response = await app.request('GET', '/health/ready');

    expect(response.status).toBe(200);
    expect(response.body).toEqual(
      expect.objectContaining({
        status: 'ready',
        checks: expect.objectContaining({ database: 'ok', eventStore: expect.objectContaining({ status: 'ok' }) }),
      }),
    );
    expect(response.body.checks.projections.map((p: { name: string }) => p.name).sort()).toEqual(PROJECTIONS.map((p) => p.name).sort());
    expect(response.body.checks.projections.every((p: { deadLetters: number }) => p.deadLetters === 0)).toBe(true);
  });

  it('exposes request durations by route template and projector lag', async () => {
    const response = await app.request('GET', '/metrics');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = response.body as string;
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{.*route="\/v1\/orgs\/:org\/workspaces".*\}/m);
    expect(text).not.toContain('route="/v1/orgs/bad-input');
    expect(text).toMatch(/^projector_lag_events\{projection="jobs"\} \d+$/m);
    expect(text).toMatch(/^projector_lag_events\{projection="workspaces"\} \d+$/m);
  });
});

describe('read-your-writes', () => {
  it('answers 503 not_yet_consistent with Retry-After when the projections do not reach minPosition in time', async () => {
    const { response, elapsedMs } = await farFutureRead;

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.body.error).toEqual(expect.objectContaining({ code: 'not_yet_consistent', details: { projection: 'workspaces' } }));
    // Names no position, neither the caller's nor where the projection stands.
    expect(JSON.stringify(response.body)).not.toMatch(/\d+\/\d+/);
    // Bounded: it waited the timeout, not forever and not for nothing.
    expect(elapsedMs).toBeGreaterThanOrEqual(CONSISTENCY_TIMEOUT_MS - 100);
    expect(elapsedMs).toBeLessThan(CONSISTENCY_TIMEOUT_MS + 5_000);
  });
});
