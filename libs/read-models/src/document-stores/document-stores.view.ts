import type { StoreCreated } from '#domain';
import type { StoreCounterRow, StoreRow } from './document-stores.table.js';

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

/** A store row with its counters, which are null until its first batch (a LEFT JOIN). */
export type StoreWithCountersRow = StoreRow & { [K in 'document_count' | 'chunk_count' | 'last_indexed_at']: StoreCounterRow[K] | null };

export const toStoreView = (row: StoreWithCountersRow): StoreView => ({
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
});

/** A store as just created, in the read model's shape (no document indexed yet). */
export const storeViewFromEvent = (store: StoreCreated['data']): StoreView => ({
  id: store.storeId,
  organizationId: store.organizationId,
  workspaceId: store.workspaceId,
  slug: store.slug,
  indexName: store.indexName,
  embeddingProvider: store.settings.embeddingProvider,
  embeddingModel: store.settings.embeddingModel,
  embeddingDim: store.settings.embeddingDim,
  chunkMaxTokens: store.settings.chunkMaxTokens,
  chunkOverlap: store.settings.chunkOverlap,
  createdAt: store.createdAt,
  documentCount: 0,
  chunkCount: 0,
  lastIndexedAt: null,
});
