import type { RowChange, TableDefinition } from './projection.js';

type Row = Record<string, unknown>;

export type PendingRowOp =
  | { readonly op: 'upsert'; readonly row: Row; readonly deleteFirst: boolean }
  | { readonly op: 'patch'; readonly key: Row; readonly set: Row }
  | { readonly op: 'delete'; readonly key: Row };

export interface PendingIncrement {
  readonly key: Row;
  readonly add: Record<string, number>;
  readonly max: Record<string, number>;
  /**
   * Maps, not objects: histogram keys are bucket numbers, and V8 backs a plain object that gets a
   * key like "585" with an array as long as that number (~100 µs each, once per row of a batch).
   */
  readonly counts: Record<string, Map<string, number>>;
}

export interface PendingLatest {
  readonly row: Row;
  readonly by: readonly string[];
}

/**
 * The changes of one batch, coalesced to at most one operation per (table, primary key), so every
 * table is written with a handful of multi-row statements and no statement touches a row twice.
 */
export class RowChangeBatch {
  readonly rowOps = new Map<string, Map<string, PendingRowOp>>();
  readonly increments = new Map<string, Map<string, PendingIncrement>>();
  readonly latest = new Map<string, Map<string, PendingLatest>>();

  constructor(private readonly tables: ReadonlyMap<string, TableDefinition>) {}

  /** All of an event's changes or none: a bad change leaves the batch as it was. */
  addAll(changes: readonly RowChange[]): void {
    for (const change of changes) this.check(change);
    for (const change of changes) this.add(change);
  }

  private check(change: RowChange): void {
    const table = this.tables.get(change.table);
    if (!table) throw new Error(`Unknown read-model table: ${change.table}`);
    const key = change.kind === 'upsert' || change.kind === 'latest' ? change.row : change.key;
    for (const column of table.primaryKey)
      if (key[column] === undefined || key[column] === null) throw new Error(`Change to ${table.name} lacks key column ${column}`);
    for (const column of columnsOf(change)) {
      if (!(column in table.columns)) throw new Error(`Unknown column ${table.name}.${column}`);
      if (table.columns[column]!.generated !== undefined) throw new Error(`Column ${table.name}.${column} is generated, never written`);
    }
  }

  private add(change: RowChange): void {
    const table = this.tables.get(change.table);
    if (!table) throw new Error(`Unknown read-model table: ${change.table}`);
    if (change.kind === 'increment') return this.addIncrement(table, change.key, change.add, change.max ?? {}, change.counts ?? {});
    if (change.kind === 'latest') return this.addLatest(table, change.row, change.by);
    const key = change.kind === 'upsert' ? pick(change.row, table.primaryKey) : change.key;
    const ops = mapFor(this.rowOps, table.name);
    const id = keyOf(table, key);
    ops.set(id, merge(ops.get(id), change, key));
  }

  get isEmpty(): boolean {
    return this.rowOps.size === 0 && this.increments.size === 0 && this.latest.size === 0;
  }

  private addIncrement(
    table: TableDefinition,
    key: Row,
    add: Readonly<Record<string, number>>,
    max: Readonly<Record<string, number>>,
    counts: Readonly<Record<string, Readonly<Record<string, number>>>>,
  ): void {
    const pending = mapFor(this.increments, table.name);
    const id = keyOf(table, key);
    const current = pending.get(id) ?? { key: pick(key, table.primaryKey), add: {}, max: {}, counts: {} };
    for (const [column, value] of Object.entries(add)) current.add[column] = (current.add[column] ?? 0) + value;
    for (const [column, value] of Object.entries(max)) current.max[column] = Math.max(current.max[column] ?? -Infinity, value);
    for (const [column, map] of Object.entries(counts)) {
      const target = (current.counts[column] ??= new Map());
      for (const [bucket, count] of Object.entries(map)) target.set(bucket, (target.get(bucket) ?? 0) + count);
    }
    pending.set(id, current);
  }

  private addLatest(table: TableDefinition, row: Row, by: readonly string[]): void {
    const pending = mapFor(this.latest, table.name);
    const id = keyOf(table, row);
    const current = pending.get(id);
    if (
      !current ||
      compareTuples(
        by.map((c) => row[c]),
        by.map((c) => current.row[c]),
      ) > 0
    )
      pending.set(id, { row: { ...row }, by });
  }
}

function merge(
  previous: PendingRowOp | undefined,
  change: Extract<RowChange, { kind: 'upsert' | 'patch' | 'delete' }>,
  key: Row,
): PendingRowOp {
  switch (change.kind) {
    case 'upsert':
      if (!previous) return { op: 'upsert', row: { ...change.row }, deleteFirst: false };
      if (previous.op === 'delete') return { op: 'upsert', row: { ...change.row }, deleteFirst: true };
      if (previous.op === 'upsert') return { ...previous, row: { ...previous.row, ...change.row } };
      return { op: 'upsert', row: { ...previous.set, ...change.row }, deleteFirst: false };
    case 'patch':
      if (!previous) return { op: 'patch', key, set: { ...change.set } };
      if (previous.op === 'delete') return previous;
      if (previous.op === 'upsert') return { ...previous, row: { ...previous.row, ...change.set } };
      return { ...previous, set: { ...previous.set, ...change.set } };
    case 'delete':
      return { op: 'delete', key };
  }
}

function columnsOf(change: RowChange): string[] {
  switch (change.kind) {
    case 'upsert':
    case 'latest':
      return Object.keys(change.row);
    case 'patch':
      return [...Object.keys(change.key), ...Object.keys(change.set)];
    case 'delete':
      return Object.keys(change.key);
    case 'increment':
      return [
        ...Object.keys(change.key),
        ...Object.keys(change.add),
        ...Object.keys(change.max ?? {}),
        ...Object.keys(change.counts ?? {}),
      ];
  }
}

/** Orders ISO timestamps, strings and numbers the way PostgreSQL's row comparison does for them. */
function compareTuples(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i] as string | number, b[i] as string | number];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function keyOf(table: TableDefinition, key: Row): string {
  return JSON.stringify(
    table.primaryKey.map((column) => {
      if (!(column in key)) throw new Error(`Change to ${table.name} is missing key column ${column}`);
      return key[column];
    }),
  );
}

function pick(row: Row, columns: readonly string[]): Row {
  return Object.fromEntries(columns.map((column) => [column, row[column]]));
}

function mapFor<V>(outer: Map<string, Map<string, V>>, name: string): Map<string, V> {
  let inner = outer.get(name);
  if (!inner) outer.set(name, (inner = new Map()));
  return inner;
}
