import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DEFAULT_STORE_SETTINGS, documentIdFor } from '#domain';
import { metricsRegistry } from '#adapters';
import { startFakeCohere, type FakeCohere } from '#testing';
import { startTestApp, type TestApp } from './support/app.js';
import { waitForEmbeddings } from './support/wait-for-embeddings.js';
import { recordDocumentBatch, type RecordedPage } from './support/record-documents.js';

/**
 * `stores.*` (session, org member), `contents.fetch` and `search.query` (API key + X-Workspace-ID),
 * over HTTP against the booted app. Documents are recorded as the ingestion reactor records them:
 * `RecordDocumentBatch` on the job's ingestion stream, through `handleCommand`.
 */
let app: TestApp;
let cohereApp: TestApp;
let cohere: FakeCohere;

beforeAll(async () => {
  cohere = await startFakeCohere();
  [app, cohereApp] = await Promise.all([
    startTestApp(),
    // With reactors: the embedding reactor stores the chunk vectors the semantic leg searches.
    startTestApp({ config: { cohere: { apiKey: cohere.apiKey, apiUrl: cohere.url } }, reactors: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([app?.close(), cohereApp?.close()]);
  await cohere?.close();
});

interface Tenant {
  readonly app: TestApp;
  readonly org: string;
  readonly organizationId: string;
  readonly token: string;
  /** An API key of the tenant's user. */
  readonly key: string;
  /** The `docs` workspace. */
  readonly workspaceId: string;
}

function expectInvalidField(response: { status: number; body: any }, field: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
  const fields: string[] = (response.body.error.details?.fields ?? []).map((f: { field: string }) => f.field);
  expect(fields).toContain(field);
}

/** An organization created by its user (an admin member), a `docs` workspace, and an API key, all projected. */
async function tenant(on: TestApp, org: string): Promise<Tenant> {
  const userId = `user_${org}`;
  const token = await on.token({ userId, org });
  const created = await on.request('POST', '/v1/orgs', { token, body: { slug: org, name: org } });
  expect(created.status).toBe(201);
  const workspace = await on.request('POST', `/v1/orgs/${org}/workspaces`, { token, body: { name: 'docs' } });
  expect(workspace.status).toBe(201);
  const key = await on.request('POST', '/v1/me/api-keys', { token, body: { name: 'search' } });
  expect(key.status).toBe(201);
  // The key authenticates once projected, and the key routes read the workspace from its read model.
  expect((await on.request('GET', `/v1/me/api-keys?minPosition=${key.body.position}`, { token })).status).toBe(200);
  expect((await on.request('GET', `/v1/orgs/${org}/workspaces?minPosition=${key.body.position}`, { token })).status).toBe(200);
  return { app: on, org, organizationId: created.body.organizationId, token, key: key.body.key, workspaceId: workspace.body.workspaceId };
}

async function ensureStore(t: Tenant, slug: string, body?: unknown) {
  return t.app.request('PUT', `/v1/orgs/${t.org}/workspaces/docs/stores/${slug}`, { token: t.token, body });
}

/** Records the documents in the store as one ingestion batch; returns the batch's position. */
function index(t: Tenant, storeId: string, files: readonly RecordedPage[]): Promise<string> {
  return recordDocumentBatch(t.app.runtime.store, {
    jobId: randomUUID(),
    storeId,
    organizationId: t.organizationId,
    workspaceId: t.workspaceId,
    repositoryId: null,
    githubRepoId: '4242',
    repoFullName: `${t.org}/docs`,
    at: new Date().toISOString(),
    pages: files,
  });
}

const docId = (storeId: string, path: string) => documentIdFor(storeId, '4242', path);

function keyRequest(t: Tenant, path: string, body: unknown, options: { workspaceId?: string | null; query?: string } = {}) {
  const workspaceId = options.workspaceId === undefined ? t.workspaceId : options.workspaceId;
  return t.app.request('POST', `${path}${options.query ?? ''}`, {
    token: t.key,
    body,
    headers: workspaceId === null ? {} : { 'x-workspace-id': workspaceId },
  });
}

const search = (t: Tenant, body: unknown, options?: { workspaceId?: string | null; query?: string }) =>
  keyRequest(t, '/v1/search', body, options);
const contents = (t: Tenant, body: unknown, options?: { workspaceId?: string | null; query?: string }) =>
  keyRequest(t, '/v1/contents', body, options);

/**
 * Until the store's chunks are projected (a read naming the indexing's position; `contents`, as a
 * search would embed its query) and the embedding reactor has stored a vector for each.
 */
async function waitForIndexed(t: Tenant, storeId: string, position: string): Promise<void> {
  const read = await contents(t, { ids: [docId(storeId, 'docs/none.md')] }, { query: `?minPosition=${position}` });
  expect(read.status).toBe(200);
  await waitForEmbeddings(t.app, storeId);
}

/** How many times the api ran a named statement (its metrics), in this process. */
async function statementCount(statement: string): Promise<number> {
  type Values = Array<{ metricName?: string; labels: Record<string, string | number>; value: number }>;
  const values = (await metricsRegistry.getSingleMetric('db_query_duration_seconds')!.get()).values as Values;
  return values
    .filter((v) => v.metricName === 'db_query_duration_seconds_count' && v.labels.statement === statement)
    .reduce((sum, v) => sum + v.value, 0);
}

/** `contents.fetch` cache outcomes and statements on documents, as the api's metrics count them. */
async function contentsCounters(): Promise<{ hit: number; reads: number }> {
  type Values = Array<{ metricName?: string; labels: Record<string, string | number>; value: number }>;
  const lookups = (await metricsRegistry.getSingleMetric('read_cache_lookups_total')!.get()).values as Values;
  const statements = (await metricsRegistry.getSingleMetric('db_query_duration_seconds')!.get()).values as Values;
  return {
    hit: lookups.find((v) => v.labels.cache === 'document_contents' && v.labels.outcome === 'hit')?.value ?? 0,
    reads: statements
      .filter((v) => v.metricName === 'db_query_duration_seconds_count' && v.labels.statement === 'DocumentQueries.contents')
      .reduce((sum, v) => sum + v.value, 0),
  };
}

/** Enough unrelated words to dilute a chunk's embedding without matching any query below. */
const FILLER = Array.from(
  { length: 60 },
  (_, i) => `filler${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`,
).join(' ');

const HANDBOOK = [
  {
    path: 'docs/ingress.md',
    title: 'Kubernetes ingress',
    content: 'Configure the kubernetes ingress controller with TLS certificates and host rules.',
    frontmatter: { title: 'Kubernetes ingress', tags: ['k8s'] },
  },
  {
    path: 'docs/billing.md',
    title: 'Billing',
    content: 'Invoices are sent monthly. Kubernetes is mentioned here once, without the other word.',
  },
  { path: 'docs/onboarding.md', title: 'Onboarding', content: 'Welcome aboard: laptops, accounts and the first week.' },
  // Full text prefers this one (both words in the title), embeddings the next (little else in it).
  { path: 'docs/deploy.md', title: 'Deploy rollback', content: `Deploy rollback. ${FILLER}` },
  { path: 'docs/notes.md', title: 'Notes', content: 'Rollback deploy now.' },
];

describe('stores', () => {
  let t: Tenant;
  let outsider: Tenant;

  beforeAll(async () => {
    [t, outsider] = await Promise.all([tenant(app, 'stores-co'), tenant(app, 'stores-outsider')]);
  });

  it('creates a store once: 201 with its position, then 200 with the same store; lists and gets it', async () => {
    const first = await ensureStore(t, 'handbook');
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      store: expect.objectContaining({
        id: `${t.workspaceId}_handbook`,
        workspaceId: t.workspaceId,
        organizationId: t.organizationId,
        slug: 'handbook',
        embeddingProvider: 'cohere',
        embeddingModel: DEFAULT_STORE_SETTINGS.embeddingModel,
        embeddingDim: 1024,
        documentCount: 0,
      }),
      created: true,
      position: expect.stringMatching(/^\d+\/\d+$/),
    });

    const again = await ensureStore(t, 'handbook', { embeddingDim: 384 });
    expect(again.status).toBe(200);
    // An existing store keeps its settings: the second request's dimension is not applied.
    expect(again.body).toEqual({ store: expect.objectContaining({ id: first.body.store.id, embeddingDim: 1024 }), created: false });

    const list = await app.request('GET', `/v1/orgs/${t.org}/workspaces/docs/stores?minPosition=${first.body.position}`, {
      token: t.token,
    });
    expect(list.status).toBe(200);
    expect(list.body.map((s: { slug: string }) => s.slug)).toEqual(['handbook']);
    const one = await app.request('GET', `/v1/orgs/${t.org}/workspaces/docs/stores/handbook?minPosition=${first.body.position}`, {
      token: t.token,
    });
    expect(one.body).toEqual(list.body[0]);
  });

  it('takes the embedding dimension of a new store from the body', async () => {
    const created = await ensureStore(t, 'small', { embeddingDim: 384 });
    expect(created.status).toBe(201);
    expect(created.body.store.embeddingDim).toBe(384);
  });

  it('refuses a bad slug or dimension naming the field, and appends nothing', async () => {
    for (const slug of ['Bad_Slug', '-lead', 'a--b', 'x'.repeat(21)]) expectInvalidField(await ensureStore(t, slug), 'slug');
    for (const embeddingDim of [0, 100, 2048, 4097, 1.5, '1024'])
      expectInvalidField(await ensureStore(t, 'dims', { embeddingDim }), 'embeddingDim');
    expectInvalidField(await ensureStore(t, 'dims', { embeddingDims: 1024 }), 'embeddingDims');
    expect((await app.request('GET', `/v1/orgs/${t.org}/workspaces/docs/stores/dims`, { token: t.token })).status).toBe(404);
  });

  it('answers 404 for a missing store or workspace, 403 for a non-member and for an API key', async () => {
    expect((await app.request('GET', `/v1/orgs/${t.org}/workspaces/docs/stores/nothing`, { token: t.token })).status).toBe(404);
    expect((await app.request('PUT', `/v1/orgs/${t.org}/workspaces/nowhere/stores/handbook`, { token: t.token })).status).toBe(404);
    expect((await app.request('GET', `/v1/orgs/${t.org}/workspaces/nowhere/stores`, { token: t.token })).status).toBe(404);
    expect((await app.request('GET', `/v1/orgs/${t.org}/workspaces/docs/stores`, { token: outsider.token })).status).toBe(403);
    expect((await app.request('PUT', `/v1/orgs/${t.org}/workspaces/docs/stores/intruder`, { token: outsider.token })).status).toBe(403);
    expect((await app.request('GET', `/v1/orgs/${t.org}/workspaces/docs/stores`, { token: t.key })).status).toBe(403);
  });
});

describe('contents and search (full-text ranking)', () => {
  let t: Tenant;
  let other: Tenant;
  let storeId: string;
  let otherStoreId: string;
  let emptyWorkspaceId: string;
  let position: string;

  beforeAll(async () => {
    [t, other] = await Promise.all([tenant(app, 'search-co'), tenant(app, 'search-other')]);
    const [store, otherStore] = await Promise.all([ensureStore(t, 'handbook'), ensureStore(other, 'private')]);
    storeId = store.body.store.id;
    otherStoreId = otherStore.body.store.id;
    await index(other, otherStoreId, [
      { path: 'docs/secret.md', title: 'Secret kubernetes ingress', content: 'Kubernetes ingress of the other organization.' },
    ]);
    position = await index(t, storeId, HANDBOOK);
    // A second workspace of the same organization, without stores.
    const empty = await app.request('POST', `/v1/orgs/${t.org}/workspaces`, { token: t.token, body: { name: 'empty' } });
    emptyWorkspaceId = empty.body.workspaceId;
    expect((await app.request('GET', `/v1/orgs/${t.org}/workspaces?minPosition=${empty.body.position}`, { token: t.token })).status).toBe(
      200,
    );
  });

  describe('contents', () => {
    it('returns the workspace documents asked for, in order, and leaves out other workspaces silently', async () => {
      const ids = [
        docId(storeId, 'docs/billing.md'),
        docId(otherStoreId, 'docs/secret.md'),
        'doc_unknown',
        docId(storeId, 'docs/ingress.md'),
      ];
      const response = await contents(t, { ids }, { query: `?minPosition=${position}` });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        documents: [
          {
            id: ids[0],
            path: 'docs/billing.md',
            title: 'Billing',
            description: null,
            content: HANDBOOK[1]!.content,
            metadata: {},
            committedAt: expect.any(String),
          },
          {
            id: ids[3],
            path: 'docs/ingress.md',
            title: 'Kubernetes ingress',
            description: null,
            content: HANDBOOK[0]!.content,
            metadata: HANDBOOK[0]!.frontmatter,
            committedAt: expect.any(String),
          },
        ],
        requestId: response.headers.get('x-request-id'),
      });
    });

    it('refuses 0 or 51 ids, and ids that are not non-empty strings, naming ids', async () => {
      for (const ids of [[], Array.from({ length: 51 }, (_, i) => `doc_${i}`), [''], [42], 'doc_1', ['x'.repeat(192)]])
        expectInvalidField(await contents(t, { ids }), 'ids');
      expectInvalidField(await contents(t, {}), 'ids');
    });

    it('needs X-Workspace-ID (400), of a workspace the key user is a member of (404 otherwise), and an API key (403)', async () => {
      expectInvalidField(await contents(t, { ids: ['doc_1'] }, { workspaceId: null }), 'X-Workspace-ID');
      expect((await contents(t, { ids: ['doc_1'] }, { workspaceId: randomUUID() })).status).toBe(404);
      const foreign = await contents(t, { ids: [docId(otherStoreId, 'docs/secret.md')] }, { workspaceId: other.workspaceId });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.message).toBe('Workspace not found');
      const session = await app.request('POST', '/v1/contents', {
        token: t.token,
        body: { ids: ['doc_1'] },
        headers: { 'x-workspace-id': t.workspaceId },
      });
      expect(session.status).toBe(403);
    });

    it('answers a repeated fetch from the cache, and a re-indexed content at once given the command position', async () => {
      const path = 'docs/changelog.md';
      const ids = [docId(storeId, path), 'doc_unknown'];
      const first = await index(t, storeId, [{ path, title: 'Changelog', content: 'Changelog: version one.' }]);
      expect(
        (await contents(t, { ids }, { query: `?minPosition=${first}` })).body.documents.map((d: { content: string }) => d.content),
      ).toEqual(['Changelog: version one.']);
      const before = await contentsCounters();
      const again = await contents(t, { ids });
      expect(again.body.documents.map((d: { content: string }) => d.content)).toEqual(['Changelog: version one.']);
      const after = await contentsCounters();
      // Both ids (the unknown one too) answered in process: no statement on the documents.
      expect({ hits: after.hit - before.hit, reads: after.reads - before.reads }).toEqual({ hits: 2, reads: 0 });

      const second = await index(t, storeId, [{ path, title: 'Changelog', content: 'Changelog: version two.' }]);
      const changed = await contents(t, { ids }, { query: `?minPosition=${second}` });
      expect(changed.body.documents.map((d: { content: string }) => d.content)).toEqual(['Changelog: version two.']);
      expect((await contentsCounters()).reads - after.reads).toBe(1);
    });
  });

  describe('search', () => {
    const handbook = { labels: ['store:handbook'] };

    it('finds the matching document first, with highlights of the matched words', async () => {
      const response = await search(t, { query: 'kubernetes ingress', filters: handbook }, { query: `?minPosition=${position}` });
      expect(response.status).toBe(200);
      expect(response.body.ranking).toBe('fulltext');
      // `billing` has "kubernetes" but not "ingress": both words are required.
      expect(response.body.results).toEqual([
        {
          id: docId(storeId, 'docs/ingress.md'),
          title: 'Kubernetes ingress',
          url: `https://github.com/${t.org}/docs/blob/c0ffee/docs/ingress.md`,
          snippet: HANDBOOK[0]!.content,
          score: expect.any(Number),
          metadata: expect.objectContaining({
            path: 'docs/ingress.md',
            repoFullName: `${t.org}/docs`,
            frontmatter: HANDBOOK[0]!.frontmatter,
          }),
          highlights: [expect.stringContaining('<mark>kubernetes</mark> <mark>ingress</mark>')],
        },
      ]);
      expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
      expect(response.body.latency).toEqual({ total: expect.any(Number), retrieval: expect.any(Number), cache: 'bypass' });
      expect(response.body.latency.total).toBeGreaterThanOrEqual(response.body.latency.retrieval);
    });

    it('answers an identical query from the cache, and a different one afresh', async () => {
      const body = { query: 'rollback', topK: 5, filters: handbook };
      const first = await search(t, body);
      const second = await search(t, body);
      expect(first.body.latency.cache).toBe('miss');
      expect(second.body.latency).toEqual({ total: expect.any(Number), retrieval: 0, cache: 'hit' });
      expect(second.body.results).toEqual(first.body.results);
      expect(first.body.results.map((r: { id: string }) => r.id).sort()).toEqual(
        [docId(storeId, 'docs/deploy.md'), docId(storeId, 'docs/notes.md')].sort(),
      );
      expect((await search(t, { ...body, topK: 1 })).body.latency.cache).toBe('miss');
      expect((await search(t, { ...body, includeHighlights: false })).body.latency.cache).toBe('miss');
    });

    it('takes null for an optional field as absent: topK 10, highlights on', async () => {
      const response = await search(t, { query: 'deploy', topK: null, includeHighlights: null, filters: handbook });
      expect(response.status).toBe(200);
      expect(response.body.results).toHaveLength(2);
      expect(response.body.results[0].highlights).toEqual([expect.stringContaining('<mark>')]);
      const store = await ensureStore(t, 'nulldim', { embeddingDim: null });
      expect(store.body.store.embeddingDim).toBe(1024);
    });

    it('leaves highlights out when not asked for, and honours topK', async () => {
      const response = await search(t, { query: 'deploy', topK: 1, includeHighlights: false, filters: handbook });
      expect(response.body.results).toHaveLength(1);
      expect(response.body.results[0]).not.toHaveProperty('highlights');
    });

    it('answers a query of stop words only with no results', async () => {
      const response = await search(t, { query: 'the and of', filters: handbook });
      expect(response.status).toBe(200);
      expect(response.body.results).toEqual([]);
    });

    it('requires exactly one valid store label, naming filters.labels', async () => {
      expectInvalidField(await search(t, { query: 'deploy' }), 'filters.labels');
      expectInvalidField(await search(t, { query: 'deploy', filters: { labels: ['team:docs'] } }), 'filters.labels');
      expectInvalidField(await search(t, { query: 'deploy', filters: { labels: ['store:handbook', 'store:other'] } }), 'filters.labels');
      expectInvalidField(await search(t, { query: 'deploy', filters: { labels: ['store:Bad_Slug'] } }), 'filters.labels');
      expectInvalidField(await search(t, { query: 'deploy', filters: { labels: 'store:handbook' } }), 'filters.labels');
      expectInvalidField(await search(t, { query: 'deploy', filters: {} }), 'filters.labels');
    });

    it('refuses bad inputs naming the field', async () => {
      const ok = { query: 'deploy', filters: handbook };
      for (const query of ['', 'x'.repeat(1001), 42, null, '   ']) expectInvalidField(await search(t, { ...ok, query }), 'query');
      for (const topK of [0, 101, 1.5, '10']) expectInvalidField(await search(t, { ...ok, topK }), 'topK');
      expectInvalidField(await search(t, { ...ok, includeHighlights: 'yes' }), 'includeHighlights');
      expectInvalidField(await search(t, { ...ok, filters: 'store:handbook' }), 'filters');
      expectInvalidField(await search(t, { ...ok, extra: true }), 'extra');
      expectInvalidField(await search(t, ok, { query: '?minPosition=soon' }), 'minPosition');
    });

    it("refuses a store of another workspace (404), another organization's workspace (404) and a session token (403)", async () => {
      expect((await search(t, { query: 'deploy', filters: handbook }, { workspaceId: emptyWorkspaceId })).status).toBe(404);
      const otherStore = await search(t, { query: 'kubernetes', filters: { labels: ['store:private'] } });
      expect(otherStore.status).toBe(404);
      expect(otherStore.body.error.message).toBe('Store "private" not found');
      expect(
        (await search(t, { query: 'kubernetes', filters: { labels: ['store:private'] } }, { workspaceId: other.workspaceId })).status,
      ).toBe(404);
      expectInvalidField(await search(t, { query: 'deploy', filters: handbook }, { workspaceId: null }), 'X-Workspace-ID');
      const session = await app.request('POST', '/v1/search', {
        token: t.token,
        body: { query: 'deploy', filters: handbook },
        headers: { 'x-workspace-id': t.workspaceId },
      });
      expect(session.status).toBe(403);
      // The other organization's own key finds its document.
      const own = await search(other, { query: 'kubernetes', filters: { labels: ['store:private'] } });
      expect(own.body.results.map((r: { id: string }) => r.id)).toEqual([docId(otherStoreId, 'docs/secret.md')]);
    });

    it('ranks "deploy rollback" by full text: the document with both words in its title first', async () => {
      const response = await search(t, { query: 'deploy rollback', filters: handbook });
      expect(response.body.results.map((r: { id: string }) => r.id)).toEqual([
        docId(storeId, 'docs/deploy.md'),
        docId(storeId, 'docs/notes.md'),
      ]);
    });
  });
});

