import { DomainError, apiKeyDecider, apiKeyStreamId, type ApiKeyCommand, type ApiKeyCreated, type ApiKeyEvent } from '#domain';
import { handleCommand, type CommandContext, type CommandResult, type EventStore } from '#event-store';
import { badRequest } from '../common/api-error.js';
import type { ApiKeyMaterial } from './api-key-secret.js';
import { registerKeyOwner } from './api-key-owner.js';
import type { CreatedApiKey } from './api-keys.dto.js';

/**
 * Every API-key command goes to the caller's own key stream, so a key of another user is simply not
 * there: a 404, with no ownership query.
 */
export async function sendToKeyStream(
  eventStore: EventStore,
  userId: string,
  command: ApiKeyCommand,
  context: CommandContext,
): Promise<CommandResult<ApiKeyEvent>> {
  try {
    return await handleCommand(eventStore, apiKeyStreamId(userId), apiKeyDecider, command, context);
  } catch (error) {
    // A rule the DTO also checks can still be hit in a race (an expiry that passed in between):
    // answer it in the same shape as a DTO error, naming the field.
    const field = error instanceof DomainError && error.code === 'invalid' ? error.details?.field : undefined;
    if (typeof field === 'string') throw badRequest(field, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/**
 * The response that shows a new secret, after its hash's owner is recorded: the caller cannot use
 * a key before this answer, and from then on every process finds the key without the read model.
 * A refused command or a replayed one (whose stored key is not this material) records nothing.
 */
export async function showNewKey(
  eventStore: EventStore,
  userId: string,
  result: CommandResult<ApiKeyEvent>,
  material: ApiKeyMaterial,
): Promise<CreatedApiKey> {
  const view = createdView(result, material);
  if (view.key !== null) await registerKeyOwner(eventStore, material.hash, userId, view.id);
  return view;
}

/** Stored in one canonical form (`toISOString`), whatever zone or precision the caller wrote. */
export const instant = (value: string | null | undefined): string | null => (value == null ? null : new Date(value).toISOString());

/**
 * A retried request (same `Idempotency-Key`) is answered from the stored events, which hold only the
 * hash: the secret is shown once, so the retry gets `key: null` and the caller rotates the key if
 * the first response was lost.
 */
function createdView(result: CommandResult<ApiKeyEvent>, material: ApiKeyMaterial): CreatedApiKey {
  const created = result.events.find((e): e is ApiKeyCreated => e.type === 'ApiKeyCreated')!;
  const d = created.data;
  return {
    id: d.keyId,
    name: d.name,
    key: d.keyHash === material.hash ? material.secret : null,
    keyPreview: d.keyPreview,
    expiresAt: d.expiresAt,
    createdAt: d.createdAt,
    position: result.position,
  };
}
