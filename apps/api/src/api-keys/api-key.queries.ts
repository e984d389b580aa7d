import { READ_DATABASE } from '#runtime';
import type { DataSource } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import type { ApiKeyView } from './api-keys.dto.js';

export interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  key_preview: string;
  is_active: boolean;
  expires_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

/** Lookups on the `api_keys` read model. The hash is never selected for a response. */
@Injectable()
export class ApiKeyQueries {
  constructor(@Inject(READ_DATABASE) private readonly database: DataSource) {}

  /** `account.apiKeys.list`: every key of the user, revoked ones included, newest first. */
  async list(userId: string): Promise<ApiKeyView[]> {
    const rows: ApiKeyRow[] = await this.database.query(
      `SELECT id, user_id, name, key_preview, is_active, expires_at, last_used_at, created_at
         FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id DESC`,
      [userId],
    );
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      keyPreview: row.key_preview,
      isActive: row.is_active,
      expiresAt: row.expires_at?.toISOString() ?? null,
      lastUsedAt: row.last_used_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
    }));
  }
}
