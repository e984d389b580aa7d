import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { repositoryDecider, repositoryStreamId } from '#domain';
import { handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { EVENT_STORE } from '#runtime';

/**
 * A source that is a connected repository (`repository.connect`), disconnected from its workspace
 * through `DELETE …/sources/{id}`: the original's `isActive = false`. Decided on the repository's
 * own stream, which is named by the organization, so no other organization's repository is reachable;
 * connecting it again reactivates it.
 */
export class DeactivateWorkspaceRepositoryCommand extends Command<{ position: Position | null }> {
  constructor(
    readonly organizationId: string,
    readonly githubRepoId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(DeactivateWorkspaceRepositoryCommand)
export class DeactivateWorkspaceRepositoryHandler implements ICommandHandler<DeactivateWorkspaceRepositoryCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ organizationId, githubRepoId, context }: DeactivateWorkspaceRepositoryCommand): Promise<{ position: Position | null }> {
    const result = await handleCommand(
      this.eventStore,
      repositoryStreamId(organizationId, githubRepoId),
      repositoryDecider,
      { type: 'DeactivateRepository', data: { reason: 'disconnected', at: new Date().toISOString() } },
      context,
    );
    return { position: result.position };
  }
}
