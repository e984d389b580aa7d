import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { metricsRegistry } from '#adapters';
import { startFakeClerk, startFakeGitHub, type FakeClerk, type FakeGitHub } from '#testing';
import { startTestApp, type TestApp } from './support/app.js';
import { addMemberFromGitHub, connectMembershipVerifier } from './support/github-membership.js';

/**
 * Issue 12: a dashboard request does one round trip of work. The lookups every request repeats
 * (the caller's membership, the workspace by name) are answered in process, from caches the
 * projections' notifications keep exact: a removed member, a changed role or a renamed workspace
 * is honoured by the next request given the command's position, and by every request once the
 * projection applied it. Clerk mode (a fake Clerk on loopback), so a membership can be removed.
 * Statements are counted as the api counts them: its own metrics, per statement and per request.
 */
let clerk: FakeClerk;
/** Members are added from GitHub: the owner's GitHub token verifies their GitHub organization membership. */
let github: FakeGitHub;
let app: TestApp;
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const ORG = 'dash-co';
let organizationId: string;
/** Tokens whose active organization is another one: every request to ORG is checked on the read model. */
let owner: string;
let member: string;
let outsider: string;

/** A Clerk session token; with `org`, that organization is the session's active one. */
const tokenFor = (userId: string, org?: { id: string; slug: string }) =>
  clerk.sessionToken({ sub: userId, ...(org ? { org_id: org.id, org_slug: org.slug, org_role: 'org:admin' } : {}) });

beforeAll(async () => {
  clerk = await startFakeClerk();
  github = await startFakeGitHub();
  app = await startTestApp({
    config: {
      clerk: { jwtKey: clerk.publicKeyPem, secretKey: clerk.secretKey, apiUrl: clerk.url },
      clerkWebhookSecret: WEBHOOK_SECRET,
      githubApiUrl: github.url,
    },
  });
  await connectMembershipVerifier(app, github, 'user_owner');
  const created = await app.request('POST', '/v1/orgs', { token: await tokenFor('user_owner'), body: { slug: ORG, name: 'Dash Co' } });
  expect(created.status).toBe(201);
  organizationId = created.body.organizationId;
  owner = await tokenFor('user_owner', { id: 'org_owner_home', slug: 'owner-home' });
  member = await tokenFor('user_member', { id: 'org_member_home', slug: 'member-home' });
  const workspace = await app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token: owner, body: { name: 'metrics' } });
  expect(workspace.status).toBe(201);
  const added = await addMemberFromGitHub(app, github, { token: owner, org: ORG, userId: 'user_member', githubRole: 'member' });
  expect(added.status).toBe(200);
  // Another organization, whose admin is in neither ORG nor its read model.
  const other = await app.request('POST', '/v1/orgs', { token: await tokenFor('user_other'), body: { slug: 'other-co', name: 'Other' } });
  expect(other.status).toBe(201);
  outsider = await tokenFor('user_other', { id: 'org_other_home', slug: 'other-home' });
  const ready = await app.request('GET', `/v1/orgs/${ORG}/workspaces?minPosition=${other.body.position}`, { token: member });
  expect({ status: ready.status, body: ready.body }).toMatchObject({ status: 200 });
});

afterAll(async () => {
  await app?.close();
  await clerk?.close();
  await github?.close();
});

type Labels = Record<string, string | number>;
async function metricValues(name: string): Promise<Array<{ metricName?: string; labels: Labels; value: number }>> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values as Array<{ metricName?: string; labels: Labels; value: number }>;
}

/** Statements run so far on the api's read-model pool, by name. */
async function readModelStatements(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const v of await metricValues('db_query_duration_seconds'))
    if (v.metricName === 'db_query_duration_seconds_count' && v.labels.pool === 'read_models')
      counts.set(String(v.labels.statement), v.value);
  return counts;
}

