import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { workspaceDecider, workspaceDirectoryStreamId, type WorkspaceSettings } from '#domain';
import { handleCommand, type CommandContext, type EventStore, type Position } from '#event-store';
import { EVENT_STORE } from '#runtime';

/** `PATCH …/workspaces/{ws}` with `settings` (and maybe `name`): one decision, one append. */
export class UpdateWorkspaceCommand extends Command<{ position: Position | null }> {
  constructor(
    readonly organizationId: string,
    readonly currentName: string,
    readonly changes: { readonly name?: string; readonly settings?: WorkspaceSettings },
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Resolved on the directory stream, as a rename is: a lagging read model cannot make it miss. */
@CommandHandler(UpdateWorkspaceCommand)
export class UpdateWorkspaceHandler implements ICommandHandler<UpdateWorkspaceCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ organizationId, currentName, changes, context }: UpdateWorkspaceCommand): Promise<{ position: Position | null }> {
    const result = await handleCommand(
      this.eventStore,
      workspaceDirectoryStreamId(organizationId),
      workspaceDecider,
      { type: 'UpdateWorkspace', data: { organizationId, currentName, ...changes, at: new Date().toISOString() } },
      context,
    );
    return { position: result.position };
  }
}
