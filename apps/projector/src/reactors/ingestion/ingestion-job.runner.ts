import { createHash } from 'node:crypto';
import binaryExtensions from 'binary-extensions';
import {
  DEFAULT_INCLUDE_GLOBS,
  DEFAULT_STORE_SETTINGS,
  DomainError,
  UNCONFIGURED,
  documentIdFor,
  evaluateConfigFile,
  integrationDecider,
  integrationStreamId,
  isConnectedToWorkspace,
  jobDecider,
  jobStreamId,
  parseMarkdown,
  pickConfigFile,
  planIngestion,
  repositoryDecider,
  repositoryStreamId,
  storeDecider,
  storeIdFor,
  storeStreamId,
  type ConfigDetection,
  type IndexedDocument,
  type IndexedFile,
  type JobCommand,
  type JobState,
  type StoreSettings,
  type TreeFile,
} from '#domain';
import { handleCommand, type EventStore, aggregateStream } from '#event-store';
import { BLOBS_PER_QUERY, RepositoryTreeTooLarge, fetchBlobText, fetchBlobTextsByQuery, readRepositoryTree, type GitHubAppClients, type GitHubAppOctokit, type Logger } from '#adapters';
import { DocumentQueries, type CheckpointWaiter, type PendingIngestionJob, type Sql } from '#read-models';
import { DocumentBatchAppender } from './document-batch.appender.js';
import { matchIncludedFiles } from './include-matcher.js';
import { IngestionError, IngestionInterrupted, errorCode, isTransient } from './ingestion-error.js';
import { ingestionDocumentsTotal, ingestionGitHubCallsTotal, ingestionJobsTotal } from './ingestion.metrics.js';

export interface IngestionSettings {
  /** Files per `DocumentsIndexed` event (the original's `ingestFileBatchSize`), read in one GraphQL query per 50. */
  readonly batchSize: number;
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

export const DEFAULT_INGESTION_SETTINGS: IngestionSettings = { batchSize: 50, treeConcurrency: 8, maxFileBytes: 1024 * 1024, progressIntervalMs: 1000, consistencyTimeoutMs: 60_000, maxTreeEntries: 500_000, globBudgetMs: 10_000 };

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

export type IngestionOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped';

const REMOVAL_BATCH_SIZE = 500;
const ENDED = new Set(['completed', 'failed', 'cancelled']);

/**
 * Runs one ingestion job to its end: `JobStarted`, the config from the tree's root, the store,
 * the tree diffed against the documents read model by blob SHA, document batches with
 * `JobProgressed`, then `JobCompleted` / `JobFailed` / `JobCancelled`. Every append is idempotent
 * (deterministic command ids), so a job resumed after a crash continues where it stopped: the
 * batches it recorded are in the read model, and their files are unchanged by SHA.
 */
export async function runIngestionJob(deps: IngestionDependencies, job: PendingIngestionJob): Promise<IngestionOutcome> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const context = (step: string) => ({ commandId: `ingestion:${job.jobId}:${step}`, correlationId: job.jobId });
  const sendToJob = (command: JobCommand, step: string) => handleCommand(deps.store, jobStreamId(job.jobId), jobDecider, command, context(step));

  const state = await readJob(deps.store, job.jobId);
  if (state.status === 'none' || ENDED.has(state.status)) return 'skipped';
  if (state.status === 'queued') await sendToJob({ type: 'StartJob', data: { at: notBefore(now(), state.queuedAt) } }, 'start');
  await recordInitialSync(deps, job, 'in_progress', null, now);

  let outcome: IngestionOutcome;
  let failure: string | null = null;
  try {
    const result = await ingest(deps, job, now);
    if (result === 'cancelled') outcome = 'cancelled';
    else {
      await sendToJob({ type: 'CompleteJob', data: { at: now(), output: result } }, 'complete');
      outcome = 'completed';
    }
  } catch (error) {
    if (isTransient(error)) throw error;
    if (isRefusedBecauseEnded(error)) outcome = 'cancelled';
    else {
      deps.logger.warn({ err: error, jobId: job.jobId }, 'ingestion job failed');
      const message = error instanceof Error ? error.message : String(error);
      failure = message;
      try {
        await sendToJob({ type: 'FailJob', data: { at: now(), error: { message, code: errorCode(error) } } }, 'fail');
        outcome = 'failed';
      } catch (failError) {
        if (!isRefusedBecauseEnded(failError)) throw failError;
        outcome = 'cancelled'; // cancelled while it was failing: the cancellation stands
      }
    }
  }
  await finishReindex(deps, job, now);
  await recordInitialSync(deps, job, outcome, outcome === 'failed' ? failure : null, now);
  ingestionJobsTotal.inc({ outcome });
  return outcome;
}

