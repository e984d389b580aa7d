import { afterAll, beforeAll, expect } from '@jest/globals';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { OctokitInstallationsSource, type GitHubUserInstallation } from '#adapters';
import { installationPayload, repositoryPayload, startFakeGitHub, type FakeGitHub } from '#testing';
import { RATE_LIMITS, loadQuotas, loadRateLimits, QUOTAS } from '#runtime';
import {
  StoreGitHubOAuthResultCommand,
  StoreGitHubOAuthResultHandler,
} from '../../../apps/api/src/integrations/store-github-oauth-result.handler.js';
import { startTestApp, type TestApp } from '../app.js';

export const USER = 'user_bad_input';
export const ORG = 'prop-co';
export const WS = 'fixture-ws';

/** What every route's valid request needs; filled in by the `beforeAll` of `useBadInputFixture`. */
export interface BadInputFixture {
  app: TestApp;
  github: FakeGitHub;
  /** The admin's token, its active organization `ORG`. */
  token: string;
  /** What GitHub's OAuth callback calls to store an integration. */
  service: StoreGitHubOAuthResultHandler;
  installations: GitHubUserInstallation[];
  workspaceId: string;
  keyId: string;
  apiKey: string;
  integrationId: string;
  resourceId: string;
  repositoryId: string;
}

let counter = 0;
export const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

let nextRepoId = 900_000;
/** A valid resource; a fresh repository id each time, so an accepted case would append. */
export function resource(repoId = nextRepoId++): Record<string, unknown> {
  return {
    installationId: 11,
    repoId,
    repoName: `repo${repoId}`,
    repoFullName: `acme/repo${repoId}`,
    defaultBranch: 'main',
    isPrivate: true,
    isArchived: false,
  };
}

/** The GitHub App `detect-config` reads through, as in repositories.e2e.ts: a valid request would succeed. */
const GITHUB_APP = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

/**
 * The app on a fresh database, with an organization, a workspace, an API key, a store, a GitHub
 * integration with a resource connected to the workspace, and a repository. Registers the
 * `beforeAll` that builds it and the `afterAll` that closes it: call it at the top of a spec file.
 */
export function useBadInputFixture(): BadInputFixture {
  const fixture = { workspaceId: '', keyId: '', apiKey: '', integrationId: '', resourceId: '', repositoryId: '' } as BadInputFixture;
  const savedAppEnv = { id: process.env.GITHUB_APP_ID, key: process.env.GITHUB_APP_PRIVATE_KEY };

  beforeAll(async () => {
    const github = (fixture.github = await startFakeGitHub());
    github.setApp({ appId: '99', publicKey: GITHUB_APP.publicKey });
    // What installation 11 shows (its users too): the fixture's repository and resource, and the fresh
    // ones the routes' cases connect (`connectRepository`, `resource`), so only the bad input is refused.
    const fresh = (from: number) => Array.from({ length: 1_000 }, (_, i) => repositoryPayload(from + i, 'acme', `repo${from + i}`));
    github.setInstallationRepositories(11, [
      repositoryPayload(5000, 'acme', 'docs'),
      repositoryPayload(101, 'acme', 'repo101'),
      ...fresh(800_000),
      ...fresh(900_000),
    ]);
    github.setRepositoryFiles('acme/docs', {
      'README.md': '# docs',
      '.lightfast.yaml': 'version: 1\nstore: docs-site\ninclude:\n  - docs/**/*.mdx\n',
    });
    process.env.GITHUB_APP_ID = '99';
    process.env.GITHUB_APP_PRIVATE_KEY = GITHUB_APP.privateKey;
    // Rate limits off: hundreds of bad requests per route within a minute would meet them, and a
    // limit answers before validation (429, not the 400 under test). abuse-limits.e2e.ts tests them.
    const rateLimits = loadRateLimits(Object.fromEntries(Object.values(RATE_LIMITS).map((limit) => [limit.env, 'off'])));
    // Hundreds of cases create keys, workspaces and repositories that a refusal must not spend: no quotas either.
    const quotas = loadQuotas(Object.fromEntries(Object.values(QUOTAS).map((quota) => [quota.env, 'off'])));
    const app = (fixture.app = await startTestApp({ config: { githubApiUrl: github.url, rateLimits, quotas, operatorUserIds: [USER] } }));

    // The organization through the API (its creator is its admin), then a token whose active organization it is.
    const created = await app.request('POST', '/v1/orgs', {
      token: await app.token({ userId: USER, org: 'prop-home' }),
      body: { slug: ORG, name: 'Prop Co' },
    });
    expect(created.status).toBe(201);
    const token = (fixture.token = await app.token({ userId: USER, org: ORG, role: 'admin' }));
    const workspace = await app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token, body: { name: WS } });
    expect(workspace.status).toBe(201);
    fixture.workspaceId = workspace.body.workspaceId;

    const key = await app.request('POST', '/v1/me/api-keys', { token, body: { name: 'fixture' } });
    expect(key.status).toBe(201);
    fixture.keyId = key.body.id;
    fixture.apiKey = key.body.key;
    // The store `POST /v1/search` names; the key's user is the organization's admin.
    const store = await app.request('PUT', `/v1/orgs/${ORG}/workspaces/${WS}/stores/docs?minPosition=${workspace.body.position}`, {
      token,
      body: {},
    });
    expect(store.status).toBe(201);

    // GitHub's OAuth result is stored through the service its callback calls (as in integrations.e2e.ts).
    const source = new OctokitInstallationsSource({ baseUrl: github.url });
    fixture.service = new StoreGitHubOAuthResultHandler(app.runtime.cipher, app.runtime.store);
    const githubToken = `gho_${randomUUID().replace(/-/g, '')}`;
    github.setInstallations(githubToken, [installationPayload(11, 'acme')]);
    fixture.installations = await source.listUserInstallations(githubToken);
    const stored = await fixture.service.execute(
      new StoreGitHubOAuthResultCommand(
        USER,
        { accessToken: githubToken, scopes: ['read:user'], installations: fixture.installations },
        { commandId: randomUUID(), userId: USER },
      ),
    );
    fixture.integrationId = stored.id;
    const resources = await app.request('POST', `/v1/me/integrations/${stored.id}/resources`, {
      token,
      body: { resources: [resource(101)] },
    });
    expect(resources.status).toBe(201);
    fixture.resourceId = resources.body.resources[0].id;
    // `minPosition`: the workspace is resolved on its read model.
    const connected = await app.request('POST', `/v1/orgs/${ORG}/workspaces/${WS}/integrations?minPosition=${workspace.body.position}`, {
      token,
      body: { resourceId: fixture.resourceId },
    });
    expect(connected.status).toBe(201);

    // A repository of the organization (through the API): the one `detect-config` reads.
    const repository = await app.request('POST', `/v1/orgs/${ORG}/repositories`, {
      token,
      body: { githubRepoId: '5000', githubInstallationId: '11' },
    });
    expect(repository.status).toBe(201);
    fixture.repositoryId = repository.body.repositoryId;
    const listed = await app.request('GET', `/v1/orgs/${ORG}/repositories?minPosition=${repository.body.position}`, { token });
    expect(listed.status).toBe(200);
  });

  afterAll(async () => {
    await fixture.app?.close();
    await fixture.github?.close();
    for (const [name, value] of [
      ['GITHUB_APP_ID', savedAppEnv.id],
      ['GITHUB_APP_PRIVATE_KEY', savedAppEnv.key],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  return fixture;
}
