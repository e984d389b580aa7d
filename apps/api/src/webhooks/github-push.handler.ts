import { EVENT_STORE, LOGGER } from '#runtime';
import type { EventStore } from '#event-store';
import type { Logger } from '#adapters';
import { Inject, Injectable } from '@nestjs/common';
import {
  INGESTION_JOB_KIND,
  changedFilesOfPush,
  ingestionJobName,
  ingestionTrigger,
  jobDecider,
  jobStreamId,
  pushJobIdFor,
  repositoryDecider,
  repositoryStreamId,
  touchesLightfastConfig,
  type ConfigDetection,
  type IngestionJobInput,
} from '#domain';
import { handleCommand } from '#event-store';
import { detectRepositoryConfig, type GitHubAppClients } from '#adapters';
import { GITHUB_APP_CLIENTS } from '../github/github-app.module.js';
import { InstallationBindings } from '../installations/installation-bindings.js';
import { QuotaExceededError, Quotas } from '../quotas/quotas.service.js';
import { deliveryContext, loadRepository, type ConnectedRepository, type DeliveryOutcome, type GitHubDelivery } from './github-delivery.js';
import { commitFilesAt, idAt, optionalIdAt, optionalStringAt, stringAt } from './github-webhook-payload.js';

const SOURCE = 'github-webhook' as const;

/**
 * `push` (original §6.1): a push to the repository's default branch queues one ingestion job per
 * repository and pushed commit (`pushJobIdFor`); the ingestion reactor runs it. A push that changed
 * a root config file first re-detects the config at the pushed commit and records it.
 *
 * Routing trusts nothing in the payload beyond GitHub's signature: the delivery's installation must
 * be owned by an organization (a binding in the log), and only that organization's repository
 * connected through that very installation is acted on. A push for a repository no organization
 * reached through the sending installation changes nothing.
 */
