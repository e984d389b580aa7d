import type { Sql } from '../job-stats/job-stats.queries.js';

export interface StoreView {
  readonly id: string;
  readonly organizationId: string;
  readonly workspaceId: string;
  readonly slug: string;
  readonly indexName: string;
  readonly embeddingProvider: 'cohere' | 'none';
  readonly embeddingModel: string;
  readonly embeddingDim: number;
  readonly chunkMaxTokens: number;
  readonly chunkOverlap: number;
  readonly createdAt: string;
  readonly documentCount: number;
  readonly chunkCount: number;
  /** The last batch indexed or removed; null before the first. */
  readonly lastIndexedAt: string | null;
}

interface StoreRow {
  id: string;
  organization_id: string;
  workspace_id: string;
  slug: string;
  index_name: string;
  embedding_provider: 'cohere' | 'none';
  embedding_model: string;
  embedding_dim: number;
  chunk_max_tokens: number;
  chunk_overlap: number;
  created_at: Date;
  document_count: string | null;
  chunk_count: string | null;
  last_indexed_at: Date | null;
}

const SELECT_STORES = `SELECT s.*, c.document_count, c.chunk_count, c.last_indexed_at FROM stores s LEFT JOIN store_counters c ON c.store_id = s.id`;

export class StoreQueries {
  constructor(private readonly sql: Sql) {}

  /** A workspace's stores by slug. */
  async list(workspaceId: string): Promise<StoreView[]> {
    const rows = await this.sql<StoreRow>(`${SELECT_STORES} WHERE s.workspace_id = $1 ORDER BY s.slug`, [workspaceId]);
    return rows.map(toView);
  }

  async get(workspaceId: string, slug: string): Promise<StoreView | null> {
    const [row] = await this.sql<StoreRow>(`${SELECT_STORES} WHERE s.workspace_id = $1 AND s.slug = $2`, [workspaceId, slug]);
    return row ? toView(row) : null;
  }
}

function toView(row: StoreRow): StoreView {
  return {
    id: row.id,
    organizationId: row.organization_id,
    workspaceId: row.workspace_id,
    slug: row.slug,
    indexName: row.index_name,
    embeddingProvider: row.embedding_provider,
    embeddingModel: row.embedding_model,
    embeddingDim: row.embedding_dim,
    chunkMaxTokens: row.chunk_max_tokens,
    chunkOverlap: row.chunk_overlap,
    createdAt: row.created_at.toISOString(),
    documentCount: Number(row.document_count ?? 0),
    chunkCount: Number(row.chunk_count ?? 0),
    lastIndexedAt: row.last_indexed_at?.toISOString() ?? null,
  };
}