type IngestionOutput = Record<string, unknown>;

async function ingest(deps: IngestionDependencies, job: PendingIngestionJob, now: () => string): Promise<IngestionOutput | 'cancelled'> {
  const { input } = job;
  const { settings, store } = deps;
  const [owner, repo] = input.repoFullName.split('/');
  if (!owner || !repo) throw new IngestionError('invalid_repository', `Repository name "${input.repoFullName}" is not owner/name`);
  if (!deps.github) throw new IngestionError('github_not_configured', 'GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are not set');
  const octokit = deps.github.forInstallation(input.githubInstallationId);
  const calls = { count: 0 };
  const started = Date.now();

  const tree = await readRepositoryTree(octokit, { owner, repo, ref: input.afterSha ?? input.ref ?? undefined, concurrency: settings.treeConcurrency, maxEntries: settings.maxTreeEntries }).catch((error: unknown) => {
    if (error instanceof RepositoryTreeTooLarge) throw new IngestionError('tree_too_large', `${error.message}: this deployment reads at most ${error.maxEntries} entries per job (INGESTION_MAX_TREE_ENTRIES)`);
    throw error;
  });
  calls.count += tree.requests;
  const blobs = tree.files;

  const detection = await detectConfigFromTree(octokit, owner, repo, blobs, calls);
  if (job.repositoryId) await recordConfig(deps, job, detection, now);
  if (detection.status === 'error') throw new IngestionError('invalid_config', `${detection.configPath}: ${detection.error}`);
  const storeSlug = detection.config?.store ?? input.fallbackStore ?? 'docs';
  const include = detection.config?.include ?? DEFAULT_INCLUDE_GLOBS;
  const { storeId, settings: storeSettings } = await ensureStore(deps, job, storeSlug, now);

  const { matched, skippedLongPaths } = await matchIncludedFiles(blobs, include, { budgetMs: settings.globBudgetMs });
  const tooLarge = matched.filter((file) => file.size !== null && file.size > settings.maxFileBytes);
  // Images and archives under an include such as `docs/**` are known by their extension and never
  // read; a binary file with a text extension is still caught by its content below (and read again
  // on the next reindex, since it is not in the index to compare SHAs with).
  const binaryByName = matched.filter((file) => hasBinaryExtension(file.path));
  const candidates = matched.filter((file) => !(file.size !== null && file.size > settings.maxFileBytes) && !hasBinaryExtension(file.path));

  // Everything appended before now — earlier jobs' batches and this job's own before a crash —
  // must be in the manifest, or unchanged files would be fetched again.
  await deps.checkpoints.waitFor('documents', await store.headPosition(), settings.consistencyTimeoutMs);
  const manifest = await new DocumentQueries(deps.sql).manifest(storeId, input.githubRepoId);
  const plan = planIngestion(candidates, manifest);
  const known = new Map(manifest.map((file) => [file.path, file]));

  const appender = await DocumentBatchAppender.open(store, job.jobId);
  const progress = new ProgressReporter(deps, job, plan.fetch.length + plan.remove.length, now);
  const ref = { storeId, organizationId: job.organizationId, workspaceId: job.workspaceId, repositoryId: job.repositoryId, githubRepoId: input.githubRepoId, repoFullName: input.repoFullName, jobId: job.jobId, commitSha: tree.commitSha };
  const chunking = { chunkMaxTokens: storeSettings.chunkMaxTokens, chunkOverlap: storeSettings.chunkOverlap };
  let skippedBinary = binaryByName.length;

  const fetchBatch = async (files: readonly TreeFile[]): Promise<Array<IndexedDocument | null>> => {
    if (deps.signal.aborted) throw new IngestionInterrupted();
    const texts = await fetchBlobTextsByQuery(octokit, { owner, repo, shas: files.map((file) => file.sha) });
    calls.count += Math.ceil(texts.size / BLOBS_PER_QUERY);
    return files.map((file) => {
      const text = texts.get(file.sha) ?? null;
      // Binary (GitHub says so, or the text holds NUL, which PostgreSQL's text and jsonb cannot store): not documentation.
      if (text === null || text.includes('\u0000')) {
        skippedBinary++;
        return null;
      }
      return toDocument(storeId, input.githubRepoId, file, text, known.get(file.path));
    });
  };

  // The next batch is fetched while the current one is appended.
  const slices = sliced(plan.fetch, settings.batchSize);
  let next = slices.length > 0 ? fetchBatch(slices[0]!) : null;
  for (let i = 0; i < slices.length; i++) {
    const documents = (await next!).filter((d): d is IndexedDocument => d !== null);
    next = i + 1 < slices.length ? fetchBatch(slices[i + 1]!) : null;
    next?.catch(() => undefined); // awaited in the next round; an early exit must not leave it unhandled
    if (await shouldStop(deps, job, now)) return 'cancelled';
    if (documents.length > 0) {
      await appender.record({ indexed: { ...ref, batch: appender.nextBatch, at: now(), chunking, documents }, removed: null });
      ingestionDocumentsTotal.inc({ action: 'indexed' }, documents.length);
    }
    await progress.advance(slices[i]!.length);
  }
  for (const slice of sliced(plan.remove, REMOVAL_BATCH_SIZE)) {
    if (await shouldStop(deps, job, now)) return 'cancelled';
    const documents = slice.map((file: IndexedFile) => ({ documentId: file.documentId, path: file.path, chunkCount: file.chunkCount }));
    await appender.record({ indexed: null, removed: { ...ref, batch: appender.nextBatch, at: now(), documents } });
    ingestionDocumentsTotal.inc({ action: 'removed' }, documents.length);
    await progress.advance(slice.length);
  }
  await progress.flush();
  ingestionGitHubCallsTotal.inc(calls.count);

  return {
    repoFullName: input.repoFullName,
    commitSha: tree.commitSha,
    storeSlug,
    configStatus: detection.status,
    treeFiles: blobs.length,
    treeTruncated: tree.truncated,
    filesMatched: matched.length,
    ...(skippedLongPaths > 0 ? { skippedLongPaths } : {}),
    documentsIndexed: appender.totals.indexed,
    documentsRemoved: appender.totals.removed,
    unchanged: plan.unchanged,
    skippedTooLarge: tooLarge.length,
    skippedBinary,
    githubCalls: calls.count,
    ingestionMs: Date.now() - started,
    ...(input.deliveryId ? { deliveryId: input.deliveryId } : {}),
  };
}

