import { beforeAll, describe, expect, it } from '@jest/globals';
import { ingestionDecider, ingestionStreamId, storeDecider, storeIdFor, storeStreamId, type IndexedDocument, type RecordDocumentBatch, type StoreCommand } from '#domain';
import { handleCommand } from '#event-store';
import { useProjectionHarness } from '../../../../test/support/projection-harness.js';
import { createGeneration } from '../core/projection-catalog.js';
import { storesProjection } from './document-stores.projection.js';
import { StoreQueries } from './document-stores.queries.js';

const harness = useProjectionHarness(storesProjection);
const { inTransaction, runToHead, rows } = harness;
let queries: StoreQueries;
beforeAll(() => {
  queries = new StoreQueries((text, params) => harness.pool.query(text, params as unknown[]).then((r) => r.rows));
});

let commandCount = 0;
const appended = (result: { events: readonly unknown[]; position: string | null }) => {
  if (result.events.length > 0) harness.recordAppended(result.position!);
};
const settings = { embeddingProvider: 'none', embeddingModel: 'none', embeddingDim: 0, chunkMaxTokens: 4, chunkOverlap: 0 } as const;
async function ensureStore(workspaceId: string, slug: string, at: string, commandId = `stores-spec-${++commandCount}`): Promise<void> {
  const command: StoreCommand = { type: 'EnsureStore', data: { organizationId: 'org_1', workspaceId, slug, settings, at } };
  appended(await handleCommand(harness.store, storeStreamId(storeIdFor(workspaceId, slug)), storeDecider, command, { commandId }));
}

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
async function batch(storeId: string, jobId: string, n: number, at: string, indexed: IndexedDocument[], removed: { documentId: string; chunkCount: number }[] = []): Promise<void> {
  const ref = { storeId, organizationId: 'org_1', workspaceId: 'ws_1', repositoryId: null, githubRepoId: '7', repoFullName: 'acme/site', jobId, batch: n, commitSha: 'c1', at };
  const command: RecordDocumentBatch = {
    type: 'RecordDocumentBatch',
    data: {
      indexed: indexed.length > 0 ? { ...ref, chunking: { chunkMaxTokens: 4, chunkOverlap: 0 }, documents: indexed } : null,
      removed: removed.length > 0 ? { ...ref, documents: removed.map((r) => ({ ...r, path: `docs/${r.documentId}.md` })) } : null,
    },
  };
  appended(await handleCommand(harness.store, ingestionStreamId(jobId), ingestionDecider, command, { commandId: `stores-spec-${jobId}-${n}` }));
}

describe('stores projection', () => {
  const docs = storeIdFor('ws_1', 'docs');

  beforeAll(async () => {
    await ensureStore('ws_1', 'docs', '2026-04-01T10:00:00.000Z');
    await ensureStore('ws_1', 'api', '2026-04-01T10:05:00.000Z');
    await ensureStore('ws_2', 'docs', '2026-04-01T10:10:00.000Z');
    await ensureStore('ws_1', 'docs', '2026-04-02T10:00:00.000Z'); // exists: nothing appended
    await runToHead();
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
    // a: 10 tokens = 3 chunks, b: 4 tokens = 1 chunk
    await batch(docs, 'j1', 0, '2026-04-03T10:00:00.000Z', [doc('a', 10, 0, true), doc('b', 4, 0, true)]);
    expect(await countsAfterRun()).toEqual({ documentCount: 2, chunkCount: 4, lastIndexedAt: '2026-04-03T10:00:00.000Z' });
    // a shrinks to 1 chunk, b grows to 2, c is new with 2
    await batch(docs, 'j2', 0, '2026-04-03T11:00:00.000Z', [doc('a', 3, 3, false), doc('b', 5, 1, false), doc('c', 8, 0, true)]);
    expect(await countsAfterRun()).toEqual({ documentCount: 3, chunkCount: 5, lastIndexedAt: '2026-04-03T11:00:00.000Z' });
    // one batch that both indexes d (1 chunk) and removes a (1 chunk) and c (2 chunks)
    await batch(docs, 'j2', 1, '2026-04-03T11:05:00.000Z', [doc('d', 2, 0, true)], [{ documentId: 'a', chunkCount: 1 }, { documentId: 'c', chunkCount: 2 }]);
    expect(await countsAfterRun()).toEqual({ documentCount: 2, chunkCount: 3, lastIndexedAt: '2026-04-03T11:05:00.000Z' });
    expect((await queries.get('ws_1', 'api'))?.documentCount).toBe(0);
  });

  it('doubles nothing when batches are recorded again, and replays to the same rows', async () => {
    const before = { stores: await rows('stores'), counters: await rows('store_counters', 'store_id') };
    await batch(docs, 'j1', 0, '2026-04-03T10:00:00.000Z', [doc('a', 10, 0, true), doc('b', 4, 0, true)]);
    await batch(docs, 'j2', 1, '2026-04-03T11:05:00.000Z', [doc('d', 2, 0, true)]);
    expect((await runToHead()).reduce((a, b) => a + b, 0)).toBe(0);
    expect(await rows('store_counters', 'store_id')).toEqual(before.counters);
    await inTransaction(async (client) => {
      await createGeneration(client, storesProjection, 2);
      await createGeneration(client, storesProjection, 3);
    });
    await runToHead({ mode: 'replay', generation: 2, maxBatchSize: 1000 });
    await runToHead({ mode: 'replay', generation: 3, maxBatchSize: 1 });
    for (const generation of [2, 3]) {
      expect(await rows(`stores_g${generation}`)).toEqual(before.stores);
      expect(await rows(`store_counters_g${generation}`, 'store_id')).toEqual(before.counters);
    }
  });
});

async function countsAfterRun() {
  await runToHead();
  const store = await queries.get('ws_1', 'docs');
  return { documentCount: store?.documentCount, chunkCount: store?.chunkCount, lastIndexedAt: store?.lastIndexedAt };
}
