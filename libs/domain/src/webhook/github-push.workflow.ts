import type { RecordedEvent } from '../core/event.js';
import { pushJobIdFor } from '../core/ids.js';
import { queueIngestionJob } from '../ingestion/ingestion-job.js';
import type { QueueJob } from '../job/job.commands.js';
import type { RepositoryState } from '../repository/repository.decider.js';
import { touchesLightfastConfig, type ChangedFile } from './push-changes.js';

/*
 * A `push` (original §6.1) to a repository's default branch queues one ingestion job per repository
 * and pushed commit; a push that changed a root config file first re-detects the config at the
 * pushed commit. Routing trusts nothing in the payload beyond GitHub's signature: only the
 * repository an organization connected through the sending installation is acted on.
 * These are its pure steps; apps/api/src/webhooks/github-push.handler.ts reads and appends.
 */

/** What a push delivery says, read from its (verified) payload. */
export interface Push {
  readonly githubRepoId: string;
  readonly fullName: string;
  readonly defaultBranch: string;
  readonly ref: string;
  readonly after: string;
  readonly before: string | null;
  readonly files: readonly ChangedFile[];
  readonly installationId: string | null;
}

type ConnectedRepository = Exclude<RepositoryState, { status: 'none' }>;
export type PushTarget = ConnectedRepository & { readonly status: 'active'; readonly workspaceId: string };

export type PushRouting = { readonly ignored: string } | { readonly installationId: string };

/** Step 1, before any stream is read: only a push to the default branch, through an installation, is routed. */
export function routePush(push: Push): PushRouting {
  if (push.ref !== `refs/heads/${push.defaultBranch}`) return { ignored: 'not_default_branch' };
  if (push.installationId === null) return { ignored: 'no_installation' };
  return { installationId: push.installationId };
}

/**
 * Step 2, given the repository stream of each organization that owns the installation: the
 * repositories to queue a job for, or why there are none (the first reason that applies to all).
 */
export function pushTargets(
  push: Push,
  installationId: string,
  repositories: readonly RepositoryState[],
): { readonly ignored: string } | { readonly targets: readonly PushTarget[] } {
  const reached = repositories.filter(
    (state): state is ConnectedRepository => state.status !== 'none' && state.githubInstallationId === installationId,
  );
  if (reached.length === 0) return { ignored: 'unknown_repository' };
  const active = reached.filter((state) => state.status === 'active');
  if (active.length === 0) return { ignored: 'inactive_repository' };
  const targets = active.filter((state): state is PushTarget => state.status === 'active' && state.workspaceId !== null);
  if (targets.length === 0) return { ignored: 'no_workspace' };
  if (push.files.length === 0) return { ignored: 'no_changed_files' };
  return { targets };
}

/** Step 3a, per target: whether the config is detected again (at the pushed commit) and recorded first. */
export const pushRedetectsConfig = (push: Push): boolean => touchesLightfastConfig(push.files);

/**
 * Step 3b, given the job's stream: a job appended by another delivery of the same push (same
 * repository and commit) means this one is queued already; one appended by this very command is
 * a replay and is sent again.
 */
export const queuedByAnotherDelivery = (jobHistory: readonly RecordedEvent[], commandId: string): boolean =>
  jobHistory.length > 0 && jobHistory[0]!.metadata.commandId !== commandId;

/** Step 3c, per target: the ingestion job of this repository and pushed commit. */
export function pushJob(
  push: Push,
  installationId: string,
  target: PushTarget,
  delivery: { readonly deliveryId: string; readonly at: string },
): QueueJob {
  return queueIngestionJob({
    jobId: pushJobIdFor(target.repositoryId, push.after),
    organizationId: target.organizationId,
    workspaceId: target.workspaceId,
    triggeredBy: null,
    input: {
      source: 'github-webhook',
      repositoryId: target.repositoryId,
      githubRepoId: target.githubRepoId,
      githubInstallationId: installationId,
      repoFullName: push.fullName,
      ref: push.defaultBranch,
      afterSha: push.after,
      beforeSha: push.before,
      deliveryId: delivery.deliveryId,
      changedFileCount: push.files.length,
      fallbackStore: null,
    },
    at: delivery.at,
  });
}

export interface QueuedPushJob {
  readonly jobId: string;
  readonly queued: boolean;
  readonly configStatus: string | null;
}

/** Step 4: the delivery's answer, naming the first organization's job (and all of them when several). */
export function pushOutcome(
  push: Push,
  jobs: readonly QueuedPushJob[],
): { readonly ignored: string } | { readonly handled: Readonly<Record<string, unknown>> } {
  const [first] = jobs;
  // Every organization's queue was full: GitHub does not redeliver, so the push is dropped.
  if (!first) return { ignored: 'quota_exceeded' };
  return {
    handled: {
      jobId: first.jobId,
      alreadyQueued: !first.queued,
      changedFileCount: push.files.length,
      configStatus: first.configStatus,
      ...(jobs.length > 1 ? { jobIds: jobs.map((j) => j.jobId) } : {}),
    },
  };
}
