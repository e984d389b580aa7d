import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext, EventStore, Position } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { sendToKeyStream } from './api-key.stream.js';

/** Revoke (the key stops working, stays listed) or delete (it also leaves the list). */
export class EndApiKeyCommand extends Command<{ position: Position | null }> {
  constructor(
    readonly how: 'RevokeApiKey' | 'DeleteApiKey',
    readonly userId: string,
    readonly keyId: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(EndApiKeyCommand)
export class EndApiKeyHandler implements ICommandHandler<EndApiKeyCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ how, userId, keyId, context }: EndApiKeyCommand): Promise<{ position: Position | null }> {
    const result = await sendToKeyStream(
      this.eventStore,
      userId,
      { type: how, data: { userId, keyId, at: new Date().toISOString() } },
      context,
    );
    return { position: result.position };
  }
}
