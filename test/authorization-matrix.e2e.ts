import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { jobDecider, jobStreamId, type JobCommand } from '#domain';
import { handleCommand } from '#event-store';
import { LocalIdentityProvider, createLogger } from '#adapters';
import { generateApiKeySecret } from '../apps/api/src/api-keys/api-key-secret.js';
import { createApiApp } from '../apps/api/src/create-api-app.js';
import { loadRateLimits } from '#runtime';
import { installationPayload, repositoryPayload, startFakeGitHub, type FakeGitHub } from '#testing';
import { startTestApp, type TestApp } from './support/app.js';
import { GITHUB_MEMBERS_ORG, addMemberFromGitHub, connectMembershipVerifier, githubLoginFor } from './support/github-membership.js';
import { waitForReadModel } from './support/wait-for-job.js';

/**
 * Security tests (issue 4): an authorization matrix over every route the API serves, and secrets
 * (API keys, GitHub tokens, bearer tokens) that never reach the logs, the event store, a read model
 * or a response after the one that created them.
 *
 * One app for both: its runtime logger is the real one (`createLogger`, its redaction included) at
 * `debug`, writing into memory, so the secrets check also covers every request the matrix made.
 */

// ---------------------------------------------------------------------------------------------
// Captured output: the app's pino lines, and anything written to stdout/stderr (Nest's own logger).

const logLines: string[] = [];
const processOutput: string[] = [];
const logger = createLogger('authz', 'debug');
// The logger createLogger built (same options, same redaction), pointed at memory instead of fd 1.
// Child loggers inherit the stream through their prototype.
(logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (line: string) => void logLines.push(line) };

const originalWrites = { stdout: process.stdout.write, stderr: process.stderr.write };
function captureProcessOutput(): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = originalWrites[name];
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      processOutput.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  }
}
function restoreProcessOutput(): void {
  process.stdout.write = originalWrites.stdout;
  process.stderr.write = originalWrites.stderr;
}

// ---------------------------------------------------------------------------------------------
// Every response, and every secret handed to or by the app.

interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** The body and the response headers, as text. */
  readonly text: string;
}
const exchanges: Exchange[] = [];

interface Secret {
  readonly kind: 'api key' | 'github token' | 'session token';
  readonly value: string;
  /** The exchange whose response handed it out (API keys: the creating or rotating response). */
  readonly createdBy: number | null;
}
const secrets: Secret[] = [];
const secret = (kind: Secret['kind'], value: string, createdBy: number | null = null): string => {
  secrets.push({ kind, value, createdBy });
  return value;
};

let app: TestApp;
let github: FakeGitHub;

type RequestOptions = { token?: string; body?: unknown; headers?: Record<string, string> };

/** `app.request`, recording the response and any API key secret it hands out. */
async function call(method: string, path: string, options: RequestOptions = {}) {
  const response = await app.request(method, path, options);
  const index =
    exchanges.push({
      method,
      path,
      status: response.status,
      text: `${JSON.stringify(response.body)} ${JSON.stringify([...response.headers.entries()])}`,
    }) - 1;
  const key = (response.body as { key?: unknown } | null)?.key;
  if (typeof key === 'string' && key.startsWith('lf_')) secret('api key', key, index);
  return response;
}

async function expectOk(response: { status: number; body: any }, status: number) {
  expect({ status: response.status, body: response.body }).toEqual({ status, body: expect.anything() });
  return response.body;
}

// ---------------------------------------------------------------------------------------------
// Fixtures: organization A with an admin and a member, organization B with its own admin, a user in
// no organization; workspaces, jobs, API keys and a GitHub integration with resources in A.

const ORG = 'authz-a';
const ORG_ID = `org_local_${ORG}`;
const OTHER_ORG = 'authz-b';
const ADMIN = 'user_authz_admin';
const MEMBER = 'user_authz_member';
const OUTSIDER = 'user_authz_outsider';
const LONER = 'user_authz_loner';
const WS = `/v1/orgs/${ORG}/workspaces/docs`;
const GITHUB_INSTALLATION = 11;

const CALLERS = [
  'anonymous',
  'malformed-token',
  'forged-token',
  'expired-token',
  'unknown-api-key',
  'revoked-api-key',
  'api-key',
  'no-active-org',
  'other-org',
  'member',
  'member-via',
  'admin',
] as const;
type Caller = (typeof CALLERS)[number];

const CALLER_DESCRIPTIONS: Record<Caller, string> = {
  anonymous: 'no Authorization header',
  'malformed-token': 'a bearer token that is not a JWT',
  'forged-token': "the admin's claims signed with another key",
  'expired-token': "the admin's claims, expired",
  'unknown-api-key': 'a well-formed lf_ key that was never issued',
  'revoked-api-key': "the admin's revoked key",
  'api-key': "the admin's active key",
  'no-active-org': 'a valid token without an active organization, member of nothing',
  'other-org': 'the admin of organization B (active B)',
  member: 'a member of A (active A, role member)',
  'member-via': 'the same member, active in another organization where they are admin',
  admin: 'the admin of A (active A): the positive control',
};

/** Refused before any route code runs. */
const UNAUTHENTICATED: readonly Caller[] = [
  'anonymous',
  'malformed-token',
  'forged-token',
  'expired-token',
  'unknown-api-key',
  'revoked-api-key',
];
/** Callers allowed on an org route that is not admin-only. */
const ORG_MEMBERS: readonly Caller[] = ['member', 'member-via', 'admin'];

