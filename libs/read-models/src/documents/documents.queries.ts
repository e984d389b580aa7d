import type { IndexedFile } from '#domain';
import type { Sql } from '../core/sql.js';
import { SALIENCE_BANDS } from './search-bands.migration.js';
import type { DocumentChunkRow, DocumentRow } from './documents.table.js';
import type { DocumentContents, SearchRequest, SearchResult, WorkspaceTotals } from './documents.view.js';

/**
 * Matching chunks ranked per query by default. Measured on the search bench's store (10,000
 * documents, Zipf-distributed words, 200 queries of 1–3 words): of the top 10 that ranking every
 * match gives, 300 keeps 93 %, 400 94 %, 500 95 % (what is lost: `and` queries of mid-frequency
 * words, whose rank is mostly the words' proximity, which no band sees). The cost is about linear
 * in it: each candidate's vector is read from TOAST.
 */
export const DEFAULT_CANDIDATE_LIMIT = 400;
/** Every salience band, then band 0: the order a query past the candidate limit reads them. */
const BANDS_HEAVIEST_FIRST = Array.from({ length: SALIENCE_BANDS + 1 }, (_, i) => SALIENCE_BANDS - i);
const SNIPPET_LENGTH = 200;
// A control character cannot occur in a headline's words, so it splits fragments unambiguously.
const FRAGMENT_DELIMITER = '\u001e';
const HEADLINE_OPTIONS = `StartSel=<mark>, StopSel=</mark>, MaxFragments=3, MaxWords=24, MinWords=8, FragmentDelimiter="${FRAGMENT_DELIMITER}"`;

type SearchRow = Pick<DocumentChunkRow, 'document_id' | 'chunk_index' | 'content'> &
  Pick<
    DocumentRow,
    'path' | 'title' | 'description' | 'frontmatter' | 'repo_full_name' | 'github_repo_id' | 'commit_sha' | 'blob_sha' | 'indexed_at'
  > & { score: number; headline: string | null };

export class DocumentQueries {
  constructor(private readonly sql: Sql) {}

