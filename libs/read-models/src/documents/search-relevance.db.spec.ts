import { beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_STORE_SETTINGS, ingestionStreamId, storeIdFor, type IndexedDocument } from '#domain';
import { fakeEmbedding } from '#testing';
import { EventLog, useProjectionSpec } from '#testing/projection';
import { documentsProjection } from './documents.projection.js';
import { DocumentQueries } from './documents.queries.js';
import { fuseByReciprocalRank } from './rank-fusion.js';
import { JUDGED_QUERIES, relevanceCorpus, scoreRelevance, type RelevanceScores } from './search-relevance.fixture.js';

const spec = useProjectionSpec(documentsProjection);
const storeId = storeIdFor('ws_rel', 'docs');
let queries: DocumentQueries;

beforeAll(async () => {
  const log = new EventLog();
  const documents = relevanceCorpus();
  for (let batch = 0; batch * 50 < documents.length; batch++)
    log.append(ingestionStreamId(`rel-${batch}`), {
      type: 'DocumentsIndexed',
      data: {
        storeId,
        organizationId: 'org_rel',
        workspaceId: 'ws_rel',
        repositoryId: null,
        githubRepoId: '1',
        repoFullName: 'acme/docs',
        jobId: `rel-${batch}`,
        batch: 0,
        commitSha: 'c0',
        at: '2026-12-01T00:00:00.000Z',
        chunking: { chunkMaxTokens: DEFAULT_STORE_SETTINGS.chunkMaxTokens, chunkOverlap: DEFAULT_STORE_SETTINGS.chunkOverlap },
        documents: documents.slice(batch * 50, (batch + 1) * 50).map((doc, i): IndexedDocument => ({
          documentId: doc.id,
          path: `docs/${doc.id}.md`,
          title: doc.title,
          description: null,
          frontmatter: {},
          content: doc.content,
          contentHash: `h${batch}-${i}`,
          blobSha: `b${batch}-${i}`,
          previousChunkCount: 0,
          isNew: true,
        })),
      },
    });
  await spec.active.apply(log.events);
  await spec.pool.query('ANALYZE');
  queries = new DocumentQueries((text, params) => spec.pool.query(text, params as unknown[]).then((r) => r.rows));
});

/** What the implementation before salience bands (every match ranked) scored here: the floor. */
const RANK_EVERY_MATCH = { precisionAt1: 0.96, precisionAt3: 0.9, mrr: 0.96 };
/** A tenth of the corpus's chunks: every common-word query matches more, so the bands decide. */
const SMALL_CANDIDATE_LIMIT = Number(process.env.REL_LIMIT ?? 40);

async function rankings(candidateLimit?: number, topK = 10): Promise<Map<string, string[]>> {
  const ranked = new Map<string, string[]>();
  for (const { query } of JUDGED_QUERIES) {
    const { results } = await queries.search({ storeId, query, topK, includeHighlights: false, candidateLimit });
    ranked.set(
      query,
      results.map((r) => r.documentId),
    );
  }
  return ranked;
}

/** Candidates per leg, as the api takes them for a top 10 (`rerankCandidates`: max(3 × topK, 30)). */
const LEG_CANDIDATES = 30;

/**
 * The vector leg as the api runs it (an exact cosine scan, the best chunk per document), over the
 * fake Cohere's embeddings: a hashed bag of words, so it measures the fusion, not a real model.
 */
async function vectorRankings(): Promise<Map<string, string[]>> {
  const { rows } = await spec.pool.query<{ document_id: string; content: string }>(
    'SELECT document_id, content FROM document_chunks WHERE store_id = $1 ORDER BY document_id, chunk_index',
    [storeId],
  );
  const chunks = rows.map((row) => ({ documentId: row.document_id, vector: fakeEmbedding(row.content) }));
  const ranked = new Map<string, string[]>();
  for (const { query } of JUDGED_QUERIES) {
    const q = fakeEmbedding(query);
    const best = new Map<string, number>();
    for (const chunk of chunks) {
      const cosine = chunk.vector.reduce((sum, x, i) => sum + x * q[i]!, 0);
      if (cosine > (best.get(chunk.documentId) ?? -Infinity)) best.set(chunk.documentId, cosine);
    }
    ranked.set(
      query,
      [...best.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, LEG_CANDIDATES)
        .map(([id]) => id),
    );
  }
  return ranked;
}

