import binaryExtensions from 'binary-extensions';
import { DomainError } from '../core/domain-error.js';
import { ingestionJobIdFor } from '../core/ids.js';
import type { DocumentsIndexed, DocumentsRemoved, IndexedDocument } from '../document/document.events.js';
import type { EnsureStore } from '../document-store/document-store.commands.js';
import type { StoreState } from '../document-store/document-store.decider.js';
import { DEFAULT_STORE_SETTINGS, storeIdFor, type StoreSettings } from '../document-store/document-store.events.js';
import type { RecordWorkspaceSync } from '../integration/integration.commands.js';
import { isConnectedToWorkspace, type UserIntegrations } from '../integration/integration.decider.js';
import type { CancelJob, CompleteJob, FailJob, QueueJob, ReportJobProgress, StartJob } from '../job/job.commands.js';
import type { JobState } from '../job/job.decider.js';
import type { ConfigDetection } from '../repository/lightfast-config.js';
import { recordRepositoryConfig, type FinishReindex, type RecordRepositoryConfig } from '../repository/repository.commands.js';
import { IngestionError } from './ingestion-error.js';
import { DEFAULT_INCLUDE_GLOBS, queueIngestionJob, type IngestionJobInput } from './ingestion-job.js';
import type { IndexedFile, TreeFile } from './ingestion-plan.js';
import type { RecordDocumentBatch } from './ingestion.commands.js';

/*
 * An ingestion job runs over five streams, in this order: the job starts (`job-<id>`); an initial
 * sync records itself in progress on its connection (`integrations-<user>`); the config read from
 * the tree's root is recorded on the repository; the store is ensured; document batches go to
 * `ingestion-<id>`, with `JobProgressed` between them and a look at the job (cancelled?) and the
 * connection (disconnected?) before each; then the job ends (`JobCompleted`, `JobFailed` or
 * `JobCancelled`), the repository's reindex is finished and the initial sync's end recorded.
 * Every command id derives from the job id, so a job resumed after a crash replays what it appended
 * and continues after its last batch (whose files the documents read model then shows unchanged).
 * These are its pure steps; apps/projector/src/reactors/ingestion/ingestion-job.runner.ts reads
 * GitHub and the streams and appends.
 */

/** The job as the reactor's queue holds it: everything needed to run it, or resume it, from its own stream. */
export interface IngestionJob {
  readonly jobId: string;
  readonly organizationId: string;
  readonly workspaceId: string;
  readonly repositoryId: string | null;
  readonly input: IngestionJobInput;
}

export type IngestionOutcome = 'completed' | 'failed' | 'cancelled' | 'skipped';

/** One command id per step and stream; progress and batches are numbered, so each is appended once. */
export const ingestionCommandIds = (jobId: string) => {
  const step = (name: string) => `ingestion:${jobId}:${name}`;
  return {
    start: step('start'),
    config: step('config'),
    store: step('store'),
    disconnected: step('disconnected'),
    complete: step('complete'),
    fail: step('fail'),
    finish: step('finish'),
    syncStarted: step('sync:started'),
    syncEnded: step('sync:ended'),
    progress: (processed: number) => step(`progress:${processed}`),
    batch: (batch: number) => step(`batch:${batch}`),
  } as const;
};

/** A connection's initial sync, as the resource connection asked for it (read from the queue). */
export interface InitialSync {
  readonly requestId: string;
  readonly resourceId: string;
  readonly organizationId: string;
  readonly workspaceId: string;
  readonly installationId: string;
  readonly repoId: string;
  readonly repoFullName: string;
  readonly defaultBranch: string;
  readonly connectedBy: string;
}

export const initialSyncCommandId = (requestId: string) => `initial-sync:${requestId}`;

/**
 * Step 0, for a connection's initial sync: its job (the original's `repository-initial-sync`,
 * except that the first sync indexes every matched file), its id derived from the request.
 */
export function initialSyncJob(request: InitialSync, repositoryId: string | null, at: string): QueueJob {
  return queueIngestionJob({
    jobId: ingestionJobIdFor(initialSyncCommandId(request.requestId)),
    organizationId: request.organizationId,
    workspaceId: request.workspaceId,
    triggeredBy: request.connectedBy,
    input: {
      source: 'initial-sync',
      repositoryId,
      githubRepoId: request.repoId,
      githubInstallationId: request.installationId,
      repoFullName: request.repoFullName,
      ref: request.defaultBranch,
      afterSha: null,
      deliveryId: `initial-sync-${request.resourceId}`,
      changedFileCount: null,
      fallbackStore: null,
      initialSyncResourceId: request.resourceId,
      // The connection lives on its owner's integration stream: the sync's steps are recorded there.
      initialSyncUserId: request.connectedBy,
    },
    at,
  });
}

