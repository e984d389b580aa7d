import type { Sql } from '../core/sql.js';
import { toStoreView, type StoreView, type StoreWithCountersRow } from './document-stores.view.js';

const SELECT_STORES = `SELECT s.*, c.document_count, c.chunk_count, c.last_indexed_at FROM stores s LEFT JOIN store_counters c ON c.store_id = s.id`;

export class StoreQueries {
  constructor(private readonly sql: Sql) {}

  /** A workspace's stores by slug. */
  async list(workspaceId: string): Promise<StoreView[]> {
    const rows = await this.sql<StoreWithCountersRow>(`${SELECT_STORES} WHERE s.workspace_id = $1 ORDER BY s.slug`, [workspaceId]);
    return rows.map(toStoreView);
  }

  async get(workspaceId: string, slug: string): Promise<StoreView | null> {
    const [row] = await this.sql<StoreWithCountersRow>(`${SELECT_STORES} WHERE s.workspace_id = $1 AND s.slug = $2`, [workspaceId, slug]);
    return row ? toStoreView(row) : null;
  }
}
