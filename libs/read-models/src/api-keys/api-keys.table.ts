import { defineTable, type RowOf } from '../core/table.js';

export const apiKeysTable = defineTable({
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
});

export type ApiKeyRow = RowOf<typeof apiKeysTable>;
