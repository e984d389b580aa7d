import type { RecordedEvent } from '#domain';
import { DOCUMENT_EVENT_TYPES, assertNever, chunkText, type DocumentEvent } from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { documentChunksTable, documentsTable, storeDocumentVersionsTable } from './documents.table.js';

type DocumentChange = RowChangeOf<typeof documentsTable | typeof documentChunksTable | typeof storeDocumentVersionsTable>;

/** Every batch moves its store's version (see `storeDocumentVersionsTable`). */
const storeVersionMoved = (storeId: string): DocumentChange => ({
  kind: 'increment',
  table: 'store_document_versions',
  key: { store_id: storeId },
  add: { version: 1 },
});

function apply(recorded: RecordedEvent): DocumentChange[] {
  const event = recorded as RecordedEvent & DocumentEvent;
  switch (event.type) {
    case 'DocumentsIndexed': {
      const d = event.data;
      const chunking = { maxTokens: d.chunking.chunkMaxTokens, overlap: d.chunking.chunkOverlap };
      return [
        storeVersionMoved(d.storeId),
        ...d.documents.flatMap((doc): DocumentChange[] => {
          const chunks = chunkText(doc.content, chunking);
          const stale = Array.from({ length: Math.max(0, doc.previousChunkCount - chunks.length) }, (_, i) => chunks.length + i);
          return [
            {
              kind: 'upsert',
              table: 'documents',
              row: {
                id: doc.documentId,
                store_id: d.storeId,
                organization_id: d.organizationId,
                workspace_id: d.workspaceId,
                repository_id: d.repositoryId,
                github_repo_id: d.githubRepoId,
                repo_full_name: d.repoFullName,
                path: doc.path,
                title: doc.title,
                description: doc.description,
                frontmatter: doc.frontmatter,
                content: doc.content,
                content_hash: doc.contentHash,
                blob_sha: doc.blobSha,
                commit_sha: d.commitSha,
                chunk_count: chunks.length,
                job_id: d.jobId,
                indexed_at: d.at,
                committed_at: doc.committedAt ?? d.at,
              },
            },
            ...chunks.map((chunk): DocumentChange => ({
              kind: 'upsert',
              table: 'document_chunks',
              row: {
                document_id: doc.documentId,
                chunk_index: chunk.index,
                store_id: d.storeId,
                workspace_id: d.workspaceId,
                title: doc.title,
                content: chunk.text,
              },
            })),
            // A document that shrank: the chunks past its new count would otherwise still match.
            ...stale.map((index): DocumentChange => ({
              kind: 'delete',
              table: 'document_chunks',
              key: { document_id: doc.documentId, chunk_index: index },
            })),
          ];
        }),
      ];
    }
    case 'DocumentsRemoved':
      return [
        storeVersionMoved(event.data.storeId),
        ...event.data.documents.flatMap((doc): DocumentChange[] => [
          { kind: 'delete', table: 'documents', key: { id: doc.documentId } },
          ...Array.from({ length: doc.chunkCount }, (_, index): DocumentChange => ({
            kind: 'delete',
            table: 'document_chunks',
            key: { document_id: doc.documentId, chunk_index: index },
          })),
        ]),
      ];
    default:
      return assertNever(event);
  }
}

export const documentsProjection = defineProjection({
  name: 'documents',
  eventTypes: [...DOCUMENT_EVENT_TYPES],
  tables: [documentsTable, documentChunksTable, storeDocumentVersionsTable],
  // Document batches carry up to 50 files' contents each: 200 events hold ~10k documents.
  maxBatchSize: 200,
  apply,
});