/**
 * Step 1, given the job's stream: start a queued job, resume a running one (a crashed reactor
 * left it), skip one that ended or does not exist. Clocks of two processes may disagree by a
 * little, so a start is never recorded before its queueing.
 */
export function startJob(job: JobState, at: string): StartJob | 'resume' | 'skip' {
  if (job.status === 'queued') return { type: 'StartJob', data: { at: Date.parse(at) < Date.parse(job.queuedAt) ? job.queuedAt : at } };
  return job.status === 'running' ? 'resume' : 'skip';
}

/** The connection an initial sync reports to; other jobs have none. */
export function initialSyncOf(job: IngestionJob): { readonly userId: string; readonly resourceId: string } | null {
  const { source, initialSyncResourceId: resourceId, initialSyncUserId: userId } = job.input;
  if (source !== 'initial-sync' || typeof resourceId !== 'string' || typeof userId !== 'string') return null;
  return { userId, resourceId };
}

/**
 * Steps 1 and 7: the original's `lastSyncStatus` of the connection, `in_progress` when its initial
 * sync starts, then how it ended (with the failure's message).
 */
export function recordInitialSync(
  job: IngestionJob,
  status: RecordWorkspaceSync['data']['status'],
  error: string | null,
  at: string,
): RecordWorkspaceSync | null {
  const sync = initialSyncOf(job);
  if (!sync) return null;
  return { type: 'RecordWorkspaceSync', data: { ...sync, workspaceId: job.workspaceId, jobId: job.jobId, status, error, at } };
}

/** Step 2: the repository to read, at the pushed commit or the head of the branch. */
export function repositoryToRead(input: IngestionJobInput): {
  readonly owner: string;
  readonly repo: string;
  readonly ref: string | undefined;
} {
  const [owner, repo] = input.repoFullName.split('/');
  if (!owner || !repo) throw new IngestionError('invalid_repository', `Repository name "${input.repoFullName}" is not owner/name`);
  return { owner, repo, ref: input.afterSha ?? input.ref ?? undefined };
}

/** Step 3a, given the config found at the tree's root: recorded on the repository, when the job has one. */
export function recordConfig(job: IngestionJob, detection: ConfigDetection, at: string): RecordRepositoryConfig | null {
  return job.repositoryId ? recordRepositoryConfig(job.organizationId, detection, at) : null;
}

/** Step 3b: the store and globs the config names (a broken config fails the job once recorded). */
export function ingestionTarget(
  job: IngestionJob,
  detection: ConfigDetection,
): { readonly storeSlug: string; readonly include: readonly string[] } {
  if (detection.status === 'error') throw new IngestionError('invalid_config', `${detection.configPath}: ${detection.error}`);
  return {
    storeSlug: detection.config?.store ?? job.input.fallbackStore ?? 'docs',
    include: detection.config?.include ?? DEFAULT_INCLUDE_GLOBS,
  };
}

/** Step 3c: the store, created with the default settings if the workspace has none of that slug. */
export function ensureStore(job: IngestionJob, slug: string, at: string): { readonly storeId: string; readonly command: EnsureStore } {
  return {
    storeId: storeIdFor(job.workspaceId, slug),
    command: {
      type: 'EnsureStore',
      data: { organizationId: job.organizationId, workspaceId: job.workspaceId, slug, settings: DEFAULT_STORE_SETTINGS, at },
    },
  };
}

/** Step 3d, given the store's stream after step 3c: the settings its documents are chunked with. */
export function storeSettingsOf(store: StoreState, slug: string): StoreSettings {
  if (store.status !== 'created') throw new IngestionError('store_unavailable', `Store ${slug} could not be created`);
  return store.store.settings;
}

const BINARY_EXTENSIONS = new Set(binaryExtensions);
const hasBinaryExtension = (path: string) => {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && BINARY_EXTENSIONS.has(path.slice(dot + 1).toLowerCase());
};

/**
 * Step 4, given the files the include globs matched: those worth reading. Images and archives under
 * an include such as `docs/**` are known by their extension and never read; a binary file with a
 * text extension is caught by its content in step 5 (and read again on the next reindex, since it
 * is not in the index to compare SHAs with). Larger files are skipped: events hold content.
 */
export function filesToRead<T extends TreeFile & { readonly size: number | null }>(
  matched: readonly T[],
  maxFileBytes: number,
): { readonly candidates: T[]; readonly skippedTooLarge: number; readonly skippedBinary: number } {
  const tooLarge = (file: T) => file.size !== null && file.size > maxFileBytes;
  return {
    candidates: matched.filter((file) => !tooLarge(file) && !hasBinaryExtension(file.path)),
    skippedTooLarge: matched.filter(tooLarge).length,
    skippedBinary: matched.filter((file) => hasBinaryExtension(file.path)).length,
  };
}

/** Removals carry no content: larger batches than the indexed ones. */
export const REMOVAL_BATCH_SIZE = 500;

