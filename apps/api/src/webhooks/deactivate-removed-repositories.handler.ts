import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { InstallationBindings } from '../installations/installation-bindings.js';
import { actOnce, GitHubDeliveryCommand, type DeliveryOutcome, type GitHubDelivery, type GitHubWebhookAnswer } from './github-delivery.js';
import { deactivateRepositories } from './github-repository-events.js';
import { arrayAt, idAt } from './github-webhook-payload.js';

/** `installation_repositories` `removed`. */
export class DeactivateRemovedRepositoriesCommand extends GitHubDeliveryCommand {}

/** The original's `markInactive` per repository removed from the installation, in each organization that owns it. */
@CommandHandler(DeactivateRemovedRepositoriesCommand)
export class DeactivateRemovedRepositoriesHandler implements ICommandHandler<DeactivateRemovedRepositoriesCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly installations: InstallationBindings,
  ) {}

  execute({ delivery }: DeactivateRemovedRepositoriesCommand): Promise<GitHubWebhookAnswer> {
    return actOnce(this.eventStore, delivery, () => this.deactivate(delivery));
  }

  private async deactivate(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const installationId = idAt(delivery.payload, 'installation.id');
    const githubRepoIds = arrayAt(delivery.payload, 'repositories_removed').map((_, i) =>
      idAt(delivery.payload, `repositories_removed.${i}.id`),
    );
    const repositoryIds: string[] = [];
    for (const organizationId of await this.installations.owners(installationId)) {
      repositoryIds.push(
        ...(await deactivateRepositories(
          this.eventStore,
          delivery,
          organizationId,
          githubRepoIds,
          installationId,
          'installation_repository_removed',
        )),
      );
    }
    return repositoryIds.length === 0 ? { ignored: 'unknown_repository' } : { handled: { repositoryIds } };
  }
}
