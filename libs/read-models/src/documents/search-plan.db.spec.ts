import { beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { ingestionStreamId, storeIdFor, type IndexedDocument } from '#domain';
import { EventLog, useProjectionSpec } from '#testing/projection';
import type { Sql } from '../core/sql.js';
import { documentsProjection } from './documents.projection.js';
import { DocumentQueries } from './documents.queries.js';

const spec = useProjectionSpec(documentsProjection);
const storeId = storeIdFor('ws_plan', 'docs');
const otherStoreId = storeIdFor('ws_plan_other', 'docs');
const issued: Array<{ text: string; params: readonly unknown[] }> = [];
let queries: DocumentQueries;

const COMMON = 'user service data request project team setting value change time version error page file'.split(' ');
const DOCUMENTS = 1500;

/** Prose in which each common word is in most chunks and the rare ones in a few, as in the bench. */
function corpus(store: string, count: number, seed: number): IndexedDocument[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const word = () => (random() < 0.5 ? COMMON[Math.floor(random() * COMMON.length)]! : `rare${Math.floor(random() * 3000)}`);
  return Array.from({ length: count }, (_, i) => ({
    documentId: `${store}-doc-${i}`,
    path: `docs/${i}.md`,
    title: `${word()} ${word()}`,
    description: null,
    frontmatter: {},
    content: Array.from({ length: 150 + Math.floor(random() * 150) }, word).join(' '),
    contentHash: `h${i}`,
    blobSha: `b${i}`,
    previousChunkCount: 0,
    isNew: true,
  }));
}

beforeAll(async () => {
  const log = new EventLog();
  for (const [store, workspace, count] of [
    [storeId, 'ws_plan', DOCUMENTS],
    [otherStoreId, 'ws_plan_other', DOCUMENTS / 3],
  ] as const) {
    const documents = corpus(store, count, store === storeId ? 7 : 11);
    for (let batch = 0; batch * 100 < documents.length; batch++)
      log.append(ingestionStreamId(`${store}-${batch}`), {
        type: 'DocumentsIndexed',
        data: {
          storeId: store,
          organizationId: 'org_plan',
          workspaceId: workspace,
          repositoryId: null,
          githubRepoId: '1',
          repoFullName: 'acme/docs',
          jobId: `${store}-${batch}`,
          batch: 0,
          commitSha: 'c0',
          at: '2026-12-01T00:00:00.000Z',
          // Small chunks: a corpus of thousands of chunks without megabytes of text.
          chunking: { chunkMaxTokens: 64, chunkOverlap: 8 },
          documents: documents.slice(batch * 100, (batch + 1) * 100),
        },
      });
  }
  await spec.active.apply(log.events);
  await spec.pool.query('ANALYZE');
  queries = recordingQueries(spec.pool);
});

/** The query class on `client`, recording each statement it issues. */
function recordingQueries(client: Pick<pg.ClientBase, 'query'>): DocumentQueries {
  const sql: Sql = async (text, params) => {
    issued.push({ text, params: params ?? [] });
    return (await client.query(text, params as unknown[])).rows;
  };
  return new DocumentQueries(sql);
}

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/** The plan of every statement the search issued, as PostgreSQL would run it with those parameters. */
async function plansOf(query: string, client: Pick<pg.ClientBase, 'query'> = spec.pool, on = queries): Promise<PlanNode[]> {
  issued.length = 0;
  await on.search({ storeId, query, topK: 10, includeHighlights: true });
  expect(issued.length).toBeGreaterThan(0);
  const plans: PlanNode[] = [];
  for (const { text, params } of issued) {
    const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${text}`, [...params]);
    plans.push(...nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan));
  }
  return plans;
}

const readModelTable = /^(documents|document_chunks)_g\d+$/;
const sequentialScans = (nodes: readonly PlanNode[]) =>
  nodes.filter((n) => n['Node Type'] === 'Seq Scan' && readModelTable.test(n['Relation Name'] ?? '')).map((n) => n['Relation Name']);

// Common words (each in most chunks), a rare word, both together, `or`, a phrase, a negation.
const QUERIES = [
  'user',
  'service data',
  'the user of a request',
  'rare42',
  'user rare42',
  'rare7 or rare8',
  '"user service"',
  'data -user',
];

describe('the search query plan, on a store of thousands of chunks (analyzed)', () => {
  it('has a corpus where the common words match most chunks', async () => {
    const { rows } = await spec.pool.query<{ share: number; chunks: number }>(
      `SELECT avg((search_vector @@ 'user'::tsquery)::int)::float AS share, count(*)::int AS chunks FROM document_chunks WHERE store_id = $1`,
      [storeId],
    );
    expect(rows[0]!.chunks).toBeGreaterThan(5000);
    expect(rows[0]!.share).toBeGreaterThan(0.85);
  });

  it.each(QUERIES)('reads the chunks through the GIN index and scans no table sequentially: %s', async (query) => {
    const nodes = await plansOf(query);
    expect(sequentialScans(nodes)).toEqual([]);
    expect(nodes.some((n) => n['Node Type'] === 'Bitmap Index Scan' && n['Index Name'] === 'document_chunks_g1_i0')).toBe(true);
  });

  it('would scan the chunks sequentially without the GIN index (the check above can fail)', async () => {
    const client = await spec.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('DROP INDEX document_chunks_g1_i0');
      // The search itself runs in the transaction too: the dropped index locks the table for others.
      expect(sequentialScans(await plansOf('user', client, recordingQueries(client)))).toContain('document_chunks_g1');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