  /**
   * Full-text search over a store's chunks, one result per document (its best chunk), best first.
   * A query without lexemes (stop words, punctuation) matches nothing rather than failing.
   *
   * At most `candidateLimit` matching chunks are ranked, taken salience band by salience band
   * (`search-bands.migration.ts`): first the chunks where a query word weighs most, down to band
   * 0, the chunks where no query word occurs more than once (in the body). A query matching
   * fewer chunks is ranked exactly, as every match is read; one matching more (a common word)
   * reads its heaviest `candidateLimit` instead of all of them, so its cost no longer grows with
   * the store. Within the band where the limit falls, the chunks taken are in index order.
   */
  async search(request: SearchRequest): Promise<{ results: SearchResult[] }> {
    const candidateLimit = request.candidateLimit ?? DEFAULT_CANDIDATE_LIMIT;
    if (!(candidateLimit >= 1)) throw new RangeError(`candidateLimit must be at least 1, got ${candidateLimit}`);
    const params: unknown[] = [request.storeId, request.query, request.topK, request.includeHighlights, HEADLINE_OPTIONS, candidateLimit];
    // `websearch_to_tsquery` of a constant is folded once; `numnode = 0` (no lexeme) becomes a
    // one-time filter that skips the scans. `probe` counts the matches, up to one past the limit,
    // in one GIN lookup (no vector is read). Within the limit, `matches` ranks them all; past it,
    // it reads band by band, one GIN lookup of the query AND the band's tokens each, and the
    // nested loop runs the bands in the order given and stops at the limit: a common word costs
    // its heaviest chunks, not its every match. Each scan's query is a parameter of a loop (the
    // CASE on the loop's value), so the planner never sees a common word's selectivity and never
    // prefers a sequential scan. Ranking reads only the stored vectors: the chunk texts are
    // fetched for the top K alone, and ts_headline, the costly part, runs on those rows only.
    const rows = await this.sql<SearchRow>(
      `WITH probe AS (
         SELECT count(*) AS matches
           FROM generate_series(-1, -1) AS every_match
          CROSS JOIN LATERAL (
            SELECT 1 FROM document_chunks c
             WHERE c.store_id = $1
               AND c.search_vector @@ CASE WHEN every_match < 0 THEN websearch_to_tsquery('english', $2) END
               AND numnode(websearch_to_tsquery('english', $2)) > 0
             LIMIT $6::bigint + 1
          ) counted
       ), matches AS (
         SELECT m.document_id, m.chunk_index, m.score
           FROM unnest(CASE WHEN (SELECT matches FROM probe) > $6::bigint THEN '{${BANDS_HEAVIEST_FIRST.join(',')}}'::int[] ELSE '{-1}'::int[] END) AS band
          CROSS JOIN LATERAL (
            SELECT c.document_id, c.chunk_index, ts_rank_cd(c.search_vector, websearch_to_tsquery('english', $2)) AS score
              FROM document_chunks c
             WHERE c.store_id = $1
               AND c.search_vector @@ CASE WHEN band < 0 THEN websearch_to_tsquery('english', $2)
                                          ELSE websearch_to_tsquery('english', $2) && search_band_query_v1($2, band) END
          ) m
          WHERE numnode(websearch_to_tsquery('english', $2)) > 0
          LIMIT $6
       ), best AS (
         SELECT DISTINCT ON (document_id) document_id, chunk_index, score FROM matches ORDER BY document_id, score DESC, chunk_index
       ), top AS (
         SELECT * FROM best ORDER BY score DESC, document_id LIMIT $3
       )
       SELECT top.document_id, top.chunk_index, c.content, top.score, d.path, d.title, d.description, d.frontmatter, d.repo_full_name,
              d.github_repo_id, d.commit_sha, d.blob_sha, d.indexed_at,
              CASE WHEN $4 THEN ts_headline('english', c.content, websearch_to_tsquery('english', $2), $5) END AS headline
         FROM top
         JOIN document_chunks c ON c.document_id = top.document_id AND c.chunk_index = top.chunk_index
         JOIN documents d ON d.id = top.document_id
        ORDER BY top.score DESC, top.document_id`,
      params,
    );
    return { results: rows.map((row) => toSearchResult(row, request.includeHighlights)) };
  }

