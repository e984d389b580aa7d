import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { InstallationBindings } from '../installations/installation-bindings.js';
import { actOnce, GitHubDeliveryCommand, type GitHubWebhookAnswer } from './github-delivery.js';
import { decideOnConnectedRepository } from './github-repository-events.js';
import { stringAt } from './github-webhook-payload.js';

/** `repository` `renamed`. */
export class RenameRepositoryCommand extends GitHubDeliveryCommand {}

/** The original's `updateMetadata({fullName})`, merged into the metadata. */
@CommandHandler(RenameRepositoryCommand)
export class RenameRepositoryHandler implements ICommandHandler<RenameRepositoryCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly installations: InstallationBindings,
  ) {}

  execute({ delivery }: RenameRepositoryCommand): Promise<GitHubWebhookAnswer> {
    return actOnce(this.eventStore, delivery, async () => {
      const fullName = stringAt(delivery.payload, 'repository.full_name');
      return decideOnConnectedRepository(this.eventStore, this.installations, delivery, 'metadata', {
        type: 'UpdateRepositoryMetadata',
        data: { changes: { fullName }, at: delivery.at },
      });
    });
  }
}
