export interface SearchRequest {
  readonly storeId: string;
  /** Web-search syntax: words, "quoted phrases", `or`, `-excluded`. */
  readonly query: string;
  readonly topK: number;
  readonly includeHighlights: boolean;
  /**
   * Ranks at most this many matching chunks (`DEFAULT_CANDIDATE_LIMIT` when unset), the heaviest
   * first by salience band: bounds the cost of a query whose words match most of a large store. A
   * query matching no more chunks than this is ranked exactly.
   */
  readonly candidateLimit?: number;
}

export interface SearchResult {
  readonly documentId: string;
  readonly path: string;
  readonly title: string;
  readonly url: string;
  /** The first ~200 characters of the best chunk. */
  readonly snippet: string;
  /** `ts_rank_cd` of the best chunk (title matches weigh more than body matches). */
  readonly score: number;
  readonly chunkIndex: number;
  /** Fragments of the best chunk with the matched terms in `<mark>…</mark>`; null unless asked. */
  readonly highlights: string[] | null;
  /** The whole best chunk, for a reranker. */
  readonly chunkText: string;
  readonly metadata: SearchResultMetadata;
}

export interface SearchResultMetadata {
  readonly repoFullName: string;
  readonly githubRepoId: string;
  readonly commitSha: string;
  readonly blobSha: string;
  readonly description: string | null;
  readonly frontmatter: Record<string, unknown>;
  readonly indexedAt: string;
}

export interface DocumentContents {
  readonly id: string;
  readonly path: string;
  readonly title: string;
  readonly description: string | null;
  readonly content: string;
  /** The frontmatter. */
  readonly metadata: Record<string, unknown>;
  /** When the last commit that changed the file was committed (GitHub's `committedDate`); for documents indexed before it was read, when they were indexed. */
  readonly committedAt: string;
  readonly indexedAt: string;
  readonly repoFullName: string;
  /** SHA-256 (hex) of `content`. */
  readonly contentHash: string;
}

export interface WorkspaceTotals {
  readonly stores: number;
  readonly documents: number;
  readonly chunks: number;
}
