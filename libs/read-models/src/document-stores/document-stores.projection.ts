import type { RecordedEvent } from '#domain';
import { DOCUMENT_EVENT_TYPES, STORE_EVENT_TYPES, assertNever, chunkText, type DocumentEvent, type StoreEvent } from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import {
  storeCountersTable,
  storeRepositoryCountersTable,
  storesTable,
  workspaceDocumentBatchesTable,
  workspaceDocumentHoursTable,
} from './document-stores.table.js';

type StoreChange = RowChangeOf<
  | typeof storesTable
  | typeof storeCountersTable
  | typeof storeRepositoryCountersTable
  | typeof workspaceDocumentHoursTable
  | typeof workspaceDocumentBatchesTable
>;

const HOUR_MS = 3_600_000;

function apply(recorded: RecordedEvent): StoreChange[] {
  const event = recorded as RecordedEvent & (StoreEvent | DocumentEvent);
  switch (event.type) {
    case 'StoreCreated': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'stores',
          row: {
            id: d.storeId,
            organization_id: d.organizationId,
            workspace_id: d.workspaceId,
            slug: d.slug,
            index_name: d.indexName,
            embedding_provider: d.settings.embeddingProvider,
            embedding_model: d.settings.embeddingModel,
            embedding_dim: d.settings.embeddingDim,
            chunk_max_tokens: d.settings.chunkMaxTokens,
            chunk_overlap: d.settings.chunkOverlap,
            created_at: d.createdAt,
          },
        },
      ];
    }
    case 'DocumentsIndexed': {
      const d = event.data;
      const chunking = { maxTokens: d.chunking.chunkMaxTokens, overlap: d.chunking.chunkOverlap };
      // Counts move by what the batch changed: new documents only, and each document's chunk
      // delta, so re-indexing a document that grew or shrank keeps the total exact.
      const documents = d.documents.filter((doc) => doc.isNew).length;
      const chunks = d.documents.reduce((sum, doc) => sum + chunkText(doc.content, chunking).length - doc.previousChunkCount, 0);
      return counterChanges(d, documents, chunks);
    }
    case 'DocumentsRemoved': {
      const d = event.data;
      return counterChanges(d, -d.documents.length, -d.documents.reduce((sum, doc) => sum + doc.chunkCount, 0));
    }
    default:
      return assertNever(event);
  }
}

function counterChanges(
  batch: { readonly storeId: string; readonly workspaceId: string; readonly githubRepoId: string; readonly at: string },
  documents: number,
  chunks: number,
): StoreChange[] {
  const { storeId, workspaceId, githubRepoId, at } = batch;
  const add = { document_count: documents, chunk_count: chunks };
  const delta = { document_delta: documents, chunk_delta: chunks };
  const hour = new Date(Math.floor(Date.parse(at) / HOUR_MS) * HOUR_MS).toISOString();
  return [
    // Written before the batch's increments: creates the row (counts at 0) the first time.
    { kind: 'upsert', table: 'store_counters', row: { store_id: storeId, last_indexed_at: at } },
    { kind: 'increment', table: 'store_counters', key: { store_id: storeId }, add },
    { kind: 'increment', table: 'store_repository_counters', key: { store_id: storeId, github_repo_id: githubRepoId }, add },
    { kind: 'increment', table: 'workspace_document_hours', key: { workspace_id: workspaceId, hour }, add: delta },
    { kind: 'increment', table: 'workspace_document_batches', key: { workspace_id: workspaceId, at }, add: delta },
  ];
}

export const storesProjection = defineProjection({
  name: 'stores',
  eventTypes: [...STORE_EVENT_TYPES, ...DOCUMENT_EVENT_TYPES],
  tables: [storesTable, storeCountersTable, storeRepositoryCountersTable, workspaceDocumentHoursTable, workspaceDocumentBatchesTable],
  // Document batches carry up to 50 files' contents each: 200 events hold ~10k documents.
  maxBatchSize: 200,
  apply,
});
