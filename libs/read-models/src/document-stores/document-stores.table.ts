import type { StoreSettings } from '#domain';
import { defineTable, typed, type RowOf } from '../core/table.js';

/** One row per store (the original's `DeusStore`), as created: its settings never change. */
export const storesTable = defineTable({
  name: 'stores',
  columns: {
    id: { type: 'text' },
    organization_id: { type: 'text' },
    workspace_id: { type: 'text' },
    slug: { type: 'text' },
    index_name: { type: 'text' },
    embedding_provider: typed<StoreSettings['embeddingProvider']>()({ type: 'text' }),
    embedding_model: { type: 'text' },
    embedding_dim: { type: 'integer' },
    chunk_max_tokens: { type: 'integer' },
    chunk_overlap: { type: 'integer' },
    created_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  indexes: ['UNIQUE (workspace_id, slug)'],
});

/**
 * Live counts per store, apart from `stores` so that they never depend on the store row having
 * been projected first: an increment creates its row from the key and the counters alone.
 */
export const storeCountersTable = defineTable({
  name: 'store_counters',
  columns: {
    store_id: { type: 'text' },
    document_count: { type: 'bigint', default: '0' },
    chunk_count: { type: 'bigint', default: '0' },
    last_indexed_at: { type: 'timestamptz', nullable: true },
  },
  primaryKey: ['store_id'],
});

export type StoreRow = RowOf<typeof storesTable>;
export type StoreCounterRow = RowOf<typeof storeCountersTable>;
