import type { Sql } from '../core/sql.js';

export interface DocumentTotals {
  readonly total: number;
  readonly chunks: number;
}

const HOUR_MS = 3_600_000;

/**
 * The original's "document count at the end of a period": the workspace's documents and chunks at
 * each instant, from counters the `stores` projection keeps, never from the documents: today's
 * totals (`store_counters`) less what the batches recorded after the instant changed
 * (`workspace_document_hours` for the whole hours after it, `workspace_document_batches` for the
 * rest of its own hour). Exact at every instant, by the batches' times: a document re-indexed or
 * removed since still counts at an instant when it existed (the original, reading the current
 * rows, left those out). The work grows with the hours since the instant, not with the documents.
 */
export class DocumentTotalsQueries {
  constructor(private readonly sql: Sql) {}

  /** One statement for all the instants. */
  async asOf(workspaceId: string, instants: readonly Date[]): Promise<DocumentTotals[]> {
    if (instants.length === 0) return [];
    // The hour boundaries are computed here, in UTC, as the projection computes its hours (a
    // `date_trunc` in SQL would follow the session's time zone).
    const nextHours = instants.map((instant) => new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS).toISOString());
    const rows = await this.sql<{ i: string; documents: string; chunks: string }>(
      `WITH now AS (
         SELECT coalesce(sum(c.document_count), 0) AS documents, coalesce(sum(c.chunk_count), 0) AS chunks
           FROM stores s JOIN store_counters c ON c.store_id = s.id
          WHERE s.workspace_id = $1
       )
       SELECT x.i, now.documents - coalesce(h.documents, 0) - coalesce(b.documents, 0) AS documents,
              now.chunks - coalesce(h.chunks, 0) - coalesce(b.chunks, 0) AS chunks
         FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS x (instant, next_hour, i)
        CROSS JOIN now
        CROSS JOIN LATERAL (
          SELECT sum(document_delta) AS documents, sum(chunk_delta) AS chunks
            FROM workspace_document_hours WHERE workspace_id = $1 AND hour >= x.next_hour
        ) h
        CROSS JOIN LATERAL (
          SELECT sum(document_delta) AS documents, sum(chunk_delta) AS chunks
            FROM workspace_document_batches WHERE workspace_id = $1 AND at > x.instant AND at < x.next_hour
        ) b`,
      [workspaceId, instants.map((instant) => instant.toISOString()), nextHours],
    );
    const byIndex = new Map(rows.map((row) => [Number(row.i), row]));
    return instants.map((_, i) => {
      const row = byIndex.get(i + 1);
      return { total: Number(row?.documents ?? 0), chunks: Number(row?.chunks ?? 0) };
    });
  }
}
