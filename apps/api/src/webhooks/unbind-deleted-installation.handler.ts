import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { RepositoryQueries } from '#read-models';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { InstallationBindings } from '../installations/installation-bindings.js';
import {
  actOnce,
  deliveryContext,
  GitHubDeliveryCommand,
  type DeliveryOutcome,
  type GitHubDelivery,
  type GitHubWebhookAnswer,
} from './github-delivery.js';
import { deactivateRepositories } from './github-repository-events.js';
import { idAt } from './github-webhook-payload.js';

/** `installation` `deleted`. */
export class UnbindDeletedInstallationCommand extends GitHubDeliveryCommand {}

/**
 * The original's `markInstallationInactive`, and every organization that owned the installation no
 * longer does. The read model (indexed by installation) names the candidate repositories; each
 * repository's stream decides. A repository connected in the instant before the delivery may not
 * be in the read model yet: it stays active, but its installation is no longer bound, so nothing
 * reaches it through that installation again.
 */
@CommandHandler(UnbindDeletedInstallationCommand)
export class UnbindDeletedInstallationHandler implements ICommandHandler<UnbindDeletedInstallationCommand> {
  constructor(
    private readonly repositories: RepositoryQueries,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly installations: InstallationBindings,
  ) {}

  execute({ delivery }: UnbindDeletedInstallationCommand): Promise<GitHubWebhookAnswer> {
    return actOnce(this.eventStore, delivery, () => this.unbind(delivery));
  }

  private async unbind(delivery: GitHubDelivery): Promise<DeliveryOutcome> {
    const installationId = idAt(delivery.payload, 'installation.id');
    const owners = await this.installations.owners(installationId);
    const repositoryIds: string[] = [];
    for (const organizationId of owners) {
      const active = await this.repositories.activeThroughInstallation(organizationId, installationId);
      repositoryIds.push(
        ...(await deactivateRepositories(this.eventStore, delivery, organizationId, active, installationId, 'installation_deleted')),
      );
      await this.installations.send(
        organizationId,
        { type: 'UnbindGitHubInstallation', data: { organizationId, installationId, reason: 'installation_deleted', at: delivery.at } },
        deliveryContext(delivery, `unbind:${organizationId}`),
      );
    }
    return owners.length === 0 ? { ignored: 'installation_not_bound' } : { handled: { repositoryIds, organizationCount: owners.length } };
  }
}
