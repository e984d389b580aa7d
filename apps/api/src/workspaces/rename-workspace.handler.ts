import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { workspaceDecider, workspaceDirectoryStreamId } from '#domain';
import { handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { EVENT_STORE } from '#runtime';

export class RenameWorkspaceCommand extends Command<{ position: Position | null }> {
  constructor(
    readonly organizationId: string,
    readonly currentName: string,
    readonly name: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * The decider resolves the current name on the directory stream itself: a lagging read model
 * cannot make a rename hit the wrong workspace or miss one that was just created.
 */
@CommandHandler(RenameWorkspaceCommand)
export class RenameWorkspaceHandler implements ICommandHandler<RenameWorkspaceCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ organizationId, currentName, name, context }: RenameWorkspaceCommand): Promise<{ position: Position | null }> {
    const result = await handleCommand(
      this.eventStore,
      workspaceDirectoryStreamId(organizationId),
      workspaceDecider,
      { type: 'RenameWorkspace', data: { organizationId, currentName, name, at: new Date().toISOString() } },
      context,
    );
    return { position: result.position };
  }
}
