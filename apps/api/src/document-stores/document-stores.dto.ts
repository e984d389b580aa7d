import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { StoreCreated } from '#domain';
import type { StoreView } from '#read-models';

export const MAX_EMBEDDING_DIM = 4096;

/** `stores.getOrCreate`'s input: the original's optional `embeddingDim` (default 1024). */
export class EnsureStoreBody {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_EMBEDDING_DIM)
  embeddingDim?: number;
}

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
