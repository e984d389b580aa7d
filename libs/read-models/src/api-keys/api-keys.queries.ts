import type { Sql } from '../core/sql.js';
import type { ApiKeyRow } from './api-keys.table.js';
import { toApiKeyView, type ApiKeyView, type ApiKeyViewRow } from './api-keys.view.js';

/** What authenticating a key reads: its row and the `api_keys` projection's checkpoint, read in the same statement. */
export type ApiKeyByHash = Pick<ApiKeyRow, 'id' | 'user_id' | 'is_active' | 'expires_at' | 'last_used_at'> & {
  readonly checkpoint: string | null;
};

/** Lookups on the `api_keys` read model. The hash is never selected for a response. */
export class ApiKeyQueries {
  constructor(private readonly sql: Sql) {}

  /** For the API-key quota: keys that still work. */
  async activeCountFor(userId: string): Promise<number> {
    const [row] = await this.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1 AND is_active AND (expires_at IS NULL OR expires_at > now())',
      [userId],
    );
    return row?.n ?? 0;
  }

  /**
   * The rows holding a key hash (two would mean a collision: callers trust neither) with the
   * projection's checkpoint read in the same statement, so the row and the position it reflects agree.
   */
  async byHash(hash: string): Promise<ApiKeyByHash[]> {
    return this.sql<ApiKeyByHash>(
      `SELECT k.id, k.user_id, k.is_active, k.expires_at, k.last_used_at,
              (SELECT c.position FROM projection_checkpoints c JOIN projection_generations g ON g.name = c.name AND g.active_generation = c.generation
                WHERE c.name = 'api_keys') AS checkpoint
         FROM api_keys k WHERE k.key_hash = $1 LIMIT 2`,
      [hash],
    );
  }

  /** `account.apiKeys.list`: every key of the user, revoked ones included, newest first. */
  async list(userId: string): Promise<ApiKeyView[]> {
    const rows = await this.sql<ApiKeyViewRow>(
      `SELECT id, name, key_preview, is_active, expires_at, last_used_at, created_at
         FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id DESC`,
      [userId],
    );
    return rows.map(toApiKeyView);
  }
}
