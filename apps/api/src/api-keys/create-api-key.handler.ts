import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { CommandContext, EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { Quotas } from '../quotas/quotas.service.js';
import { newApiKeyMaterial } from './api-key-secret.js';
import { instant, sendToKeyStream, showNewKey } from './api-key.stream.js';
import type { CreatedApiKey } from './api-keys.dto.js';

export class CreateApiKeyCommand extends Command<CreatedApiKey> {
  constructor(
    readonly userId: string,
    readonly name: string,
    readonly expiresAt: string | null | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}

@CommandHandler(CreateApiKeyCommand)
export class CreateApiKeyHandler implements ICommandHandler<CreateApiKeyCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    private readonly quotas: Quotas,
  ) {}

  async execute({ userId, name, expiresAt, context }: CreateApiKeyCommand): Promise<CreatedApiKey> {
    // Rotation is not checked: it revokes a key as it creates one.
    await this.quotas.requireApiKeyQuota(userId, context.commandId);
    const material = newApiKeyMaterial();
    const data = {
      userId,
      keyId: randomUUID(),
      name,
      keyHash: material.hash,
      keyPreview: material.preview,
      expiresAt: instant(expiresAt),
      at: new Date().toISOString(),
    };
    const result = await sendToKeyStream(this.eventStore, userId, { type: 'CreateApiKey', data }, context);
    return showNewKey(this.eventStore, userId, result, material);
  }
}
