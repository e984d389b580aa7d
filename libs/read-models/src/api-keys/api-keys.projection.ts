import type { RecordedEvent } from '#domain';
import { API_KEY_EVENT_TYPES, API_KEY_USAGE_EVENT_TYPES, assertNever, type ApiKeyEvent, type ApiKeyUsed } from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { apiKeysTable } from './api-keys.table.js';

type ApiKeyChange = RowChangeOf<typeof apiKeysTable>;

function apply(recorded: RecordedEvent): ApiKeyChange[] {
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
      return [
        {
          kind: 'patch',
          table: 'api_keys',
          key,
          set: { is_active: false, revoked_at: event.data.revokedAt, updated_at: event.data.revokedAt },
        },
      ];
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

export const apiKeysProjection = defineProjection({
  name: 'api_keys',
  eventTypes: [...API_KEY_EVENT_TYPES, ...API_KEY_USAGE_EVENT_TYPES],
  tables: [apiKeysTable],
  apply,
});
