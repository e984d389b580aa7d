import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  chunkText,
  ingestionStreamId,
  storeIdFor,
  storeIndexName,
  storeStreamId,
  DEFAULT_STORE_SETTINGS,
  type DocumentEvent,
  type IndexedDocument,
} from '#domain';
import { EventLog, applyCheckpointedBatch, useProjectionSpec } from '#testing/projection';
import { ensureProjection } from '../core/projection-catalog.js';
import { inTransaction } from '../core/in-transaction.js';
import { storesProjection } from '../document-stores/document-stores.projection.js';
import { documentsProjection } from './documents.projection.js';
import { DocumentQueries } from './documents.queries.js';

const spec = useProjectionSpec(documentsProjection);
const log = new EventLog();
const rows = async (table: string, orderBy = 'id'): Promise<any[]> =>
  (await spec.pool.query(`SELECT * FROM ${table} ORDER BY ${orderBy}`)).rows;
let queries: DocumentQueries;

beforeAll(async () => {
  // `workspaceTotals` sums the store counters.
  await inTransaction(spec.pool, (client) => ensureProjection(client, storesProjection));
  queries = new DocumentQueries((text, params) => spec.pool.query(text, params as unknown[]).then((r) => r.rows));
});

const CHUNKING = { chunkMaxTokens: 8, chunkOverlap: 2 };
const chunksOf = (content: string) =>
  chunkText(content, { maxTokens: CHUNKING.chunkMaxTokens, overlap: CHUNKING.chunkOverlap }).map((c) => c.text);

async function catchUp(): Promise<number> {
  const applied = await spec.active.apply(log.events);
  const client = await spec.pool.connect();
  try {
    await applyCheckpointedBatch(client, storesProjection, 1, log.events);
  } finally {
    client.release();
  }
  return applied;
}
function createStore(workspaceId: string, slug: string): string {
  const storeId = storeIdFor(workspaceId, slug);
  log.append(storeStreamId(storeId), {
    type: 'StoreCreated',
    data: {
      storeId,
      organizationId: 'org_1',
      workspaceId,
      slug,
      indexName: storeIndexName(workspaceId, slug),
      settings: DEFAULT_STORE_SETTINGS,
      createdAt: '2026-05-01T09:00:00.000Z',
    },
  });
  return storeId;
}

interface DocSpec {
  readonly id: string;
  readonly path: string;
  readonly content: string;
  readonly title?: string;
  readonly previousChunkCount?: number;
  readonly isNew?: boolean;
  readonly committedAt?: string;
}
const indexed = (doc: DocSpec): IndexedDocument => ({
  documentId: doc.id,
  path: doc.path,
  title: doc.title ?? doc.path.replace(/^.*\/|\.mdx?$/g, ''),
  description: null,
  frontmatter: { tags: ['spec'] },
  content: doc.content,
  contentHash: `hash-${doc.content.length}`,
  blobSha: `blob-${doc.id}-${doc.content.length}`,
  previousChunkCount: doc.previousChunkCount ?? 0,
  isNew: doc.isNew ?? true,
  ...(doc.committedAt ? { committedAt: doc.committedAt } : {}),
});
const batchRef = (storeId: string, workspaceId: string, jobId: string, batch: number, at: string) => ({
  storeId,
  organizationId: 'org_1',
  workspaceId,
  repositoryId: 'repo_1',
  githubRepoId: '100',
  repoFullName: 'acme/docs',
  jobId,
  batch,
  commitSha: `commit-${jobId}`,
  at,
});
/** One batch of a job, on its ingestion stream: what it indexed, then what it removed. */
function recordBatch(
  where: { storeId: string; workspaceId: string; jobId: string; batch: number; at: string },
  docs: readonly DocSpec[],
  removed: readonly { id: string; path: string; chunkCount: number }[] = [],
): void {
  const ref = batchRef(where.storeId, where.workspaceId, where.jobId, where.batch, where.at);
  const events: DocumentEvent[] = [];
  if (docs.length > 0) events.push({ type: 'DocumentsIndexed', data: { ...ref, chunking: CHUNKING, documents: docs.map(indexed) } });
  if (removed.length > 0)
    events.push({
      type: 'DocumentsRemoved',
      data: { ...ref, documents: removed.map((r) => ({ documentId: r.id, path: r.path, chunkCount: r.chunkCount })) },
    });
  log.append(ingestionStreamId(where.jobId), ...events);
}

const LONG = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen';
const SHORT = 'one two three four five six seven eight nine';