const tokens = {} as Record<Caller, string | undefined>;
const fixture = {
  workspaceId: '',
  keyToRevoke: '',
  keyToDelete: '',
  keyToRotate: '',
  integrationId: '',
  connectedResource: '',
  unconnectedResource: '',
  /** Connected repositories: one everyone reads and detects, one to reindex per allowed caller. */
  repositoryId: '',
  reindexRepositories: {} as Record<string, string>,
};

/** The GitHub App (its key, and a repository it reads) for `detect-config`, as in repositories.e2e.ts. */
const GITHUB_APP = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const savedAppEnv = { id: process.env.GITHUB_APP_ID, key: process.env.GITHUB_APP_PRIVATE_KEY };
const REPOSITORIES = `/v1/orgs/${ORG}/repositories`;
/** A distinct GitHub repository per allowed caller: connecting the same one again is a 409. */
const newGithubRepoId = (c: Caller) => String(7000 + CALLERS.indexOf(c));
const reindexTarget = (c: Caller) => fixture.reindexRepositories[ORG_MEMBERS.includes(c) ? c : 'main']!;

const repo = (repoId: number) => ({
  installationId: GITHUB_INSTALLATION,
  repoId,
  repoName: `repo${repoId}`,
  repoFullName: `authz/repo${repoId}`,
  defaultBranch: 'main',
  isPrivate: true,
  isArchived: false,
});

const jobId = (caller: Caller) => `authz-job-${ORG_MEMBERS.includes(caller) ? `cancel-${caller}` : 'main'}`;
const queueJob = (id: string, workspaceId: string): JobCommand => ({
  type: 'QueueJob',
  data: {
    jobId: id,
    organizationId: ORG_ID,
    workspaceId,
    repositoryId: 'repo-1',
    name: id,
    trigger: 'manual',
    triggeredBy: null,
    input: {},
    at: new Date().toISOString(),
  },
});

/** A token the app's own key signed, with any claims (mint always sets an active organization). */
async function signWithAppKey(subject: string, claims: Record<string, unknown>, expiresAt: number): Promise<string> {
  const { privateKey } = app.runtime.identity as unknown as { privateKey: Parameters<SignJWT['sign']>[0] };
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject(subject)
    .setIssuer('console-local')
    .setIssuedAt(now - 3600)
    .setNotBefore(now - 3600)
    .setExpirationTime(expiresAt)
    .sign(privateKey);
}

/** The browser's OAuth round against the fake GitHub: the app exchanges the code for `token`. */
async function connectGitHub(
  session: string,
  token: string,
): Promise<{ integrationId: string; position: string; code: string; state: string }> {
  const started = await call('GET', '/v1/github/auth', { token: session });
  const authorizeUrl = (await expectOk(started, 200)).url as string;
  const state = new URL(authorizeUrl).searchParams.get('state')!;
  // The browser keeps the cookie that binds the round to it; GitHub issues a code for the PKCE challenge.
  const cookie = started.headers
    .getSetCookie()
    .find((c) => c.startsWith('console_github_oauth='))!
    .split(';')[0]!;
  const code = github.authorize(authorizeUrl, token, 'read:user');
  github.setInstallations(token, [installationPayload(GITHUB_INSTALLATION, 'authz')]);
  const connected = await expectOk(
    await call('GET', `/v1/github/callback?${new URLSearchParams({ code, state })}`, { headers: { cookie } }),
    200,
  );
  return { integrationId: connected.integrationId, position: connected.position, code, state };
}
/** Not among the secrets the issue names, but the request logger means to redact them (`redactQuery`). */
const oauthSecrets: Array<{ what: string; value: string }> = [];

