import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { InstallationBindings } from '../installations/installation-bindings.js';
import { actOnce, GitHubDeliveryCommand, type GitHubWebhookAnswer } from './github-delivery.js';
import { decideOnConnectedRepository } from './github-repository-events.js';

/** `repository` `deleted`. */
export class MarkRepositoryDeletedCommand extends GitHubDeliveryCommand {}

/** The original's `markDeleted`. */
@CommandHandler(MarkRepositoryDeletedCommand)
export class MarkRepositoryDeletedHandler implements ICommandHandler<MarkRepositoryDeletedCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly installations: InstallationBindings,
  ) {}

  execute({ delivery }: MarkRepositoryDeletedCommand): Promise<GitHubWebhookAnswer> {
    return actOnce(this.eventStore, delivery, () =>
      decideOnConnectedRepository(this.eventStore, this.installations, delivery, 'deleted', {
        type: 'MarkRepositoryDeleted',
        data: { at: delivery.at },
      }),
    );
  }
}