/** `db_queries_per_request` of one route: requests observed, statements they issued on every pool. */
async function perRequest(route: string): Promise<{ requests: number; statements: number }> {
  const values = (await metricValues('db_queries_per_request')).filter((v) => v.labels.route === route);
  return {
    requests: values.find((v) => v.metricName === 'db_queries_per_request_count')?.value ?? 0,
    statements: values.find((v) => v.metricName === 'db_queries_per_request_sum')?.value ?? 0,
  };
}

/** One GET, with the statements it issued: by name (read-model pool), and in all as the request counted them. */
async function measured(path: string, route: string, token: string) {
  const before = await readModelStatements();
  const counted = await perRequest(route);
  const response = await app.request('GET', path, { token });
  const after = await readModelStatements();
  const statements: Record<string, number> = {};
  for (const [name, count] of after) if (count !== (before.get(name) ?? 0)) statements[name] = count - (before.get(name) ?? 0);
  // The per-request count is recorded when the response finishes, which may be just after the client has it.
  await until(async () => (await perRequest(route)).requests > counted.requests, `${route} counted`);
  return { status: response.status, body: response.body, statements, total: (await perRequest(route)).statements - counted.statements };
}

const WS_ROUTE = '/v1/orgs/:org/workspaces/:ws';

describe('a warm dashboard request', () => {
  const dashboards = [
    { path: 'jobs/percentiles?range=30d', route: `${WS_ROUTE}/jobs/percentiles`, statement: 'JobStatsQueries.percentiles' },
    { path: 'jobs/timeseries?range=7d', route: `${WS_ROUTE}/jobs/timeseries`, statement: 'JobStatsQueries.timeSeries' },
    { path: 'jobs/statistics?hours=24', route: `${WS_ROUTE}/jobs/statistics`, statement: 'JobStatsQueries.statistics' },
  ];

  it.each(dashboards)('issues one statement, the analytics query, for $path', async ({ path, route, statement }) => {
    for (const token of [member, owner]) {
      const first = await measured(`/v1/orgs/${ORG}/workspaces/metrics/${path}`, route, token);
      expect(first.status).toBe(200);
      const second = await measured(`/v1/orgs/${ORG}/workspaces/metrics/${path}`, route, token);
      expect({ status: second.status, statements: second.statements, total: second.total }).toEqual({
        status: 200,
        statements: { [statement]: 1 },
        total: 1,
      });
      expect(second.body).toEqual(first.body);
    }
  });

  it('issues only the list itself for the workspace list, and only the comparison for statistics/compare', async () => {
    await measured(`/v1/orgs/${ORG}/workspaces`, '/v1/orgs/:org/workspaces', member);
    const list = await measured(`/v1/orgs/${ORG}/workspaces`, '/v1/orgs/:org/workspaces', member);
    expect(list.status).toBe(200);
    expect(Object.keys(list.statements)).toEqual(['WorkspaceQueries.list']);
    expect(list.total).toBe(list.statements['WorkspaceQueries.list']);

    const now = Date.now();
    const iso = (hoursAgo: number) => new Date(now - hoursAgo * 3_600_000).toISOString();
    const path = `/v1/orgs/${ORG}/workspaces/metrics/statistics/compare?currentStart=${iso(24)}&currentEnd=${iso(0)}&previousStart=${iso(48)}&previousEnd=${iso(24)}`;
    await measured(path, `${WS_ROUTE}/statistics/compare`, member);
    const compare = await measured(path, `${WS_ROUTE}/statistics/compare`, member);
    expect(compare.status).toBe(200);
    expect(Object.keys(compare.statements).sort()).toEqual(['DocumentTotalsQueries.asOf', 'JobStatsQueries.windowTotals']);
  });
});