beforeAll(async () => {
  captureProcessOutput();
  github = await startFakeGitHub();
  github.setApp({ appId: '99', publicKey: GITHUB_APP.publicKey });
  // What the installation (and every user of it here) sees: the repositories, resources and connect targets below.
  const seen = [1, 2, 3, ...Array.from({ length: 30 }, (_, i) => 6100 + i), ...Array.from({ length: 30 }, (_, i) => 7000 + i)].map(
    (id) => ({ ...repositoryPayload(id, 'authz', `repo${id}`), private: true }),
  );
  github.setInstallationRepositories(GITHUB_INSTALLATION, [repositoryPayload(6000, 'authz', 'docs'), ...seen]);
  github.setRepositoryFiles('authz/docs', {
    'README.md': '# docs',
    '.lightfast.yaml': 'version: 1\nstore: docs-site\ninclude:\n  - docs/**/*.mdx\n',
  });
  process.env.GITHUB_APP_ID = '99';
  process.env.GITHUB_APP_PRIVATE_KEY = GITHUB_APP.privateKey;
  app = await startTestApp({
    logger,
    config: {
      githubApiUrl: github.url,
      githubOAuth: { clientId: 'gh-client-id', clientSecret: 'gh-client-secret', webUrl: github.url },
      githubAppSlug: 'authz-app',
      // Some 250 refused tokens from one address: the failed-authentication limit (abuse-limits.e2e.ts)
      // would answer 429 to the rest of the matrix.
      rateLimits: loadRateLimits({ RATE_LIMIT_AUTH_FAILURES: 'off' }),
    },
  });
  const mint = (userId: string, org: string, role: 'admin' | 'member') =>
    app.token({ userId, org, role }).then((t) => secret('session token', t));

  tokens.admin = await mint(ADMIN, ORG, 'admin');
  tokens.member = await mint(MEMBER, ORG, 'member');
  tokens['member-via'] = await mint(MEMBER, 'authz-elsewhere', 'admin');
  tokens['other-org'] = await mint(OUTSIDER, OTHER_ORG, 'admin');
  const inAnHour = Math.floor(Date.now() / 1000) + 3600;
  tokens['no-active-org'] = secret('session token', await signWithAppKey(LONER, {}, inAnHour));
  tokens['expired-token'] = secret(
    'session token',
    await signWithAppKey(ADMIN, { org_id: ORG_ID, org_slug: ORG, org_role: 'org:admin' }, Math.floor(Date.now() / 1000) - 600),
  );
  const elsewhere = await LocalIdentityProvider.ephemeral();
  tokens['forged-token'] = secret('session token', await elsewhere.mint({ userId: ADMIN, organizationSlug: ORG, role: 'admin' }));
  tokens['malformed-token'] = 'not-a-jwt';
  tokens['unknown-api-key'] = secret('api key', generateApiKeySecret());
  tokens.anonymous = undefined;

  // Organizations: A (created by its admin, who adds the member), B (its own admin).
  await expectOk(await call('POST', '/v1/orgs', { token: tokens.admin, body: { slug: ORG, name: 'Authz A' } }), 201);
  await expectOk(await call('POST', '/v1/orgs', { token: tokens['other-org'], body: { slug: OTHER_ORG, name: 'Authz B' } }), 201);
  // The admin's GitHub token verifies GitHub organization memberships; MEMBER is added through that route.
  await connectMembershipVerifier(app, github, ADMIN);
  const added = await expectOk(
    await addMemberFromGitHub(app, github, { token: tokens.admin!, org: ORG, userId: MEMBER, githubRole: 'member' }),
    200,
  );
  github.setOrgMembership(GITHUB_MEMBERS_ORG, githubLoginFor('user_authz_added'), { state: 'active', role: 'admin' });
  const memberView = await expectOk(
    await call('GET', `/v1/orgs/${ORG}?minPosition=${added.position}`, { token: tokens['member-via'] }),
    200,
  );
  expect(memberView.role).toBe('member');

  // Workspaces: `docs` for everything; one to rename per allowed caller, and one refused callers aim at.
  const docs = await expectOk(await call('POST', `/v1/orgs/${ORG}/workspaces`, { token: tokens.admin, body: { name: 'docs' } }), 201);
  fixture.workspaceId = docs.workspaceId;
  let position = docs.position as string;
  for (const name of ['rn-target', ...ORG_MEMBERS.map((c) => `rn-${c}`)]) {
    position = (await expectOk(await call('POST', `/v1/orgs/${ORG}/workspaces`, { token: tokens.admin, body: { name } }), 201)).position;
  }
  await expectOk(await call('GET', `/v1/orgs/${ORG}/workspaces?minPosition=${position}`, { token: tokens.admin }), 200);

  // Jobs: one everyone reads, one to cancel per allowed caller.
  for (const id of ['authz-job-main', ...ORG_MEMBERS.map((c) => jobId(c))]) {
    position = (
      await handleCommand(app.runtime.store, jobStreamId(id), jobDecider, queueJob(id, fixture.workspaceId), { commandId: `seed-${id}` })
    ).position!;
  }
  await expectOk(await call('GET', `${WS}/jobs/authz-job-main?minPosition=${position}`, { token: tokens.admin }), 200);

  // API keys of the admin: the one the `api-key` caller uses, a revoked one, one per key route.
  const createKey = async (name: string) => expectOk(await call('POST', '/v1/me/api-keys', { token: tokens.admin, body: { name } }), 201);
  tokens['api-key'] = (await createKey('matrix caller')).key;
  const revoked = await createKey('matrix revoked');
  tokens['revoked-api-key'] = revoked.key;
  fixture.keyToRevoke = (await createKey('to revoke')).id;
  fixture.keyToDelete = (await createKey('to delete')).id;
  fixture.keyToRotate = (await createKey('to rotate')).id;
  const revocation = await expectOk(await call('POST', `/v1/me/api-keys/${revoked.id}/revoke`, { token: tokens.admin }), 200);
  await expectOk(await call('GET', `/v1/me/api-keys?minPosition=${revocation.position}`, { token: tokens.admin }), 200);

  // The admin's GitHub integration (through the OAuth callback), two repositories, one connected to `docs`.
  const githubToken = secret('github token', `gho_${randomUUID().replace(/-/g, '')}`);
  const connected = await connectGitHub(tokens.admin, githubToken);
  oauthSecrets.push({ what: 'OAuth code', value: connected.code }, { what: 'signed OAuth state', value: connected.state });
  fixture.integrationId = connected.integrationId;
  const resources = await expectOk(
    await call('POST', `/v1/me/integrations/${fixture.integrationId}/resources`, {
      token: tokens.admin,
      body: { resources: [repo(1), repo(2)] },
    }),
    201,
  );
  [fixture.connectedResource, fixture.unconnectedResource] = resources.resources.map((r: { id: string }) => r.id);
  const connection = await expectOk(
    await call('POST', `${WS}/integrations`, { token: tokens.admin, body: { resourceId: fixture.connectedResource } }),
    201,
  );
  await expectOk(await call('GET', `${WS}/integrations?minPosition=${connection.position}`, { token: tokens.admin }), 200);

  // Repositories (through the API, into the default workspace): one everyone reads and detects, one to reindex per allowed caller.
  const connectRepository = async (githubRepoId: string) =>
    expectOk(
      await call('POST', REPOSITORIES, { token: tokens.admin, body: { githubRepoId, githubInstallationId: String(GITHUB_INSTALLATION) } }),
      201,
    );
  const main = await connectRepository('6000');
  fixture.repositoryId = main.repositoryId;
  position = main.position;
  for (const [i, name] of ['main', ...ORG_MEMBERS].entries()) {
    const connectedRepo = await connectRepository(String(6100 + i));
    fixture.reindexRepositories[name] = connectedRepo.repositoryId;
    position = connectedRepo.position;
  }
  await expectOk(await call('GET', `${REPOSITORIES}?minPosition=${position}`, { token: tokens.admin }), 200);

  // The store search reads.
  const store = await expectOk(await call('PUT', `${WS}/stores/docs`, { token: tokens.admin, body: {} }), 201);
  await expectOk(await call('GET', `${WS}/stores/docs?minPosition=${store.position}`, { token: tokens.admin }), 200);
}, 120_000);