export function inBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/**
 * Step 5, per fetched blob: GitHub says it is binary (null), or its text holds NUL, which
 * PostgreSQL's text and jsonb cannot store: not documentation.
 */
export const isDocumentText = (text: string | null): text is string => text !== null && !text.includes('\u0000');

export type DocumentBatchRef = Omit<DocumentsRemoved['data'], 'batch' | 'at' | 'documents'>;

export const documentBatchRef = (job: IngestionJob, storeId: string, commitSha: string): DocumentBatchRef => ({
  storeId,
  organizationId: job.organizationId,
  workspaceId: job.workspaceId,
  repositoryId: job.repositoryId,
  githubRepoId: job.input.githubRepoId,
  repoFullName: job.input.repoFullName,
  jobId: job.jobId,
  commitSha,
});

/** Step 5a: a batch of changed files read, numbered after the batches the job recorded already. */
export const indexedBatch = (
  ref: DocumentBatchRef,
  batch: number,
  at: string,
  chunking: DocumentsIndexed['data']['chunking'],
  documents: readonly IndexedDocument[],
): RecordDocumentBatch['data'] => ({
  indexed: { ...ref, batch, at, chunking, documents },
  removed: null,
});

/** Step 5b: a batch of indexed files no longer matched or no longer in the tree. */
export const removedBatch = (
  ref: DocumentBatchRef,
  batch: number,
  at: string,
  files: readonly IndexedFile[],
): RecordDocumentBatch['data'] => ({
  indexed: null,
  removed: {
    ...ref,
    batch,
    at,
    documents: files.map((file) => ({ documentId: file.documentId, path: file.path, chunkCount: file.chunkCount })),
  },
});

export const reportProgress = (processed: number, total: number, at: string): ReportJobProgress => ({
  type: 'ReportJobProgress',
  data: { at, processed, total, message: `${processed} of ${total} changed files` },
});

/** Step 6a, before each batch, given the job's stream: a job no longer running (cancelled) stops. */
export const stopsBeforeBatch = (job: JobState): boolean => job.status !== 'running';

/**
 * Step 6b, before each batch of an initial sync, given its connection owner's stream: a resource
 * disconnected from the workspace meanwhile cancels the sync (the original's
 * `cancelOn: repository.disconnected`).
 */
export function cancelDisconnectedSync(job: IngestionJob, integrations: UserIntegrations, at: string): CancelJob | null {
  const sync = initialSyncOf(job);
  if (!sync || isConnectedToWorkspace(integrations, job.workspaceId, sync.resourceId)) return null;
  return { type: 'CancelJob', data: { at, reason: 'resource_disconnected' } };
}

/** What the job observed, for its `JobCompleted` output. */
export interface IngestionReport {
  readonly commitSha: string;
  readonly storeSlug: string;
  readonly configStatus: ConfigDetection['status'];
  readonly treeFiles: number;
  readonly treeTruncated: boolean;
  readonly filesMatched: number;
  readonly skippedLongPaths: number;
  readonly documentsIndexed: number;
  readonly documentsRemoved: number;
  readonly unchanged: number;
  readonly skippedTooLarge: number;
  readonly skippedBinary: number;
  readonly githubCalls: number;
  readonly ingestionMs: number;
}

/** Step 7a: the job completed, its output naming what it read and wrote. */
export function completeJob(job: IngestionJob, report: IngestionReport, at: string): CompleteJob {
  const { skippedLongPaths, ...counts } = report;
  const output = {
    repoFullName: job.input.repoFullName,
    ...counts,
    // Written only when they say something, as the job list has always shown them.
    ...(skippedLongPaths > 0 ? { skippedLongPaths } : {}),
    ...(job.input.deliveryId ? { deliveryId: job.input.deliveryId } : {}),
  };
  return { type: 'CompleteJob', data: { at, output } };
}

/** Step 7b: the job failed with the failure's message and code. */
export const failJob = (error: { readonly message: string; readonly code: string | null }, at: string): FailJob => ({
  type: 'FailJob',
  data: { at, error },
});

/**
 * A job command refused as `refused` means the job ended meanwhile (cancelled while it ran, or
 * while it was failing): the cancellation stands, and the job's outcome is `cancelled`.
 */
export const endedMeanwhile = (refusal: unknown): boolean => refusal instanceof DomainError && refusal.code === 'refused';

/** Step 7c: the repository's reindex ends with its job, whatever the outcome. */
export function finishReindex(job: IngestionJob, at: string): FinishReindex | null {
  return job.repositoryId ? { type: 'FinishReindex', data: { jobId: job.jobId, at } } : null;
}

/**
 * A repository (or config record) that is not, or no longer, this organization's is left as it
 * is: its stream answers `not_found`, which steps 3a and 7c ignore.
 */
export const notThisOrganizations = (refusal: unknown): boolean => refusal instanceof DomainError && refusal.code === 'not_found';
