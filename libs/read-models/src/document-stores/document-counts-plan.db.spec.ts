import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ingestionStreamId, storeIdFor, storeIndexName, storeStreamId, type DocumentEvent, type IndexedDocument } from '#domain';
import type { TestDatabase } from '#testing';
import { EventLog, applyCheckpointedBatch, createReadModelDatabase } from '#testing/projection';
import type { ProjectionDefinition } from '../core/projection.js';
import type { Sql } from '../core/sql.js';
import { documentsProjection } from '../documents/documents.projection.js';
import { DocumentQueries } from '../documents/documents.queries.js';
import { PROJECTIONS } from '../projections.js';
import { WorkspaceSourceQueries } from '../workspace-sources/workspace-sources.queries.js';
import { WorkspaceQueries } from '../workspaces/workspaces.queries.js';
import { storesProjection } from './document-stores.projection.js';
import { StoreQueries } from './document-stores.queries.js';
import { DocumentTotalsQueries } from './document-totals.queries.js';

/*
 * Issue 13 (review finding #18): the dashboard's document totals and per-source document counts are
 * counters the `stores` projection keeps. Seeded through both projections (the documents exist, so
 * a statement that read them would have rows to count), ANALYZEd; no statement of those queries may
 * read `documents` or `document_chunks` at all, by any scan. The counters are checked against a
 * count of the documents themselves and against the history the events describe.
 */

