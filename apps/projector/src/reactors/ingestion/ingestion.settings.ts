export interface IngestionSettings {
  /** Files per `DocumentsIndexed` event (the original's `ingestFileBatchSize`), read in one GraphQL query per 50. */
  readonly batchSize: number;
  /**
   * Blob queries in flight ahead of the appends (each `batchSize` files): fetching overlaps appending,
   * and a slow GitHub answer does not leave the store idle. It bounds the texts held in memory too.
   */
  readonly blobQueriesAhead: number;
  /**
   * Batches already fetched are appended together, up to this many, as one append of one event per
   * batch: one commit, one look at the job and one projector wake-up per group instead of per batch.
   */
  readonly maxBatchesPerAppend: number;
  /** Sub-tree listings in flight when a recursive tree comes back truncated. */
  readonly treeConcurrency: number;
  /** Larger blobs are skipped (and counted): documentation files are small, and events hold content. */
  readonly maxFileBytes: number;
  /** `JobProgressed` at most this often, so the job stream stays short for a 100k-file job. */
  readonly progressIntervalMs: number;
  /** How long to wait for the documents read model to include every earlier batch before planning. */
  readonly consistencyTimeoutMs: number;
  /** `INGESTION_MAX_TREE_ENTRIES`: a larger tree fails the job (`tree_too_large`) before it is held in memory whole. */
  readonly maxTreeEntries: number;
  /** `INGESTION_GLOB_BUDGET_MS`: time the include globs may spend matching one tree (`invalid_config` past it). */
  readonly globBudgetMs: number;
}

export const DEFAULT_INGESTION_SETTINGS: IngestionSettings = {
  batchSize: 50,
  blobQueriesAhead: 4,
  maxBatchesPerAppend: 8,
  treeConcurrency: 8,
  maxFileBytes: 1024 * 1024,
  progressIntervalMs: 1000,
  consistencyTimeoutMs: 60_000,
  maxTreeEntries: 500_000,
  globBudgetMs: 10_000,
};
