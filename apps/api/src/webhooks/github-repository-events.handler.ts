import { READ_DATABASE, EVENT_STORE } from '#runtime';
import type { DataSource } from 'typeorm';
import type { EventStore } from '#event-store';
import { Inject, Injectable } from '@nestjs/common';
import { repositoryDecider, repositoryStreamId, type RepositoryCommand } from '#domain';
import { handleCommand } from '#event-store';
import { InstallationBindings } from '../installations/installation-bindings.js';
import { deliveryContext, loadRepository, type DeliveryOutcome, type GitHubDelivery } from './github-delivery.js';
import { arrayAt, idAt, optionalIdAt, stringAt } from './github-webhook-payload.js';

/**
 * The repository lifecycle GitHub reports (original §6.1): repositories removed from an
 * installation, an installation deleted, a repository deleted or renamed. A delivery concerns only
 * the organizations that own its installation, and in each only the repository connected through
 * that installation; each is decided on the organization's own repository stream.
 */
@Injectable()
export class GitHubRepositoryEventsHandler {
  constructor(
    @Inject(READ_DATABASE) private readonly database: DataSource,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly installations: InstallationBindings,
  ) {}

  /** `installation_repositories` `removed`: the original's `markInactive` per repository. */
  async repositoriesRemoved(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const installationId = idAt(delivery.payload, 'installation.id');
    const githubRepoIds = arrayAt(delivery.payload, 'repositories_removed').map((_, i) => idAt(delivery.payload, `repositories_removed.${i}.id`));
    const repositoryIds: string[] = [];
    for (const organizationId of await this.installations.owners(installationId)) {
      repositoryIds.push(...(await this.deactivateAll(delivery, organizationId, githubRepoIds, installationId, 'installation_repository_removed')));
    }
    return repositoryIds.length === 0 ? { ignored: 'unknown_repository' } : { handled: { repositoryIds } };
  }

  /**
   * `installation` `deleted`: the original's `markInstallationInactive`, and every organization
   * that owned the installation no longer does. The read model (indexed by installation) names the
   * candidate repositories; each repository's stream decides. A repository connected in the
   * instant before the delivery may not be in the read model yet: it stays active, but its
   * installation is no longer bound, so nothing reaches it through that installation again.
   */
  async installationDeleted(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const installationId = idAt(delivery.payload, 'installation.id');
    const owners = await this.installations.owners(installationId);
    const repositoryIds: string[] = [];
    for (const organizationId of owners) {
      const rows: { github_repo_id: string }[] = await this.database.query(
        'SELECT github_repo_id FROM repositories WHERE organization_id = $1 AND github_installation_id = $2 AND is_active ORDER BY github_repo_id',
        [organizationId, installationId],
      );
      repositoryIds.push(...(await this.deactivateAll(delivery, organizationId, rows.map((r) => r.github_repo_id), installationId, 'installation_deleted')));
      await this.installations.send(
        organizationId,
        { type: 'UnbindGitHubInstallation', data: { organizationId, installationId, reason: 'installation_deleted', at: delivery.at } },
        deliveryContext(delivery, `unbind:${organizationId}`),
      );
    }
    return owners.length === 0 ? { ignored: 'installation_not_bound' } : { handled: { repositoryIds, organizationCount: owners.length } };
  }

  /** `repository` `deleted`: the original's `markDeleted`. */
  async repositoryDeleted(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    return this.decideEach(delivery, 'deleted', { type: 'MarkRepositoryDeleted', data: { at: delivery.at } });
  }

  /** `repository` `renamed`: the original's `updateMetadata({fullName})`, merged into the metadata. */
  async repositoryRenamed(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const fullName = stringAt(delivery.payload, 'repository.full_name');
    return this.decideEach(delivery, 'metadata', { type: 'UpdateRepositoryMetadata', data: { changes: { fullName }, at: delivery.at } });
  }

  private async deactivateAll(delivery: GitHubDelivery, organizationId: string, githubRepoIds: readonly string[], installationId: string, reason: string): Promise<string[]> {
    const repositoryIds: string[] = [];
    for (const githubRepoId of githubRepoIds) {
      const state = await loadRepository(this.eventStore, organizationId, githubRepoId);
      if (state.status === 'none') continue;
      await handleCommand(
        this.eventStore,
        repositoryStreamId(organizationId, githubRepoId),
        repositoryDecider,
        { type: 'DeactivateRepository', data: { reason, githubInstallationId: installationId, at: delivery.at } },
        deliveryContext(delivery, `deactivate:${organizationId}:${githubRepoId}`),
      );
      repositoryIds.push(state.repositoryId);
    }
    return repositoryIds;
  }

  /** A repository event of an App installation names it; one without an installation is not ours to act on. */
  private async decideEach(delivery: GitHubDelivery, step: string, command: RepositoryCommand): Promise<DeliveryOutcome> {
    const githubRepoId = idAt(delivery.payload, 'repository.id');
    const installationId = optionalIdAt(delivery.payload, 'installation.id');
    if (installationId === null) return { ignored: 'no_installation' };
    const repositoryIds: string[] = [];
    for (const organizationId of await this.installations.owners(installationId)) {
      const state = await loadRepository(this.eventStore, organizationId, githubRepoId);
      if (state.status === 'none' || state.githubInstallationId !== installationId) continue;
      await handleCommand(this.eventStore, repositoryStreamId(organizationId, githubRepoId), repositoryDecider, command, deliveryContext(delivery, `${step}:${organizationId}`));
      repositoryIds.push(state.repositoryId);
    }
    return repositoryIds.length === 0 ? { ignored: 'unknown_repository' } : { handled: { repositoryIds } };
  }
}
