import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext, EventStore, Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { sendToIntegrationStream } from '../integrations/integration.stream.js';

/** `owner` is whose integration stream holds the connection; `by` who asked (the owner or an admin). */
export class DisconnectResourceFromWorkspaceCommand extends Command<{ position: Position | null }> {
  constructor(
    readonly owner: string,
    readonly by: string,
    readonly workspaceId: string,
    readonly resourceId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(DisconnectResourceFromWorkspaceCommand)
export class DisconnectResourceFromWorkspaceHandler implements ICommandHandler<DisconnectResourceFromWorkspaceCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({
    owner,
    by,
    workspaceId,
    resourceId,
    context,
  }: DisconnectResourceFromWorkspaceCommand): Promise<{ position: Position | null }> {
    const result = await sendToIntegrationStream(
      this.eventStore,
      owner,
      { type: 'DisconnectResourceFromWorkspace', data: { userId: owner, resourceId, workspaceId, by, at: new Date().toISOString() } },
      context,
    );
    return { position: result.position };
  }
}
