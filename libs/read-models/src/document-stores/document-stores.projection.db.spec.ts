import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  ingestionStreamId,
  storeIdFor,
  storeIndexName,
  storeStreamId,
  type DocumentEvent,
  type IndexedDocument,
  type StoreCreated,
} from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing/projection';
import { storesProjection } from './document-stores.projection.js';
import { StoreQueries } from './document-stores.queries.js';
import { DocumentTotalsQueries } from './document-totals.queries.js';

const spec = useProjectionSpec(storesProjection);
let queries: StoreQueries;
let totals: DocumentTotalsQueries;
beforeAll(() => {
  queries = new StoreQueries((text, params) => spec.pool.query(text, params as unknown[]).then((r) => r.rows));
  totals = new DocumentTotalsQueries((text, params) => spec.pool.query(text, params as unknown[]).then((r) => r.rows));
});

const settings = { embeddingProvider: 'none', embeddingModel: 'none', embeddingDim: 0, chunkMaxTokens: 4, chunkOverlap: 0 } as const;
const storeCreated = (workspaceId: string, slug: string, createdAt: string): StoreCreated => ({
  type: 'StoreCreated',
  data: {
    storeId: storeIdFor(workspaceId, slug),
    organizationId: 'org_1',
    workspaceId,
    slug,
    indexName: storeIndexName(workspaceId, slug),
    settings,
    createdAt,
  },
});

/** `tokens` words: with 4 tokens a chunk and no overlap, ceil(tokens / 4) chunks. */
const doc = (id: string, tokens: number, previousChunkCount: number, isNew: boolean): IndexedDocument => ({
  documentId: id,
  path: `docs/${id}.md`,
  title: id,
  description: null,
  frontmatter: {},
  content: Array.from({ length: tokens }, (_, i) => `w${i}`).join(' '),
  contentHash: `h-${id}-${tokens}`,
  blobSha: `b-${id}-${tokens}`,
  previousChunkCount,
  isNew,
});
function batch(
  storeId: string,
  jobId: string,
  n: number,
  at: string,
  indexed: IndexedDocument[],
  removed: { documentId: string; chunkCount: number }[] = [],
): DocumentEvent[] {
  const ref = {
    storeId,
    organizationId: 'org_1',
    workspaceId: 'ws_1',
    repositoryId: null,
    githubRepoId: '7',
    repoFullName: 'acme/site',
    jobId,
    batch: n,
    commitSha: 'c1',
    at,
  };
  return [
    ...(indexed.length > 0
      ? [{ type: 'DocumentsIndexed' as const, data: { ...ref, chunking: { chunkMaxTokens: 4, chunkOverlap: 0 }, documents: indexed } }]
      : []),
    ...(removed.length > 0
      ? [
          {
            type: 'DocumentsRemoved' as const,
            data: { ...ref, documents: removed.map((r) => ({ ...r, path: `docs/${r.documentId}.md` })) },
          },
        ]
      : []),
  ];
}

const docs = storeIdFor('ws_1', 'docs');
const log = new EventLog();
const stores = (into: EventLog) => {
  for (const [workspaceId, slug, at] of [
    ['ws_1', 'docs', '2026-04-01T10:00:00.000Z'],
    ['ws_1', 'api', '2026-04-01T10:05:00.000Z'],
    ['ws_2', 'docs', '2026-04-01T10:10:00.000Z'],
  ] as const) {
    into.append(storeStreamId(storeIdFor(workspaceId, slug)), storeCreated(workspaceId, slug, at));
  }
};
// a: 10 tokens = 3 chunks, b: 4 tokens = 1 chunk
const firstJob = (into: EventLog) =>
  into.append(ingestionStreamId('j1'), ...batch(docs, 'j1', 0, '2026-04-03T10:00:00.000Z', [doc('a', 10, 0, true), doc('b', 4, 0, true)]));
// a shrinks to 1 chunk, b grows to 2, c is new with 2
const reindex = (into: EventLog) =>
  into.append(
    ingestionStreamId('j2'),
    ...batch(docs, 'j2', 0, '2026-04-03T11:00:00.000Z', [doc('a', 3, 3, false), doc('b', 5, 1, false), doc('c', 8, 0, true)]),
  );
// one batch that both indexes d (1 chunk) and removes a (1 chunk) and c (2 chunks)
const indexAndRemove = (into: EventLog) =>
  into.append(
    ingestionStreamId('j2'),
    ...batch(
      docs,
      'j2',
      1,
      '2026-04-03T11:05:00.000Z',
      [doc('d', 2, 0, true)],
      [
        { documentId: 'a', chunkCount: 1 },
        { documentId: 'c', chunkCount: 2 },
      ],
    ),
  );

async function countsAfter(append: (into: EventLog) => unknown) {
  append(log);
  await spec.active.apply(log.events);
  const store = await queries.get('ws_1', 'docs');
  return { documentCount: store?.documentCount, chunkCount: store?.chunkCount, lastIndexedAt: store?.lastIndexedAt };
}

