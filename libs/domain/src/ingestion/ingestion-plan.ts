/** A blob of the repository tree at the commit being ingested. */
export interface TreeFile {
  readonly path: string;
  readonly sha: string;
}

/** What the store already holds for this repository (from the documents read model). */
export interface IndexedFile {
  readonly path: string;
  readonly documentId: string;
  readonly blobSha: string;
  readonly chunkCount: number;
}

export interface IngestionPlan {
  /** New or changed blobs: the only files fetched. */
  readonly fetch: readonly TreeFile[];
  /** Indexed before, no longer matched or no longer in the tree. */
  readonly remove: readonly IndexedFile[];
  readonly unchanged: number;
}

/** Blob SHAs decide: an indexed path whose SHA is unchanged is neither fetched nor written again. */
export function planIngestion(matched: readonly TreeFile[], indexed: readonly IndexedFile[]): IngestionPlan {
  const byPath = new Map(indexed.map((file) => [file.path, file]));
  const fetch: TreeFile[] = [];
  let unchanged = 0;
  const seen = new Set<string>();
  for (const file of matched) {
    seen.add(file.path);
    if (byPath.get(file.path)?.blobSha === file.sha) unchanged++;
    else fetch.push(file);
  }
  const remove = indexed.filter((file) => !seen.has(file.path));
  return { fetch, remove, unchanged };
}
