import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { RepositoryMetadata } from '#domain';
import type { EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { InstallationBindings } from '../installations/installation-bindings.js';
import { actOnce, GitHubDeliveryCommand, type GitHubDelivery, type GitHubWebhookAnswer } from './github-delivery.js';
import { decideOnConnectedRepository } from './github-repository-events.js';
import { objectAt, optionalStringAt, stringAt } from './github-webhook-payload.js';

/** `repository` `renamed`, `transferred`, `edited`, `privatized`, `publicized`: what GitHub changed about it. */
export class RenameRepositoryCommand extends GitHubDeliveryCommand {}

/**
 * The original's `updateMetadata(repoId, changes)`, merged into the metadata: it called it for a
 * rename only (`{fullName}`); the other actions that change what the metadata holds are merged
 * the same way, from the payload's `repository` (GitHub's state after the change).
 */
@CommandHandler(RenameRepositoryCommand)
export class RenameRepositoryHandler implements ICommandHandler<RenameRepositoryCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly installations: InstallationBindings,
  ) {}

  execute({ delivery }: RenameRepositoryCommand): Promise<GitHubWebhookAnswer> {
    return actOnce(this.eventStore, delivery, async () =>
      decideOnConnectedRepository(this.eventStore, this.installations, delivery, 'metadata', {
        type: 'UpdateRepositoryMetadata',
        data: { changes: metadataChanges(delivery), at: delivery.at },
      }),
    );
  }
}

function metadataChanges({ action, payload }: GitHubDelivery): RepositoryMetadata {
  switch (action) {
    case 'renamed':
      return { fullName: stringAt(payload, 'repository.full_name') };
    case 'transferred':
      return { fullName: stringAt(payload, 'repository.full_name'), owner: stringAt(payload, 'repository.owner.login') };
    case 'privatized':
    case 'publicized':
      return { private: action === 'privatized' };
    case 'edited': {
      // `changes` names what was edited (its old values); the new ones are in `repository`.
      const edited = objectAt(payload, 'changes');
      return {
        ...('default_branch' in edited ? { defaultBranch: stringAt(payload, 'repository.default_branch') } : {}),
        // A description removed on GitHub is an empty one here, as metadata values are strings.
        ...('description' in edited ? { description: optionalStringAt(payload, 'repository.description') ?? '' } : {}),
      };
    }
    default:
      return {};
  }
}