afterAll(async () => {
  restoreProcessOutput();
  await app?.close();
  await github?.close();
  for (const [name, value] of [
    ['GITHUB_APP_ID', savedAppEnv.id],
    ['GITHUB_APP_PRIVATE_KEY', savedAppEnv.key],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

// ---------------------------------------------------------------------------------------------
// The matrix.

interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As the router registers it. */
  readonly route: string;
  /**
   * `org`: an organization's route, through `OrgAccess` (a non-member gets 403 whether or not the
   * organization exists); `me`: the caller's own resources (another user's are simply not there);
   * `key`: API-key routes (`X-Workspace-ID` names the workspace), which refuse session tokens;
   * `operator`: every organization's data (`OPERATOR_USER_IDS`), refused to every caller here, admins
   * included (403 `operator_required`); operator.e2e.ts has the operator's own answers.
   */
  readonly scope: 'org' | 'me' | 'key' | 'operator';
  readonly admin?: boolean;
  /** The answer to an allowed caller. */
  readonly ok: number;
  /** `org` routes: a member's answer where it is not `ok` (not the owner of the thing, …). */
  readonly members?: number;
  /** `me` routes: another user's answer where it is not `ok` (404: someone else's key or integration). */
  readonly others?: number;
  readonly path?: (caller: Caller) => string;
  readonly body?: (caller: Caller) => unknown;
  readonly headers?: () => Record<string, string>;
}

const COMPARE = new URLSearchParams({
  currentStart: '2026-01-02T00:00:00Z',
  currentEnd: '2026-01-03T00:00:00Z',
  previousStart: '2026-01-01T00:00:00Z',
  previousEnd: '2026-01-02T00:00:00Z',
});

/** Every protected route. Order matters only for the admin's destructive cases (the integration's disconnection last). */
const ROUTES: readonly Route[] = [
  { method: 'GET', route: '/v1/me', scope: 'me', ok: 200 },
  { method: 'GET', route: '/v1/me/organizations', scope: 'me', ok: 200 },
  { method: 'POST', route: '/v1/orgs', scope: 'me', ok: 201, body: (c) => ({ slug: `authz-new-${c}` }) },
  { method: 'GET', route: '/v1/orgs/by-id/:clerkOrgId', scope: 'org', ok: 200, path: () => `/v1/orgs/by-id/${ORG_ID}` },
  {
    method: 'GET',
    route: '/v1/orgs/by-id/:clerkOrgId/workspaces/default',
    scope: 'org',
    ok: 200,
    path: () => `/v1/orgs/by-id/${ORG_ID}/workspaces/default`,
  },
  { method: 'GET', route: '/v1/orgs/:org', scope: 'org', ok: 200, path: () => `/v1/orgs/${ORG}` },
  {
    method: 'PATCH',
    route: '/v1/orgs/:org',
    scope: 'org',
    admin: true,
    ok: 200,
    path: () => `/v1/orgs/${ORG}`,
    body: (c) => ({ name: `Renamed by ${c}` }),
  },
  {
    method: 'POST',
    route: '/v1/orgs/:org/members/from-github',
    scope: 'org',
    admin: true,
    ok: 200,
    path: () => `/v1/orgs/${ORG}/members/from-github`,
    body: () => ({ userId: 'user_authz_added', githubOrgSlug: GITHUB_MEMBERS_ORG, githubUsername: githubLoginFor('user_authz_added') }),
  },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/default', scope: 'org', ok: 200, path: () => `/v1/orgs/${ORG}/workspaces/default` },
  { method: 'GET', route: '/v1/orgs/:org/workspaces', scope: 'org', ok: 200, path: () => `/v1/orgs/${ORG}/workspaces` },
  {
    method: 'POST',
    route: '/v1/orgs/:org/workspaces',
    scope: 'org',
    ok: 201,
    path: () => `/v1/orgs/${ORG}/workspaces`,
    body: (c) => ({ name: `new-${c}` }),
  },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws', scope: 'org', ok: 200, path: () => WS },
  {
    method: 'PATCH',
    route: '/v1/orgs/:org/workspaces/:ws',
    scope: 'org',
    ok: 200,
    path: (c) => `/v1/orgs/${ORG}/workspaces/${ORG_MEMBERS.includes(c) ? `rn-${c}` : 'rn-target'}`,
    body: (c) => ({ name: `renamed-${c}` }),
  },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws/statistics', scope: 'org', ok: 200, path: () => `${WS}/statistics` },
  {
    method: 'GET',
    route: '/v1/orgs/:org/workspaces/:ws/statistics/compare',
    scope: 'org',
    ok: 200,
    path: () => `${WS}/statistics/compare?${COMPARE}`,
  },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws/health', scope: 'org', ok: 200, path: () => `${WS}/health` },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws/jobs', scope: 'org', ok: 200, path: () => `${WS}/jobs` },
  {
    method: 'GET',
    route: '/v1/orgs/:org/workspaces/:ws/jobs/statistics',
    scope: 'org',
    ok: 200,
    path: () => `${WS}/jobs/statistics?hours=24`,
  },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws/jobs/recent', scope: 'org', ok: 200, path: () => `${WS}/jobs/recent?limit=5` },
  {
    method: 'GET',
    route: '/v1/orgs/:org/workspaces/:ws/jobs/percentiles',
    scope: 'org',
    ok: 200,
    path: () => `${WS}/jobs/percentiles?range=7d`,
  },
  {
    method: 'GET',
    route: '/v1/orgs/:org/workspaces/:ws/jobs/timeseries',
    scope: 'org',
    ok: 200,
    path: () => `${WS}/jobs/timeseries?range=24h`,
  },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws/jobs/:jobId', scope: 'org', ok: 200, path: () => `${WS}/jobs/authz-job-main` },
  {
    method: 'POST',
    route: '/v1/orgs/:org/workspaces/:ws/jobs/:jobId/cancel',
    scope: 'org',
    ok: 200,
    path: (c) => `${WS}/jobs/${jobId(c)}/cancel`,
  },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws/integrations', scope: 'org', ok: 200, path: () => `${WS}/integrations` },
  {
    method: 'GET',
    route: '/v1/orgs/:org/workspaces/:ws/integrations/status',
    scope: 'org',
    ok: 200,
    path: () => `${WS}/integrations/status?repoFullName=authz/repo1`,
  },
  // A member may connect only a resource of their own: the admin's is not found in the member's stream.
  {
    method: 'POST',
    route: '/v1/orgs/:org/workspaces/:ws/integrations',
    scope: 'org',
    ok: 201,
    members: 404,
    path: () => `${WS}/integrations`,
    body: () => ({ resourceId: fixture.unconnectedResource }),
  },
  // Only the resource's owner or an admin may disconnect it.
  {
    method: 'DELETE',
    route: '/v1/orgs/:org/workspaces/:ws/integrations/:resourceId',
    scope: 'org',
    ok: 200,
    members: 403,
    path: () => `${WS}/integrations/${fixture.connectedResource}`,
  },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws/sources', scope: 'org', ok: 200, path: () => `${WS}/sources` },
  // The same connection through `…/sources`: the owner's (the admin's) or an admin's to end; a second time a no-op.
  {
    method: 'DELETE',
    route: '/v1/orgs/:org/workspaces/:ws/sources/:id',
    scope: 'org',
    ok: 200,
    members: 403,
    path: () => `${WS}/sources/${fixture.connectedResource}`,
  },
  { method: 'GET', route: '/v1/orgs/:org/repositories', scope: 'org', ok: 200, path: () => REPOSITORIES },
  { method: 'GET', route: '/v1/orgs/:org/repositories/:id', scope: 'org', ok: 200, path: () => `${REPOSITORIES}/${fixture.repositoryId}` },
  {
    method: 'POST',
    route: '/v1/orgs/:org/repositories',
    scope: 'org',
    ok: 201,
    // Connecting needs the caller's own GitHub access to the repository: the member has none here.
    members: 404,
    path: () => REPOSITORIES,
    body: (c) => ({ githubRepoId: newGithubRepoId(c), githubInstallationId: String(GITHUB_INSTALLATION) }),
  },
  {
    method: 'PATCH',
    route: '/v1/orgs/:org/repositories/:id',
    scope: 'org',
    admin: true,
    ok: 200,
    path: () => `${REPOSITORIES}/${fixture.repositoryId}`,
    body: (c) => ({ metadata: { extras: { by: c } } }),
  },
  // Reads the fake GitHub through the App (configured above); a detection again is a 200 again.
  {
    method: 'POST',
    route: '/v1/orgs/:org/repositories/:id/detect-config',
    scope: 'org',
    ok: 200,
    path: () => `${REPOSITORIES}/${fixture.repositoryId}/detect-config`,
  },
  // 202, then 409 while the job is queued: a repository of its own per allowed caller.
  {
    method: 'POST',
    route: '/v1/orgs/:org/repositories/:id/reindex',
    scope: 'org',
    ok: 202,
    path: (c) => `${REPOSITORIES}/${reindexTarget(c)}/reindex`,
  },
  // A store per allowed caller: each PUT creates (201); the one everyone reads was made by the admin.
  {
    method: 'PUT',
    route: '/v1/orgs/:org/workspaces/:ws/stores/:slug',
    scope: 'org',
    ok: 201,
    path: (c) => `${WS}/stores/${ORG_MEMBERS.includes(c) ? `s-${c}` : 'refused'}`,
    body: () => ({}),
  },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws/stores', scope: 'org', ok: 200, path: () => `${WS}/stores` },
  { method: 'GET', route: '/v1/orgs/:org/workspaces/:ws/stores/:slug', scope: 'org', ok: 200, path: () => `${WS}/stores/docs` },
  {
    method: 'POST',
    route: '/v1/contents',
    scope: 'key',
    ok: 200,
    body: () => ({ ids: ['doc_unknown'] }),
    headers: () => ({ 'x-workspace-id': fixture.workspaceId }),
  },
  {
    method: 'POST',
    route: '/v1/search',
    scope: 'key',
    ok: 200,
    body: () => ({ query: 'anything', filters: { labels: ['store:docs'] } }),
    headers: () => ({ 'x-workspace-id': fixture.workspaceId }),
  },
  { method: 'GET', route: '/v1/me/api-keys', scope: 'me', ok: 200 },
  { method: 'POST', route: '/v1/me/api-keys', scope: 'me', ok: 201, body: (c) => ({ name: `key of ${c}` }) },
  {
    method: 'POST',
    route: '/v1/me/api-keys/:id/revoke',
    scope: 'me',
    ok: 200,
    others: 404,
    path: () => `/v1/me/api-keys/${fixture.keyToRevoke}/revoke`,
  },
  {
    method: 'DELETE',
    route: '/v1/me/api-keys/:id',
    scope: 'me',
    ok: 200,
    others: 404,
    path: () => `/v1/me/api-keys/${fixture.keyToDelete}`,
  },
  {
    method: 'POST',
    route: '/v1/me/api-keys/:id/rotate',
    scope: 'me',
    ok: 201,
    others: 404,
    path: () => `/v1/me/api-keys/${fixture.keyToRotate}/rotate`,
    body: () => ({}),
  },
  { method: 'GET', route: '/v1/github/auth', scope: 'me', ok: 200 },
  { method: 'GET', route: '/v1/orgs/:org/github/installations', scope: 'org', ok: 200, path: () => `/v1/orgs/${ORG}/github/installations` },
  // Bound already (by the admin's connect): 200 for every member, with the existing binding.
  {
    method: 'POST',
    route: '/v1/orgs/:org/github/installations',
    scope: 'org',
    ok: 200,
    path: () => `/v1/orgs/${ORG}/github/installations`,
    body: () => ({ installationId: String(GITHUB_INSTALLATION) }),
  },
  { method: 'GET', route: '/v1/github/install', scope: 'org', ok: 200, path: () => `/v1/github/install?org=${ORG}` },
  { method: 'GET', route: '/v1/me/integrations', scope: 'me', ok: 200 },
  { method: 'GET', route: '/v1/me/integrations/github', scope: 'me', ok: 200 },
  // The caller's own GitHub integration: none for anyone but the admin (404, nothing called).
  { method: 'POST', route: '/v1/me/integrations/github/validate', scope: 'me', ok: 200, others: 404 },
  {
    method: 'GET',
    route: '/v1/me/integrations/:id/resources',
    scope: 'me',
    ok: 200,
    others: 404,
    path: () => `/v1/me/integrations/${fixture.integrationId}/resources`,
  },
  {
    method: 'POST',
    route: '/v1/me/integrations/:id/resources',
    scope: 'me',
    ok: 201,
    others: 404,
    path: () => `/v1/me/integrations/${fixture.integrationId}/resources`,
    body: () => ({ resources: [repo(3)] }),
  },
  {
    method: 'GET',
    route: '/v1/me/integrations/:id/installations/:installationId/repositories',
    scope: 'me',
    ok: 200,
    others: 404,
    path: () => `/v1/me/integrations/${fixture.integrationId}/installations/${GITHUB_INSTALLATION}/repositories`,
  },
  {
    method: 'GET',
    route: '/v1/me/integrations/:id/installations/:installationId/repositories/:owner/:repo/config',
    scope: 'me',
    ok: 200,
    others: 404,
    path: () => `/v1/me/integrations/${fixture.integrationId}/installations/${GITHUB_INSTALLATION}/repositories/authz/docs/config`,
  },
  {
    method: 'DELETE',
    route: '/v1/me/integrations/:id',
    scope: 'me',
    ok: 200,
    others: 404,
    path: () => `/v1/me/integrations/${fixture.integrationId}`,
  },
  { method: 'GET', route: '/v1/operator/projections', scope: 'operator', ok: 200 },
  {
    method: 'POST',
    route: '/v1/operator/projections/:name/rebuild',
    scope: 'operator',
    ok: 202,
    path: () => '/v1/operator/projections/jobs/rebuild',
  },
  { method: 'GET', route: '/v1/operator/dead-letters', scope: 'operator', ok: 200 },
  {
    method: 'POST',
    route: '/v1/operator/dead-letters/:id/retry',
    scope: 'operator',
    ok: 404,
    path: () => '/v1/operator/dead-letters/1/retry',
  },
  {
    method: 'POST',
    route: '/v1/operator/dead-letters/:id/skip',
    scope: 'operator',
    ok: 404,
    path: () => '/v1/operator/dead-letters/1/skip',
  },
  { method: 'GET', route: '/v1/operator/events', scope: 'operator', ok: 200 },
  {
    method: 'GET',
    route: '/v1/operator/streams/:streamId/events',
    scope: 'operator',
    ok: 200,
    path: () => `/v1/operator/streams/${encodeURIComponent(`organization-${ORG_ID}`)}/events`,
  },
  { method: 'GET', route: '/v1/operator/ingestion', scope: 'operator', ok: 200 },
];

/** Served without a token, on purpose: not in the matrix. */
const PUBLIC_ROUTES = [
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'POST /v1/webhooks/clerk',
  'POST /v1/webhooks/github',
  'GET /v1/github/callback',
  'GET /v1/github/setup',
  'POST /v1/console/sessions',
  'GET /docs',
  'GET /docs/',
  'GET /docs/index.html',
  'GET /docs/openapi.json',
  'GET /docs/swagger-ui-init.js',
  'GET /docs/docs/swagger-ui-init.js',
  'GET /docs/LICENSE',
];

function expectedStatus(route: Route, caller: Caller): number {
  if (UNAUTHENTICATED.includes(caller)) return 401;
  if (route.scope === 'operator') return 403;
  // Contents and search take API keys only (the original's `apiKeyProcedure`): sessions are refused.
  if (route.scope === 'key') return caller === 'api-key' ? route.ok : 403;
  // Every other route refuses API keys: organizations are a matter of sessions, and a key must not manage
  // keys or a user's GitHub access.
  if (caller === 'api-key') return 403;
  if (caller === 'admin') return route.ok;
  if (route.scope === 'me') return route.others ?? route.ok;
  if (!ORG_MEMBERS.includes(caller)) return 403; // other-org, no-active-org: not members of A
  if (route.admin) return 403;
  return route.members ?? route.ok;
}

const ERROR_CODES: Record<number, string> = { 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found' };

const key = (route: Pick<Route, 'method' | 'route'>) => `${route.method} ${route.route}`;

const CASES = ROUTES.flatMap((route) =>
  CALLERS.map((caller) => {
    const status = expectedStatus(route, caller);
    return { label: `${key(route)} · ${caller} → ${status}`, route, caller, status };
  }),
);

describe('authorization matrix', () => {
  let ran = 0;

  afterAll(() => {
    process.stdout.write(`authorization matrix: ${ran} cases over ${new Set(CASES.map((c) => key(c.route))).size} routes\n`);
  });

  it('lists every route the app serves, besides the public ones', async () => {
    // A second Nest application on the same runtime, initialised but not listening: the routes as
    // the Express router holds them, whatever the controllers declare.
    const nest: INestApplication = await createApiApp(app.runtime);
    await nest.init();
    try {
      const express = nest.getHttpAdapter().getInstance() as { router?: { stack: unknown[] }; _router?: { stack: unknown[] } };
      const stack = (express.router ?? express._router)!.stack as Array<{
        route?: { path: string | string[]; methods: Record<string, boolean> };
      }>;
      const served = stack
        .filter((layer) => layer.route)
        .flatMap(({ route }) =>
          Object.keys(route!.methods)
            .filter((m) => route!.methods[m] && m !== '_all')
            .flatMap((m) => (Array.isArray(route!.path) ? route!.path : [route!.path]).map((p) => `${m.toUpperCase()} ${p}`)),
        );
      expect(served.length).toBeGreaterThan(0);
      const listed = new Set(ROUTES.map(key));
      const unlisted = served.filter((route) => !listed.has(route) && !PUBLIC_ROUTES.includes(route)).sort();
      const stale = [...listed, ...PUBLIC_ROUTES].filter((route) => !served.includes(route)).sort();
      expect({ unlisted, stale }).toEqual({ unlisted: [], stale: [] });
      expect(new Set(served).size).toBe(served.length);
    } finally {
      await nest.close();
    }
  });

  it.each(CASES)('$label', async ({ route, caller, status }) => {
    ran++;
    const path = route.path?.(caller) ?? route.route;
    const before = await app.eventCount({ ignoreKeyUse: true });
    const response = await call(route.method, path, { token: tokens[caller], body: route.body?.(caller), headers: route.headers?.() });
    const after = await app.eventCount({ ignoreKeyUse: true });
    expect({ caller: CALLER_DESCRIPTIONS[caller], status: response.status, body: response.body }).toEqual({
      caller: CALLER_DESCRIPTIONS[caller],
      status,
      // An error in the API's shape; a success may be JSON null (`/integrations/github`, `/status`).
      body:
        status >= 400
          ? {
              error: expect.objectContaining({
                code: route.scope === 'operator' && status === 403 ? 'operator_required' : ERROR_CODES[status],
              }),
            }
          : response.body,
    });
    if (status >= 400) expect({ appended: after - before }).toEqual({ appended: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// Secrets.

describe('secrets never in logs, events, read models, or later responses', () => {
  const USER = 'user_secret';

  beforeAll(async () => {
    const session = await app.token({ userId: USER, org: 'authz-secret', role: 'admin' }).then((t) => secret('session token', t));
    // An API key: created, created again with the same Idempotency-Key (answered without the secret),
    // listed, used, rotated; the old one refused, the new one used.
    const created = await expectOk(
      await call('POST', '/v1/me/api-keys', {
        token: session,
        body: { name: 'secret flow' },
        headers: { 'idempotency-key': 'secret-flow-1' },
      }),
      201,
    );
    expect(created.key).toMatch(/^lf_[A-Za-z0-9]{32}$/);
    const retried = await expectOk(
      await call('POST', '/v1/me/api-keys', {
        token: session,
        body: { name: 'secret flow' },
        headers: { 'idempotency-key': 'secret-flow-1' },
      }),
      201,
    );
    expect([retried.id, retried.key]).toEqual([created.id, null]);
    await expectOk(await call('GET', `/v1/me/api-keys?minPosition=${created.position}`, { token: session }), 200);
    // Keys are refused everywhere (403), but the key authenticates first: it travels and is looked up.
    expect((await call('GET', '/v1/me/api-keys', { token: created.key })).status).toBe(403);
    expect((await call('GET', '/v1/me/organizations', { token: created.key })).status).toBe(403);
    const rotated = await expectOk(
      await call('POST', `/v1/me/api-keys/${created.id}/rotate`, { token: session, body: { name: 'secret flow 2' } }),
      201,
    );
    expect(rotated.key).toMatch(/^lf_/);
    await expectOk(await call('GET', `/v1/me/api-keys?minPosition=${rotated.position}`, { token: session }), 200);
    expect((await call('GET', '/v1/me/integrations', { token: created.key })).status).toBe(401);
    expect((await call('GET', '/v1/me/integrations', { token: rotated.key })).status).toBe(403);

    // GitHub, with a known token: the OAuth round, a validation that calls GitHub with it, the views.
    const githubToken = secret('github token', `gho_secret${randomUUID().replace(/-/g, '')}`);
    const connected = await connectGitHub(session, githubToken);
    oauthSecrets.push({ what: 'OAuth code', value: connected.code }, { what: 'signed OAuth state', value: connected.state });
    await expectOk(await call('POST', '/v1/me/integrations/github/validate', { token: session }), 200);
    await expectOk(await call('GET', `/v1/me/integrations?minPosition=${connected.position}`, { token: session }), 200);
    await expectOk(await call('GET', `/v1/me/integrations/github?minPosition=${connected.position}`, { token: session }), 200);
    // A refused request of the same user (an unknown integration: 404) is logged too.
    await call('GET', `/v1/me/integrations/${randomUUID()}/resources`, { token: session });
    // Key uses are appended off the request path: wait until the projector has both keys' uses.
    await waitForReadModel(
      app,
      'api_keys',
      async () => {
        const used: unknown[] = await app.runtime.dataSource.query(
          'SELECT id FROM api_keys WHERE id = ANY($1) AND last_used_at IS NOT NULL',
          [[created.id, rotated.id]],
        );
        return used.length === 2 || undefined;
      },
      'both keys of the secret flow used',
    );
  }, 60_000);

  const present = (text: string) => secrets.filter((s) => text.includes(s.value)).map((s) => `${s.kind} ${s.value.slice(0, 12)}…`);

  it('captured the app’s logs at debug, request headers included (redacted)', () => {
    expect(logLines.length).toBeGreaterThan(100);
    expect(logLines.some((line) => line.includes('"authorization":"[redacted]"'))).toBe(true);
    expect(secrets.filter((s) => s.kind === 'api key').length).toBeGreaterThan(5);
    expect(secrets.filter((s) => s.kind === 'github token')).toHaveLength(2);
  });

  it('no API key secret, GitHub token or bearer token appears in any log line or process output', () => {
    const leaks = [
      ...logLines.map((line, i) => ({ where: `log line ${i}`, line })),
      ...processOutput.map((line, i) => ({ where: `process output ${i}`, line })),
    ]
      .map(({ where, line }) => ({ where, secrets: present(line), line: line.slice(0, 300) }))
      .filter((leak) => leak.secrets.length > 0);
    expect(leaks).toEqual([]);
  });

  it('no OAuth code or signed state appears in any log line (the request logger means to redact them)', () => {
    const leaks = logLines.flatMap((line, i) =>
      oauthSecrets.filter((s) => line.includes(s.value)).map((s) => ({ where: `log line ${i}`, what: s.what, line: line.slice(0, 400) })),
    );
    expect(leaks).toEqual([]);
  });

  it('no secret is in any event’s data or metadata', async () => {
    const rows: Array<{ stream_id: string; type: string; data: string; metadata: string }> = await app.runtime.dataSource.query(
      'SELECT stream_id, type, data::text AS data, metadata::text AS metadata FROM es_events',
    );
    expect(rows.length).toBeGreaterThan(20);
    const leaks = rows
      .map((r) => ({ event: `${r.stream_id} ${r.type}`, secrets: present(`${r.data} ${r.metadata}`) }))
      .filter((l) => l.secrets.length > 0);
    expect(leaks).toEqual([]);
  });

  it('no secret is in any row of any table or view of the public schema', async () => {
    const relations: Array<{ name: string }> = await app.runtime.dataSource.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'
       UNION SELECT matviewname AS name FROM pg_matviews WHERE schemaname = 'public' ORDER BY name`,
    );
    expect(relations.map((r) => r.name)).toEqual(expect.arrayContaining(['es_events', 'api_keys', 'integrations']));
    const leaks: Array<{ relation: string; secrets: string[] }> = [];
    for (const { name } of relations) {
      const rows: Array<{ row: string }> = await app.runtime.dataSource.query(
        `SELECT to_jsonb(t)::text AS row FROM public."${name.replace(/"/g, '""')}" t`,
      );
      for (const { row } of rows) {
        const found = present(row);
        if (found.length > 0) leaks.push({ relation: name, secrets: found });
      }
    }
    expect(leaks).toEqual([]);
  });

  it('an API key secret is in the response that created it and in no other; tokens in none', () => {
    expect(exchanges.length).toBeGreaterThan(CASES.length);
    const leaks = exchanges.flatMap((exchange, index) =>
      secrets
        .filter((s) => s.createdBy !== index && exchange.text.includes(s.value))
        .map((s) => ({
          response: `${exchange.method} ${exchange.path} → ${exchange.status}`,
          secret: `${s.kind} ${s.value.slice(0, 12)}…`,
        })),
    );
    expect(leaks).toEqual([]);
  });
});
