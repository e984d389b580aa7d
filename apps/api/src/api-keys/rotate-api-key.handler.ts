import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { CommandContext, EventStore } from '#event-store';
import { EVENT_STORE } from '#runtime';
import { newApiKeyMaterial } from './api-key-secret.js';
import { instant, sendToKeyStream, showNewKey } from './api-key.stream.js';
import type { CreatedApiKey } from './api-keys.dto.js';

export class RotateApiKeyCommand extends Command<CreatedApiKey & { revokedKeyId: string }> {
  constructor(
    readonly userId: string,
    readonly keyId: string,
    /** Unset: the new key keeps the old name (and expiry). */
    readonly name: string | null | undefined,
    readonly expiresAt: string | null | undefined,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** Revokes the key and creates its replacement in one append: never both active, never neither. */
@CommandHandler(RotateApiKeyCommand)
export class RotateApiKeyHandler implements ICommandHandler<RotateApiKeyCommand> {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  async execute({ userId, keyId, name, expiresAt, context }: RotateApiKeyCommand): Promise<CreatedApiKey & { revokedKeyId: string }> {
    const material = newApiKeyMaterial();
    const data = {
      userId,
      keyId,
      newKeyId: randomUUID(),
      newKeyHash: material.hash,
      newKeyPreview: material.preview,
      ...(name == null ? {} : { name }),
      ...(expiresAt === undefined ? {} : { expiresAt: instant(expiresAt) }),
      at: new Date().toISOString(),
    };
    const result = await sendToKeyStream(this.eventStore, userId, { type: 'RotateApiKey', data }, context);
    return { ...(await showNewKey(this.eventStore, userId, result, material)), revokedKeyId: keyId };
  }
}
