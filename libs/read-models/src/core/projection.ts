import type { RecordedEvent } from '#domain';

export type ColumnType = 'text' | 'boolean' | 'integer' | 'bigint' | 'double precision' | 'timestamptz' | 'jsonb' | 'tsvector';

export interface ColumnDefinition {
  readonly type: ColumnType;
  readonly nullable?: boolean;
  /** SQL default, used when a counter row is first inserted by an increment. */
  readonly default?: string;
  /**
   * A stored generated column: PostgreSQL computes it from the row's other columns (e.g. a
   * `tsvector` for full-text search, so ranking reads it instead of parsing text per query).
   * Changes never write it.
   */
  readonly generated?: string;
}

/**
 * A read-model table, named logically (`jobs`). Each generation of a projection gets its own
 * physical table (`jobs_g2`) and a view with the logical name points at the active one, so a
 * rebuild never touches the tables that are serving queries.
 */
export interface TableDefinition {
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnDefinition>>;
  readonly primaryKey: readonly string[];
  /** Index bodies, e.g. `(workspace_id, created_at DESC, id DESC)`. */
  readonly indexes?: readonly string[];
}

type Row = Readonly<Record<string, unknown>>;

/**
 * What an event does to the read model, as data. The runner coalesces the changes of a whole batch
 * per key (a job queued and completed in one batch is one insert) and writes them in one transaction.
 */
export type RowChange =
  /** Insert the row, or overwrite the given columns of an existing one. */
  | { readonly kind: 'upsert'; readonly table: string; readonly row: Row }
  /** Update columns of an existing row; a patch of a missing row changes nothing. */
  | { readonly kind: 'patch'; readonly table: string; readonly key: Row; readonly set: Row }
  | { readonly kind: 'delete'; readonly table: string; readonly key: Row }
  /**
   * Add to counters (created at their default first), raise maxima, and add to count maps (jsonb
   * `{bucket: count}` columns such as histograms); summed per key per batch, so they merge exactly.
   */
  | {
      readonly kind: 'increment';
      readonly table: string;
      readonly key: Row;
      readonly add: Readonly<Record<string, number>>;
      readonly max?: Readonly<Record<string, number>>;
      readonly counts?: Readonly<Record<string, Readonly<Record<string, number>>>>;
    }
  /** Keep whichever row is greatest by the `by` columns (compared in order): "latest job per …". */
  | { readonly kind: 'latest'; readonly table: string; readonly row: Row; readonly by: readonly string[] };

export interface ProjectionDefinition {
  readonly name: string;
  readonly eventTypes: readonly string[];
  readonly tables: readonly TableDefinition[];
  /**
   * Events per batch when the runner is not told otherwise: projections of large events (document
   * batches carry file contents) read fewer at a time, so a batch stays a few megabytes.
   */
  readonly maxBatchSize?: number;
  /** Pure: the same event always yields the same changes. Throwing marks the event as poison. */
  readonly apply: (event: RecordedEvent) => readonly RowChange[];
}

export const physicalTableName = (table: string, generation: number) => `${table}_g${generation}`;