function report(label: string, scores: ReturnType<typeof scoreRelevance>): void {
  process.stdout.write(
    `relevance, ${label}: P@1 ${scores.precisionAt1.toFixed(3)}, P@3 ${scores.precisionAt3.toFixed(3)}, MRR ${scores.mrr.toFixed(3)}\n` +
      scores.perQuery.map((q) => `  ${q.query}: ${q.top3.join(', ')} (RR ${q.reciprocalRank.toFixed(2)})`).join('\n') +
      '\n',
  );
}

function expectAtLeastTheFloor(scores: RelevanceScores): void {
  expect(scores.precisionAt1).toBeGreaterThanOrEqual(RANK_EVERY_MATCH.precisionAt1);
  expect(scores.precisionAt3).toBeGreaterThanOrEqual(RANK_EVERY_MATCH.precisionAt3);
  expect(scores.mrr).toBeGreaterThanOrEqual(RANK_EVERY_MATCH.mrr);
}

describe('search relevance on the judged corpus', () => {
  it('has common-word queries whose every word is in at least 85 % of the chunks, more than the small limit', async () => {
    const { rows } = await spec.pool.query<{ query: string; share: number; matches: number }>(
      `SELECT q AS query, avg((search_vector @@ websearch_to_tsquery('english', q))::int)::float AS share,
              count(*) FILTER (WHERE search_vector @@ websearch_to_tsquery('english', q))::int AS matches
         FROM document_chunks, unnest($1::text[]) q GROUP BY q`,
      [[...new Set(JUDGED_QUERIES.filter((q) => q.common).flatMap((q) => q.query.split(' ')))]],
    );
    process.stdout.write(`share of chunks matching each common word: ${rows.map((r) => `${r.query} ${r.share.toFixed(2)}`).join(', ')}\n`);
    for (const row of rows) {
      expect(row.share).toBeGreaterThanOrEqual(0.85);
      expect(row.matches).toBeGreaterThan(SMALL_CANDIDATE_LIMIT);
    }
  });

  it('ranks as well as ranking every match did, with the default candidate limit', async () => {
    const scores = scoreRelevance(await rankings());
    report('default candidate limit', scores);
    expectAtLeastTheFloor(scores);
  });

  it('reports full text, the vector leg and their reciprocal rank fusion (fake embeddings)', async () => {
    const fullText = await rankings(undefined, LEG_CANDIDATES);
    const vectors = await vectorRankings();
    const fused = new Map(
      JUDGED_QUERIES.map(({ query }) => [
        query,
        fuseByReciprocalRank([fullText.get(query)!, vectors.get(query)!])
          .slice(0, 10)
          .map((f) => f.id),
      ]),
    );
    const before = scoreRelevance(fullText);
    report('full text only (before)', before);
    report('vector leg only (fake embeddings)', scoreRelevance(vectors));
    const after = scoreRelevance(fused);
    report('full text + vectors, reciprocal rank fusion (after)', after);
    expectAtLeastTheFloor(before);
    // Fusing in a leg that is weaker alone (P@1 0.84 here) must not cost the full-text floor.
    expectAtLeastTheFloor(after);
  });

  it(`ranks as well when only ${SMALL_CANDIDATE_LIMIT} chunks are ranked, taken by salience band`, async () => {
    const scores = scoreRelevance(await rankings(SMALL_CANDIDATE_LIMIT));
    report(`candidate limit ${SMALL_CANDIDATE_LIMIT}`, scores);
    expectAtLeastTheFloor(scores);
  });
});
