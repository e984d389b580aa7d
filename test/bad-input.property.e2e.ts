import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isISO8601 } from 'class-validator';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  API_KEY_NAME_MAX_LENGTH,
  GITHUB_ID_PATTERN,
  MAX_RESOURCES_PER_REQUEST,
  REPO_FULL_NAME_PATTERN,
  WORKSPACE_NAME_PATTERN,
  jobDecider,
  jobStreamId,
  organizationNameProblem,
  organizationSlugProblem,
} from '#domain';
import { handleCommand, isPosition } from '#event-store';
import { OctokitInstallationsSource, localOrganizationId, type GitHubUserInstallation } from '#adapters';
import { StoreGitHubOAuthResultCommand, StoreGitHubOAuthResultHandler } from '../apps/api/src/integrations/store-github-oauth-result.handler.js';
import { installationPayload, repositoryPayload, startFakeGitHub, type FakeGitHub } from '#testing';
import { RATE_LIMITS, loadQuotas, loadRateLimits, QUOTAS } from '#runtime';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * Property-based bad input for every command route (issue 4, "Security tests").
 *
 * Every POST/PUT/PATCH/DELETE route under `apps/api/src` except the signed webhooks
 * (`POST /v1/webhooks/clerk` and `POST /v1/webhooks/github`, answered by signature, not by a DTO):
 *
 *   POST   /v1/orgs                                                  CreateOrganizationBody
 *   PATCH  /v1/orgs/:org                                             RenameOrganizationBody (admin)
 *   POST   /v1/orgs/:org/members/from-github                         AddMemberFromGitHubBody (admin)
 *   POST   /v1/orgs/:org/workspaces                                  WorkspaceNameBody
 *   PATCH  /v1/orgs/:org/workspaces/:ws                              WorkspaceNameBody
 *   POST   /v1/orgs/:org/workspaces/:ws/jobs/:jobId/cancel           no body
 *   POST   /v1/orgs/:org/workspaces/:ws/integrations                 ConnectResourceBody (+ SyncConfigInput), ?minPosition
 *   DELETE /v1/orgs/:org/workspaces/:ws/integrations/:resourceId     no body, ?minPosition
 *   POST   /v1/orgs/:org/repositories                                ConnectRepositoryBody
 *   POST   /v1/orgs/:org/repositories/:id/detect-config              no body, ?minPosition
 *   POST   /v1/orgs/:org/repositories/:id/reindex                    no body, ?minPosition
 *   POST   /v1/me/api-keys                                           CreateApiKeyBody
 *   POST   /v1/me/api-keys/:id/revoke                                no body
 *   DELETE /v1/me/api-keys/:id                                       no body
 *   POST   /v1/me/api-keys/:id/rotate                                RotateApiKeyBody (optional)
 *   POST   /v1/me/integrations/github/validate                       no body
 *   DELETE /v1/me/integrations/:id                                   no body
 *   POST   /v1/me/integrations/:id/resources                         CreateResourcesBody (+ ResourceInput)
 *   PUT    /v1/orgs/:org/workspaces/:ws/stores/:slug                 EnsureStoreBody (optional)
 *   POST   /v1/contents                                              ContentsBody (API key + X-Workspace-ID)
 *   POST   /v1/search                                                SearchBody (+ SearchFilters; API key + X-Workspace-ID)
 *
 * The first test re-reads the controllers and fails when a command route is added and not listed.
 *
 * Each case is a request that would succeed (and, for most routes, append) but for one kind of
 * violation, generated from the route's DTO rules (the validators' own patterns and checks are
 * used to filter out values that happen to be valid): a field of the wrong type or breaking its
 * rule, required fields missing, unknown properties, a body that is not JSON or not an object, a
 * JSON body sent as another content type, a path parameter naming nothing (long, odd characters,
 * percent-encoded junk), a bad `?minPosition=`, a bad `Idempotency-Key`. Routes whose fixture a
 * wrongly accepted case would consume (a key revoked, a workspace renamed, …) get a fresh one per
 * case, so one accepted case cannot hide the next. Every case must answer 4xx (never 5xx) in the
 * `{ error: { code, message, details? } }` shape; a 400 for a wrong field must name it (in
 * `details.fields[].field` or the message) and name no field the case did not break; and
 * `es_events` must not grow.
 *
 * Inputs whose failures share one cause across routes have properties of their own (second
 * `describe`), so each cause is reported once and does not mask the rest: U+0000 in strings
 * (PostgreSQL's text and jsonb cannot hold it), JSON nested thousands deep, unknown properties
 * named like an inherited member (`toString`, `constructor`, `__proto__`, …) or `prototype`, and
 * `syncConfig` given as an array.
 *
 * Seeded: `FC_SEED` overrides the seed, `FC_RUNS` the runs per route (default 30).
 */

const SEED = Number(process.env.FC_SEED ?? 42_026);
const RUNS_PER_ROUTE = Number(process.env.FC_RUNS ?? 30);
/** A failing property stops shrinking after this long and reports the smallest case found so far. */
const TIME_LIMIT_MS = 15_000;
/** Node answers 431 (no body, before the app) past 16 KiB of request line and headers. */
const MAX_URL_PART = 6_000;

const USER = 'user_bad_input';
const ORG = 'prop-co';
const WS = 'fixture-ws';

let app: TestApp;
let github: FakeGitHub;
let token: string;
let service: StoreGitHubOAuthResultHandler;
let installations: GitHubUserInstallation[];
const fixture = { workspaceId: '', keyId: '', apiKey: '', integrationId: '', resourceId: '', repositoryId: '' };
const startedAt = Date.now();
let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** The GitHub App `detect-config` reads through, as in repositories.e2e.ts: a valid request would succeed. */
const GITHUB_APP = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const savedAppEnv = { id: process.env.GITHUB_APP_ID, key: process.env.GITHUB_APP_PRIVATE_KEY };

beforeAll(async () => {
  github = await startFakeGitHub();
  github.setApp({ appId: '99', publicKey: GITHUB_APP.publicKey });
  // What installation 11 shows (its users too): the fixture's repository and resource, and the fresh
  // ones the routes' cases connect (`connectRepository`, `resource`), so only the bad input is refused.
  const fresh = (from: number) => Array.from({ length: 1_000 }, (_, i) => repositoryPayload(from + i, 'acme', `repo${from + i}`));
  github.setInstallationRepositories(11, [repositoryPayload(5000, 'acme', 'docs'), repositoryPayload(101, 'acme', 'repo101'), ...fresh(800_000), ...fresh(900_000)]);
  github.setRepositoryFiles('acme/docs', { 'README.md': '# docs', '.lightfast.yaml': 'version: 1\nstore: docs-site\ninclude:\n  - docs/**/*.mdx\n' });
  process.env.GITHUB_APP_ID = '99';
  process.env.GITHUB_APP_PRIVATE_KEY = GITHUB_APP.privateKey;
  // Rate limits off: hundreds of bad requests per route within a minute would meet them, and a
  // limit answers before validation (429, not the 400 under test). abuse-limits.e2e.ts tests them.
  const rateLimits = loadRateLimits(Object.fromEntries(Object.values(RATE_LIMITS).map((limit) => [limit.env, 'off'])));
  // Hundreds of cases create keys, workspaces and repositories that a refusal must not spend: no quotas either.
  const quotas = loadQuotas(Object.fromEntries(Object.values(QUOTAS).map((quota) => [quota.env, 'off'])));
  app = await startTestApp({ config: { githubApiUrl: github.url, rateLimits, quotas } });

  // The organization through the API (its creator is its admin), then a token whose active organization it is.
  const created = await app.request('POST', '/v1/orgs', { token: await app.token({ userId: USER, org: 'prop-home' }), body: { slug: ORG, name: 'Prop Co' } });
  expect(created.status).toBe(201);
  token = await app.token({ userId: USER, org: ORG, role: 'admin' });
  const workspace = await app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token, body: { name: WS } });
  expect(workspace.status).toBe(201);
  fixture.workspaceId = workspace.body.workspaceId;

  const key = await app.request('POST', '/v1/me/api-keys', { token, body: { name: 'fixture' } });
  expect(key.status).toBe(201);
  fixture.keyId = key.body.id;
  fixture.apiKey = key.body.key;
  // The store `POST /v1/search` names; the key's user is the organization's admin.
  const store = await app.request('PUT', `/v1/orgs/${ORG}/workspaces/${WS}/stores/docs?minPosition=${workspace.body.position}`, { token, body: {} });
  expect(store.status).toBe(201);

  // GitHub's OAuth result is stored through the service its callback calls (as in integrations.e2e.ts).
  const source = new OctokitInstallationsSource({ baseUrl: github.url });
  service = new StoreGitHubOAuthResultHandler(app.runtime.cipher, app.runtime.store);
  const githubToken = `gho_${randomUUID().replace(/-/g, '')}`;
  github.setInstallations(githubToken, [installationPayload(11, 'acme')]);
  installations = await source.listUserInstallations(githubToken);
  const stored = await service.execute(new StoreGitHubOAuthResultCommand(USER, { accessToken: githubToken, scopes: ['read:user'], installations }, { commandId: randomUUID(), userId: USER }));
  fixture.integrationId = stored.id;
  const resources = await app.request('POST', `/v1/me/integrations/${stored.id}/resources`, { token, body: { resources: [resource(101)] } });
  expect(resources.status).toBe(201);
  fixture.resourceId = resources.body.resources[0].id;
  // `minPosition`: the workspace is resolved on its read model.
  const connected = await app.request('POST', `/v1/orgs/${ORG}/workspaces/${WS}/integrations?minPosition=${workspace.body.position}`, {
    token,
    body: { resourceId: fixture.resourceId },
  });
  expect(connected.status).toBe(201);

  // A repository of the organization (through the API): the one `detect-config` reads.
  const repository = await app.request('POST', `/v1/orgs/${ORG}/repositories`, { token, body: { githubRepoId: '5000', githubInstallationId: '11' } });
  expect(repository.status).toBe(201);
  fixture.repositoryId = repository.body.repositoryId;
  const listed = await app.request('GET', `/v1/orgs/${ORG}/repositories?minPosition=${repository.body.position}`, { token });
  expect(listed.status).toBe(200);
});

