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
}

/**
 * The changes of one batch, coalesced to at most one operation per (table, primary key), so every
 * table is written with a handful of multi-row statements and no statement touches a row twice.
 */
export class RowChangeBatch {
  readonly rowOps = new Map<string, Map<string, PendingRowOp>>();
  readonly increments = new Map<string, Map<string, PendingIncrement>>();

  constructor(private readonly tables: ReadonlyMap<string, TableDefinition>) {}

  /** All of an event's changes or none: a bad change leaves the batch as it was. */
  addAll(changes: readonly RowChange[]): void {
    for (const change of changes) this.check(change);
    for (const change of changes) this.add(change);
  }

  private check(change: RowChange): void {
    const table = this.tables.get(change.table);
    if (!table) throw new Error(`Unknown read-model table: ${change.table}`);
    const key = change.kind === 'upsert' ? change.row : change.key;
    for (const column of table.primaryKey) if (key[column] === undefined || key[column] === null) throw new Error(`Change to ${table.name} lacks key column ${column}`);
    const columns = change.kind === 'upsert' ? Object.keys(change.row) : change.kind === 'patch' ? [...Object.keys(change.key), ...Object.keys(change.set)] : change.kind === 'delete' ? Object.keys(change.key) : [...Object.keys(change.key), ...Object.keys(change.add), ...Object.keys(change.max ?? {})];
    for (const column of columns) if (!(column in table.columns)) throw new Error(`Unknown column ${table.name}.${column}`);
  }

  private add(change: RowChange): void {
    const table = this.tables.get(change.table);
    if (!table) throw new Error(`Unknown read-model table: ${change.table}`);
    if (change.kind === 'increment') return this.addIncrement(table, change.key, change.add, change.max ?? {});
    const key = change.kind === 'upsert' ? pick(change.row, table.primaryKey) : change.key;
    const ops = mapFor(this.rowOps, table.name);
    const id = keyOf(table, key);
    ops.set(id, merge(ops.get(id), change, key));
  }

  get isEmpty(): boolean {
    return this.rowOps.size === 0 && this.increments.size === 0;
  }

  private addIncrement(table: TableDefinition, key: Row, add: Readonly<Record<string, number>>, max: Readonly<Record<string, number>>): void {
    const pending = mapFor(this.increments, table.name);
    const id = keyOf(table, key);
    const current = pending.get(id) ?? { key: pick(key, table.primaryKey), add: {}, max: {} };
    for (const [column, value] of Object.entries(add)) current.add[column] = (current.add[column] ?? 0) + value;
    for (const [column, value] of Object.entries(max)) current.max[column] = Math.max(current.max[column] ?? -Infinity, value);
    pending.set(id, current);
  }
}

function merge(previous: PendingRowOp | undefined, change: Exclude<RowChange, { kind: 'increment' }>, key: Row): PendingRowOp {
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

function keyOf(table: TableDefinition, key: Row): string {
  return JSON.stringify(table.primaryKey.map((column) => {
    if (!(column in key)) throw new Error(`Change to ${table.name} is missing key column ${column}`);
    return key[column];
  }));
}

function pick(row: Row, columns: readonly string[]): Row {
  return Object.fromEntries(columns.map((column) => [column, row[column]]));
}

function mapFor<V>(outer: Map<string, Map<string, V>>, name: string): Map<string, V> {
  let inner = outer.get(name);
  if (!inner) outer.set(name, (inner = new Map()));
  return inner;
}
