import { physicalTableName, type TableDefinition } from './projection.js';

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** DDL for one generation's physical table and its indexes. */
export function createTableSql(table: TableDefinition, generation: number): string[] {
  const physical = physicalTableName(table.name, generation);
  const columns = Object.entries(table.columns).map(([name, column]) => {
    const nullability = column.nullable ? '' : ' NOT NULL';
    const fallback = column.default !== undefined ? ` DEFAULT ${column.default}` : '';
    const generated = column.generated !== undefined ? ` GENERATED ALWAYS AS (${column.generated}) STORED` : '';
    return `${quote(name)} ${column.type}${nullability}${fallback}${generated}`;
  });
  return [
    `CREATE TABLE IF NOT EXISTS ${quote(physical)} (${columns.join(', ')}, PRIMARY KEY (${table.primaryKey.map(quote).join(', ')}))`,
    // An index body starting with `UNIQUE ` makes a unique index: `UNIQUE (key_hash)`.
    ...(table.indexes ?? []).map((body, i) => {
      const unique = body.startsWith('UNIQUE ');
      return `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quote(`${physical}_i${i}`)} ON ${quote(physical)} ${unique ? body.slice('UNIQUE '.length) : body}`;
    }),
  ];
}

export function dropTableSql(table: TableDefinition, generation: number): string {
  return `DROP TABLE IF EXISTS ${quote(physicalTableName(table.name, generation))}`;
}

/** The logical name is a view on the active generation; replaced (not altered) because columns may differ. */
export function pointViewSql(table: TableDefinition, generation: number): string[] {
  return [
    `DROP VIEW IF EXISTS ${quote(table.name)}`,
    `CREATE VIEW ${quote(table.name)} AS SELECT * FROM ${quote(physicalTableName(table.name, generation))}`,
  ];
}