afterAll(async () => {
  const lines = ROUTES.map((r) => {
    const categories = categoriesRun.get(r.name) ?? new Map<string, number>();
    const detail = [...categories].map(([c, n]) => `${c} ${n}`).join(', ');
    return `  ${r.name.padEnd(62)} ${String(casesRun.get(r.name) ?? 0).padStart(4)}  (${detail})`;
  });
  const total = [...casesRun.values()].reduce((a, b) => a + b, 0);
  console.log(`bad input, seed ${SEED}: ${total} cases (shrinking runs included) in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n${lines.join('\n')}`);
  await app?.close();
  await github?.close();
  for (const [name, value] of [['GITHUB_APP_ID', savedAppEnv.id], ['GITHUB_APP_PRIVATE_KEY', savedAppEnv.key]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

// ---------------------------------------------------------------------------------------------
// Strings and values, then each DTO's invalid values.

/** Fragments that have broken parsers, queries and logs before (U+0000 has a property of its own). */
const SPICE = [
  "'",
  '"',
  '\\',
  '`',
  "'; DROP TABLE es_events; --",
  "' OR '1'='1",
  '" OR ""="',
  "'); SELECT pg_sleep(5); --",
  '$1',
  '%s%n',
  '%00',
  '\\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\u001b[2J',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u2028',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '😀',
  'é',
  'İ',
  'ß',
  '\r\n',
  '\t',
  ' ',
  '../',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${jndi:ldap://x}',
  'null',
  'undefined',
  'NaN',
  '[]',
  '{}',
];

const noNul = (s: string) => s.replace(/\u0000/g, '');
/** Lone surrogates replaced (encodeURIComponent throws on them). */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const spicy = fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...SPICE), fc.string({ maxLength: 8 })).map(([a, b, c]) => noNul(a + b + c));
const longString = fc.tuple(fc.integer({ min: 101, max: 5_000 }), fc.constantFrom('a', 'Z9', 'é', '😀', "'", '-', ' x')).map(([n, unit]) => unit.repeat(n));
const blank = fc.constantFrom('', ' ', '   ', '\t', '\n', '\r\n', '\u00a0', '\u3000');
/** Any string but U+0000: unicode (lone surrogates included), quote- and SQL-laden, very long, blank. */
const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }).map(noNul), spicy, longString, blank, fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map(noNul));
const invalidString = (valid: (s: string) => boolean) => anyString.filter((s) => !valid(s));

interface NotA {
  /** null is no violation of an optional field (`@IsOptional` accepts it). */
  readonly optional?: boolean;
}
const numbers = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2));
const jsonish = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(noNul(JSON.stringify(v))) as unknown);
const dictionary = fc.dictionary(fc.string({ maxLength: 6 }).map(noNul), jsonish, { maxKeys: 4 });
const structures = fc.oneof(fc.array(jsonish, { maxLength: 4 }), dictionary);
const nullUnless = (options: NotA) => (options.optional ? [] : [fc.constant(null)]);
/** Values of any JSON type but string. */
const notAString = (options: NotA = {}) => fc.oneof(numbers, fc.boolean(), structures, ...nullUnless(options));
const notABoolean = () => fc.oneof(numbers, fc.constantFrom('true', 'false', '1', '0', 'yes', ''), structures, fc.constant(null));
const notAnArray = () => fc.oneof(numbers, fc.boolean(), anyString, dictionary, fc.constant(null));
/** Not an object; arrays are left to the `syncConfig` property below. */
const notAnObject = (options: NotA = {}) => fc.oneof(numbers, fc.boolean(), anyString, ...nullUnless(options));

/** A field, and values that break its DTO rules (never a valid value). */
interface FieldRule {
  readonly name: string;
  readonly required: boolean;
  readonly invalid: fc.Arbitrary<unknown>;
}
const field = (name: string, required: boolean, invalid: fc.Arbitrary<unknown>): FieldRule => ({ name, required, invalid });
const stringField = (name: string, required: boolean, valid: (s: string) => boolean, extra: fc.Arbitrary<unknown>[] = []) =>
  field(name, required, fc.oneof(notAString({ optional: !required }), invalidString(valid), ...extra));

