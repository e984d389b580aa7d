import { defineTable, typed, type RowOf } from '../core/table.js';

/** One row per indexed file (the original's `DeusDocument`), with its body for `contents`. */
export const documentsTable = defineTable({
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
    frontmatter: typed<Record<string, unknown>>()({ type: 'jsonb' }),
    content: { type: 'text' },
    content_hash: { type: 'text' },
    blob_sha: { type: 'text' },
    commit_sha: { type: 'text' },
    chunk_count: { type: 'integer' },
    job_id: { type: 'text' },
    indexed_at: { type: 'timestamptz' },
    // The last commit that changed the file (GitHub's committedDate); the batch's time for batches recorded before it was read.
    committed_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  // The unique index also serves the ingestion manifest: (store_id, github_repo_id) is its prefix.
  indexes: ['UNIQUE (store_id, github_repo_id, path)', '(workspace_id)'],
});

/**
 * The searchable chunks. The title is repeated on each chunk so that the generated vector weighs a
 * title match (A) above a body match (B) without a join; the vector is stored, so ranking a match
 * reads it instead of parsing the chunk again at every query. It also holds the chunk's salience
 * band tokens (`search-bands.migration.ts`), which let a search rank the heaviest matches first.
 */
export const documentChunksTable = defineTable({
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
      generated: `search_document_vector_v1(title, content)`,
    },
    // The key of the chunk's vector in `chunk_embeddings`: hashed once, when the chunk is written.
    content_sha256: {
      type: 'text',
      generated: `chunk_content_sha256_v1(content)`,
    },
  },
  primaryKey: ['document_id', 'chunk_index'],
  indexes: ['USING gin (search_vector)', '(store_id)'],
});

/**
 * A version per store, moved by every batch of documents indexed or removed in it, in the same
 * transaction as its chunks: the one-row fingerprint the vector leg compares (no aggregate over
 * the store's documents).
 */
export const storeDocumentVersionsTable = defineTable({
  name: 'store_document_versions',
  columns: {
    store_id: { type: 'text' },
    version: { type: 'bigint', default: '0' },
  },
  primaryKey: ['store_id'],
});

export type DocumentRow = RowOf<typeof documentsTable>;
export type DocumentChunkRow = RowOf<typeof documentChunksTable>;
