import { DomainError } from '../core/domain-error.js';
import { queueIngestionJob } from '../ingestion/ingestion-job.js';
import type { CancelJob, QueueJob } from '../job/job.commands.js';
import type { RequestReindex } from './repository.commands.js';
import { repositoryDecider, type RepositoryState } from './repository.decider.js';

/*
 * A reindex touches two streams, in this order: the job is queued on its own stream (its id derived
 * from the request's command id), then the repository records it as its active job. A crash in
 * between leaves a queued job the repository does not hold yet; the client's retry (same
 * Idempotency-Key) derives the same job id, replays the job's append and completes the repository's.
 * If the repository refuses because another reindex won the race, the job just queued is cancelled.
 * These are its pure steps; apps/api/src/repositories/request-reindex.handler.ts reads and appends.
 */

/** Each stream of one reindex gets its own command id, derived from the request's. */
export const reindexCommandIds = (commandId: string) =>
  ({ job: `${commandId}:job`, repository: `${commandId}:repository`, cancel: `${commandId}:cancel` }) as const;

export type ReindexRequest = RequestReindex['data'];

export const requestReindex = (request: ReindexRequest): RequestReindex => ({ type: 'RequestReindex', data: request });

/**
 * Step 1, given the repository's stream: the job to queue. The repository's refusal (not active, no
 * workspace, a reindex in progress, another organization's) is thrown here, before anything is queued.
 */
export function reindexJob(repository: RepositoryState, request: ReindexRequest): QueueJob {
  repositoryDecider.decide(requestReindex(request), repository);
  // The decider refused both already, except for a retry of this very request.
  if (repository.status === 'none') throw new DomainError('not_found', 'Repository not found');
  if (repository.workspaceId === null) throw new DomainError('refused', 'Repository has no workspace');
  const { metadata } = repository;
  const repoFullName = typeof metadata.fullName === 'string' ? metadata.fullName : repository.githubRepoId;
  return queueIngestionJob({
    jobId: request.jobId,
    organizationId: request.organizationId,
    workspaceId: repository.workspaceId,
    triggeredBy: request.requestedBy,
    input: {
      source: 'manual',
      repositoryId: repository.repositoryId,
      githubRepoId: repository.githubRepoId,
      githubInstallationId: repository.githubInstallationId,
      repoFullName,
      ref: typeof metadata.defaultBranch === 'string' ? metadata.defaultBranch : null,
      afterSha: null,
      deliveryId: null,
      changedFileCount: null,
      fallbackStore: null,
    },
    at: request.at,
  });
}

// Step 2 is `requestReindex` on the repository's stream, with the active job's status read again.

/**
 * Step 3, when the repository refused step 2: a conflict means another reindex won the race after
 * step 1, so the job queued for this one is cancelled. Any other refusal leaves it as it is.
 */
export function compensateRefusedReindex(refusal: unknown, at: string): CancelJob | null {
  if (!(refusal instanceof DomainError && refusal.code === 'conflict')) return null;
  return { type: 'CancelJob', data: { at, reason: 'reindex_conflict' } };
}
