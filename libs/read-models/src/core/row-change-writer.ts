import type pg from 'pg';
import { physicalTableName, type ColumnType, type TableDefinition } from './projection.js';
import type { PendingIncrement, PendingLatest, PendingRowOp, RowChangeBatch } from './row-change-batch.js';

type Row = Record<string, unknown>;
type Queryable = Pick<pg.ClientBase, 'query'>;

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Writes a coalesced batch with one statement per (table, operation, column set), each taking its
 * rows as typed arrays through `unnest`, so a batch of 500 events costs a few round trips.
 */
export async function writeRowChanges(
  client: Queryable,
  batch: RowChangeBatch,
  tables: ReadonlyMap<string, TableDefinition>,
  generation: number,
): Promise<number> {
  let statements = 0;
  for (const [tableName, ops] of batch.rowOps) {
    const table = tables.get(tableName)!;
    const target = quote(physicalTableName(table.name, generation));
    const all = [...ops.values()];
    const deletes = all.flatMap((op) =>
      op.op === 'delete' ? [op.key] : op.op === 'upsert' && op.deleteFirst ? [pickKey(table, op.row)] : [],
    );
    if (deletes.length > 0) {
      const key = arraysFor(table, table.primaryKey, deletes);
      await client.query(`DELETE FROM ${target} t USING ${key.unnest} WHERE ${matchKey(table, 't', 'v')}`, key.values);
      statements++;
    }
    for (const rows of groupByColumns(all.flatMap((op) => (op.op === 'upsert' ? [op.row] : [])))) {
      const columns = Object.keys(rows[0]!);
      const data = arraysFor(table, columns, rows);
      const updates = columns.filter((c) => !table.primaryKey.includes(c)).map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`);
      const onConflict = updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
      await client.query(
        `INSERT INTO ${target} (${columns.map(quote).join(', ')}) SELECT * FROM ${data.unnest} ON CONFLICT (${table.primaryKey.map(quote).join(', ')}) ${onConflict}`,
        data.values,
      );
      statements++;
    }
    const patches = all.flatMap((op) => (op.op === 'patch' ? [{ ...op.key, ...op.set }] : []));
    for (const rows of groupByColumns(patches)) {
      const columns = Object.keys(rows[0]!);
      const data = arraysFor(table, columns, rows);
      const sets = columns.filter((c) => !table.primaryKey.includes(c)).map((c) => `${quote(c)} = v.${quote(c)}`);
      if (sets.length === 0) continue;
      await client.query(`UPDATE ${target} t SET ${sets.join(', ')} FROM ${data.unnest} WHERE ${matchKey(table, 't', 'v')}`, data.values);
      statements++;
    }
  }
  for (const [tableName, increments] of batch.increments) {
    const table = tables.get(tableName)!;
    statements += await writeIncrements(client, table, quote(physicalTableName(table.name, generation)), [...increments.values()]);
  }
  for (const [tableName, latest] of batch.latest) {
    const table = tables.get(tableName)!;
    statements += await writeLatest(client, table, quote(physicalTableName(table.name, generation)), [...latest.values()]);
  }
  return statements;
}

async function writeLatest(client: Queryable, table: TableDefinition, target: string, pending: PendingLatest[]): Promise<number> {
  const groups = new Map<string, PendingLatest[]>();
  for (const item of pending) {
    const signature = `${Object.keys(item.row).sort().join(',')}|${item.by.join(',')}`;
    pushTo(groups, signature, item);
  }
  for (const group of groups.values()) {
    const rows = group.map((g) => normalize(g.row));
    const columns = Object.keys(rows[0]!);
    const by = group[0]!.by;
    const data = arraysFor(table, columns, rows);
    const sets = columns.filter((c) => !table.primaryKey.includes(c)).map((c) => `${quote(c)} = EXCLUDED.${quote(c)}`);
    await client.query(
      `INSERT INTO ${target} AS t (${columns.map(quote).join(', ')}) SELECT * FROM ${data.unnest}
       ON CONFLICT (${table.primaryKey.map(quote).join(', ')}) DO UPDATE SET ${sets.join(', ')}
       WHERE (${by.map((c) => `EXCLUDED.${quote(c)}`).join(', ')}) > (${by.map((c) => `t.${quote(c)}`).join(', ')})`,
      data.values,
    );
  }
  return groups.size;
}

async function writeIncrements(client: Queryable, table: TableDefinition, target: string, increments: PendingIncrement[]): Promise<number> {
  const groups = new Map<string, PendingIncrement[]>();
  for (const increment of increments) {
    const signature = `${Object.keys(increment.add).sort().join(',')}|${Object.keys(increment.max).sort().join(',')}|${Object.keys(increment.counts).sort().join(',')}`;
    pushTo(groups, signature, increment);
  }
  for (const group of groups.values()) {
    const addColumns = Object.keys(group[0]!.add).sort();
    const maxColumns = Object.keys(group[0]!.max).sort();
    const countColumns = Object.keys(group[0]!.counts).sort();
    const rows = group.map((g) => ({ ...g.key, ...g.add, ...g.max, ...g.counts }));
    const columns = [...table.primaryKey, ...addColumns, ...maxColumns, ...countColumns];
    const data = arraysFor(table, columns, rows);
    const sets = [
      ...addColumns.map((c) => `${quote(c)} = t.${quote(c)} + EXCLUDED.${quote(c)}`),
      ...maxColumns.map((c) => `${quote(c)} = GREATEST(t.${quote(c)}, EXCLUDED.${quote(c)})`),
      ...countColumns.map((c) => `${quote(c)} = read_model_merge_counts(t.${quote(c)}, EXCLUDED.${quote(c)})`),
    ];
    await client.query(
      `INSERT INTO ${target} AS t (${columns.map(quote).join(', ')}) SELECT * FROM ${data.unnest}
       ON CONFLICT (${table.primaryKey.map(quote).join(', ')}) DO UPDATE SET ${sets.join(', ')}`,
      data.values,
    );
  }
  return groups.size;
}

function arraysFor(table: TableDefinition, columns: readonly string[], rows: readonly Row[]): { unnest: string; values: unknown[] } {
  const casts = columns.map((column, i) => {
    const definition = table.columns[column];
    if (!definition) throw new Error(`Unknown column ${table.name}.${column}`);
    return `$${i + 1}::${definition.type}[]`;
  });
  const values = columns.map((column) => rows.map((row) => toSql(row[column], table.columns[column]!.type)));
  return { unnest: `unnest(${casts.join(', ')}) AS v(${columns.map(quote).join(', ')})`, values };
}

function toSql(value: unknown, type: ColumnType): unknown {
  if (value === undefined || value === null) return null;
  if (value instanceof Map) return countsJson(value as Map<string, number>);
  if (type === 'jsonb') return JSON.stringify(value);
  return value;
}

/** A batch's count map as a jsonb object, written out directly (no object with numeric keys). */
function countsJson(counts: ReadonlyMap<string, number>): string {
  const entries: string[] = [];
  for (const [key, count] of counts) entries.push(`${JSON.stringify(key)}:${count}`);
  return `{${entries.join(',')}}`;
}

function matchKey(table: TableDefinition, left: string, right: string): string {
  return table.primaryKey.map((c) => `${left}.${quote(c)} = ${right}.${quote(c)}`).join(' AND ');
}

function pickKey(table: TableDefinition, row: Row): Row {
  return Object.fromEntries(table.primaryKey.map((c) => [c, row[c]]));
}

function groupByColumns(rows: readonly Row[]): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const signature = Object.keys(row).sort().join(',');
    pushTo(groups, signature, normalize(row));
  }
  return [...groups.values()];
}

/** Appends in place: copying the group on every row made a batch's writes quadratic in its rows. */
function pushTo<V>(groups: Map<string, V[]>, signature: string, value: V): void {
  const group = groups.get(signature);
  if (group) group.push(value);
  else groups.set(signature, [value]);
}

/** Same column order in every row of a group, so `Object.keys(rows[0])` describes them all. */
function normalize(row: Row): Row {
  return Object.fromEntries(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k]]),
  );
}

export type { PendingRowOp };
