import { createHash } from 'node:crypto';
import { documentIdFor, parseMarkdown, type IndexedDocument, type IndexedFile, type TreeFile } from '#domain';

/**
 * A changed file's text as the document a batch records; `previous` is what the store held for its
 * path, `committedAt` the time of the last commit that changed it (null: GitHub named none).
 */
export function toDocument(
  storeId: string,
  githubRepoId: string,
  file: TreeFile,
  text: string,
  previous: IndexedFile | undefined,
  committedAt: string | null = null,
): IndexedDocument {
  const parsed = parseMarkdown(file.path, text);
  return {
    documentId: documentIdFor(storeId, githubRepoId, file.path),
    path: file.path,
    title: parsed.title,
    description: parsed.description,
    frontmatter: parsed.frontmatter,
    content: parsed.body,
    contentHash: createHash('sha256').update(parsed.body).digest('hex'),
    blobSha: file.sha,
    previousChunkCount: previous?.chunkCount ?? 0,
    isNew: previous === undefined,
    ...(committedAt === null ? {} : { committedAt }),
  };
}
