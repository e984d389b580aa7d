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

/**
 * Live counts per store and GitHub repository: a source's documents in each store, read by the
 * dashboard without counting documents. Moved by the same deltas as `store_counters`.
 */
export const storeRepositoryCountersTable = defineTable({
  name: 'store_repository_counters',
  columns: {
    store_id: { type: 'text' },
    github_repo_id: { type: 'text' },
    document_count: { type: 'bigint', default: '0' },
    chunk_count: { type: 'bigint', default: '0' },
  },
  primaryKey: ['store_id', 'github_repo_id'],
});

/**
 * What each hour's batches changed in a workspace's document and chunk totals (by the batch's
 * time, `at`): the totals at an instant are today's counters less what changed after it, so a
 * comparison reads the hours since the instant, not the documents.
 */
export const workspaceDocumentHoursTable = defineTable({
  name: 'workspace_document_hours',
  columns: {
    workspace_id: { type: 'text' },
    hour: { type: 'timestamptz' },
    document_delta: { type: 'bigint', default: '0' },
    chunk_delta: { type: 'bigint', default: '0' },
  },
  primaryKey: ['workspace_id', 'hour'],
});

/** The same per batch time: the part of an hour after an instant (its edge) is read from here. */
export const workspaceDocumentBatchesTable = defineTable({
  name: 'workspace_document_batches',
  columns: {
    workspace_id: { type: 'text' },
    at: { type: 'timestamptz' },
    document_delta: { type: 'bigint', default: '0' },
    chunk_delta: { type: 'bigint', default: '0' },
  },
  primaryKey: ['workspace_id', 'at'],
});

export type StoreRow = RowOf<typeof storesTable>;
export type StoreCounterRow = RowOf<typeof storeCountersTable>;
