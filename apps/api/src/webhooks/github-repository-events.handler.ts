import { Inject, Injectable } from '@nestjs/common';
import { repositoryDecider, repositoryStreamId, type RepositoryCommand } from '#domain';
import { handleCommand } from '#event-store';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { deliveryContext, loadRepository, type DeliveryOutcome, type GitHubDelivery } from './github-delivery.js';
import { arrayAt, idAt, stringAt } from './github-webhook-payload.js';

/**
 * The repository lifecycle GitHub reports (original §6.1): repositories removed from an
 * installation, an installation deleted, a repository deleted or renamed. Each is decided on the
 * repository's own stream; a repository we never connected is skipped.
 */
@Injectable()
export class GitHubRepositoryEventsHandler {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  /** `installation_repositories` `removed`: the original's `markInactive` per repository. */
  async repositoriesRemoved(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const installationId = idAt(delivery.payload, 'installation.id');
    const githubRepoIds = arrayAt(delivery.payload, 'repositories_removed').map((_, i) => idAt(delivery.payload, `repositories_removed.${i}.id`));
    return this.deactivateAll(delivery, githubRepoIds, installationId, 'installation_repository_removed');
  }

  /**
   * `installation` `deleted`: the original's `markInstallationInactive`. The read model (indexed by
   * installation) names the candidates; each repository's stream decides. A repository connected
   * in the instant before the delivery may not be in the read model yet: it stays active.
   */
  async installationDeleted(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const installationId = idAt(delivery.payload, 'installation.id');
    const rows: { github_repo_id: string }[] = await this.runtime.dataSource.query(
      'SELECT github_repo_id FROM repositories WHERE github_installation_id = $1 AND is_active ORDER BY github_repo_id',
      [installationId],
    );
    return this.deactivateAll(
      delivery,
      rows.map((r) => r.github_repo_id),
      installationId,
      'installation_deleted',
    );
  }

  /** `repository` `deleted`: the original's `markDeleted`. */
  async repositoryDeleted(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    return this.decideOne(delivery, idAt(delivery.payload, 'repository.id'), 'deleted', { type: 'MarkRepositoryDeleted', data: { at: delivery.at } });
  }

  /** `repository` `renamed`: the original's `updateMetadata({fullName})`, merged into the metadata. */
  async repositoryRenamed(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const fullName = stringAt(delivery.payload, 'repository.full_name');
    return this.decideOne(delivery, idAt(delivery.payload, 'repository.id'), 'metadata', { type: 'UpdateRepositoryMetadata', data: { changes: { fullName }, at: delivery.at } });
  }

  private async deactivateAll(delivery: GitHubDelivery, githubRepoIds: readonly string[], installationId: string, reason: string): Promise<DeliveryOutcome> {
    const repositoryIds: string[] = [];
    for (const githubRepoId of githubRepoIds) {
      const state = await loadRepository(this.runtime.store, githubRepoId);
      if (state.status === 'none') continue;
      await handleCommand(
        this.runtime.store,
        repositoryStreamId(githubRepoId),
        repositoryDecider,
        { type: 'DeactivateRepository', data: { reason, githubInstallationId: installationId, at: delivery.at } },
        deliveryContext(delivery, `deactivate:${githubRepoId}`),
      );
      repositoryIds.push(state.repositoryId);
    }
    return repositoryIds.length === 0 ? { ignored: 'unknown_repository' } : { handled: { repositoryIds } };
  }

  private async decideOne(delivery: GitHubDelivery, githubRepoId: string, step: string, command: RepositoryCommand): Promise<DeliveryOutcome> {
    const state = await loadRepository(this.runtime.store, githubRepoId);
    if (state.status === 'none') return { ignored: 'unknown_repository' };
    await handleCommand(this.runtime.store, repositoryStreamId(githubRepoId), repositoryDecider, command, deliveryContext(delivery, step));
    return { handled: { repositoryIds: [state.repositoryId] } };
  }
}