describe('documents projection', () => {
  let storeId: string;
  const where = (jobId: string, batch: number, at: string) => ({ storeId, workspaceId: 'ws_1', jobId, batch, at });
  const chunkRows = async (documentId: string) =>
    (await rows('document_chunks', 'document_id, chunk_index')).filter((r) => r.document_id === documentId).map((r) => r.content);

  beforeAll(() => {
    storeId = createStore('ws_1', 'docs');
  });

  it('writes a row per document and its chunks as chunkText cuts them', async () => {
    recordBatch(where('j1', 0, '2026-05-01T10:00:00.000Z'), [
      { id: 'doc_a', path: 'docs/a.md', content: LONG },
      { id: 'doc_b', path: 'docs/b.md', content: SHORT },
    ]);
    await catchUp();
    const documents = await rows('documents');
    expect(documents).toHaveLength(2);
    expect(documents[0]).toMatchObject({
      id: 'doc_a',
      store_id: storeId,
      workspace_id: 'ws_1',
      repository_id: 'repo_1',
      github_repo_id: '100',
      repo_full_name: 'acme/docs',
      path: 'docs/a.md',
      title: 'a',
      frontmatter: { tags: ['spec'] },
      content: LONG,
      commit_sha: 'commit-j1',
      job_id: 'j1',
      chunk_count: chunksOf(LONG).length,
    });
    expect(documents[0].indexed_at.toISOString()).toBe('2026-05-01T10:00:00.000Z');
    expect(chunksOf(LONG)).toHaveLength(3);
    expect(await chunkRows('doc_a')).toEqual(chunksOf(LONG));
    expect(await chunkRows('doc_b')).toEqual(chunksOf(SHORT));
  });

  it('leaves no stale chunk behind when a document is indexed again shorter', async () => {
    recordBatch(where('j2', 0, '2026-05-01T11:00:00.000Z'), [
      { id: 'doc_a', path: 'docs/a.md', content: SHORT, previousChunkCount: 3, isNew: false, committedAt: '2026-04-30T08:00:00Z' },
    ]);
    await catchUp();
    expect(await chunkRows('doc_a')).toEqual(chunksOf(SHORT));
    // The commit time the batch carries; a batch without one (doc_b, recorded before it was read) takes the batch's time.
    const committed = Object.fromEntries((await rows('documents')).map((r) => [r.id, r.committed_at.toISOString()]));
    expect(committed).toEqual({ doc_a: '2026-04-30T08:00:00.000Z', doc_b: '2026-05-01T10:00:00.000Z' });
    expect((await rows('documents')).find((r) => r.id === 'doc_a')).toMatchObject({ content: SHORT, chunk_count: 2, job_id: 'j2' });
  });

  it('deletes a removed document with all its chunks', async () => {
    recordBatch(
      where('j3', 0, '2026-05-01T12:00:00.000Z'),
      [{ id: 'doc_c', path: 'docs/c.md', content: LONG }],
      [{ id: 'doc_b', path: 'docs/b.md', chunkCount: 2 }],
    );
    await catchUp();
    expect((await rows('documents')).map((r) => r.id)).toEqual(['doc_a', 'doc_c']);
    expect(await chunkRows('doc_b')).toEqual([]);
    expect(await chunkRows('doc_c')).toEqual(chunksOf(LONG));
    expect(await queries.manifest(storeId, '100')).toEqual([
      { path: 'docs/a.md', documentId: 'doc_a', blobSha: `blob-doc_a-${SHORT.length}`, chunkCount: 2 },
      { path: 'docs/c.md', documentId: 'doc_c', blobSha: `blob-doc_c-${LONG.length}`, chunkCount: 3 },
    ]);
    expect(await queries.workspaceTotals('ws_1')).toEqual({ stores: 1, documents: 2, chunks: 5 });
    // Every batch event, indexed or removed, moved the store's version once.
    expect(await rows('store_document_versions', 'store_id')).toEqual([
      {
        store_id: storeId,
        version: String(log.events.filter((e) => e.type === 'DocumentsIndexed' || e.type === 'DocumentsRemoved').length),
      },
    ]);
  });

  it('doubles nothing when the batches are delivered again, and replays to the same rows', async () => {
    const before = { documents: await rows('documents'), chunks: await rows('document_chunks', 'document_id, chunk_index') };
    // A retried command and a resumed job (an old batch number) append nothing (the ingestion
    // decider's spec holds it to that); the batches already appended, delivered again, apply nothing.
    expect(await catchUp()).toBe(0);
    expect(await rows('documents')).toEqual(before.documents);
    expect(await queries.workspaceTotals('ws_1')).toEqual({ stores: 1, documents: 2, chunks: 5 });
    // The whole history in one batch, and one event per batch, give the rows projected live.
    const history = log.events.filter((event) => documentsProjection.eventTypes.includes(event.type));
    const together = await spec.generation();
    const apart = await spec.generation();
    await together.apply(history);
    for (const event of history) await apart.apply([event]);
    for (const generation of [together, apart]) {
      expect(await generation.rows('documents')).toEqual(before.documents);
      expect(await generation.rows('document_chunks')).toEqual(before.chunks);
    }
  });
});

const words = (n: number, seed: number) =>
  Array.from({ length: n }, (_, i) => ['river', 'stone', 'garden', 'window', 'paper', 'music', 'table', 'forest'][(i * 7 + seed) % 8]).join(
    ' ',
  );