describe('what the caches must never hide', () => {
  it('a changed role: the next request given the command position sees it', async () => {
    const before = await app.request('GET', `/v1/orgs/${ORG}`, { token: member });
    expect(before.body).toMatchObject({ role: 'member' });
    for (const [githubRole, role] of [
      ['admin', 'admin'],
      ['member', 'member'],
    ] as const) {
      const changed = await addMemberFromGitHub(app, github, { token: owner, org: ORG, userId: 'user_member', githubRole });
      expect(changed.status).toBe(200);
      const after = await app.request('GET', `/v1/orgs/${ORG}?minPosition=${changed.body.position}`, { token: member });
      expect(after).toMatchObject({ status: 200, body: { role } });
    }
  });

  it('a renamed workspace: gone under its old name, found under its new one, for the next request given the position', async () => {
    const path = (name: string) => `/v1/orgs/${ORG}/workspaces/${name}/jobs/timeseries?range=24h`;
    expect((await app.request('GET', path('metrics'), { token: member })).status).toBe(200);
    expect((await app.request('GET', path('board'), { token: member })).status).toBe(404);

    const renamed = await app.request('PATCH', `/v1/orgs/${ORG}/workspaces/metrics`, { token: owner, body: { name: 'board' } });
    expect(renamed.status).toBe(200);
    const old = await app.request('GET', `${path('metrics')}&minPosition=${renamed.body.position}`, { token: member });
    expect({ status: old.status, code: old.body.error?.code }).toEqual({ status: 404, code: 'not_found' });
    expect((await app.request('GET', `${path('board')}&minPosition=${renamed.body.position}`, { token: member })).status).toBe(200);

    // Renamed back: requests without a position follow once the projection applied it (its
    // notification, not a timer, drops the entries: they would otherwise live a minute).
    const back = await app.request('PATCH', `/v1/orgs/${ORG}/workspaces/board`, { token: owner, body: { name: 'metrics' } });
    expect(back.status).toBe(200);
    await app.runtime.checkpoints.waitFor('workspaces', back.body.position, 10_000);
    await until(async () => (await app.request('GET', path('board'), { token: member })).status === 404, 'the old name refused');
    expect((await app.request('GET', path('metrics'), { token: member })).status).toBe(200);
  });

  it('one organization’s cached answers never answer for another', async () => {
    const path = (org: string) => `/v1/orgs/${org}/workspaces/metrics/jobs/percentiles?range=30d`;
    expect((await app.request('GET', path(ORG), { token: member })).status).toBe(200);
    // The member and the owner of ORG are not members of other-co; other-co's admin is not one of ORG.
    for (const token of [member, owner]) expect((await app.request('GET', path('other-co'), { token })).status).toBe(403);
    expect((await app.request('GET', path(ORG), { token: outsider })).status).toBe(403);
    // other-co's own admin, in their organization: it has no workspace "metrics", whatever ORG's is.
    const otherAdmin = await tokenFor('user_other', { id: clerk.organization('other-co')!.id, slug: 'other-co' });
    const missing = await app.request('GET', path('other-co'), { token: otherAdmin });
    expect({ status: missing.status, code: missing.body.error?.code }).toEqual({ status: 404, code: 'not_found' });
  });

  it('a removed member: refused by the next request given the webhook’s position, on a route that does not read memberships itself', async () => {
    const path = `/v1/orgs/${ORG}/workspaces/metrics/jobs/percentiles?range=30d`;
    expect((await app.request('GET', path, { token: member })).status).toBe(200);
    const removed = clerk.removeMembership(organizationId, 'user_member')!;
    const delivered = await deliverWebhook('organizationMembership.deleted', removed);
    expect(delivered.status).toBe(200);
    const refused = await app.request('GET', `${path}&minPosition=${delivered.body.position}`, { token: member });
    expect(refused.status).toBe(403);
    expect((await app.request('GET', path, { token: member })).status).toBe(403);
  });
});

/** Signed like Svix: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body` with the secret's base64 key. */
function deliverWebhook(type: string, data: unknown) {
  const body = JSON.stringify({ type, object: 'event', data, timestamp: Date.now(), instance_id: 'ins_test' });
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const key = Buffer.from(WEBHOOK_SECRET.slice('whsec_'.length), 'base64');
  const signature = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
  return app.request('POST', '/v1/webhooks/clerk', {
    body,
    headers: { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': signature },
  });
}

/** Polls `condition` until it holds; fails after 10 s naming `what`. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
