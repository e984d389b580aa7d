import type { RecordedEvent } from '#domain';
import { DOCUMENT_EVENT_TYPES, assertNever, chunkText, type DocumentEvent } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

/** One row per indexed file (the original's `DeusDocument`), with its body for `contents`. */
export const documentsTable: TableDefinition = {
  name: 'documents',
  columns: {
    id: { type: 'text' },
    store_id: { type: 'text' },
    organization_id: { type: 'text' },
    workspace_id: { type: 'text' },
    repository_id: { type: 'text', nullable: true },
    github_repo_id: { type: 'text' },
    repo_full_name: { type: 'text' },
    path: { type: 'text' },
    title: { type: 'text' },
    description: { type: 'text', nullable: true },
    frontmatter: { type: 'jsonb' },
    content: { type: 'text' },
    content_hash: { type: 'text' },
    blob_sha: { type: 'text' },
    commit_sha: { type: 'text' },
    chunk_count: { type: 'integer' },
    job_id: { type: 'text' },
    indexed_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  // The unique index also serves the ingestion manifest: (store_id, github_repo_id) is its prefix.
  indexes: ['UNIQUE (store_id, github_repo_id, path)', '(workspace_id)'],
};

/**
 * The searchable chunks. The title is repeated on each chunk so that the generated vector weighs a
 * title match (A) above a body match (B) without a join; the vector is stored, so ranking a match
 * reads it instead of parsing the chunk again at every query.
 */
export const documentChunksTable: TableDefinition = {
  name: 'document_chunks',
  columns: {
    document_id: { type: 'text' },
    chunk_index: { type: 'integer' },
    store_id: { type: 'text' },
    workspace_id: { type: 'text' },
    title: { type: 'text' },
    content: { type: 'text' },
    search_vector: {
      type: 'tsvector',
      generated: `setweight(to_tsvector('english'::regconfig, title), 'A') || setweight(to_tsvector('english'::regconfig, content), 'B')`,
    },
  },
  primaryKey: ['document_id', 'chunk_index'],
  indexes: ['USING gin (search_vector)', '(store_id)'],
};

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & DocumentEvent;
  switch (event.type) {
    case 'DocumentsIndexed': {
      const d = event.data;
      const chunking = { maxTokens: d.chunking.chunkMaxTokens, overlap: d.chunking.chunkOverlap };
      return d.documents.flatMap((doc): RowChange[] => {
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
            },
          },
          ...chunks.map(
            (chunk): RowChange => ({
              kind: 'upsert',
              table: 'document_chunks',
              row: { document_id: doc.documentId, chunk_index: chunk.index, store_id: d.storeId, workspace_id: d.workspaceId, title: doc.title, content: chunk.text },
            }),
          ),
          // A document that shrank: the chunks past its new count would otherwise still match.
          ...stale.map((index): RowChange => ({ kind: 'delete', table: 'document_chunks', key: { document_id: doc.documentId, chunk_index: index } })),
        ];
      });
    }
    case 'DocumentsRemoved':
      return event.data.documents.flatMap((doc): RowChange[] => [
        { kind: 'delete', table: 'documents', key: { id: doc.documentId } },
        ...Array.from({ length: doc.chunkCount }, (_, index): RowChange => ({ kind: 'delete', table: 'document_chunks', key: { document_id: doc.documentId, chunk_index: index } })),
      ]);
    default:
      return assertNever(event);
  }
}

export const documentsProjection: ProjectionDefinition = {
  name: 'documents',
  eventTypes: [...DOCUMENT_EVENT_TYPES],
  tables: [documentsTable, documentChunksTable],
  // Document batches carry up to 50 files' contents each: 200 events hold ~10k documents.
  maxBatchSize: 200,
  apply,
};
