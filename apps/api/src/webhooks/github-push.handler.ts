import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  allPushTargets,
  changedFilesOfPush,
  connectionPushJob,
  connectionPushTargets,
  integrationDecider,
  integrationStreamId,
  jobDecider,
  jobStreamId,
  pushJob,
  pushOutcome,
  pushRedetectsConfig,
  pushTargets,
  queuedByAnotherDelivery,
  recordRepositoryConfig,
  repositoryDecider,
  repositoryStreamId,
  routePush,
  type ConfigDetection,
  type ConnectionCandidate,
  type Push,
  type PushTarget,
  type QueueJob,
  type QueuedPushJob,
} from '#domain';
import { aggregateStream, handleCommand, readTypedStream, type EventStore } from '#event-store';
import { IntegrationQueries } from '#read-models';
import { detectRepositoryConfig, type GitHubAppClients, type Logger } from '#adapters';
import { EVENT_STORE, LOGGER } from '#runtime';
import { GITHUB_APP_CLIENTS } from '../github/github-app.module.js';
import { InstallationBindings } from '../installations/installation-bindings.js';
import { QuotaExceededError, Quotas } from '../quotas/quotas.service.js';
import {
  actOnce,
  deliveryContext,
  GitHubDeliveryCommand,
  loadRepository,
  type DeliveryOutcome,
  type GitHubDelivery,
  type GitHubWebhookAnswer,
} from './github-delivery.js';
import { commitFilesAt, idAt, optionalIdAt, optionalStringAt, stringAt, type Payload } from './github-webhook-payload.js';

/** `push`. */
export class IngestGitHubPushCommand extends GitHubDeliveryCommand {}

/**
 * The push workflow (libs/domain: github-push.workflow.ts) with its reads and appends: the owning
 * organizations come from the installation's bindings, each one's repository from its own stream,
 * and each target gets its config re-detected (when the push touched it) and its ingestion job.
 * Workspaces the repository is connected to as a user's integration resource are found on the
 * `integrations` read model by repository and installation id, each confirmed on its owner's
 * stream, and get a job each (no config to record: they have no `repositories` aggregate).
 */