  /**
   * The documents of `ids` that belong to the workspace, in the order asked; others are left out.
   * Reads the `documents` projection alone, so an answer kept in a cache of that projection is
   * exact for as long as the projection has not moved.
   */
  async contents(workspaceId: string, ids: readonly string[]): Promise<DocumentContents[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql<
      Pick<
        DocumentRow,
        | 'id'
        | 'path'
        | 'title'
        | 'description'
        | 'content'
        | 'content_hash'
        | 'frontmatter'
        | 'indexed_at'
        | 'committed_at'
        | 'repo_full_name'
      >
    >(
      `SELECT id, path, title, description, content, content_hash, frontmatter, indexed_at, committed_at, repo_full_name
         FROM documents WHERE workspace_id = $1 AND id = ANY($2)`,
      [workspaceId, [...ids]],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return [...new Set(ids)].flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      const indexedAt = row.indexed_at.toISOString();
      return [
        {
          id: row.id,
          path: row.path,
          title: row.title,
          description: row.description,
          content: row.content,
          metadata: row.frontmatter,
          committedAt: row.committed_at.toISOString(),
          indexedAt,
          repoFullName: row.repo_full_name,
          contentHash: row.content_hash,
        },
      ];
    });
  }

  /** What a store holds for one repository: the ingestion plan diffs it against the tree's blob SHAs. */
  async manifest(storeId: string, githubRepoId: string): Promise<IndexedFile[]> {
    return this.sql<IndexedFile>(
      `SELECT path, id AS "documentId", blob_sha AS "blobSha", chunk_count AS "chunkCount"
         FROM documents WHERE store_id = $1 AND github_repo_id = $2 ORDER BY path`,
      [storeId, githubRepoId],
    );
  }

  async workspaceTotals(workspaceId: string): Promise<WorkspaceTotals> {
    const [row] = await this.sql<{ stores: string; documents: string | null; chunks: string | null }>(
      `SELECT count(*) AS stores, sum(c.document_count) AS documents, sum(c.chunk_count) AS chunks
         FROM stores s LEFT JOIN store_counters c ON c.store_id = s.id WHERE s.workspace_id = $1`,
      [workspaceId],
    );
    return { stores: Number(row?.stores ?? 0), documents: Number(row?.documents ?? 0), chunks: Number(row?.chunks ?? 0) };
  }

  /**
   * Result rows for chunks found by the vector leg, in the order given; a chunk no longer in the
   * store is left out. Highlights mark the query's words where the chunk has any (often none).
   */
  async resultsFor(
    request: Pick<SearchRequest, 'storeId' | 'query' | 'includeHighlights'>,
    chunks: readonly { documentId: string; chunkIndex: number; score: number }[],
  ): Promise<SearchResult[]> {
    if (chunks.length === 0) return [];
    const rows = await this.sql<SearchRow>(
      `SELECT c.document_id, c.chunk_index, c.content, k.score, d.path, d.title, d.description, d.frontmatter, d.repo_full_name,
              d.github_repo_id, d.commit_sha, d.blob_sha, d.indexed_at,
              -- A vector hit often shares no word with the query: its stored vector says so, and
              -- ts_headline (which parses the chunk again) runs only where there is a word to mark.
              CASE WHEN $5 AND c.search_vector @@ websearch_to_tsquery('english', $2)
                   THEN ts_headline('english', c.content, websearch_to_tsquery('english', $2), $6) END AS headline
         FROM unnest($3::text[], $4::int[], $7::float8[]) WITH ORDINALITY AS k(document_id, chunk_index, score, ord)
         JOIN document_chunks c ON c.document_id = k.document_id AND c.chunk_index = k.chunk_index AND c.store_id = $1
         JOIN documents d ON d.id = c.document_id
        ORDER BY k.ord`,
      [
        request.storeId,
        request.query,
        chunks.map((c) => c.documentId),
        chunks.map((c) => c.chunkIndex),
        request.includeHighlights,
        HEADLINE_OPTIONS,
        chunks.map((c) => c.score),
      ],
    );
    return rows.map((row) => toSearchResult(row, request.includeHighlights));
  }
}

function toSearchResult(row: SearchRow, includeHighlights: boolean): SearchResult {
  return {
    documentId: row.document_id,
    path: row.path,
    title: row.title,
    url: `https://github.com/${row.repo_full_name}/blob/${row.commit_sha}/${row.path}`,
    snippet: snippetOf(row.content),
    score: row.score,
    chunkIndex: row.chunk_index,
    highlights: includeHighlights ? fragmentsOf(row.headline ?? '') : null,
    chunkText: row.content,
    metadata: {
      repoFullName: row.repo_full_name,
      githubRepoId: row.github_repo_id,
      commitSha: row.commit_sha,
      blobSha: row.blob_sha,
      description: row.description,
      frontmatter: row.frontmatter,
      indexedAt: row.indexed_at.toISOString(),
    },
  };
}

function snippetOf(text: string): string {
  if (text.length <= SNIPPET_LENGTH) return text;
  const cut = text.slice(0, SNIPPET_LENGTH);
  const space = cut.lastIndexOf(' ');
  return `${space > SNIPPET_LENGTH * 0.75 ? cut.slice(0, space) : cut}…`;
}

/** The fragments that show a match: a chunk matched only through its title has none. */
function fragmentsOf(headline: string): string[] {
  return headline
    .split(FRAGMENT_DELIMITER)
    .map((fragment) => fragment.trim())
    .filter((fragment) => fragment.includes('<mark>'));
}