const NOW = Date.parse('2026-06-30T12:34:56.789Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WORKSPACES = 40;
const BIG_DOCUMENTS = 3_000;
const SMALL_DOCUMENTS = 30;
const BATCH = 50;
const REPOSITORIES = ['101', '102', '103'];
const DOCUMENT_TABLES = /^(documents|document_chunks)_g\d+$/;

let database: TestDatabase;
let pool: pg.Pool;
const issued: Array<{ label: string; text: string; params: readonly unknown[] }> = [];
/** Net changes per workspace by batch time, as the events say: the expected totals at any instant. */
const history: Array<{ workspaceId: string; at: number; documents: number; chunks: number }> = [];
/** Documents re-indexed with another number of chunks than they had. */
let resized = 0;

const workspaceId = (i: number) => `ws-count-${i}`;

/** A deterministic stream of numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHUNKING = { chunkMaxTokens: 8, chunkOverlap: 0 };
const content = (words: number) => Array.from({ length: words }, (_, i) => `w${i}`).join(' ');
const chunksOf = (words: number) => Math.max(1, Math.ceil(words / CHUNKING.chunkMaxTokens));

/**
 * A workspace's history over the 30 days before NOW: two stores, three repositories, batches of new
 * documents, then re-indexes that change some documents' sizes, and removals.
 */
function workspaceEvents(log: EventLog, index: number, documents: number): void {
  const ws = workspaceId(index);
  const next = random(index + 1);
  const stores = ['docs', 'api'].map((slug) => storeIdFor(ws, slug));
  for (const [i, storeId] of stores.entries())
    log.append(storeStreamId(storeId), {
      type: 'StoreCreated',
      data: {
        storeId,
        organizationId: 'org-count',
        workspaceId: ws,
        slug: ['docs', 'api'][i]!,
        indexName: storeIndexName(ws, ['docs', 'api'][i]!),
        settings: { embeddingProvider: 'none', embeddingModel: 'none', embeddingDim: 0, ...CHUNKING },
        createdAt: new Date(NOW - 40 * DAY).toISOString(),
      },
    });
  const live = new Map<string, { storeId: string; repo: string; words: number }>();
  const times = Array.from({ length: Math.ceil(documents / BATCH) * 2 }, () => NOW - Math.floor(next() * 30 * DAY)).sort((a, b) => a - b);
  let created = 0;
  for (const [n, at] of times.entries()) {
    const storeId = stores[n % 2]!;
    const repo = REPOSITORIES[n % 3]!;
    const ref = {
      storeId,
      organizationId: 'org-count',
      workspaceId: ws,
      repositoryId: null,
      githubRepoId: repo,
      repoFullName: `acme/${repo}`,
      jobId: `job-${ws}-${n}`,
      batch: 0,
      commitSha: 'c0',
      at: new Date(at).toISOString(),
    };
    const mine = [...live.entries()].filter(([, d]) => d.storeId === storeId && d.repo === repo);
    const indexed: IndexedDocument[] = [];
    if (created < documents) {
      for (let k = 0; k < BATCH && created < documents; k++, created++) {
        const id = `${ws}-doc-${created}`;
        const words = 1 + Math.floor(next() * 40);
        live.set(id, { storeId, repo, words });
        indexed.push(doc(id, words, 0, true));
      }
    } else {
      // Re-index some of this store and repository's documents with a new size.
      for (const [id, d] of mine.slice(0, 20)) {
        const words = 1 + Math.floor(next() * 40);
        indexed.push(doc(id, words, chunksOf(d.words), false));
        if (chunksOf(words) !== chunksOf(d.words)) resized++;
        live.set(id, { ...d, words });
      }
    }
    const events: DocumentEvent[] = [];
    if (indexed.length > 0) events.push({ type: 'DocumentsIndexed', data: { ...ref, chunking: CHUNKING, documents: indexed } });
    const removed = created >= documents ? mine.slice(20, 25).filter(([id]) => !indexed.some((d) => d.documentId === id)) : [];
    if (removed.length > 0) {
      for (const [id] of removed) live.delete(id);
      events.push({
        type: 'DocumentsRemoved',
        data: { ...ref, documents: removed.map(([id, d]) => ({ documentId: id, path: `docs/${id}.md`, chunkCount: chunksOf(d.words) })) },
      });
    }
    if (events.length > 0) log.append(ingestionStreamId(ref.jobId), ...events);
    history.push({
      workspaceId: ws,
      at,
      documents: indexed.filter((d) => d.isNew).length - removed.length,
      chunks:
        indexed.reduce((sum, d) => sum + chunksOf(d.content.split(' ').length) - d.previousChunkCount, 0) -
        removed.reduce((sum, [, d]) => sum + chunksOf(d.words), 0),
    });
  }
}

function doc(id: string, words: number, previousChunkCount: number, isNew: boolean): IndexedDocument {
  return {
    documentId: id,
    path: `docs/${id}.md`,
    title: id,
    description: null,
    frontmatter: {},
    content: content(words),
    contentHash: `h-${id}-${words}`,
    blobSha: `b-${id}-${words}`,
    previousChunkCount,
    isNew,
  };
}

async function project(definition: ProjectionDefinition, events: readonly DocumentEvent[] | readonly unknown[]): Promise<void> {
  const client = await pool.connect();
  try {
    for (let i = 0; i < events.length; i += 2_000)
      await applyCheckpointedBatch(client, definition, 1, (events as Parameters<typeof applyCheckpointedBatch>[3]).slice(i, i + 2_000));
  } finally {
    client.release();
  }
}

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** Every read of documents or chunks in the plans of the statements issued under `label`. */
async function documentReads(label: string): Promise<string[]> {
  const statements = issued.filter((s) => s.label === label);
  expect(statements.length).toBeGreaterThan(0);
  const reads: string[] = [];
  for (const { text, params } of statements) {
    const { rows } = await pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${text}`, [...params]);
    for (const node of nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan))
      if (DOCUMENT_TABLES.test(node['Relation Name'] ?? '')) reads.push(`${node['Node Type']} on ${node['Relation Name']}`);
  }
  return reads;
}

let current = '';
const sql: Sql = async (text, params) => {
  issued.push({ label: current, text, params: params ?? [] });
  return (await pool.query(text, params ? [...params] : undefined)).rows;
};
const as = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
  current = label;
  return run();
};
const big = workspaceId(0);
const totals = new DocumentTotalsQueries(sql);
const stores = new StoreQueries(sql);
const sources = new WorkspaceSourceQueries(sql);
const documents = new DocumentQueries(sql);
const workspaces = new WorkspaceQueries(sql);

beforeAll(async () => {
  ({ database, pool } = await createReadModelDatabase(PROJECTIONS));
  const log = new EventLog();
  for (let i = 0; i < WORKSPACES; i++) workspaceEvents(log, i, i === 0 ? BIG_DOCUMENTS : SMALL_DOCUMENTS);
  await project(storesProjection, log.events);
  await project(documentsProjection, log.events);
  await pool.query('ANALYZE');
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('document counts on the dashboard, at bench-like sizes', () => {
  it('seeded what the plans are judged on: thousands of documents and chunks', async () => {
    const { rows } = await pool.query<{ documents: string; chunks: string; big: string }>(
      `SELECT (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM document_chunks) AS chunks,
              (SELECT count(*) FROM documents WHERE workspace_id = $1) AS big`,
      [big],
    );
    expect(Number(rows[0]!.big)).toBeGreaterThan(2_500);
    expect(Number(rows[0]!.documents)).toBeGreaterThan(3_500);
    expect(Number(rows[0]!.chunks)).toBeGreaterThan(10_000);
    // Removals and re-indexes that changed sizes are in the history, not only new documents.
    const bigHistory = history.filter((h) => h.workspaceId === big);
    expect(bigHistory.filter((h) => h.documents < 0).length).toBeGreaterThan(10);
    expect(resized).toBeGreaterThan(500);
  });

  it('gives the totals at any instant as the history says, and today the count of the documents', async () => {
    const instants = [NOW, NOW - 7 * DAY, NOW - 7 * DAY - 1_234, NOW - 14 * DAY + 17 * 60_000, NOW - 29 * DAY, NOW - 31 * DAY];
    // Instants exactly at some batches' times, where `at or before` decides.
    instants.push(
      ...history
        .filter((h) => h.workspaceId === big)
        .slice(10, 13)
        .map((h) => h.at),
    );
    const got = await as('comparison totals', () =>
      totals.asOf(
        big,
        instants.map((instant) => new Date(instant)),
      ),
    );
    const expected = instants.map((instant) => {
      const before = history.filter((h) => h.workspaceId === big && h.at <= instant);
      return { total: before.reduce((sum, h) => sum + h.documents, 0), chunks: before.reduce((sum, h) => sum + h.chunks, 0) };
    });
    expect(got).toEqual(expected);
    const { rows } = await pool.query<{ documents: string; chunks: string }>(
      'SELECT count(*) AS documents, coalesce(sum(chunk_count), 0) AS chunks FROM documents WHERE workspace_id = $1',
      [big],
    );
    expect(got[0]).toEqual({ total: Number(rows[0]!.documents), chunks: Number(rows[0]!.chunks) });
  });

  it('gives each source its documents per store, equal to a count of the documents', async () => {
    const counts = await as('repository counts', () => stores.repositoryCounts(big));
    const { rows } = await pool.query<{ store_id: string; github_repo_id: string; n: string; chunks: string }>(
      `SELECT store_id, github_repo_id, count(*) AS n, sum(chunk_count) AS chunks FROM documents WHERE workspace_id = $1
        GROUP BY store_id, github_repo_id ORDER BY store_id, github_repo_id`,
      [big],
    );
    expect(counts).toEqual(
      rows.map((r) => ({ storeId: r.store_id, githubRepoId: r.github_repo_id, documentCount: Number(r.n), chunkCount: Number(r.chunks) })),
    );
    await as('sources', () => sources.list(big));
    await as('stores', () => stores.list(big));
    await as('workspace totals', () => documents.workspaceTotals(big));
    await as('workspace list', () => workspaces.list('org-count'));
  });

  it.each(['comparison totals', 'repository counts', 'sources', 'stores', 'workspace totals', 'workspace list'])(
    'plans %s without reading documents or chunks',
    async (label) => {
      expect(await documentReads(label)).toEqual([]);
    },
  );

  it('would be caught reading documents (the check above can fail)', async () => {
    await as('manifest', () => documents.manifest(storeIdFor(big, 'docs'), REPOSITORIES[0]!));
    expect(await documentReads('manifest')).toEqual([expect.stringMatching(/ on documents_g1$/)]);
  });
});
