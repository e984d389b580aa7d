import type { RecordedEvent } from '#domain';
import type { ColumnOf, KeyColumnOf, TableDefinition, WritableColumnOf } from './table.js';

export type { ColumnDefinition, ColumnType, TableDefinition } from './table.js';

// Over any table (`string` columns) this is a plain record, which is what the runner reads.
type Values<K extends string, V = unknown> = string extends K ? Readonly<Record<string, V>> : { readonly [C in K]?: V };
/** Some of a table's writable columns with their values: a patch's `set`. */
export type RowValues<T extends TableDefinition> = Values<WritableColumnOf<T>>;
type KeyOf<T extends TableDefinition> = { readonly [C in KeyColumnOf<T>]: unknown };

/**
 * What an event does to a read model's table, as data. The runner coalesces the changes of a whole
 * batch per key (a job queued and completed in one batch is one insert) and writes them in one
 * transaction. Column names are checked against the table's definition: a typo does not compile.
 */
export type RowChangeOf<T extends TableDefinition> = T extends TableDefinition
  ? /** Insert the row, or overwrite the given columns of an existing one. */
    | { readonly kind: 'upsert'; readonly table: T['name']; readonly row: Values<WritableColumnOf<T>> & KeyOf<T> }
    /** Update columns of an existing row; a patch of a missing row changes nothing. */
    | { readonly kind: 'patch'; readonly table: T['name']; readonly key: KeyOf<T>; readonly set: Values<WritableColumnOf<T>> }
    | { readonly kind: 'delete'; readonly table: T['name']; readonly key: KeyOf<T> }
    /**
     * Add to counters (created at their default first), raise maxima, and add to count maps (jsonb
     * `{bucket: count}` columns such as histograms); summed per key per batch, so they merge exactly.
     */
    | {
        readonly kind: 'increment';
        readonly table: T['name'];
        readonly key: KeyOf<T>;
        readonly add: Values<WritableColumnOf<T>, number>;
        readonly max?: Values<WritableColumnOf<T>, number>;
        readonly counts?: Values<WritableColumnOf<T>, Readonly<Record<string, number>>>;
      }
    /** Keep whichever row is greatest by the `by` columns (compared in order): "latest job per …". */
    | {
        readonly kind: 'latest';
        readonly table: T['name'];
        readonly row: Values<WritableColumnOf<T>> & KeyOf<T>;
        readonly by: readonly ColumnOf<T>[];
      }
  : never;

/** A change to any table, as the runner sees it. */
export type RowChange = RowChangeOf<TableDefinition>;

export interface ProjectionDefinition<Name extends string = string> {
  readonly name: Name;
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

/** Checks `apply`'s changes against the projection's own tables and keeps its name as a literal. */
export const defineProjection = <const Name extends string, const Tables extends readonly TableDefinition[]>(projection: {
  readonly name: Name;
  readonly eventTypes: readonly string[];
  readonly tables: Tables;
  readonly maxBatchSize?: number;
  readonly apply: (event: RecordedEvent) => readonly RowChangeOf<NoInfer<Tables>[number]>[];
}): ProjectionDefinition<Name> => projection;

export const physicalTableName = (table: string, generation: number) => `${table}_g${generation}`;
