import type { DomainEvent } from '../core/event.js';
import type { StoreSettings } from '../document-store/document-store.events.js';

/** Where a batch of documents came from: one ingestion job over one repository, into one store. */
interface DocumentBatchRef {
  readonly storeId: string;
  readonly organizationId: string;
  readonly workspaceId: string;
  readonly repositoryId: string | null;
  readonly githubRepoId: string;
  readonly repoFullName: string;
  readonly jobId: string;
  /** 0, 1, 2, … per job: a batch recorded twice (a retry, a resumed job) is the same batch. */
  readonly batch: number;
  readonly commitSha: string;
  readonly at: string;
}

export interface IndexedDocument {
  readonly documentId: string;
  /** Repository-relative path (the original's `sourceId`). */
  readonly path: string;
  /** Frontmatter `title`, else the file name without its extension. */
  readonly title: string;
  readonly description: string | null;
  readonly frontmatter: Readonly<Record<string, unknown>>;
  /** The body without frontmatter: what is chunked and searched. */
  readonly content: string;
  /** SHA-256 (hex) of `content`. */
  readonly contentHash: string;
  /** The git blob SHA the content was read from: an unchanged SHA is never fetched again. */
  readonly blobSha: string;
  /**
   * How many chunks the document had before this batch (0 when new). The projection deletes the
   * chunks past the new count, so a shorter document leaves no stale chunk behind.
   */
  readonly previousChunkCount: number;
  /** False when the store held this document before (counts move only for new ones). */
  readonly isNew: boolean;
  /**
   * When the last commit that changed the file (up to the batch's commit) was committed, as GitHub
   * says. Absent in batches recorded before it was read, and when GitHub named none: the documents
   * read model then takes the batch's time.
   */
  readonly committedAt?: string;
}

export type DocumentsIndexed = DomainEvent<
  'DocumentsIndexed',
  DocumentBatchRef & {
    readonly chunking: Pick<StoreSettings, 'chunkMaxTokens' | 'chunkOverlap'>;
    readonly documents: readonly IndexedDocument[];
  }
>;
export type DocumentsRemoved = DomainEvent<
  'DocumentsRemoved',
  DocumentBatchRef & { readonly documents: readonly { readonly documentId: string; readonly path: string; readonly chunkCount: number }[] }
>;

export type DocumentEvent = DocumentsIndexed | DocumentsRemoved;
export const DOCUMENT_EVENT_TYPES: readonly DocumentEvent['type'][] = ['DocumentsIndexed', 'DocumentsRemoved'];

/** Document batches of a job live on their own stream, next to (not inside) the job's stream. */
export const ingestionStreamId = (jobId: string) => `ingestion-${jobId}`;
