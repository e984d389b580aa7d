import { Inject, Injectable } from '@nestjs/common';
import {
  INGESTION_JOB_KIND,
  changedFilesOfPush,
  ingestionJobIdFor,
  ingestionJobName,
  ingestionTrigger,
  jobDecider,
  jobStreamId,
  repositoryDecider,
  repositoryStreamId,
  touchesLightfastConfig,
  type ConfigDetection,
  type IngestionJobInput,
  type RepositoryState,
} from '#domain';
import { handleCommand } from '#event-store';
import { detectRepositoryConfig, type GitHubAppClients } from '#integrations';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { GITHUB_APP_CLIENTS } from '../github/github-app.module.js';
import { deliveryContext, loadRepository, type DeliveryOutcome, type GitHubDelivery } from './github-delivery.js';
import { commitFilesAt, idAt, optionalIdAt, optionalStringAt, stringAt } from './github-webhook-payload.js';

const SOURCE = 'github-webhook' as const;

/**
 * `push` (original §6.1): a push to the repository's default branch queues one ingestion job per
 * delivery (`ingestionJobIdFor(deliveryId)`); the ingestion reactor runs it. A push that changed a
 * root config file first re-detects the config at the pushed commit and records it.
 */
@Injectable()
export class GitHubPushHandler {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(GITHUB_APP_CLIENTS) private readonly github: GitHubAppClients | null,
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

    const state = await loadRepository(this.runtime.store, githubRepoId);
    if (state.status === 'none') return { ignored: 'unknown_repository' };
    if (state.status !== 'active') return { ignored: 'inactive_repository' };
    if (state.workspaceId === null) return { ignored: 'no_workspace' };
    if (files.length === 0) return { ignored: 'no_changed_files' };
    // The installation that sent the push can read the repository; the stream's may be older.
    const installationId = optionalIdAt(payload, 'installation.id') ?? state.githubInstallationId;

    const config = touchesLightfastConfig(files) ? await this.redetectConfig(delivery, state, fullName, after, installationId) : null;

    const jobId = ingestionJobIdFor(delivery.deliveryId);
    const input: IngestionJobInput = {
      kind: INGESTION_JOB_KIND,
      source: SOURCE,
      repositoryId: state.repositoryId,
      githubRepoId,
      githubInstallationId: installationId,
      repoFullName: fullName,
      ref: defaultBranch,
      afterSha: after,
      beforeSha: before,
      deliveryId: delivery.deliveryId,
      changedFileCount: files.length,
      fallbackStore: null,
    };
    await handleCommand(
      this.runtime.store,
      jobStreamId(jobId),
      jobDecider,
      {
        type: 'QueueJob',
        data: {
          jobId,
          organizationId: state.organizationId,
          workspaceId: state.workspaceId,
          repositoryId: state.repositoryId,
          name: ingestionJobName(SOURCE, fullName),
          trigger: ingestionTrigger(SOURCE),
          triggeredBy: null,
          input,
          at: delivery.at,
        },
      },
      deliveryContext(delivery, 'job'),
    );
    return { handled: { jobId, changedFileCount: files.length, configStatus: config?.status ?? null } };
  }

  /**
   * As the original, a failure to read GitHub is logged and does not stop the push: the job is
   * queued all the same, and the ingestion reactor reads the config at the pushed commit itself.
   * Nothing is recorded then, so a later push or detect-config sets the status right.
   */
  private async redetectConfig(delivery: GitHubDelivery, state: Exclude<RepositoryState, { status: 'none' }>, fullName: string, after: string, installationId: string): Promise<ConfigDetection | null> {
    if (!this.github) {
      this.runtime.logger.warn({ deliveryId: delivery.deliveryId, repositoryId: state.repositoryId }, 'config changed but no GitHub App is configured: not re-detected');
      return null;
    }
    const [owner, repo] = fullName.split('/') as [string, string | undefined];
    if (!repo) return null;
    let detection: ConfigDetection;
    try {
      detection = await detectRepositoryConfig(this.github.forInstallation(installationId), { owner, repo, ref: after });
    } catch (error) {
      this.runtime.logger.warn({ err: error, deliveryId: delivery.deliveryId, repositoryId: state.repositoryId }, 'config re-detection after a push failed');
      return null;
    }
    const { status, configPath, config, error } = detection;
    await handleCommand(
      this.runtime.store,
      repositoryStreamId(state.githubRepoId),
      repositoryDecider,
      { type: 'RecordRepositoryConfig', data: { organizationId: state.organizationId, status, configPath, config: config as Record<string, unknown> | null, error, at: delivery.at } },
      deliveryContext(delivery, 'config'),
    );
    return detection;
  }
}