describe('search with Cohere embeddings', () => {
  let t: Tenant;
  let storeId: string;
  let position: string;

  beforeAll(async () => {
    t = await tenant(cohereApp, 'cohere-co');
    storeId = (await ensureStore(t, 'handbook')).body.store.id;
    position = await index(t, storeId, HANDBOOK);
    // The reactor's calls for the store are over before the tests count the rerank's calls.
    await waitForIndexed(t, storeId, position);
  });

  it('reranks full-text candidates by embedding similarity, sending the key and both input types', async () => {
    cohere.calls.length = 0;
    const response = await search(
      t,
      { query: 'deploy rollback', filters: { labels: ['store:handbook'] } },
      { query: `?minPosition=${position}` },
    );
    expect(response.status).toBe(200);
    expect(response.body.ranking).toBe('hybrid');
    // Full text put `deploy` first (previous test); its chunk is mostly other words, so the short note wins.
    expect(response.body.results.map((r: { id: string }) => r.id)).toEqual([
      docId(storeId, 'docs/notes.md'),
      docId(storeId, 'docs/deploy.md'),
    ]);
    expect(response.body.results[0].score).toBeGreaterThan(response.body.results[1].score);
    expect(response.body.latency).toEqual({
      total: expect.any(Number),
      retrieval: expect.any(Number),
      embedding: expect.any(Number),
      rerank: expect.any(Number),
      cache: 'bypass',
    });

    expect(cohere.calls.map((c) => c.authorization)).toEqual(cohere.calls.map(() => `Bearer ${cohere.apiKey}`));
    const byType = Object.fromEntries(cohere.calls.map((c) => [c.body.input_type, c.body]));
    expect(byType.search_query).toMatchObject({ texts: ['deploy rollback'], model: DEFAULT_STORE_SETTINGS.embeddingModel });
    expect([...byType.search_document!.texts].sort()).toEqual([HANDBOOK[3]!.content, HANDBOOK[4]!.content].sort());
  });

  it('embeds a chunk once: a new query over the same chunks sends only the query', async () => {
    cohere.calls.length = 0;
    const response = await search(t, { query: 'rollback deploy', topK: 2, filters: { labels: ['store:handbook'] } });
    expect(response.body.ranking).toBe('hybrid');
    expect(cohere.calls.map((c) => c.body.input_type)).toEqual(['search_query']);
  });

  it('embeds a query once: the same query ranked again (answer cache bypassed) sends nothing', async () => {
    cohere.calls.length = 0;
    // `minPosition` bypasses the answer cache, so the query is retrieved and reranked again.
    const response = await search(
      t,
      { query: 'rollback deploy', topK: 2, filters: { labels: ['store:handbook'] } },
      { query: `?minPosition=${position}` },
    );
    expect(response.body).toMatchObject({ ranking: 'hybrid', latency: { cache: 'bypass' } });
    expect(cohere.calls).toEqual([]);
  });

  it('falls back to full-text ranking when Cohere fails, and does not cache that answer', async () => {
    const body = { query: 'ingress', filters: { labels: ['store:handbook'] } };
    cohere.failWith = 503;
    try {
      const degraded = await search(t, body);
      expect(degraded.status).toBe(200);
      expect(degraded.body.ranking).toBe('fulltext');
      expect(degraded.body.results.map((r: { id: string }) => r.id)).toEqual([docId(storeId, 'docs/ingress.md')]);
    } finally {
      cohere.failWith = null;
    }
    const recovered = await search(t, body);
    expect(recovered.body).toMatchObject({ ranking: 'hybrid', latency: { cache: 'miss' } });
  });
});

