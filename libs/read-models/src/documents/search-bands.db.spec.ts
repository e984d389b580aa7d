import { beforeAll, describe, expect, it } from '@jest/globals';
import { ingestionStreamId, storeIdFor, type IndexedDocument } from '#domain';
import { EventLog, useProjectionSpec } from '#testing/projection';
import { documentsProjection } from './documents.projection.js';
import { DocumentQueries } from './documents.queries.js';
import { SALIENCE_BANDS } from './search-bands.migration.js';

const spec = useProjectionSpec(documentsProjection);
const storeId = storeIdFor('ws_bands', 'docs');
let queries: DocumentQueries;

const doc = (id: string, title: string, content: string): IndexedDocument => ({
  documentId: id,
  path: `docs/${id}.md`,
  title,
  description: null,
  frontmatter: {},
  content,
  contentHash: `h-${id}`,
  blobSha: `b-${id}`,
  previousChunkCount: 0,
  isNew: true,
});

beforeAll(async () => {
  const log = new EventLog();
  const filler = (n: number) => Array.from({ length: n }, (_, i) => `filler${i}`).join(' ');
  log.append(ingestionStreamId('bands'), {
    type: 'DocumentsIndexed',
    data: {
      storeId,
      organizationId: 'org_bands',
      workspaceId: 'ws_bands',
      repositoryId: null,
      githubRepoId: '1',
      repoFullName: 'acme/docs',
      jobId: 'bands',
      batch: 0,
      commitSha: 'c0',
      at: '2026-12-01T00:00:00.000Z',
      chunking: { chunkMaxTokens: 40, chunkOverlap: 5 },
      documents: [
        doc('deploy', 'Deploy guide', `deploy deploy deploy kubernetes once ${filler(20)}`),
        doc('paths', 'Paths', `libraries live in /usr/lib and /usr/lib holds y.so ${filler(10)}`),
        doc('data', 'Data', `data without the other word ${filler(10)}`),
        // Every chunk mentions "user" a different number of times: each band boundary is crossed.
        ...Array.from({ length: 30 }, (_, i) =>
          doc(`users-${i}`, `Page ${i}`, `${Array.from({ length: 1 + (i % 12) }, () => 'user').join(' ')} data ${filler(8)}`),
        ),
      ],
    },
  });
  await spec.active.apply(log.events);
  queries = new DocumentQueries((text, params) => spec.pool.query(text, params as unknown[]).then((r) => r.rows));
});

describe('salience bands', () => {
  it('adds a position-less token per lexeme that weighs at least two body occurrences (a title one weighs 2.5)', async () => {
    const { rows } = await spec.pool.query<{ tokens: string[] }>(
      `SELECT array(SELECT t FROM unnest(tsvector_to_array(search_vector)) t WHERE t LIKE '% %' ORDER BY t) AS tokens
         FROM document_chunks WHERE document_id = 'deploy' AND chunk_index = 0`,
    );
    // deploy: 1 (title) + 3 × 0.4 = 2.2, band 3 (from 1.6); guide: the title alone, 1.0, band 1;
    // kubernetes and once: one body occurrence each, no token.
    expect(rows[0]!.tokens).toEqual(['deploy 3', 'guid 1']);
  });

  it('leaves the rank unchanged: a query word never matches a band token', async () => {
    const { rows } = await spec.pool.query<{ with_bands: number; without: number }>(
      `SELECT ts_rank_cd(search_vector, 'deploy'::tsquery) AS with_bands,
              ts_rank_cd(setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', content), 'B'), 'deploy'::tsquery) AS without
         FROM document_chunks WHERE document_id = 'deploy' AND chunk_index = 0`,
    );
    expect(rows[0]!.with_bands).toBeCloseTo(rows[0]!.without, 6);
    expect((await queries.search({ storeId, query: 'deploy 3', topK: 10, includeHighlights: false })).results).toEqual([]);
  });

  it.each(['user', 'user data', 'user or deploy', '"user data"', 'data -user', '/usr/lib', 'y.so'])(
    'splits the matches of %s into disjoint bands that cover them all',
    async (query) => {
      const { rows } = await spec.pool.query<{ band: number; chunks: string[] }>(
        `SELECT band, array(SELECT c.document_id || '#' || c.chunk_index FROM document_chunks c
                            WHERE c.search_vector @@ (websearch_to_tsquery('english', $1) && search_band_query_v1($1, band))) AS chunks
           FROM generate_series(0, $2::int) band`,
        [query, SALIENCE_BANDS],
      );
      const banded = rows.flatMap((r) => r.chunks);
      const { rows: matches } = await spec.pool.query<{ chunk: string }>(
        `SELECT document_id || '#' || chunk_index AS chunk FROM document_chunks WHERE search_vector @@ websearch_to_tsquery('english', $1)`,
        [query],
      );
      expect(matches.length).toBeGreaterThan(0);
      expect(new Set(banded).size).toBe(banded.length);
      expect([...banded].sort()).toEqual(matches.map((m) => m.chunk).sort());
    },
  );

  it('puts a chunk in the band of its heaviest query word', async () => {
    const bandOf = async (query: string, chunk: string) =>
      (
        await spec.pool.query<{ band: number }>(
          `SELECT band FROM generate_series(0, $2::int) band, document_chunks c
            WHERE c.document_id || '#' || c.chunk_index = $3
              AND c.search_vector @@ (websearch_to_tsquery('english', $1) && search_band_query_v1($1, band))`,
          [query, SALIENCE_BANDS, chunk],
        )
      ).rows.map((r) => r.band);
    expect(await bandOf('user', 'users-0#0')).toEqual([0]); // once
    expect(await bandOf('user', 'users-1#0')).toEqual([1]); // 0.8
    expect(await bandOf('user', 'users-5#0')).toEqual([4]); // 6 × 0.4 = 2.4
    expect(await bandOf('user data', 'users-5#0')).toEqual([4]); // data, once, does not lower it
    expect(await bandOf('user', 'users-11#0')).toEqual([6]); // 12 × 0.4 = 4.8
  });

  it('answers a query with no lexeme, or odd characters, without an error', async () => {
    for (const query of ['the and of', "o'brien \\ it's", 'a\\\\b', "''", '"', '-', 'or'])
      await expect(queries.search({ storeId, query, topK: 10, includeHighlights: true })).resolves.toBeDefined();
    const { results } = await queries.search({ storeId, query: '/usr/lib', topK: 10, includeHighlights: false, candidateLimit: 1 });
    expect(results.map((r) => r.documentId)).toEqual(['paths']);
  });
});
