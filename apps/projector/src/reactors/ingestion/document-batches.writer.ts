import {
  REMOVAL_BATCH_SIZE,
  inBatches,
  indexedBatch,
  isDocumentText,
  removedBatch,
  type DocumentBatchRef,
  type DocumentsIndexed,
  type IndexedDocument,
  type IndexedFile,
  type IngestionPlan,
  type RecordDocumentBatch,
  type TreeFile,
} from '#domain';
import type { EventStore } from '#event-store';
import { DocumentBatchAppender } from './document-batch.appender.js';
import type { GitHubRepositoryReader } from './github-repository.reader.js';
import { toDocument } from './indexed-document.js';
import { IngestionInterrupted } from './ingestion-error.js';
import type { IngestionJobStreams } from './ingestion-job.streams.js';
import { ingestionDocumentsTotal } from './ingestion.metrics.js';
import { JobProgressReporter } from './job-progress.reporter.js';
import { ReadAhead } from './read-ahead.js';

/**
 * A group's file contents (UTF-16 units, near enough to bytes for documentation): past this, ready
 * batches wait for the next append, so one transaction stays a few megabytes even of large files.
 */
const MAX_APPEND_CONTENT = 8 * 1024 * 1024;
const contentBytes = (batches: readonly (readonly IndexedDocument[])[]) =>
  batches.reduce((sum, documents) => documents.reduce((s, document) => s + document.content.length, sum), 0);

export interface DocumentBatchesInput {
  readonly store: EventStore;
  readonly streams: IngestionJobStreams;
  readonly reader: GitHubRepositoryReader;
  readonly ref: DocumentBatchRef;
  readonly chunking: DocumentsIndexed['data']['chunking'];
  /** What the store holds for this repository now, by path. */
  readonly known: ReadonlyMap<string, IndexedFile>;
  readonly batchSize: number;
  readonly blobQueriesAhead: number;
  readonly maxBatchesPerAppend: number;
  readonly progressIntervalMs: number;
  readonly signal: AbortSignal;
  readonly now: () => string;
}

export interface DocumentBatchesWritten {
  readonly indexed: number;
  readonly removed: number;
  /** Read, but binary by their content. */
  readonly skippedBinary: number;
}

/**
 * Step 5 of the ingestion workflow: the plan's changed files read and appended batch by batch, then
 * its removals, with `JobProgressed` between them. Up to `blobQueriesAhead` batches are read from
 * GitHub while earlier ones are appended; the batches read by the time an append starts go into it
 * together (one event each, numbered in order), so appends keep pace with however fast GitHub
 * answers. Before each append the reactor's shutdown interrupts the job (it is resumed, numbering
 * its batches after those recorded) and a cancellation ends it.
 */
export async function writeDocumentBatches(
  input: DocumentBatchesInput,
  plan: IngestionPlan,
): Promise<DocumentBatchesWritten | 'cancelled'> {
  const { streams, ref, now } = input;
  const appender = await DocumentBatchAppender.open(input.store, ref.jobId);
  const progress = new JobProgressReporter(streams, plan.fetch.length + plan.remove.length, input.progressIntervalMs, now);
  const stopsHere = async () => {
    if (input.signal.aborted) throw new IngestionInterrupted();
    return streams.stopsBeforeBatch();
  };
  let skippedBinary = 0;
  const readBatch = async (files: readonly TreeFile[]): Promise<IndexedDocument[]> => {
    if (input.signal.aborted) throw new IngestionInterrupted();
    const read = await input.reader.readFiles(files, ref.commitSha);
    const documents: IndexedDocument[] = [];
    for (const file of files) {
      const { text = null, committedAt = null } = read.get(file.path) ?? {};
      if (isDocumentText(text))
        documents.push(toDocument(ref.storeId, ref.githubRepoId, file, text, input.known.get(file.path), committedAt));
      else skippedBinary++;
    }
    return documents;
  };

  const reads = new ReadAhead(inBatches(plan.fetch, input.batchSize), readBatch, Math.max(1, input.blobQueriesAhead));
  while (reads.hasNext) {
    const group = await reads.takeReady(
      Math.max(1, input.maxBatchesPerAppend),
      (taken, next) => contentBytes([...taken, next]) <= MAX_APPEND_CONTENT,
    );
    if (await stopsHere()) return 'cancelled';
    const records: RecordDocumentBatch['data'][] = [];
    for (const { value: documents } of group)
      if (documents.length > 0) records.push(indexedBatch(ref, appender.nextBatch + records.length, now(), input.chunking, documents));
    await appender.recordAll(records);
    const indexed = records.reduce((sum, record) => sum + record.indexed!.documents.length, 0);
    if (indexed > 0) ingestionDocumentsTotal.inc({ action: 'indexed' }, indexed);
    await progress.advance(group.reduce((sum, { item }) => sum + item.length, 0));
  }
  for (const files of inBatches(plan.remove, REMOVAL_BATCH_SIZE)) {
    if (await stopsHere()) return 'cancelled';
    await appender.record(removedBatch(ref, appender.nextBatch, now(), files));
    ingestionDocumentsTotal.inc({ action: 'removed' }, files.length);
    await progress.advance(files.length);
  }
  await progress.flush();
  return { indexed: appender.totals.indexed, removed: appender.totals.removed, skippedBinary };
}
