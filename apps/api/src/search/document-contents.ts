import { Injectable } from '@nestjs/common';
import { DocumentQueries, ProjectionCaches, type DocumentContents, type ProjectionCache } from '#read-models';

const MAX_DOCUMENTS = 10_000;
/** What the cached documents may weigh together (JavaScript strings: two bytes a character). */
const MAX_BYTES = 64 * 1024 * 1024;
/** What a cached document weighs besides its strings (object, frontmatter, key). */
const ENTRY_OVERHEAD_BYTES = 256;

const sizeOf = (document: DocumentContents | null): number =>
  document === null
    ? ENTRY_OVERHEAD_BYTES
    : ENTRY_OVERHEAD_BYTES +
      2 * (document.content.length + document.path.length + document.title.length + (document.description?.length ?? 0)) +
      2 * JSON.stringify(document.metadata).length;

/**
 * `contents.fetch`'s documents, answered in process from a cache the `documents` projection keeps
 * exact (see `ProjectionCaches`): a re-indexed document whose content changed is read again once
 * the projection applied the change, and at once by a request with the command's `?minPosition=`.
 * Keyed by workspace and document id, so an id of another workspace is never answered from an
 * entry read for this one; an id the workspace has no document for is kept too (as null). Bounded
 * by entries and by bytes: a large document does not push thousands of small ones out.
 */
@Injectable()
export class DocumentContentsLookup {
  private readonly cache: ProjectionCache<DocumentContents | null>;

  constructor(
    private readonly documents: DocumentQueries,
    caches: ProjectionCaches,
  ) {
    this.cache = caches.cache('document_contents', 'documents', MAX_DOCUMENTS, { max: MAX_BYTES, sizeOf });
  }

  /** The workspace's documents of `ids`, in the order asked (duplicates once); others are left out. */
  async contents(workspaceId: string, ids: readonly string[]): Promise<DocumentContents[]> {
    const unique = [...new Set(ids)];
    const found = await this.cache.getMany(
      unique.map((id) => JSON.stringify([workspaceId, id])),
      async (keys) => {
        const missing = keys.map((key) => (JSON.parse(key) as [string, string])[1]);
        const byId = new Map((await this.documents.contents(workspaceId, missing)).map((document) => [document.id, document]));
        // Shared by every request that hits it: nobody may change it.
        return missing.map((id) => {
          const document = byId.get(id);
          return document ? Object.freeze({ ...document, metadata: Object.freeze(document.metadata) }) : null;
        });
      },
    );
    return found.filter((document): document is DocumentContents => document !== null);
  }
}
