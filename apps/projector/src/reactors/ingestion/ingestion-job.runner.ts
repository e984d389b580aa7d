import {
  completeJob,
  documentBatchRef,
  endedMeanwhile,
  failJob,
  filesToRead,
  ingestionTarget,
  planIngestion,
  startJob,
  type IndexedFile,
  type IngestionJob,
  type IngestionOutcome,
  type IngestionReport,
} from '#domain';
import type { EventStore } from '#event-store';
import type { GitHubAppClients, Logger } from '#adapters';
import { DocumentQueries, type CheckpointWaiter, type Sql } from '#read-models';
import { writeDocumentBatches } from './document-batches.writer.js';
import { GitHubRepositoryReader } from './github-repository.reader.js';
import { matchIncludedFiles } from './include-matcher.js';
import { errorCode, isTransient } from './ingestion-error.js';
import { IngestionJobStreams } from './ingestion-job.streams.js';
import { ingestionGitHubCallsTotal, ingestionJobsTotal } from './ingestion.metrics.js';
import type { IngestionSettings } from './ingestion.settings.js';

export interface IngestionDependencies {
  readonly store: EventStore;
  readonly sql: Sql;
  readonly checkpoints: CheckpointWaiter;
  readonly github: GitHubAppClients | null;
  readonly logger: Logger;
  readonly settings: IngestionSettings;
  readonly signal: AbortSignal;
  readonly now?: () => Date;
}

type Ending = { readonly outcome: Exclude<IngestionOutcome, 'skipped'>; readonly failure: string | null };

/**
 * Runs one ingestion job to its end, as libs/domain's ingestion-job.workflow.ts lays out its steps:
 * this file and its neighbours do the reading and appending. An error of our own infrastructure
 * (`isTransient`) leaves the job running, to be resumed; any other fails it.
 */
export async function runIngestionJob(deps: IngestionDependencies, job: IngestionJob): Promise<IngestionOutcome> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const streams = new IngestionJobStreams(deps.store, job, now);
  const start = startJob(await streams.readJob(), now());
  if (start === 'skip') return 'skipped';
  if (start !== 'resume') await streams.sendToJob(start, streams.ids.start);
  await streams.recordInitialSync('in_progress', null);

  const { outcome, failure } = await runToEnd(deps, job, streams, now);
  await streams.finishReindex();
  await streams.recordInitialSync(outcome, failure);
  ingestionJobsTotal.inc({ outcome });
  return outcome;
}

async function runToEnd(deps: IngestionDependencies, job: IngestionJob, streams: IngestionJobStreams, now: () => string): Promise<Ending> {
  try {
    const report = await ingest(deps, job, streams, now);
    if (report === 'cancelled') return { outcome: 'cancelled', failure: null };
    await streams.sendToJob(completeJob(job, report, now()), streams.ids.complete);
    return { outcome: 'completed', failure: null };
  } catch (error) {
    if (isTransient(error)) throw error;
    if (endedMeanwhile(error)) return { outcome: 'cancelled', failure: null };
    deps.logger.warn({ err: error, jobId: job.jobId }, 'ingestion job failed');
    const message = error instanceof Error ? error.message : String(error);
    try {
      await streams.sendToJob(failJob({ message, code: errorCode(error) }, now()), streams.ids.fail);
      return { outcome: 'failed', failure: message };
    } catch (failError) {
      if (!endedMeanwhile(failError)) throw failError;
      return { outcome: 'cancelled', failure: null };
    }
  }
}

/** Steps 2–6: the tree and its config, the store, the files to read, and the document batches. */
async function ingest(
  deps: IngestionDependencies,
  job: IngestionJob,
  streams: IngestionJobStreams,
  now: () => string,
): Promise<IngestionReport | 'cancelled'> {
  const { settings } = deps;
  const started = Date.now();
  const reader = GitHubRepositoryReader.open(deps.github, job.input);
  const tree = await reader.readTree(settings);
  const detection = await reader.detectConfig(tree.files);
  await streams.recordConfig(detection);
  const { storeSlug, include } = ingestionTarget(job, detection);
  const store = await streams.ensureStore(storeSlug);

  const { matched, skippedLongPaths } = await matchIncludedFiles(tree.files, include, { budgetMs: settings.globBudgetMs });
  const selection = filesToRead(matched, settings.maxFileBytes);
  const manifest = await readManifest(deps, store.storeId, job.input.githubRepoId);
  const plan = planIngestion(selection.candidates, manifest);

  const written = await writeDocumentBatches(
    {
      store: deps.store,
      streams,
      reader,
      ref: documentBatchRef(job, store.storeId, tree.commitSha),
      chunking: { chunkMaxTokens: store.settings.chunkMaxTokens, chunkOverlap: store.settings.chunkOverlap },
      known: new Map(manifest.map((file) => [file.path, file])),
      batchSize: settings.batchSize,
      blobQueriesAhead: settings.blobQueriesAhead,
      maxBatchesPerAppend: settings.maxBatchesPerAppend,
      progressIntervalMs: settings.progressIntervalMs,
      signal: deps.signal,
      now,
    },
    plan,
  );
  if (written === 'cancelled') return 'cancelled';
  ingestionGitHubCallsTotal.inc(reader.calls);
  return {
    commitSha: tree.commitSha,
    storeSlug,
    configStatus: detection.status,
    treeFiles: tree.files.length,
    treeTruncated: tree.truncated,
    filesMatched: matched.length,
    skippedLongPaths,
    documentsIndexed: written.indexed,
    documentsRemoved: written.removed,
    unchanged: plan.unchanged,
    skippedTooLarge: selection.skippedTooLarge,
    skippedBinary: selection.skippedBinary + written.skippedBinary,
    githubCalls: reader.calls,
    ingestionMs: Date.now() - started,
  };
}

/**
 * Everything appended before now — earlier jobs' batches and this job's own before a crash — must
 * be in the manifest, or unchanged files would be fetched again.
 */
async function readManifest(deps: IngestionDependencies, storeId: string, githubRepoId: string): Promise<IndexedFile[]> {
  await deps.checkpoints.waitFor('documents', await deps.store.headPosition(), deps.settings.consistencyTimeoutMs);
  return new DocumentQueries(deps.sql).manifest(storeId, githubRepoId);
}
