import type { RecordedEvent } from '../core/event.js';
import { connectionPushJobIdFor, pushJobIdFor } from '../core/ids.js';
import { queueIngestionJob } from '../ingestion/ingestion-job.js';
import { findConnection, type UserIntegrations } from '../integration/integration.decider.js';
import type { QueueJob } from '../job/job.commands.js';
import type { RepositoryState } from '../repository/repository.decider.js';
import { touchesLightfastConfig, type ChangedFile } from './push-changes.js';

/*
 * A `push` (original §6.1) to a repository's default branch queues one ingestion job per repository
 * and pushed commit; a push that changed a root config file first re-detects the config at the
 * pushed commit. A repository connected to workspaces only as a user's integration resource
 * (`ResourceConnectedToWorkspace`, no `repositories` aggregate) gets one job per such workspace.
 * Routing trusts nothing in the payload beyond GitHub's signature: only the repository an
 * organization connected through the sending installation is acted on, and the organization is
 * always the one recorded with that connection, never one the payload names.
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

/** A connection of the pushed repository as the read model names it; step 2b confirms it on its owner's stream. */
export interface ConnectionCandidate {
  /** The resource's owner: their integration stream holds the resource and the connection. */
  readonly userId: string;
  readonly workspaceId: string;
  readonly resourceId: string;
}

/** A workspace the pushed repository reaches through a resource connection: one job per workspace and commit. */
export interface ConnectionPushTarget {
  readonly organizationId: string;
  readonly workspaceId: string;
  readonly resourceId: string;
  readonly userId: string;
  readonly githubRepoId: string;
}

/**
 * Step 2b, given each candidate with its owner's integrations (their stream, no read-model lag):
 * the workspaces to queue a job for. A connection counts only while the resource is this very
 * repository id registered from this very installation, its integration is active and still lists
 * the installation (the owner's GitHub access, as recorded), and the connection is active with
 * `autoSync` on. The organization is the one recorded at connection time. A workspace the
 * repository already reaches through `repositories` (step 2), or through another member's
 * connection, gets no second job.
 */
export function connectionPushTargets(
  push: Push,
  installationId: string,
  candidates: readonly { readonly candidate: ConnectionCandidate; readonly owner: UserIntegrations }[],
  repositoryTargets: readonly PushTarget[],
): ConnectionPushTarget[] {
  const reached = new Set(repositoryTargets.map((target) => target.workspaceId));
  const targets: ConnectionPushTarget[] = [];
  const ordered = [...candidates].sort(
    (a, b) =>
      a.candidate.workspaceId.localeCompare(b.candidate.workspaceId) || a.candidate.resourceId.localeCompare(b.candidate.resourceId),
  );
  for (const { candidate, owner } of ordered) {
    const { workspaceId, resourceId, userId } = candidate;
    if (reached.has(workspaceId)) continue;
    const resource = owner.resources.get(resourceId);
    if (!resource || resource.repoId !== push.githubRepoId || resource.installationId !== installationId) continue;
    const integration = owner.integrations.get(resource.integrationId);
    if (integration?.status !== 'active' || !integration.installations.some((i) => i.id === installationId)) continue;
    const connection = findConnection(owner, workspaceId, resourceId);
    if (connection?.status !== 'active' || !connection.syncConfig.autoSync || connection.organizationId === '') continue;
    reached.add(workspaceId);
    targets.push({ organizationId: connection.organizationId, workspaceId, resourceId, userId, githubRepoId: push.githubRepoId });
  }
  return targets;
}

/**
 * Step 2c: steps 2 and 2b together. When no connection is reached the answer is step 2's (its
 * reason for ignoring the push, or its targets); otherwise a push without changed files is ignored
 * as in step 2.
 */
export function allPushTargets(
  push: Push,
  byRepository: ReturnType<typeof pushTargets>,
  byConnection: readonly ConnectionPushTarget[],
): { readonly ignored: string } | { readonly targets: readonly PushTarget[]; readonly connectionTargets: readonly ConnectionPushTarget[] } {
  if (byConnection.length === 0) return 'ignored' in byRepository ? byRepository : { ...byRepository, connectionTargets: [] };
  if (push.files.length === 0) return { ignored: 'no_changed_files' };
  return { targets: 'targets' in byRepository ? byRepository.targets : [], connectionTargets: byConnection };
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

type Delivery = { readonly deliveryId: string; readonly at: string };

/** What every push job records of the push and its delivery, whichever way it reached the workspace. */
function pushJobInput(push: Push, installationId: string, githubRepoId: string, delivery: Delivery) {
  return {
    source: 'github-webhook' as const,
    githubRepoId,
    githubInstallationId: installationId,
    repoFullName: push.fullName,
    ref: push.defaultBranch,
    afterSha: push.after,
    beforeSha: push.before,
    deliveryId: delivery.deliveryId,
    changedFileCount: push.files.length,
    fallbackStore: null,
  };
}

/** Step 3c, per target: the ingestion job of this repository and pushed commit. */
export function pushJob(push: Push, installationId: string, target: PushTarget, delivery: Delivery): QueueJob {
  return queueIngestionJob({
    jobId: pushJobIdFor(target.repositoryId, push.after),
    organizationId: target.organizationId,
    workspaceId: target.workspaceId,
    triggeredBy: null,
    input: { ...pushJobInput(push, installationId, target.githubRepoId, delivery), repositoryId: target.repositoryId },
    at: delivery.at,
  });
}

/** Step 3c', per connection target: the ingestion job of this workspace, repository and pushed commit. */
export function connectionPushJob(push: Push, installationId: string, target: ConnectionPushTarget, delivery: Delivery): QueueJob {
  return queueIngestionJob({
    jobId: connectionPushJobIdFor(target.workspaceId, target.githubRepoId, push.after),
    organizationId: target.organizationId,
    workspaceId: target.workspaceId,
    triggeredBy: null,
    input: {
      ...pushJobInput(push, installationId, target.githubRepoId, delivery),
      repositoryId: null,
      resourceId: target.resourceId,
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