@Injectable()
export class GitHubPushHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(GITHUB_APP_CLIENTS) private readonly github: GitHubAppClients | null,
    private readonly installations: InstallationBindings,
    private readonly quotas: Quotas,
  ) {}

  async handle(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const { payload } = delivery;
    const githubRepoId = idAt(payload, 'repository.id');
    const fullName = stringAt(payload, 'repository.full_name');
    const defaultBranch = stringAt(payload, 'repository.default_branch');
    const ref = stringAt(payload, 'ref');
    const after = stringAt(payload, 'after');
    const before = optionalStringAt(payload, 'before');
    const files = changedFilesOfPush(commitFilesAt(payload));
    if (ref !== `refs/heads/${defaultBranch}`) return { ignored: 'not_default_branch' };
    const installationId = optionalIdAt(payload, 'installation.id');
    if (installationId === null) return { ignored: 'no_installation' };

    const owners = await this.installations.owners(installationId);
    const states = (await Promise.all(owners.map((organizationId) => loadRepository(this.eventStore, organizationId, githubRepoId)))).filter(
      (state): state is ConnectedRepository => state.status !== 'none' && state.githubInstallationId === installationId,
    );
    if (states.length === 0) return { ignored: 'unknown_repository' };
    const active = states.filter((state) => state.status === 'active');
    if (active.length === 0) return { ignored: 'inactive_repository' };
    const targets = active.filter((state) => state.workspaceId !== null);
    if (targets.length === 0) return { ignored: 'no_workspace' };
    if (files.length === 0) return { ignored: 'no_changed_files' };

    const jobs: Array<{ jobId: string; queued: boolean; configStatus: string | null }> = [];
    for (const state of targets) {
      // One organization's full queue skips that organization only: GitHub does not redeliver.
      if (!(await this.withinQueueQuota(delivery, state.organizationId))) continue;
      const config = touchesLightfastConfig(files) ? await this.redetectConfig(delivery, state, fullName, after, installationId) : null;
      const jobId = pushJobIdFor(state.repositoryId, after);
      jobs.push({ jobId, queued: await this.queue(delivery, state, { jobId, installationId, fullName, defaultBranch, after, before, changedFileCount: files.length }), configStatus: config?.status ?? null });
    }
    const [first] = jobs;
    if (!first) return { ignored: 'quota_exceeded' };
    return { handled: { jobId: first.jobId, alreadyQueued: !first.queued, changedFileCount: files.length, configStatus: first.configStatus, ...(jobs.length > 1 ? { jobIds: jobs.map((j) => j.jobId) } : {}) } };
  }

  private async withinQueueQuota(delivery: GitHubDelivery, organizationId: string): Promise<boolean> {
    try {
      await this.quotas.requireQueuedJobQuota(organizationId);
      return true;
    } catch (error) {
      if (!(error instanceof QuotaExceededError)) throw error;
      this.logger.warn({ deliveryId: delivery.deliveryId, organizationId }, 'push not queued: the organization has too many queued ingestion jobs');
      return false;
    }
  }

  /** False when this commit of the repository was queued already (by an earlier delivery of the same push). */
  private async queue(
    delivery: GitHubDelivery,
    state: ConnectedRepository,
    push: { jobId: string; installationId: string; fullName: string; defaultBranch: string; after: string; before: string | null; changedFileCount: number },
  ): Promise<boolean> {
    const context = deliveryContext(delivery, `job:${state.organizationId}`);
    const existing = await this.eventStore.readStream(jobStreamId(push.jobId));
    if (existing.length > 0 && existing[0]!.metadata.commandId !== context.commandId) return false;
    const input: IngestionJobInput = {
      kind: INGESTION_JOB_KIND,
      source: SOURCE,
      repositoryId: state.repositoryId,
      githubRepoId: state.githubRepoId,
      githubInstallationId: push.installationId,
      repoFullName: push.fullName,
      ref: push.defaultBranch,
      afterSha: push.after,
      beforeSha: push.before,
      deliveryId: delivery.deliveryId,
      changedFileCount: push.changedFileCount,
      fallbackStore: null,
    };
    await handleCommand(
      this.eventStore,
      jobStreamId(push.jobId),
      jobDecider,
      {
        type: 'QueueJob',
        data: {
          jobId: push.jobId,
          organizationId: state.organizationId,
          workspaceId: state.workspaceId!,
          repositoryId: state.repositoryId,
          name: ingestionJobName(SOURCE, push.fullName),
          trigger: ingestionTrigger(SOURCE),
          triggeredBy: null,
          input,
          at: delivery.at,
        },
      },
      context,
    );
    return true;
  }

  /**
   * As the original, a failure to read GitHub is logged and does not stop the push: the job is
   * queued all the same, and the ingestion reactor reads the config at the pushed commit itself.
   * Nothing is recorded then, so a later push or detect-config sets the status right.
   */
  private async redetectConfig(delivery: GitHubDelivery, state: ConnectedRepository, fullName: string, after: string, installationId: string): Promise<ConfigDetection | null> {
    if (!this.github) {
      this.logger.warn({ deliveryId: delivery.deliveryId, repositoryId: state.repositoryId }, 'config changed but no GitHub App is configured: not re-detected');
      return null;
    }
    const [owner, repo] = fullName.split('/') as [string, string | undefined];
    if (!repo) return null;
    let detection: ConfigDetection;
    try {
      detection = await detectRepositoryConfig(this.github.forInstallation(installationId), { owner, repo, ref: after });
    } catch (error) {
      this.logger.warn({ err: error, deliveryId: delivery.deliveryId, repositoryId: state.repositoryId }, 'config re-detection after a push failed');
      return null;
    }
    const { status, configPath, config, error } = detection;
    await handleCommand(
      this.eventStore,
      repositoryStreamId(state.organizationId, state.githubRepoId),
      repositoryDecider,
      { type: 'RecordRepositoryConfig', data: { organizationId: state.organizationId, status, configPath, config: config as Record<string, unknown> | null, error, at: delivery.at } },
      deliveryContext(delivery, `config:${state.organizationId}`),
    );
    return detection;
  }
}
