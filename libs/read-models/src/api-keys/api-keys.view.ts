import type { ApiKeyRow } from './api-keys.table.js';

/** A key as its owner sees it: never the hash. */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly keyPreview: string;
  readonly isActive: boolean;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly createdAt: string;
}

export type ApiKeyViewRow = Pick<ApiKeyRow, 'id' | 'name' | 'key_preview' | 'is_active' | 'expires_at' | 'last_used_at' | 'created_at'>;

export const toApiKeyView = (row: ApiKeyViewRow): ApiKeyView => ({
  id: row.id,
  name: row.name,
  keyPreview: row.key_preview,
  isActive: row.is_active,
  expiresAt: row.expires_at?.toISOString() ?? null,
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
});