describe('document queries', () => {
  let storeId: string;
  let otherStoreId: string;

  beforeAll(async () => {
    storeId = createStore('ws_q', 'guides');
    otherStoreId = createStore('ws_other', 'guides');
    const at = '2026-06-01T10:00:00.000Z';
    recordBatch({ storeId, workspaceId: 'ws_q', jobId: 'q1', batch: 0, at }, [
      // The deployment guide says "deploy" and "kubernetes" in its third chunk, several times.
      {
        id: 'doc_deploy',
        path: 'docs/deploy.md',
        title: 'Deployment guide',
        content: `${words(14, 1)} deploy the service to kubernetes then deploy again on kubernetes ${words(6, 2)}`,
      },
      {
        id: 'doc_mention',
        path: 'docs/mention.md',
        content: `${words(10, 3)} kubernetes ${words(10, 4)}`,
        committedAt: '2026-05-20T07:30:00Z',
      },
      { id: 'doc_plain', path: 'docs/plain.md', content: words(20, 5) },
      { id: 'doc_body_guide', path: 'docs/body.md', title: 'Notes', content: `${words(3, 6)} guide ${words(3, 7)}` },
    ]);
    recordBatch({ storeId: otherStoreId, workspaceId: 'ws_other', jobId: 'q2', batch: 0, at }, [
      { id: 'doc_foreign', path: 'docs/k8s.md', content: 'kubernetes deploy kubernetes deploy kubernetes deploy' },
    ]);
    await catchUp();
  });

  it('ranks the document with the query terms first, one result per document, within the store', async () => {
    const { results } = await queries.search({ storeId, query: 'deploy kubernetes', topK: 10, includeHighlights: false });
    expect(results.map((r) => r.documentId)).toEqual(['doc_deploy']);
    const [best] = results;
    expect(best).toMatchObject({
      path: 'docs/deploy.md',
      title: 'Deployment guide',
      url: 'https://github.com/acme/docs/blob/commit-q1/docs/deploy.md',
      highlights: null,
      metadata: { repoFullName: 'acme/docs', commitSha: 'commit-q1', frontmatter: { tags: ['spec'] }, githubRepoId: '100' },
    });
    expect(best!.chunkText).toContain('kubernetes');
    expect(best!.snippet).toBe(best!.chunkText.slice(0, 200));
    expect(best!.score).toBeGreaterThan(0);

    const either = await queries.search({ storeId, query: 'kubernetes or deploy', topK: 10, includeHighlights: false });
    expect(either.results.map((r) => r.documentId)).toEqual(['doc_deploy', 'doc_mention']);
    expect(either.results[0]!.score).toBeGreaterThan(either.results[1]!.score);
    expect(
      (await queries.search({ storeId, query: 'kubernetes', topK: 1, includeHighlights: false })).results.map((r) => r.documentId),
    ).toEqual(['doc_deploy']);
  });

  it('weighs a title match above a body match', async () => {
    // "guide" is in the title of one document and in the (shorter, denser) body of another.
    const { results } = await queries.search({ storeId, query: 'guide', topK: 10, includeHighlights: false });
    expect(results.map((r) => r.documentId)).toEqual(['doc_deploy', 'doc_body_guide']);
  });

  it('highlights the matched terms when asked', async () => {
    const { results } = await queries.search({ storeId, query: 'kubernetes', topK: 10, includeHighlights: true });
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.highlights!.length).toBeGreaterThan(0);
      expect(result.highlights!.join(' ')).toContain('<mark>kubernetes</mark>');
    }
  });

  it('returns nothing, without an error, for a query with no lexeme', async () => {
    for (const query of ['the and of', '!!! ??', '', '   '])
      expect((await queries.search({ storeId, query, topK: 10, includeHighlights: true })).results).toEqual([]);
  });

  it('gives the contents of the workspace own documents only, in the order asked', async () => {
    const contents = await queries.contents('ws_q', ['doc_mention', 'doc_foreign', 'doc_missing', 'doc_deploy']);
    expect(contents.map((c) => c.id)).toEqual(['doc_mention', 'doc_deploy']);
    expect(contents[0]).toMatchObject({ committedAt: '2026-05-20T07:30:00.000Z', indexedAt: '2026-06-01T10:00:00.000Z' });
    expect(contents[1]).toEqual({
      id: 'doc_deploy',
      path: 'docs/deploy.md',
      title: 'Deployment guide',
      description: null,
      content: expect.stringContaining('deploy the service to kubernetes'),
      metadata: { tags: ['spec'] },
      committedAt: '2026-06-01T10:00:00.000Z',
      indexedAt: '2026-06-01T10:00:00.000Z',
      repoFullName: 'acme/docs',
      contentHash: expect.stringMatching(/^hash-\d+$/),
    });
    expect(await queries.contents('ws_other', ['doc_deploy'])).toEqual([]);
  });

  it('sums the stores of a workspace', async () => {
    expect(await queries.workspaceTotals('ws_other')).toEqual({ stores: 1, documents: 1, chunks: 1 });
    expect(await queries.workspaceTotals('ws_none')).toEqual({ stores: 0, documents: 0, chunks: 0 });
  });
});