const BINARY_EXTENSIONS = new Set(binaryExtensions);
function hasBinaryExtension(path: string): boolean {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && BINARY_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
}

function toDocument(storeId: string, githubRepoId: string, file: TreeFile, text: string, previous: IndexedFile | undefined): IndexedDocument {
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

/** The config file from the tree already read: its root entries, then one blob fetch. */
async function detectConfigFromTree(octokit: GitHubAppOctokit, owner: string, repo: string, blobs: readonly TreeFile[], calls: { count: number }): Promise<ConfigDetection> {
  const root = blobs.filter((file) => !file.path.includes('/'));
  const path = pickConfigFile(root.map((file) => ({ name: file.path, type: 'file' })));
  if (!path) return UNCONFIGURED;
  const text = await fetchBlobText(octokit, { owner, repo, sha: root.find((file) => file.path === path)!.sha });
  calls.count++;
  return evaluateConfigFile(path, text);
}

async function recordConfig(deps: IngestionDependencies, job: PendingIngestionJob, detection: ConfigDetection, now: () => string): Promise<void> {
  const { status, configPath, config, error } = detection;
  try {
    await handleCommand(
      deps.store,
      repositoryStreamId(job.organizationId, job.input.githubRepoId),
      repositoryDecider,
      { type: 'RecordRepositoryConfig', data: { organizationId: job.organizationId, status, configPath, config: config as Record<string, unknown> | null, error, at: now() } },
      { commandId: `ingestion:${job.jobId}:config`, correlationId: job.jobId },
    );
  } catch (recordError) {
    // A repository that is not (or no longer) this organization's keeps its own config record.
    if (!(recordError instanceof DomainError && recordError.code === 'not_found')) throw recordError;
  }
}

async function ensureStore(deps: IngestionDependencies, job: PendingIngestionJob, slug: string, now: () => string): Promise<{ storeId: string; settings: StoreSettings }> {
  const storeId = storeIdFor(job.workspaceId, slug);
  await handleCommand(
    deps.store,
    storeStreamId(storeId),
    storeDecider,
    { type: 'EnsureStore', data: { organizationId: job.organizationId, workspaceId: job.workspaceId, slug, settings: DEFAULT_STORE_SETTINGS, at: now() } },
    { commandId: `ingestion:${job.jobId}:store`, correlationId: job.jobId },
  );
  const state = (await aggregateStream(deps.store, storeStreamId(storeId), storeDecider)).state;
  if (state.status !== 'created') throw new IngestionError('store_unavailable', `Store ${slug} could not be created`);
  return { storeId, settings: state.store.settings };
}

/**
 * Between batches: a cancelled job stops here; a stopping reactor leaves the job to be resumed. An
 * initial sync whose resource was disconnected from the workspace meanwhile is cancelled, as the
 * original's `cancelOn: repository.disconnected`.
 */
async function shouldStop(deps: IngestionDependencies, job: PendingIngestionJob, now: () => string): Promise<boolean> {
  if (deps.signal.aborted) throw new IngestionInterrupted();
  const state = await readJob(deps.store, job.jobId);
  if (state.status !== 'running') return true;
  const { initialSyncResourceId: resourceId, initialSyncUserId: userId } = job.input;
  if (job.input.source !== 'initial-sync' || typeof resourceId !== 'string' || typeof userId !== 'string') return false;
  const integrations = (await aggregateStream(deps.store, integrationStreamId(userId), integrationDecider)).state;
  if (isConnectedToWorkspace(integrations, job.workspaceId, resourceId)) return false;
  await handleCommand(deps.store, jobStreamId(job.jobId), jobDecider, { type: 'CancelJob', data: { at: now(), reason: 'resource_disconnected' } }, { commandId: `ingestion:${job.jobId}:disconnected`, correlationId: job.jobId });
  return true;
}

async function finishReindex(deps: IngestionDependencies, job: PendingIngestionJob, now: () => string): Promise<void> {
  if (!job.repositoryId) return;
  try {
    await handleCommand(deps.store, repositoryStreamId(job.organizationId, job.input.githubRepoId), repositoryDecider, { type: 'FinishReindex', data: { jobId: job.jobId, at: now() } }, { commandId: `ingestion:${job.jobId}:finish`, correlationId: job.jobId });
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'not_found')) throw error;
  }
}