// WorkspaceNameBody
const workspaceName = stringField('name', true, (s) => WORKSPACE_NAME_PATTERN.test(s), [fc.constantFrom('.', '..', 'a b', 'ws/1', 'ws%', 'x'.repeat(101))]);

// CreateOrganizationBody / RenameOrganizationBody (the DTO calls the domain's own checks)
const slugField = stringField('slug', true, (s) => organizationSlugProblem(s) === null, [fc.constantFrom('by-id', 'ab', 'a--b', '-ab', 'ab-', 'Acme', 'a'.repeat(40), 'acme_co', 'acme.co')]);
const orgNameField = (required: boolean) => stringField('name', required, (s) => organizationNameProblem(s) === null, [fc.constantFrom('tab\there', '\u007f', 'n'.repeat(101))]);

// AddMemberFromGitHubBody
const memberUserId = stringField('userId', true, (s) => s.length >= 1 && s.length <= 191 && /^[A-Za-z0-9_-]+$/.test(s), [fc.constantFrom('user 1', 'user.1', 'u'.repeat(192))]);
const githubRole = stringField('githubRole', true, (s) => /^[a-z_]{1,50}$/.test(s), [fc.constantFrom('Admin', 'billing-manager', 'r'.repeat(51), 'admin ')]);

// CreateApiKeyBody / RotateApiKeyBody
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const validKeyName = (s: string) => s.length >= 1 && s.length <= API_KEY_NAME_MAX_LENGTH && /\S/.test(s);
// An hour of margin: "in the future" is checked again when the request arrives.
const validExpiry = (s: string) => INSTANT.test(s) && isISO8601(s, { strict: true }) && Date.parse(s) > Date.now() - 3_600_000;
const keyName = (required: boolean) => stringField('name', required, validKeyName);
const dateLike = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 19 }), fc.integer({ min: 0, max: 39 }), fc.constantFrom('', 'T00:00', 'T25:00:00Z', 'T00:00:00', 'T12:00:00+25:00', 'T00:00:00.000Z', ' 00:00:00Z'))
  .map(([y, m, d, t]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${t}`);
const expiresAt = stringField('expiresAt', false, validExpiry, [
  fc.constantFrom('2020-01-01', '2020-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z', '2999-02-30', '2999-01-01T00:00:00', 'tomorrow', 'now', '+002999-01-01T00:00:00Z', '2999-1-1'),
  dateLike.filter((s) => !validExpiry(s)),
  fc.integer({ min: 0 }).map((n) => Date.now() + n), // epoch milliseconds: a number, not a string
]);

// ConnectResourceBody / SyncConfigInput
const resourceIdField = stringField('resourceId', true, (s) => s.length >= 1 && s.length <= 100);
const stringList = (name: string, maxItems: number, maxLength: number) =>
  field(
    name,
    false,
    fc.oneof(
      notAnArray().filter((v) => v !== null),
      fc.array(fc.oneof(notAString(), fc.constant(''), fc.constant('x'.repeat(maxLength + 1))), { minLength: 1, maxLength: 3 }),
      fc.constant(Array.from({ length: maxItems + 1 }, (_, i) => `item-${i}`)),
    ),
  );
const SYNC_CONFIG: FieldRule[] = [stringList('branches', 50, 255), stringList('paths', 100, 500), stringList('events', 20, 100), field('autoSync', false, notABoolean().filter((v) => v !== null))];
const validSyncConfig = () => ({ branches: ['main'], autoSync: false });

// CreateResourcesBody / ResourceInput
const notAGitHubId = fc.oneof(
  fc.constantFrom(0, -1, 1.5, -0.5, Number.MAX_SAFE_INTEGER + 1, 1e21, '0', '01', '-1', '1.0', '1e3', ' 1', '1 ', '0x1F', '', '123456789012345678901', '١٢٣'),
  fc.boolean(),
  fc.constant(null),
  structures,
  anyString.filter((s) => !GITHUB_ID_PATTERN.test(s)),
);
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const RESOURCE: FieldRule[] = [
  field('installationId', true, notAGitHubId),
  field('repoId', true, notAGitHubId),
  stringField('repoName', true, (s) => REPO_NAME.test(s)),
  stringField('repoFullName', true, (s) => REPO_FULL_NAME_PATTERN.test(s), [fc.constantFrom('acme', '/repo', 'acme/', '-acme/repo', 'a/b/c', `${'o'.repeat(40)}/repo`)]),
  stringField('defaultBranch', true, (s) => s.length >= 1 && s.length <= 255, [fc.constant('b'.repeat(256))]),
  field('isPrivate', true, notABoolean()),
  field('isArchived', true, notABoolean()),
];
// ConnectRepositoryBody
const notAGitHubIdString = (name: string) =>
  stringField(name, true, (s) => GITHUB_ID_PATTERN.test(s), [fc.constantFrom('0', '01', '-1', '1.0', '1e3', ' 1', '1 ', '0x1F', '123456789012345678901', '١٢٣')]);
const CONNECT_REPOSITORY: FieldRule[] = [
  notAGitHubIdString('githubRepoId'),
  notAGitHubIdString('githubInstallationId'),
  stringField('workspace', false, (s) => s.length <= 100),
];
let nextGithubRepoId = 800_000;
/** A valid connection; a fresh GitHub repository each time, so an accepted case would append. */
const connectRepository = () => ({ githubRepoId: String(nextGithubRepoId++), githubInstallationId: '11', workspace: WS });

// EnsureStoreBody, ContentsBody, SearchBody
const notAnIntegerIn = (min: number, max: number) =>
  fc.oneof(fc.integer({ max: min - 1 }), fc.integer({ min: max + 1 }), fc.double({ min: min + 0.01, max: max - 0.01, noNaN: true }).filter((n) => !Number.isInteger(n)), fc.constantFrom('1', '10', true, [], {}));
const CONTENT_IDS = field(
  'ids',
  true,
  fc.oneof(
    notAnArray(),
    fc.constant([]),
    fc.constant(Array.from({ length: 51 }, (_, i) => `doc_${i}`)),
    fc.array(fc.oneof(notAString(), fc.constant(''), fc.constant('x'.repeat(192))), { minLength: 1, maxLength: 3 }),
  ),
);
const SEARCH: FieldRule[] = [
  stringField('query', true, (s) => s.length >= 1 && s.length <= 1000 && /\S/.test(s), [fc.constant('q'.repeat(1001))]),
  field('topK', false, notAnIntegerIn(1, 100)),
  field('includeHighlights', false, notABoolean().filter((v) => v !== null)),
  // The store label is required: without `filters` there is none.
  field('filters', true, notAnObject()),
];
const SEARCH_FILTERS: FieldRule[] = [
  field(
    'labels',
    true,
    fc.oneof(
      notAnArray(),
      fc.constant([]),
      fc.constantFrom(['docs'], ['store:'], ['store:Bad Slug'], ['store:docs', 'store:other'], Array.from({ length: 21 }, (_, i) => `label-${i}`)),
      fc.array(notAString(), { minLength: 1, maxLength: 3 }),
    ),
  ),
];
const validSearch = () => ({ query: 'docs', topK: 5, includeHighlights: true, filters: { labels: ['store:docs'] } });
const withKey = async (): Promise<Prepared> => ({ params: {}, token: fixture.apiKey, headers: { 'x-workspace-id': fixture.workspaceId } });

let nextRepoId = 900_000;
/** A valid resource; a fresh repository id each time, so an accepted case would append. */
function resource(repoId = nextRepoId++): Record<string, unknown> {
  return { installationId: 11, repoId, repoName: `repo${repoId}`, repoFullName: `acme/repo${repoId}`, defaultBranch: 'main', isPrivate: true, isArchived: false };
}

// ---------------------------------------------------------------------------------------------
// Routes.

interface Prepared {
  readonly params: Record<string, string>;
  readonly token: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface BodySpec {
  readonly fields: readonly FieldRule[];
  /** A valid body (every generated case breaks it in one way). */
  readonly valid: () => Record<string, unknown>;
  /** Objects inside the body: their path, fields, a valid one, and how a (broken) one goes into a valid body. */
  readonly nested?: ReadonlyArray<{ readonly at: string; readonly fields: readonly FieldRule[]; readonly valid: () => Record<string, unknown>; readonly put: (value: Record<string, unknown>) => Record<string, unknown> }>;
}

interface Route {
  readonly name: string;
  /** How fast-check prints the route in a counterexample. */
  readonly [fc.toStringMethod]: () => string;
  readonly method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly path: string;
  /** Valid path parameters and token; a fresh fixture when a wrongly accepted case would consume it. */
  readonly prepare: () => Promise<Prepared>;
  readonly body?: BodySpec;
  /** Reads `?minPosition=` (a `@ReadsFrom` route). */
  readonly minPosition?: boolean;
  /** RotateApiKeyBody: nothing is required and no body at all is valid. */
  readonly optionalBody?: boolean;
  /** A query sent as POST (contents, search): it appends nothing, so an Idempotency-Key means nothing to it. */
  readonly query?: boolean;
}

const route = (method: Route['method'], path: string, options: Partial<Omit<Route, 'method' | 'path' | 'name' | typeof fc.toStringMethod>> & { params?: () => Record<string, string> } = {}): Route => ({
  name: `${method} ${path}`,
  [fc.toStringMethod]: () => `${method} ${path}`,
  method,
  path,
  prepare: options.prepare ?? (async () => ({ params: options.params?.() ?? {}, token })),
  ...(options.body ? { body: options.body } : {}),
  ...(options.minPosition ? { minPosition: true } : {}),
  ...(options.optionalBody ? { optionalBody: true } : {}),
  ...(options.query ? { query: true } : {}),
});

async function freshKey(): Promise<Prepared> {
  const created = await app.request('POST', '/v1/me/api-keys', { token, body: { name: `fresh ${unique()}` } });
  if (created.status !== 201) throw new Error(`fixture: key creation answered ${created.status}`);
  return { params: { id: created.body.id }, token };
}

const ROUTES: readonly Route[] = [
  route('POST', '/v1/orgs', { body: { fields: [slugField, orgNameField(false)], valid: () => ({ slug: `prop-new-${unique()}`, name: 'Prop New' }) } }),
  route('PATCH', '/v1/orgs/:org', { params: () => ({ org: ORG }), body: { fields: [orgNameField(true)], valid: () => ({ name: `Prop Co ${unique()}` }) } }),
  route('POST', '/v1/orgs/:org/members/from-github', { params: () => ({ org: ORG }), body: { fields: [memberUserId, githubRole], valid: () => ({ userId: `user_gh_${unique()}`, githubRole: 'member' }) } }),
  route('POST', '/v1/orgs/:org/workspaces', { params: () => ({ org: ORG }), body: { fields: [workspaceName], valid: () => ({ name: `new-ws-${unique()}` }) } }),
  route('PATCH', '/v1/orgs/:org/workspaces/:ws', {
    // A workspace of its own per case: a wrongly accepted rename must not make the next case a 404.
    prepare: async () => {
      const name = `rn-${unique()}`;
      const created = await app.request('POST', `/v1/orgs/${ORG}/workspaces`, { token, body: { name } });
      if (created.status !== 201) throw new Error(`fixture: workspace creation answered ${created.status}`);
      return { params: { org: ORG, ws: name }, token };
    },
    body: { fields: [workspaceName], valid: () => ({ name: `renamed-${unique()}` }) },
  }),
  route('POST', '/v1/orgs/:org/workspaces/:ws/jobs/:jobId/cancel', {
    // No route queues jobs: a fresh queued job per case, through the command path.
    prepare: async () => {
      const jobId = randomUUID();
      const data = { jobId, organizationId: localOrganizationId(ORG), workspaceId: fixture.workspaceId, repositoryId: null, name: 'reindex', trigger: 'manual' as const, triggeredBy: USER, input: {}, at: new Date().toISOString() };
      await handleCommand(app.runtime.store, jobStreamId(jobId), jobDecider, { type: 'QueueJob', data }, { commandId: randomUUID() });
      return { params: { org: ORG, ws: WS, jobId }, token };
    },
  }),
  route('POST', '/v1/orgs/:org/workspaces/:ws/integrations', {
    params: () => ({ org: ORG, ws: WS }),
    minPosition: true,
    body: {
      fields: [resourceIdField, field('syncConfig', false, notAnObject({ optional: true }))],
      // Another configuration than the connection's: accepted, it would append WorkspaceSyncConfigChanged.
      valid: () => ({ resourceId: fixture.resourceId, syncConfig: validSyncConfig() }),
      nested: [{ at: 'syncConfig', fields: SYNC_CONFIG, valid: validSyncConfig, put: (value) => ({ resourceId: fixture.resourceId, syncConfig: value }) }],
    },
  }),
  route('DELETE', '/v1/orgs/:org/workspaces/:ws/integrations/:resourceId', {
    minPosition: true,
    // A freshly connected resource per case.
    prepare: async () => {
      const created = await app.request('POST', `/v1/me/integrations/${fixture.integrationId}/resources`, { token, body: { resources: [resource()] } });
      const resourceId: string = created.body?.resources?.[0]?.id;
      const connected = await app.request('POST', `/v1/orgs/${ORG}/workspaces/${WS}/integrations`, { token, body: { resourceId } });
      if (connected.status !== 201) throw new Error(`fixture: connection answered ${connected.status}`);
      return { params: { org: ORG, ws: WS, resourceId }, token };
    },
  }),
  route('POST', '/v1/orgs/:org/repositories', { params: () => ({ org: ORG }), body: { fields: CONNECT_REPOSITORY, valid: connectRepository } }),
  // Installation 11 is bound already (by the fixture's connect): a valid request appends nothing either.
  route('POST', '/v1/orgs/:org/github/installations', { params: () => ({ org: ORG }), body: { fields: [notAGitHubIdString('installationId')], valid: () => ({ installationId: '11' }) } }),
  // Detecting again is accepted (and recorded) again: the same repository serves every case.
  route('POST', '/v1/orgs/:org/repositories/:id/detect-config', { params: () => ({ org: ORG, id: fixture.repositoryId }), minPosition: true }),
  route('POST', '/v1/orgs/:org/repositories/:id/reindex', {
    minPosition: true,
    // A fresh repository per case: a wrongly accepted reindex would make the next one a 409.
    prepare: async () => {
      const created = await app.request('POST', `/v1/orgs/${ORG}/repositories`, { token, body: connectRepository() });
      if (created.status !== 201) throw new Error(`fixture: repository connection answered ${created.status}`);
      const listed = await app.request('GET', `/v1/orgs/${ORG}/repositories/${created.body.repositoryId}?minPosition=${created.body.position}`, { token });
      if (listed.status !== 200) throw new Error(`fixture: repository read answered ${listed.status}`);
      return { params: { org: ORG, id: created.body.repositoryId }, token };
    },
  }),
  route('POST', '/v1/me/api-keys', { body: { fields: [keyName(true), expiresAt], valid: () => ({ name: 'new key', expiresAt: '2999-01-01' }) } }),
  route('POST', '/v1/me/api-keys/:id/revoke', { prepare: freshKey }),
  route('DELETE', '/v1/me/api-keys/:id', { prepare: freshKey }),
  route('POST', '/v1/me/api-keys/:id/rotate', { prepare: freshKey, optionalBody: true, body: { fields: [keyName(false), expiresAt], valid: () => ({ name: 'rotated', expiresAt: '2999-01-01' }) } }),
  route('POST', '/v1/me/integrations/github/validate'),
  route('DELETE', '/v1/me/integrations/:id', {
    // One GitHub integration per user: a fresh user with a fresh integration per case.
    prepare: async () => {
      const userId = `user_bi_${unique()}`;
      const githubToken = `gho_${randomUUID().replace(/-/g, '')}`;
      github.setInstallations(githubToken, [installationPayload(11, 'acme')]);
      const stored = await service.execute(new StoreGitHubOAuthResultCommand(userId, { accessToken: githubToken, installations }, { commandId: randomUUID(), userId }));
      return { params: { id: stored.id }, token: await app.token({ userId, org: ORG, role: 'member' }) };
    },
  }),
  route('POST', '/v1/me/integrations/:id/resources', {
    params: () => ({ id: fixture.integrationId }),
    body: {
      fields: [
        field(
          'resources',
          true,
          fc.oneof(
            notAnArray(),
            fc.constant([]),
            fc.constant(null).map(() => Array.from({ length: MAX_RESOURCES_PER_REQUEST + 1 }, () => resource())),
            fc.array(fc.oneof(notAnObject(), fc.constant([])), { minLength: 1, maxLength: 3 }),
          ),
        ),
      ],
      valid: () => ({ resources: [resource()] }),
      nested: [
        { at: 'resources.0', fields: RESOURCE, valid: () => resource(), put: (value) => ({ resources: [value] }) },
        { at: 'resources.1', fields: RESOURCE, valid: () => resource(), put: (value) => ({ resources: [resource(), value, resource()] }) },
        // A rule the DTO cannot express: the name must be the name part of the full name.
        { at: 'resources.0', fields: [field('repoName', true, fc.constantFrom('other', 'repo1', 'ACME'))], valid: () => resource(), put: (value) => ({ resources: [value] }) },
      ],
    },
  }),
  // A fresh slug per case: a wrongly accepted one would create a store (and append).
  route('PUT', '/v1/orgs/:org/workspaces/:ws/stores/:slug', {
    params: () => ({ org: ORG, ws: WS, slug: `s${unique()}`.slice(0, 20) }),
    optionalBody: true,
    body: { fields: [field('embeddingDim', false, notAnIntegerIn(1, 4096))], valid: () => ({ embeddingDim: 1024 }) },
  }),
  route('POST', '/v1/contents', { prepare: withKey, minPosition: true, query: true, body: { fields: [CONTENT_IDS], valid: () => ({ ids: ['doc_unknown'] }) } }),
  route('POST', '/v1/search', {
    prepare: withKey,
    minPosition: true,
    query: true,
    body: { fields: SEARCH, valid: validSearch, nested: [{ at: 'filters', fields: SEARCH_FILTERS, valid: () => ({ labels: ['store:docs'] }), put: (value) => ({ ...validSearch(), filters: value }) }] },
  }),
];

// ---------------------------------------------------------------------------------------------
// Cases: one violation each, on an otherwise valid request.

type Category =
  | 'field'
  | 'missing'
  | 'extra'
  | 'malformed'
  | 'not-an-object'
  | 'content-type'
  | 'path'
  | 'query'
  | 'idempotency-key'
  | 'U+0000'
  | 'deep-json'
  | 'prototype-keys'
  | 'syncConfig-array';

/** A path parameter replaced by one sent as is, or the valid one with U+0000 inserted at `nulAt`. */
type ParamOverride = { readonly sent: string; readonly decoded: string | null } | { readonly nulAt: number; readonly nul: string };

interface BadCase {
  readonly what: string;
  readonly category: Category;
  readonly params?: Readonly<Record<string, ParamOverride>>;
  readonly query?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * A JSON value (sent as application/json), raw text (as application/json) or bytes (content type
   * from `headers`), or a valid body with one property nested `depth` deep (built when sent: fast-check
   * could not print such a value).
   */
  readonly body?: { readonly json: unknown } | { readonly raw: string | Uint8Array } | { readonly deep: DeepBody };
  /** The offending fields a 400 must name; absent when no field applies (malformed body, content type, path). */
  readonly fields?: readonly string[];
  /** The statuses the case may answer (default: any 4xx). */
  readonly statuses?: readonly number[];
}

interface DeepBody {
  readonly base: Record<string, unknown>;
  readonly name: string;
  readonly depth: number;
  readonly kind: 'array' | 'object';
}
function deepBodyText({ base, name, depth, kind }: DeepBody): string {
  const value = kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  return JSON.stringify(withProperties(base, [[name, '\u0001deep']])).replace('"\\u0001deep"', value);
}

/** Relative weights: a route's runs are shared among the categories that apply to it. */
const WEIGHT: Partial<Record<Category, number>> = { field: 10, missing: 3, extra: 4, malformed: 3, 'not-an-object': 2, 'content-type': 3, path: 6, query: 3, 'idempotency-key': 3, 'U+0000': 4 };

/**
 * Keys named like a member every object inherits (`toString`, `constructor`, `__proto__`, …) or
 * `prototype`: they have a property of their own below, the others are generated here.
 */
const PROTOTYPE_KEYS = [...Object.getOwnPropertyNames(Object.prototype), 'prototype'];
/** Keys no DTO declares. */
const unknownKey = fc
  .oneof(fc.string({ minLength: 1, maxLength: 16 }).map(noNul), fc.constantFrom('id', 'userId', 'organizationId', 'role', 'isDefault', 'admin', '$where', 'name ', 'Name', 'NAME', ''))
  .filter((k) => !PROTOTYPE_KEYS.includes(k));

/** Sets own properties, whatever their names (`__proto__` included). */
function withProperties(base: Record<string, unknown>, entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [k, v] of [...Object.entries(base), ...entries]) Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
  return copy;
}
const without = (base: Record<string, unknown>, names: readonly string[]) => Object.fromEntries(Object.entries(base).filter(([k]) => !names.includes(k)));
const dot = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);
const show = (value: unknown) => {
  const text = (value instanceof Uint8Array ? new TextDecoder().decode(value) : typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value)) ?? String(value);
  return text.length > 100 ? `${text.slice(0, 97)}… (${text.length} chars)` : text;
};

/** Cases breaking one object's fields; `wrap` puts the broken object into an otherwise valid body. */
function objectCases(
  fields: readonly FieldRule[],
  valid: () => Record<string, unknown>,
  prefix: string,
  wrap: (value: Record<string, unknown>) => Record<string, unknown>,
  requiredApply: boolean,
): Partial<Record<Category, fc.Arbitrary<BadCase>>> {
  const required = fields.filter((f) => f.required);
  const known = new Set(fields.map((f) => f.name));
  const cases: Partial<Record<Category, fc.Arbitrary<BadCase>>> = {
    field: fc
      .constantFrom(...fields)
      .chain((f) => f.invalid.map((value) => ({ f, value })))
      .map(({ f, value }) => ({
        category: 'field' as const,
        what: `${dot(prefix, f.name)} = ${show(value)}`,
        body: { json: wrap(withProperties(valid(), [[f.name, value]])) },
        fields: [dot(prefix, f.name)],
      })),
    extra: fc
      .uniqueArray(fc.tuple(unknownKey.filter((k) => !known.has(k)), jsonish), { minLength: 1, maxLength: 3, selector: ([k]) => k })
      .map((extra) => ({
        category: 'extra' as const,
        what: `unknown ${extra.map(([k, v]) => `${dot(prefix, k)}: ${show(v)}`).join(', ')}`,
        body: { json: wrap(withProperties(valid(), extra)) },
        fields: extra.map(([k]) => dot(prefix, k)),
      })),
  };
  if (requiredApply && required.length > 0) {
    cases.missing = fc.subarray(required, { minLength: 1 }).map((missing) => ({
      category: 'missing' as const,
      what: `missing ${missing.map((f) => dot(prefix, f.name)).join(', ')}`,
      body: { json: wrap(without(valid(), missing.map((f) => f.name))) },
      fields: missing.map((f) => dot(prefix, f.name)),
    }));
  }
  return cases;
}

/** Not JSON at all, or JSON that body-parser's strict mode refuses (a bare string, number, …). */
function malformed(valid: () => Record<string, unknown>): fc.Arbitrary<BadCase> {
  const text = JSON.stringify(valid());
  return fc
    .oneof(
      fc.integer({ min: 1, max: text.length - 1 }).map((n) => text.slice(0, n)),
      fc.constantFrom(
        `${text},`,
        `${text}}`,
        `${text}${text}`,
        text.replace(/"/g, "'"),
        text.replace(/"([A-Za-z]+)":/g, '$1:'),
        text.replace(/}$/, ',}'),
        '{',
        '}',
        '{"a":}',
        '{"a":undefined}',
        '{"a":NaN}',
        '{"a":1e}',
        '"text"',
        '42',
        'true',
        'null',
        '{"a":"\\u00"}',
        '{"a":"\\x41"}',
      ),
      // Not '': body-parser reads an empty body as no body at all (valid on the routes that read none).
      fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => s !== '' && !parsesAsObject(s)),
    )
    .map((raw) => ({ category: 'malformed' as const, what: `body ${show(raw)}`, body: { raw }, statuses: [400] }));
}
function parsesAsObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

const CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'text/json',
  'application/xml',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'application/json; charset=utf-16',
  'application/json; charset=klingon',
  'image/png',
  '',
  null, // no Content-Type header at all
];

function contentTypes(valid: () => Record<string, unknown>): fc.Arbitrary<BadCase> {
  return fc.constantFrom(...CONTENT_TYPES).map((type) => ({
    category: 'content-type' as const,
    what: `a valid JSON body sent as ${type === null ? 'no content type' : JSON.stringify(type)}`,
    // Bytes: fetch adds no Content-Type of its own to a Uint8Array body.
    body: { raw: new TextEncoder().encode(JSON.stringify(valid())) },
    headers: type === null ? {} : ({ 'content-type': type } as Record<string, string>),
    // 415 is the precise answer for an unsupported charset; 400 for a body that cannot be read as the DTO.
    statuses: [400, 415],
  }));
}

/** Path segments naming nothing: odd characters (sent encoded), percent-encoded junk, very long. */
const badSegment = fc.oneof(
  anyString
    .map(wellFormed)
    .filter((s) => s !== '' && s !== '.' && s !== '..' && encodeURIComponent(s).length <= MAX_URL_PART)
    .map((s) => ({ sent: encodeURIComponent(s), decoded: s as string | null })),
  fc
    .tuple(
      fc.constantFrom('', 'a', 'x-'),
      fc.constantFrom('%', '%Z', '%ZZ', '%E0%A4%A', '%C0%AF', '%FF', '%ED%A0%80', '%2F', '%2e%2e%2f', '%25', '%u0041', '%%', '%0A', '%0D%0A', '%7F', '%F0%9F%98'),
      fc.constantFrom('', 'b', '%41'),
    )
    .map(([a, junk, b]) => `${a}${junk}${b}`)
    .filter((s) => !/^(?:\.|%2e){1,2}$/i.test(s))
    .map((sent) => ({ sent, decoded: null as string | null })),
  fc.integer({ min: 200, max: MAX_URL_PART }).map((n) => ({ sent: 'x'.repeat(n), decoded: 'x'.repeat(n) as string | null })),
);

const pathNames = (r: Route) => [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);

function pathCases(r: Route): fc.Arbitrary<BadCase> | undefined {
  const names = pathNames(r);
  if (names.length === 0) return undefined;
  return fc.tuple(fc.constantFrom(...names), badSegment).map(([name, segment]) => {
    const body = r.body?.valid();
    return { category: 'path' as const, what: `:${name} = ${show(segment.sent)}`, params: { [name]: segment }, ...(body === undefined ? {} : { body: { json: body } }) };
  });
}

function queryCases(r: Route): fc.Arbitrary<BadCase> {
  const value = fc.oneof(
    anyString
      .filter((s) => !isPosition(s))
      .map((s) => `minPosition=${encodeURIComponent(wellFormed(s))}`)
      .filter((q) => q.length <= MAX_URL_PART),
    fc.constantFrom('minPosition=1/2&minPosition=3/4', 'minPosition=%ZZ', 'minPosition=-1/0', 'minPosition=1/2/3', 'minPosition=0x1/1', 'minPosition=1%2F', 'minPosition=123456789012345678901/1', 'minPosition='),
  );
  return value.map((query) => {
    const body = r.body?.valid();
    return { category: 'query' as const, what: `?${show(query)}`, query, ...(body === undefined ? {} : { body: { json: body } }), fields: ['minPosition'] };
  });
}

/** `Idempotency-Key` must be 1–200 characters (fetch trims surrounding whitespace, so "   " arrives empty). */
function idempotencyCases(r: Route): fc.Arbitrary<BadCase> {
  const key = fc.oneof(
    fc.constantFrom('', '   ', '\t'),
    fc.integer({ min: 201, max: MAX_URL_PART }).chain((n) => fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.:/ "\'\\;%'.split('')), minLength: n - 2, maxLength: n - 2 }).map((s) => `k${s}k`)),
  );
  return key.map((value) => {
    const body = r.body?.valid();
    return {
      category: 'idempotency-key' as const,
      what: `Idempotency-Key of ${value.trim().length} characters ${show(value.slice(0, 24))}`,
      headers: { 'idempotency-key': value },
      ...(body === undefined ? {} : { body: { json: body } }),
      fields: ['Idempotency-Key'],
    };
  });
}

/** The string leaves of a JSON value, with their paths. */
function stringLeaves(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, k]));
  return [];
}
function updateAt(value: unknown, path: ReadonlyArray<string | number>, update: (leaf: string) => string): unknown {
  if (path.length === 0) return update(value as string);
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? updateAt(v, rest, update) : v));
  return { ...(value as Record<string, unknown>), [head!]: updateAt((value as Record<string, unknown>)[head!], rest, update) };
}
const insertNul = (at: number, nul: string) => (s: string) => s.slice(0, Math.min(at, s.length)) + nul + s.slice(Math.min(at, s.length));
const nulText = fc.constantFrom('\u0000', '\u0000\u0000', 'x\u0000y');

/**
 * U+0000 in a valid value: in a string field of the body (where the DTO may allow it, but neither
 * a PostgreSQL text column nor jsonb can hold it) or in a path parameter.
 */
function nulCases(r: Route): fc.Arbitrary<BadCase> | undefined {
  const body = r.body?.valid();
  const leaves = body === undefined ? [] : stringLeaves(body);
  const names = pathNames(r);
  const options: fc.Arbitrary<BadCase>[] = [];
  if (leaves.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...leaves), fc.nat({ max: 12 }), nulText).map(([leaf, at, nul]) => ({
        category: 'U+0000' as const,
        what: `U+0000 in ${leaf.join('.')} (${JSON.stringify(nul)} at ${at})`,
        body: { json: updateAt(r.body!.valid(), leaf, insertNul(at, nul)) },
        fields: [leaf.join('.')],
      })),
    );
  }
  if (names.length > 0) {
    options.push(
      fc.tuple(fc.constantFrom(...names), fc.nat({ max: 12 }), nulText).map(([name, at, nul]) => {
        const valid = r.body?.valid();
        return { category: 'U+0000' as const, what: `U+0000 in :${name} (${JSON.stringify(nul)} at ${at})`, params: { [name]: { nulAt: at, nul } }, ...(valid === undefined ? {} : { body: { json: valid } }) };
      }),
    );
  }
  return options.length === 0 ? undefined : fc.oneof(...options);
}

/** Every category of the per-route properties that applies to a route, with its generator. */
function casesFor(r: Route): Partial<Record<Category, fc.Arbitrary<BadCase>>> {
  const spec = r.body;
  const all: Partial<Record<Category, fc.Arbitrary<BadCase>[]>> = {};
  const add = (cases: Partial<Record<Category, fc.Arbitrary<BadCase> | undefined>>) => {
    for (const [category, arbitrary] of Object.entries(cases) as Array<[Category, fc.Arbitrary<BadCase> | undefined]>) if (arbitrary) (all[category] ??= []).push(arbitrary);
  };
  if (spec) {
    add(objectCases(spec.fields, spec.valid, '', (b) => b, !r.optionalBody));
    for (const nested of spec.nested ?? []) add(objectCases(nested.fields, nested.valid, nested.at, nested.put, true));
    add({
      'content-type': contentTypes(spec.valid),
      'not-an-object': fc
        .constantFrom(
          () => [spec.valid()],
          () => [],
          () => [[]],
          () => [spec.valid(), spec.valid()],
        )
        .map((make) => ({ category: 'not-an-object' as const, what: `a JSON array body ${show(make())}`, body: { json: make() }, statuses: [400] })),
    });
  }
  // Every route parses JSON bodies, those that read none included.
  add({ malformed: malformed(spec?.valid ?? (() => ({ reason: 'x' }))) });
  add({ path: pathCases(r) });
  if (r.minPosition) add({ query: queryCases(r) });
  if (!r.query) add({ 'idempotency-key': idempotencyCases(r) });
  return Object.fromEntries(Object.entries(all).map(([category, list]) => [category, list!.length === 1 ? list![0]! : fc.oneof(...list!)])) as Partial<Record<Category, fc.Arbitrary<BadCase>>>;
}

// ---------------------------------------------------------------------------------------------
// Sending and checking.

const casesRun = new Map<string, number>();
const categoriesRun = new Map<string, Map<string, number>>();

function pathOf(r: Route, valid: Record<string, string>, overrides: Readonly<Record<string, ParamOverride>> = {}): string {
  return r.path.replace(/:(\w+)/g, (_, name: string) => {
    const override = overrides[name];
    if (!override) return encodeURIComponent(valid[name]!);
    if ('sent' in override) return override.sent;
    return encodeURIComponent(insertNul(override.nulAt, override.nul)(valid[name]!));
  });
}

async function send(r: Route, prepared: Prepared, c: BadCase): Promise<{ status: number; text: string; body: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${prepared.token}`, ...prepared.headers, ...c.headers };
  let body: string | Uint8Array | undefined;
  if (c.body && 'json' in c.body) {
    body = JSON.stringify(c.body.json);
    headers['content-type'] ??= 'application/json';
  } else if (c.body && 'deep' in c.body) {
    body = deepBodyText(c.body.deep);
    headers['content-type'] ??= 'application/json';
  } else if (c.body && 'raw' in c.body) {
    body = c.body.raw;
    if (typeof body === 'string') headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${app.baseUrl}${pathOf(r, prepared.params, c.params)}${c.query ? `?${c.query}` : ''}`, { method: r.method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, text, body: parsed };
}

/** A field named in a 400 relates to an expected one when it is that field, inside it, or holds it. */
const related = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

async function check(r: Route, c: BadCase): Promise<void> {
  const prepared = await r.prepare();
  // A replaced path parameter that happens to be the valid one is no bad input.
  for (const [name, override] of Object.entries(c.params ?? {})) fc.pre(!('decoded' in override) || override.decoded?.toLowerCase() !== prepared.params[name]?.toLowerCase());
  const perRoute = categoriesRun.get(r.name) ?? new Map<string, number>();
  categoriesRun.set(r.name, perRoute.set(c.category, (perRoute.get(c.category) ?? 0) + 1));
  casesRun.set(r.name, (casesRun.get(r.name) ?? 0) + 1);

  const before = await app.eventCount({ ignoreKeyUse: true });
  const response = await send(r, prepared, c);
  const appended = (await app.eventCount({ ignoreKeyUse: true })) - before;

  const problems: string[] = [];
  const { status } = response;
  if (status < 400 || status > 499) problems.push(`status ${status}, expected 4xx`);
  else if (c.statuses && !c.statuses.includes(status)) problems.push(`status ${status}, expected ${c.statuses.join(' or ')}`);
  const error = (response.body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const shaped =
    typeof response.body === 'object' &&
    response.body !== null &&
    Object.keys(response.body).join() === 'error' &&
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    error.code.length > 0 &&
    typeof error.message === 'string' &&
    Object.keys(error).every((k) => ['code', 'message', 'details'].includes(k));
  if (!shaped && status >= 400) problems.push('the body is not { error: { code, message, details? } }');
  if (status === 400 && c.fields && shaped) {
    const named: string[] = ((error!.details as { fields?: Array<{ field: string }> } | undefined)?.fields ?? []).map((f) => f.field);
    const message = error!.message as string;
    if (!c.fields.some((f) => named.some((n) => related(n, f)) || message.includes(f))) problems.push(`the 400 names none of ${JSON.stringify(c.fields)} (it names ${JSON.stringify(named)})`);
    const stray = named.filter((n) => !c.fields!.some((f) => related(n, f)));
    if (stray.length > 0) problems.push(`the 400 also names ${JSON.stringify(stray)}, which the case did not break`);
  }
  if (appended !== 0) problems.push(`${appended} event(s) appended`);
  if (problems.length > 0) {
    throw new Error(`${r.name} with ${c.what} [${c.category}]: ${problems.join('; ')}\n  answer: ${status} ${response.text.slice(0, 300)}`);
  }
}

const assertProperty = (arbitrary: fc.Arbitrary<readonly [Route, BadCase]>, numRuns: number) =>
  fc.assert(
    fc.asyncProperty(arbitrary, ([r, c]) => check(r, c)),
    { seed: SEED, numRuns, interruptAfterTimeLimit: TIME_LIMIT_MS },
  );

function runsFor(categories: readonly Category[], category: Category): number {
  const total = categories.reduce((sum, c) => sum + (WEIGHT[c] ?? 0), 0);
  return Math.max(2, Math.round((RUNS_PER_ROUTE * (WEIGHT[category] ?? 0)) / total));
}

// ---------------------------------------------------------------------------------------------

describe('bad input on every command route: 4xx in the error shape, the field named, nothing appended', () => {
  it('lists every command route of the API (the signed webhooks aside)', () => {
    const declared = commandRoutesInControllers().filter((r) => !r.includes('/webhooks/'));
    expect(declared.sort()).toEqual(ROUTES.map((r) => r.name).sort());
  });

  for (const r of ROUTES) {
    describe(r.name, () => {
      const cases = casesFor(r);
      const categories = Object.keys(cases) as Category[];
      // The route's U+0000 runs (below) count towards its share.
      const shares: Category[] = nulCases(r) ? [...categories, 'U+0000'] : categories;
      for (const category of categories) {
        it(category, async () => {
          await assertProperty(
            cases[category]!.map((c) => [r, c] as const),
            runsFor(shares, category),
          );
        });
      }
    });
  }
});

describe('bad input whose failures share one cause across routes', () => {
  const bodyRoutes = ROUTES.filter((r) => r.body);

  // PostgreSQL refuses U+0000 in text ("invalid byte sequence for encoding UTF8: 0x00", 22021) and
  // in jsonb ("unsupported Unicode escape sequence", 22P05): such input can never be stored.
  describe('U+0000 in a string field or a path parameter', () => {
    for (const r of ROUTES) {
      const cases = nulCases(r);
      if (!cases) continue;
      it(r.name, async () => {
        await assertProperty(
          cases.map((c) => [r, c] as const),
          Math.max(6, Math.round(RUNS_PER_ROUTE / 5)),
        );
      });
    }
  });

  it('JSON nested thousands deep, as a field or an unknown property (a recursive transformer overflows the stack)', async () => {
    const cases = fc
      .tuple(fc.constantFrom(...bodyRoutes), fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('array', 'object'), fc.boolean())
      .map(([r, depth, kind, asUnknown]) => {
        const name = asUnknown ? 'nested' : r.body!.fields[0]!.name;
        const c: BadCase = { category: 'deep-json', what: `${name} = ${kind} nested ${depth} deep`, body: { deep: { base: r.body!.valid(), name, depth, kind } }, fields: [name] };
        return [r, c] as const;
      });
    await assertProperty(cases, 20);
  });

  it('unknown properties named like an inherited member (toString, constructor, __proto__, …) or prototype, at the top level or nested', async () => {
    const cases = fc.tuple(fc.constantFrom(...bodyRoutes), fc.constantFrom(...PROTOTYPE_KEYS), jsonish, fc.nat()).map(([r, key, value, pick]) => {
      const places = [{ at: '', put: (v: Record<string, unknown>) => v, valid: r.body!.valid }, ...(r.body!.nested ?? [])];
      const place = places[pick % places.length]!;
      const c: BadCase = { category: 'prototype-keys', what: `unknown ${dot(place.at, key)}: ${show(value)}`, body: { json: place.put(withProperties(place.valid(), [[key, value]])) }, fields: [dot(place.at, key)] };
      return [r, c] as const;
    });
    await assertProperty(cases, 20);
  });

  it('syncConfig given as an array (SyncConfigInput is an object)', async () => {
    const r = ROUTES.find((x) => x.name === 'POST /v1/orgs/:org/workspaces/:ws/integrations')!;
    const element = fc.oneof(fc.constant(validSyncConfig()), fc.record({ branches: fc.array(fc.constantFrom('dev', 'release'), { maxLength: 2 }), autoSync: fc.boolean() }, { requiredKeys: [] }));
    const cases = fc.array(element, { maxLength: 3 }).map((array) => {
      const c: BadCase = { category: 'syncConfig-array', what: `syncConfig = ${show(array)}`, body: { json: { resourceId: fixture.resourceId, syncConfig: array } }, fields: ['syncConfig'] };
      return [r, c] as const;
    });
    await assertProperty(cases, 10);
  });
});

/** `METHOD /path` of every @Post/@Put/@Patch/@Delete under apps/api/src, read from the controllers' source. */
function commandRoutesInControllers(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.controller.ts')) files.push(full);
    }
  };
  walk(join(process.cwd(), 'apps/api/src'));
  const routes: string[] = [];
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const prefix = /@Controller\((?:'([^']*)')?\)/.exec(source)?.[1] ?? '';
    for (const match of source.matchAll(/@(Post|Put|Patch|Delete)\((?:'([^']*)')?\)/g)) {
      routes.push(`${match[1]!.toUpperCase()} /${[prefix, match[2] ?? ''].filter(Boolean).join('/')}`);
    }
  }
  return routes;
}
