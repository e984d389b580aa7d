import type { IndexedFile } from '#domain';
import type { Sql } from '../core/sql.js';
import type { DocumentChunkRow, DocumentRow } from './documents.table.js';
import type { DocumentContents, SearchRequest, SearchResult, WorkspaceTotals } from './documents.view.js';

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
   */
  async search(request: SearchRequest): Promise<{ results: SearchResult[] }> {
    const params: unknown[] = [request.storeId, request.query, request.topK, request.includeHighlights, HEADLINE_OPTIONS];
    const candidates = request.candidateLimit !== undefined ? `LIMIT $${params.push(request.candidateLimit)}` : '';
    // `websearch_to_tsquery` of a constant is folded once, so the GIN index sees a plain value;
    // `numnode = 0` (no lexeme) becomes a one-time filter that skips the scan. Ranking reads only
    // the stored vectors: the chunk texts are fetched for the top K alone, and ts_headline, the
    // costly part, runs on those rows only.
    const rows = await this.sql<SearchRow>(
      `WITH matches AS (
         SELECT c.document_id, c.chunk_index, ts_rank_cd(c.search_vector, websearch_to_tsquery('english', $2)) AS score
           FROM document_chunks c
          WHERE c.store_id = $1 AND c.search_vector @@ websearch_to_tsquery('english', $2)
            AND numnode(websearch_to_tsquery('english', $2)) > 0
          ${candidates}
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
    return {
      results: rows.map((row) => ({
        documentId: row.document_id,
        path: row.path,
        title: row.title,
        url: `https://github.com/${row.repo_full_name}/blob/${row.commit_sha}/${row.path}`,
        snippet: snippetOf(row.content),
        score: row.score,
        chunkIndex: row.chunk_index,
        highlights: request.includeHighlights ? fragmentsOf(row.headline ?? '') : null,
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
      })),
    };
  }

  /** The documents of `ids` that belong to the workspace, in the order asked; others are left out. */
  async contents(workspaceId: string, ids: readonly string[]): Promise<DocumentContents[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql<
      Pick<DocumentRow, 'id' | 'path' | 'title' | 'description' | 'content' | 'frontmatter' | 'indexed_at' | 'repo_full_name'> & {
        store_slug: string | null;
      }
    >(
      `SELECT d.id, d.path, d.title, d.description, d.content, d.frontmatter, d.indexed_at, d.repo_full_name, s.slug AS store_slug
         FROM documents d LEFT JOIN stores s ON s.id = d.store_id
        WHERE d.workspace_id = $1 AND d.id = ANY($2)`,
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
          committedAt: indexedAt,
          indexedAt,
          repoFullName: row.repo_full_name,
          storeSlug: row.store_slug,
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