@CommandHandler(IngestGitHubPushCommand)
export class IngestGitHubPushHandler implements ICommandHandler<IngestGitHubPushCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(GITHUB_APP_CLIENTS) private readonly github: GitHubAppClients | null,
    private readonly installations: InstallationBindings,
    private readonly quotas: Quotas,
    private readonly integrationRows: IntegrationQueries,
  ) {}

  execute({ delivery }: IngestGitHubPushCommand): Promise<GitHubWebhookAnswer> {
    return actOnce(this.eventStore, delivery, () => this.ingest(delivery));
  }

  private async ingest(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const push = pushOf(delivery.payload);
    const routing = routePush(push);
    if ('ignored' in routing) return routing;
    const { installationId } = routing;
    const owners = await this.installations.owners(installationId);
    const byRepository = pushTargets(
      push,
      installationId,
      await Promise.all(owners.map((organizationId) => loadRepository(this.eventStore, organizationId, push.githubRepoId))),
    );
    const byConnection = connectionPushTargets(
      push,
      installationId,
      await this.connectionCandidates(push.githubRepoId, installationId),
      'targets' in byRepository ? byRepository.targets : [],
    );
    const routed = allPushTargets(push, byRepository, byConnection);
    if ('ignored' in routed) return routed;

    const jobs: QueuedPushJob[] = [];
    for (const target of routed.targets) {
      // One organization's full queue skips that organization only: GitHub does not redeliver.
      if (!(await this.withinQueueQuota(delivery, target.organizationId))) continue;
      const config = pushRedetectsConfig(push) ? await this.redetectConfig(delivery, push, installationId, target) : null;
      const job = pushJob(push, installationId, target, delivery);
      const step = `job:${target.organizationId}`;
      jobs.push({ jobId: job.data.jobId, queued: await this.queue(delivery, step, job), configStatus: config?.status ?? null });
    }
    for (const target of routed.connectionTargets) {
      if (!(await this.withinQueueQuota(delivery, target.organizationId))) continue;
      const job = connectionPushJob(push, installationId, target, delivery);
      // One command per job stream: an organization may have several workspaces connected.
      const step = `job:${target.organizationId}:${target.workspaceId}`;
      jobs.push({ jobId: job.data.jobId, queued: await this.queue(delivery, step, job), configStatus: null });
    }
    return pushOutcome(push, jobs);
  }

  /**
   * The read model names the connections (the integration streams are per user); each owner's
   * stream is read to confirm them. A connection made a moment ago may not be projected yet: its
   * initial sync reads the branch's head anyway.
   */
  private async connectionCandidates(githubRepoId: string, installationId: string) {
    const candidates: ConnectionCandidate[] = await this.integrationRows.connectionsOfRepository(githubRepoId, installationId);
    const owners = new Map(
      await Promise.all(
        [...new Set(candidates.map((c) => c.userId))].map(
          async (userId) =>
            [userId, (await aggregateStream(this.eventStore, integrationStreamId(userId), integrationDecider)).state] as const,
        ),
      ),
    );
    return candidates.map((candidate) => ({ candidate, owner: owners.get(candidate.userId)! }));
  }

  private async withinQueueQuota(delivery: GitHubDelivery, organizationId: string): Promise<boolean> {
    try {
      await this.quotas.requireQueuedJobQuota(organizationId);
      return true;
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error;
      this.logger.warn(
        { deliveryId: delivery.deliveryId, organizationId },
        'push not queued: the organization has too many queued ingestion jobs',
      );
      return false;
    }
  }

  /** False when this commit of the repository was queued already (by an earlier delivery of the same push). */
  private async queue(delivery: GitHubDelivery, step: string, job: QueueJob): Promise<boolean> {
    const context = deliveryContext(delivery, step);
    if (queuedByAnotherDelivery(await readTypedStream(this.eventStore, jobStreamId(job.data.jobId)), context.commandId)) return false;
    await handleCommand(this.eventStore, jobStreamId(job.data.jobId), jobDecider, job, context);
    return true;
  }

  /**
   * As the original, a failure to read GitHub is logged and does not stop the push: the job is
   * queued all the same, and the ingestion reactor reads the config at the pushed commit itself.
   * Nothing is recorded then, so a later push or detect-config sets the status right.
   */
  private async redetectConfig(
    delivery: GitHubDelivery,
    push: Push,
    installationId: string,
    target: PushTarget,
  ): Promise<ConfigDetection | null> {
    if (!this.github) {
      this.logger.warn(
        { deliveryId: delivery.deliveryId, repositoryId: target.repositoryId },
        'config changed but no GitHub App is configured: not re-detected',
      );
      return null;
    }
    const [owner, repo] = push.fullName.split('/') as [string, string | undefined];
    if (!repo) return null;
    let detection: ConfigDetection;
    try {
      detection = await detectRepositoryConfig(this.github.forInstallation(installationId), { owner, repo, ref: push.after });
    } catch (error) {
      this.logger.warn(
        { err: error, deliveryId: delivery.deliveryId, repositoryId: target.repositoryId },
        'config re-detection after a push failed',
      );
      return null;
    }
    await handleCommand(
      this.eventStore,
      repositoryStreamId(target.organizationId, target.githubRepoId),
      repositoryDecider,
      recordRepositoryConfig(target.organizationId, detection, delivery.at),
      deliveryContext(delivery, `config:${target.organizationId}`),
    );
    return detection;
  }
}

/** A missing or malformed field is a 400 naming it (github-webhook-payload.ts), read before anything else. */
function pushOf(payload: Payload): Push {
  const githubRepoId = idAt(payload, 'repository.id');
  const fullName = stringAt(payload, 'repository.full_name');
  const defaultBranch = stringAt(payload, 'repository.default_branch');
  const ref = stringAt(payload, 'ref');
  const after = stringAt(payload, 'after');
  const before = optionalStringAt(payload, 'before');
  const files = changedFilesOfPush(commitFilesAt(payload));
  // Another branch's push is ignored whatever its installation field holds, so that field is read (and refused when malformed) only for the default branch.
  const installationId = ref === `refs/heads/${defaultBranch}` ? optionalIdAt(payload, 'installation.id') : null;
  return { githubRepoId, fullName, defaultBranch, ref, after, before, files, installationId };
}
