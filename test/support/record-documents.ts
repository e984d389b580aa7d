import { createHash } from 'node:crypto';
import { DEFAULT_STORE_SETTINGS, documentIdFor, ingestionDecider, ingestionStreamId, type IndexedDocument } from '#domain';
import { handleCommand, type EventStore } from '#event-store';

export interface RecordedPage {
  readonly path: string;
  /** Default: the path. */
  readonly title?: string;
  /** Default: `Short page <path>.` */
  readonly content?: string;
  readonly frontmatter?: Record<string, unknown>;
}

export interface DocumentBatch {
  readonly jobId: string;
  readonly storeId: string;
  readonly organizationId: string;
  readonly workspaceId: string;
  readonly repositoryId: string | null;
  readonly githubRepoId: string;
  readonly repoFullName: string;
  readonly at: string;
  readonly pages: readonly RecordedPage[];
}

const sha = (algorithm: string, text: string) => createHash(algorithm).update(text).digest('hex');

/**
 * Records the pages as batch 0 of an ingestion job, as the ingestion reactor would (new documents,
 * chunked with the default settings), without GitHub; returns the batch's position.
 */
export async function recordDocumentBatch(store: EventStore, batch: DocumentBatch): Promise<string> {
  const documents: IndexedDocument[] = batch.pages.map((page) => {
    const content = page.content ?? `Short page ${page.path}.`;
    return {
      documentId: documentIdFor(batch.storeId, batch.githubRepoId, page.path),
      path: page.path,
      title: page.title ?? page.path,
      description: null,
      frontmatter: page.frontmatter ?? {},
      content,
      contentHash: sha('sha256', content),
      blobSha: sha('sha1', content),
      previousChunkCount: 0,
      isNew: true,
    };
  });
  const { chunkMaxTokens, chunkOverlap } = DEFAULT_STORE_SETTINGS;
  const { pages: _pages, ...ref } = batch;
  const result = await handleCommand(
    store,
    ingestionStreamId(batch.jobId),
    ingestionDecider,
    {
      type: 'RecordDocumentBatch',
      data: {
        indexed: { ...ref, batch: 0, commitSha: 'c0ffee', chunking: { chunkMaxTokens, chunkOverlap }, documents },
        removed: null,
      },
    },
    { commandId: `record-${batch.jobId}` },
  );
  return result.position!;
}
