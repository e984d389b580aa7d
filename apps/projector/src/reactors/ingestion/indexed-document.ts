import { createHash } from 'node:crypto';
import { documentIdFor, parseMarkdown, type IndexedDocument, type IndexedFile, type TreeFile } from '#domain';

/** A changed file's text as the document a batch records; `previous` is what the store held for its path. */
export function toDocument(
  storeId: string,
  githubRepoId: string,
  file: TreeFile,
  text: string,
  previous: IndexedFile | undefined,
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
  };
}
