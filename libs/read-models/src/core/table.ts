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

type Columns = Readonly<Record<string, ColumnDefinition>>;

/**
 * A read-model table, named logically (`jobs`). Each generation of a projection gets its own
 * physical table (`jobs_g2`) and a view with the logical name points at the active one, so a
 * rebuild never touches the tables that are serving queries.
 */
export interface TableDefinition<
  Name extends string = string,
  C extends Columns = Columns,
  Key extends keyof C & string = keyof C & string,
> {
  readonly name: Name;
  readonly columns: C;
  readonly primaryKey: readonly Key[];
  /** Index bodies, e.g. `(workspace_id, created_at DESC, id DESC)`. */
  readonly indexes?: readonly string[];
}

/**
 * Keeps the literal table name, column names and key so that changes and rows are checked against
 * them. Returns the definition unchanged: its JSON is the schema hash, so no field may be added.
 */
export const defineTable = <const Name extends string, const C extends Columns, const Key extends keyof C & string>(
  table: TableDefinition<Name, C, Key>,
): TableDefinition<Name, C, Key> => table;

declare const valueType: unique symbol;

/** A column whose values are narrower than its SQL type (a jsonb shape, a text union); type-only. */
export type Typed<C extends ColumnDefinition, T> = C & { readonly [valueType]?: T };

export const typed =
  <T>() =>
  <const C extends ColumnDefinition>(column: C): Typed<C, T> =>
    column;

/** What `pg` hands back for each SQL type: bigint as a string (it may exceed 2^53), timestamptz as a Date. */
interface ReadValue {
  text: string;
  boolean: boolean;
  integer: number;
  bigint: string;
  'double precision': number;
  timestamptz: Date;
  jsonb: unknown;
  tsvector: string;
}

type ValueOf<C extends ColumnDefinition> =
  | (C extends { readonly [valueType]?: infer T } ? (unknown extends T ? ReadValue[C['type']] : T) : ReadValue[C['type']])
  | (C extends { readonly nullable: true } ? null : never);

/** A row as `SELECT *` reads it, derived from the table definition. */
export type RowOf<T extends TableDefinition> = { -readonly [K in keyof T['columns']]: ValueOf<T['columns'][K]> };

export type ColumnOf<T extends TableDefinition> = keyof T['columns'] & string;

/** Columns a change may write: every column but the generated ones. */
export type WritableColumnOf<T extends TableDefinition> = {
  [K in ColumnOf<T>]: T['columns'][K] extends { readonly generated: string } ? never : K;
}[ColumnOf<T>];

export type KeyColumnOf<T extends TableDefinition> = T['primaryKey'][number];