/**
 * The original's `lastSyncStatus` of a connection: `in_progress` when its initial sync starts, then
 * how it ended. Recorded on the connection owner's integration stream (ids derived from the job,
 * so a resumed job records nothing twice); other jobs have no connection to report to.
 */
async function recordInitialSync(deps: IngestionDependencies, job: PendingIngestionJob, status: 'in_progress' | 'completed' | 'failed' | 'cancelled', error: string | null, now: () => string): Promise<void> {
  const { initialSyncResourceId: resourceId, initialSyncUserId: userId } = job.input;
  if (job.input.source !== 'initial-sync' || typeof resourceId !== 'string' || typeof userId !== 'string') return;
  await handleCommand(
    deps.store,
    integrationStreamId(userId),
    integrationDecider,
    { type: 'RecordWorkspaceSync', data: { userId, resourceId, workspaceId: job.workspaceId, jobId: job.jobId, status, error, at: now() } },
    { commandId: `ingestion:${job.jobId}:sync:${status === 'in_progress' ? 'started' : 'ended'}`, correlationId: job.jobId },
  );
}

class ProgressReporter {
  private processed = 0;
  private reported = -1;
  private lastAt = 0;

  constructor(
    private readonly deps: IngestionDependencies,
    private readonly job: PendingIngestionJob,
    private readonly total: number,
    private readonly now: () => string,
  ) {}

  async advance(count: number): Promise<void> {
    this.processed += count;
    if (Date.now() - this.lastAt >= this.deps.settings.progressIntervalMs) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.processed === this.reported) return;
    this.lastAt = Date.now();
    this.reported = this.processed;
    await handleCommand(
      this.deps.store,
      jobStreamId(this.job.jobId),
      jobDecider,
      { type: 'ReportJobProgress', data: { at: this.now(), processed: this.processed, total: this.total, message: `${this.processed} of ${this.total} changed files` } },
      { commandId: `ingestion:${this.job.jobId}:progress:${this.processed}`, correlationId: this.job.jobId },
    );
  }
}

async function readJob(store: EventStore, jobId: string): Promise<JobState> {
  return (await aggregateStream(store, jobStreamId(jobId), jobDecider)).state;
}

function isRefusedBecauseEnded(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'refused';
}

/** Clocks of two processes may disagree by a little; a start is never recorded before its queueing. */
function notBefore(at: string, earliest: string): string {
  return Date.parse(at) < Date.parse(earliest) ? earliest : at;
}

function sliced<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  return slices;
}