describe('stores projection', () => {
  beforeAll(async () => {
    stores(log);
    await spec.active.apply(log.events);
  });

  it('keeps one row per store with its settings, listed by workspace', async () => {
    const list = await queries.list('ws_1');
    expect(list.map((s) => s.slug)).toEqual(['api', 'docs']);
    expect(list[1]).toEqual({
      id: docs,
      organizationId: 'org_1',
      workspaceId: 'ws_1',
      slug: 'docs',
      indexName: 'ws-1-docs',
      embeddingProvider: 'none',
      embeddingModel: 'none',
      embeddingDim: 0,
      chunkMaxTokens: 4,
      chunkOverlap: 0,
      createdAt: '2026-04-01T10:00:00.000Z',
      documentCount: 0,
      chunkCount: 0,
      lastIndexedAt: null,
    });
    expect(await queries.get('ws_2', 'api')).toBeNull();
    expect((await queries.get('ws_2', 'docs'))?.id).toBe(storeIdFor('ws_2', 'docs'));
  });

  it('counts documents and chunks exactly through indexing, re-indexing and removal', async () => {
    expect(await countsAfter(firstJob)).toEqual({ documentCount: 2, chunkCount: 4, lastIndexedAt: '2026-04-03T10:00:00.000Z' });
    expect(await countsAfter(reindex)).toEqual({ documentCount: 3, chunkCount: 5, lastIndexedAt: '2026-04-03T11:00:00.000Z' });
    expect(await countsAfter(indexAndRemove)).toEqual({ documentCount: 2, chunkCount: 3, lastIndexedAt: '2026-04-03T11:05:00.000Z' });
    expect((await queries.get('ws_1', 'api'))?.documentCount).toBe(0);
  });

  it('counts per store and repository, and gives the workspace totals at any instant from the batches times', async () => {
    // Another repository, into the other store: e (3 chunks) at 11:30, removed at 12:10 with f (1 chunk) new.
    const api = storeIdFor('ws_1', 'api');
    const otherRepository = (events: DocumentEvent[]) =>
      events.map((event) => ({ ...event, data: { ...event.data, githubRepoId: '8', repoFullName: 'acme/api' } }) as DocumentEvent);
    log.append(ingestionStreamId('j3'), ...otherRepository(batch(api, 'j3', 0, '2026-04-03T11:30:00.000Z', [doc('e', 12, 0, true)])));
    log.append(
      ingestionStreamId('j3'),
      ...otherRepository(batch(api, 'j3', 1, '2026-04-03T12:10:00.000Z', [doc('f', 4, 0, true)], [{ documentId: 'e', chunkCount: 3 }])),
    );
    await spec.active.apply(log.events);

    expect(await queries.repositoryCounts('ws_1')).toEqual([
      { storeId: api, githubRepoId: '8', documentCount: 1, chunkCount: 1 },
      { storeId: docs, githubRepoId: '7', documentCount: 2, chunkCount: 3 },
    ]);
    expect(await queries.repositoryCounts('ws_2')).toEqual([]);

    // Batches: 10:00 (+2 documents, +4 chunks), 11:00 (+1, +1), 11:05 (−1, −2), 11:30 (+1, +3), 12:10 (0, −2).
    const at = [
      '2026-04-03T09:59:59.999Z',
      '2026-04-03T10:00:00.000Z',
      '2026-04-03T10:59:59.999Z',
      '2026-04-03T11:00:00.000Z',
      '2026-04-03T11:02:00.000Z',
      '2026-04-03T11:05:00.000Z',
      '2026-04-03T11:45:00.000Z',
      '2026-04-03T12:00:00.000Z',
      '2026-04-03T12:10:00.000Z',
      '2026-05-01T00:00:00.000Z',
    ];
    expect(
      await totals.asOf(
        'ws_1',
        at.map((instant) => new Date(instant)),
      ),
    ).toEqual([
      { total: 0, chunks: 0 },
      { total: 2, chunks: 4 },
      { total: 2, chunks: 4 },
      { total: 3, chunks: 5 },
      { total: 3, chunks: 5 },
      { total: 2, chunks: 3 },
      { total: 3, chunks: 6 },
      { total: 3, chunks: 6 },
      { total: 3, chunks: 4 },
      { total: 3, chunks: 4 },
    ]);
    // Today's totals are the stores' counters.
    const list = await queries.list('ws_1');
    expect(list.reduce((sum, s) => sum + s.documentCount, 0)).toBe(3);
    expect(await totals.asOf('ws_2', [new Date('2026-05-01T00:00:00.000Z')])).toEqual([{ total: 0, chunks: 0 }]);
    expect(await totals.asOf('ws_1', [])).toEqual([]);
  });

  describeProjectionContract(spec, () => {
    const history = new EventLog();
    for (const step of [stores, firstJob, reindex, indexAndRemove]) step(history);
    return history.events;
  });
});
