import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext, EventStore, Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { sendToIntegrationStream } from './integration.stream.js';

export class DisconnectIntegrationCommand extends Command<{ position: Position | null }> {
  constructor(
    readonly userId: string,
    readonly integrationId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(DisconnectIntegrationCommand)
export class DisconnectIntegrationHandler implements ICommandHandler<DisconnectIntegrationCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ userId, integrationId, context }: DisconnectIntegrationCommand): Promise<{ position: Position | null }> {
    const result = await sendToIntegrationStream(
      this.eventStore,
      userId,
      { type: 'DisconnectIntegration', data: { userId, integrationId, at: new Date().toISOString() } },
      context,
    );
    return { position: result.position };
  }
}
