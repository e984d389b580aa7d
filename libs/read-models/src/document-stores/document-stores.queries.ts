import type { Sql } from '../core/sql.js';
import { toStoreView, type StoreView, type StoreWithCountersRow } from './document-stores.view.js';

const SELECT_STORES = `SELECT s.*, c.document_count, c.chunk_count, c.last_indexed_at FROM stores s LEFT JOIN store_counters c ON c.store_id = s.id`;

export interface StoreRepositoryCounts {
  readonly storeId: string;
  readonly githubRepoId: string;
  readonly documentCount: number;
  readonly chunkCount: number;
}

export class StoreQueries {
  constructor(private readonly sql: Sql) {}

  /** A workspace's stores by slug. */
  async list(workspaceId: string): Promise<StoreView[]> {
    const rows = await this.sql<StoreWithCountersRow>(`${SELECT_STORES} WHERE s.workspace_id = $1 ORDER BY s.slug`, [workspaceId]);
    return rows.map(toStoreView);
  }

  /**
   * The workspace's documents and chunks per store and GitHub repository, from the projection's
   * counters (no document is read); pairs with no document left are left out.
   */
  async repositoryCounts(workspaceId: string): Promise<StoreRepositoryCounts[]> {
    const rows = await this.sql<{ store_id: string; github_repo_id: string; document_count: string; chunk_count: string }>(
      `SELECT c.store_id, c.github_repo_id, c.document_count, c.chunk_count
         FROM stores s JOIN store_repository_counters c ON c.store_id = s.id
        WHERE s.workspace_id = $1 AND c.document_count > 0
        ORDER BY c.store_id, c.github_repo_id`,
      [workspaceId],
    );
    return rows.map((row) => ({
      storeId: row.store_id,
      githubRepoId: row.github_repo_id,
      documentCount: Number(row.document_count),
      chunkCount: Number(row.chunk_count),
    }));
  }

  async get(workspaceId: string, slug: string): Promise<StoreView | null> {
    const [row] = await this.sql<StoreWithCountersRow>(`${SELECT_STORES} WHERE s.workspace_id = $1 AND s.slug = $2`, [workspaceId, slug]);
    return row ? toStoreView(row) : null;
  }
}
