import type { RecordedEvent } from '#domain';
import { API_KEY_EVENT_TYPES, API_KEY_USAGE_EVENT_TYPES, assertNever, type ApiKeyEvent, type ApiKeyUsed } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

export const apiKeysTable: TableDefinition = {
  name: 'api_keys',
  columns: {
    id: { type: 'text' },
    user_id: { type: 'text' },
    name: { type: 'text' },
    key_hash: { type: 'text' },
    key_preview: { type: 'text' },
    is_active: { type: 'boolean' },
    expires_at: { type: 'timestamptz', nullable: true },
    last_used_at: { type: 'timestamptz', nullable: true },
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
    revoked_at: { type: 'timestamptz', nullable: true },
  },
  primaryKey: ['id'],
  // `UNIQUE (key_hash)`: every API-key request is one lookup by hash. Hashes of 190-bit random
  // secrets do not collide; should one ever repeat, its event is dead-lettered, never half-applied.
  // `(user_id, is_active)`: the key list of a user.
  indexes: ['UNIQUE (key_hash)', '(user_id, is_active)'],
};

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & (ApiKeyEvent | ApiKeyUsed);
  const key = { id: event.data.keyId };
  switch (event.type) {
    case 'ApiKeyCreated': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'api_keys',
          row: {
            id: d.keyId,
            user_id: d.userId,
            name: d.name,
            key_hash: d.keyHash,
            key_preview: d.keyPreview,
            is_active: true,
            expires_at: d.expiresAt,
            last_used_at: null,
            created_at: d.createdAt,
            updated_at: d.createdAt,
            revoked_at: null,
          },
        },
      ];
    }
    case 'ApiKeyRevoked':
      return [{ kind: 'patch', table: 'api_keys', key, set: { is_active: false, revoked_at: event.data.revokedAt, updated_at: event.data.revokedAt } }];
    case 'ApiKeyDeleted':
      return [{ kind: 'delete', table: 'api_keys', key }];
    case 'ApiKeyUsed':
      // Usage is not a change of the key: `updated_at` stays. A use recorded after a deletion
      // patches a missing row, which changes nothing.
      return [{ kind: 'patch', table: 'api_keys', key, set: { last_used_at: event.data.usedAt } }];
    default:
      return assertNever(event);
  }
}

export const apiKeysProjection: ProjectionDefinition = {
  name: 'api_keys',
  eventTypes: [...API_KEY_EVENT_TYPES, ...API_KEY_USAGE_EVENT_TYPES],
  tables: [apiKeysTable],
  apply,
};