describe('search with the semantic leg (vectors fused with full text by reciprocal rank)', () => {
  // The fake embeds `automobile` as `car` and `repair` as `fix`: the car page shares no word with
  // the query "automobile repair", so only the vector leg can find it.
  const GARAGE = [
    {
      path: 'docs/car-care.md',
      title: 'Looking after a car',
      content: 'Keep the car tyres inflated. A garage can fix the brakes of a car.',
    },
    { path: 'docs/bicycles.md', title: 'Bicycles', content: 'Oil the bicycle chain and pump the tyres before a ride.' },
    { path: 'docs/deploy.md', title: 'Deploying', content: 'Deploy the service with a rolling update and watch the error rate.' },
  ];
  let t: Tenant;
  let storeId: string;
  let position: string;

  beforeAll(async () => {
    t = await tenant(cohereApp, 'semantic-co');
    storeId = (await ensureStore(t, 'garage')).body.store.id;
    cohere.calls.length = 0;
    position = await index(t, storeId, GARAGE);
  });

  it('embeds the indexed chunks off the request path, one provider call for the new texts', async () => {
    await waitForIndexed(t, storeId, position);
    const documentCalls = cohere.calls.filter((c) => c.body.input_type === 'search_document');
    expect(documentCalls.map((c) => [...c.body.texts].sort())).toEqual([GARAGE.map((g) => g.content).sort()]);
    expect(documentCalls[0]!.body.model).toBe(DEFAULT_STORE_SETTINGS.embeddingModel);
  });

  it('finds by meaning a document that shares no word with the query, which full text alone does not', async () => {
    const query = 'automobile repair';
    const fullText = await search(t, { query, filters: { labels: ['store:garage'] } }, { query: `?minPosition=${position}` });
    expect(fullText.status).toBe(200);
    expect(fullText.body.results).toEqual([]);

    const hybrid = await search(t, { query, semantic: true, filters: { labels: ['store:garage'] } });
    expect(hybrid.status).toBe(200);
    expect(hybrid.body.ranking).toBe('fulltext+semantic');
    expect(hybrid.body.results[0]).toMatchObject({
      id: docId(storeId, 'docs/car-care.md'),
      title: 'Looking after a car',
      highlights: [],
      metadata: { path: 'docs/car-care.md', chunkIndex: 0 },
    });
    // Found by the vector leg alone, at rank 1: 1 / (60 + 1).
    expect(hybrid.body.results[0].score).toBeCloseTo(1 / 61, 10);
    expect(hybrid.body.latency).toEqual({
      total: expect.any(Number),
      retrieval: expect.any(Number),
      embedding: expect.any(Number),
      semantic: expect.any(Number),
      cache: 'miss',
    });
    const store = await ensureStore(t, 'garage');
    expect(hybrid.body.semantic).toEqual({ index: store.body.store.indexName, chunks: GARAGE.length, embedded: GARAGE.length });
  });

  it('ranks first a document both legs found; a search sends only its query to the provider', async () => {
    cohere.calls.length = 0;
    const response = await search(t, { query: 'car tyres', semantic: true, filters: { labels: ['store:garage'] } });
    expect(response.body.ranking).toBe('fulltext+semantic');
    const ids = response.body.results.map((r: { id: string }) => r.id);
    expect(ids[0]).toBe(docId(storeId, 'docs/car-care.md'));
    expect(ids).toContain(docId(storeId, 'docs/bicycles.md'));
    expect(response.body.results[0].score).toBeGreaterThan(response.body.results[1].score);
    // The chunk vectors are stored by (model, dimensions, text hash): only the query is sent.
    expect(cohere.calls.map((c) => c.body.input_type)).toEqual(['search_query']);
  });

  it('checks a held store matrix against the documents only after the documents projection committed', async () => {
    const body = { query: 'tyres', semantic: true, filters: { labels: ['store:garage'] } };
    await search(t, body, { query: `?minPosition=${position}` });
    const checksBefore = await statementCount('ChunkEmbeddingQueries.storeFingerprint');
    // Uncached answers (minPosition), nothing indexed in between: the matrix is used as held.
    for (let i = 0; i < 3; i++) expect((await search(t, body, { query: `?minPosition=${position}` })).status).toBe(200);
    expect(await statementCount('ChunkEmbeddingQueries.storeFingerprint')).toBe(checksBefore);
  });

  it('sees a document indexed since the store was last searched', async () => {
    const vans = { path: 'docs/vans.md', title: 'Vans', content: 'A van is a vehicle for goods; mend it at the depot.' };
    cohere.calls.length = 0;
    const later = await index(t, storeId, [vans]);
    await waitForIndexed(t, storeId, later);
    // Only the new chunk is embedded, by the reactor.
    expect(cohere.calls.map((c) => [c.body.input_type, c.body.texts])).toEqual([['search_document', [vans.content]]]);
    cohere.calls.length = 0;
    const response = await search(
      t,
      { query: 'automobile repair', semantic: true, filters: { labels: ['store:garage'] } },
      { query: `?minPosition=${later}` },
    );
    const ids = response.body.results.map((r: { id: string }) => r.id);
    expect(ids.slice(0, 2).sort()).toEqual([docId(storeId, 'docs/car-care.md'), docId(storeId, 'docs/vans.md')].sort());
    // The query's vector is cached from the first search: no call at all.
    expect(cohere.calls).toEqual([]);
  });

  it('embeds and searches a 512-dimension store with the model that gives 512 (embed-v4.0, output_dimension)', async () => {
    const small = await ensureStore(t, 'small-garage', { embeddingDim: 512 });
    expect(small.body.store).toMatchObject({ embeddingDim: 512 });
    const smallId = small.body.store.id;
    const at = await index(t, smallId, GARAGE);
    await waitForIndexed(t, smallId, at);
    const v4 = cohere.calls.filter((c) => c.body.model === 'embed-v4.0');
    expect(v4.every((c) => c.body.output_dimension === 512)).toBe(true);
    const found = await search(t, { query: 'automobile repair', semantic: true, filters: { labels: ['store:small-garage'] } });
    expect(found.status).toBe(200);
    expect(found.body.results[0]).toMatchObject({ id: docId(smallId, 'docs/car-care.md') });
    expect(found.body.semantic).toMatchObject({ chunks: GARAGE.length, embedded: GARAGE.length });
  });

  it('keeps the store in its workspace: another workspace searching the slug gets 404', async () => {
    const other = await tenant(cohereApp, 'semantic-other');
    const response = await search(other, { query: 'automobile repair', semantic: true, filters: { labels: ['store:garage'] } });
    expect(response.status).toBe(404);
    const foreignHeader = await search(
      other,
      { query: 'automobile repair', semantic: true, filters: { labels: ['store:garage'] } },
      { workspaceId: t.workspaceId },
    );
    expect(foreignHeader.status).not.toBe(200);
  });

  it('without an embedding provider, ranks by full text only', async () => {
    const plain = await tenant(app, 'semantic-plain');
    const plainStore = (await ensureStore(plain, 'garage')).body.store.id;
    const at = await index(plain, plainStore, GARAGE);
    const response = await search(
      plain,
      { query: 'automobile repair', semantic: true, filters: { labels: ['store:garage'] } },
      { query: `?minPosition=${at}` },
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ results: [], ranking: 'fulltext' });
  });
});
