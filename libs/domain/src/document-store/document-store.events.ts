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
