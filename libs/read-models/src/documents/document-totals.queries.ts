import type { Sql } from '../core/sql.js';

export interface DocumentTotals {
  readonly total: number;
  readonly chunks: number;
}

/**
 * The original's "document count at the end of a period": documents of the workspace indexed at
 * or before each instant, and their chunks. A document keeps only its latest indexing time, so one
 * re-indexed or removed after an instant no longer counts at that instant: exact for an instant
 * after the last change, an undercount of the documents changed since for an earlier one.
 */
export class DocumentTotalsQueries {
  constructor(private readonly sql: Sql) {}

  /** One pass over the workspace's documents (its `(workspace_id)` index) for all the instants. */
  async asOf(workspaceId: string, instants: readonly Date[]): Promise<DocumentTotals[]> {
    if (instants.length === 0) return [];
    const params: unknown[] = [workspaceId];
    const columns = instants.map((instant, i) => {
      const at = `$${params.push(instant.toISOString())}`;
      return `count(*) FILTER (WHERE indexed_at <= ${at}) AS total_${i}, coalesce(sum(chunk_count) FILTER (WHERE indexed_at <= ${at}), 0) AS chunks_${i}`;
    });
    const [row] = await this.sql<Record<string, string>>(`SELECT ${columns.join(', ')} FROM documents WHERE workspace_id = $1`, params);
    return instants.map((_, i) => ({ total: Number(row?.[`total_${i}`] ?? 0), chunks: Number(row?.[`chunks_${i}`] ?? 0) }));
  }
}
