import type { DomainEvent } from '../core/event.js';

/** How a store's documents are chunked and embedded (the original's hidden `PRIVATE_CONFIG`). */
export interface StoreSettings {
  /** `none`: full-text ranking only; `cohere`: chunks embedded with `embeddingModel` when COHERE_API_KEY is set. */
  readonly embeddingProvider: 'cohere' | 'none';
  readonly embeddingModel: string;
  readonly embeddingDim: number;
  readonly chunkMaxTokens: number;
  readonly chunkOverlap: number;
}

export const DEFAULT_STORE_SETTINGS: StoreSettings = {
  embeddingProvider: 'cohere',
  embeddingModel: 'embed-english-v3.0',
  embeddingDim: 1024,
  chunkMaxTokens: 512,
  chunkOverlap: 50,
};

/**
 * Cohere's model for each vector length a store may ask for: v3 models have a fixed length (1,024,
 * or 384 for the light ones); `embed-v4.0` produces 256, 512, 1,024 or 1,536 on request.
 */
export const COHERE_MODEL_BY_DIMENSIONS: Readonly<Record<number, string>> = {
  256: 'embed-v4.0',
  384: 'embed-english-light-v3.0',
  512: 'embed-v4.0',
  1024: DEFAULT_STORE_SETTINGS.embeddingModel,
  1536: 'embed-v4.0',
};
export const EMBEDDING_DIMENSIONS = Object.keys(COHERE_MODEL_BY_DIMENSIONS).map(Number);

/** The settings of a new store embedding `embeddingDim`-long vectors (the default when unset). */
export function storeSettingsFor(embeddingDim: number | null | undefined): StoreSettings {
  if (embeddingDim == null) return DEFAULT_STORE_SETTINGS;
  const embeddingModel = COHERE_MODEL_BY_DIMENSIONS[embeddingDim];
  if (!embeddingModel) throw new RangeError(`No embedding model produces ${embeddingDim} dimensions`);
  return { ...DEFAULT_STORE_SETTINGS, embeddingModel, embeddingDim };
}

export type StoreCreated = DomainEvent<
  'StoreCreated',
  {
    readonly storeId: string;
    readonly organizationId: string;
    readonly workspaceId: string;
    readonly slug: string;
    /** The original's Pinecone index name (`<workspace>-<slug>`, ≤ 45 chars); kept for API compatibility. */
    readonly indexName: string;
    readonly settings: StoreSettings;
    readonly createdAt: string;
  }
>;

export type StoreEvent = StoreCreated;
export const STORE_EVENT_TYPES: readonly StoreEvent['type'][] = ['StoreCreated'];

/** The original's store id: one store per (workspace, slug). */
export const storeIdFor = (workspaceId: string, slug: string) => `${workspaceId}_${slug}`;
export const storeStreamId = (storeId: string) => `store-${storeId}`;
