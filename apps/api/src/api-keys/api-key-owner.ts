import { apiKeyHashStreamId, type ApiKeyHashRegistered } from '#domain';
import { eventIdFor, type EventStore } from '#event-store';

/**
 * Records whose key stream will hold `keyHash`, before the key is created: see `ApiKeyHashRegistered`.
 * The event id comes from the hash, so a retried registration is a no-op.
 */
export async function registerKeyOwner(store: EventStore, keyHash: string, userId: string, keyId: string): Promise<void> {
  const event: ApiKeyHashRegistered = { type: 'ApiKeyHashRegistered', data: { userId, keyId } };
  await store.append(
    apiKeyHashStreamId(keyHash),
    [{ id: eventIdFor(`api-key-hash:${keyHash}`, 0), ...event, metadata: { userId, schemaVersion: 1 } }],
    'no-stream',
  );
}

/** The user whose key stream may hold `keyHash`, or null: one point read, empty for an unknown key. */
export async function keyOwner(store: EventStore, keyHash: string): Promise<string | null> {
  const [registered] = await store.readStream(apiKeyHashStreamId(keyHash));
  return registered ? (registered.data as ApiKeyHashRegistered['data']).userId : null;
}
