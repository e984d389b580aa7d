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

export interface DocumentBatchesInput {
  readonly store: EventStore;
  readonly streams: IngestionJobStreams;
  readonly reader: GitHubRepositoryReader;
  readonly ref: DocumentBatchRef;
  readonly chunking: DocumentsIndexed['data']['chunking'];
  /** What the store holds for this repository now, by path. */
  readonly known: ReadonlyMap<string, IndexedFile>;
  readonly batchSize: number;
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
 * Step 5 of the ingestion workflow: the plan's changed files read and appended batch by batch
 * (the next batch is read from GitHub while the current one is appended), then its removals, with
 * `JobProgressed` between them. Before each batch the reactor's shutdown interrupts the job (it is
 * resumed, numbering its batches after those recorded) and a cancellation ends it.
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
    const texts = await input.reader.readTexts(files);
    const documents: IndexedDocument[] = [];
    for (const file of files) {
      const text = texts.get(file.sha) ?? null;
      if (isDocumentText(text)) documents.push(toDocument(ref.storeId, ref.githubRepoId, file, text, input.known.get(file.path)));
      else skippedBinary++;
    }
    return documents;
  };

  const batches = inBatches(plan.fetch, input.batchSize);
  let next = batches.length > 0 ? readBatch(batches[0]!) : null;
  for (let i = 0; i < batches.length; i++) {
    const documents = await next!;
    next = i + 1 < batches.length ? readBatch(batches[i + 1]!) : null;
    next?.catch(() => undefined); // awaited in the next round; an early exit must not leave it unhandled
    if (await stopsHere()) return 'cancelled';
    if (documents.length > 0) {
      await appender.record(indexedBatch(ref, appender.nextBatch, now(), input.chunking, documents));
      ingestionDocumentsTotal.inc({ action: 'indexed' }, documents.length);
    }
    await progress.advance(batches[i]!.length);
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
