import { afterAll, beforeAll, expect } from '@jest/globals';
import pg from 'pg';
import type { RecordedEvent } from '#domain';
import {
  createGeneration,
  inTransaction,
  physicalTableName,
  readCheckpoint,
  type CheckpointRow,
  type ProjectionDefinition,
} from '#read-models';
import { type TestDatabase } from '../test-database.js';
import { applyCheckpointedBatch } from './checkpointed-batch.js';
import { createReadModelDatabase } from './read-model-database.js';

export interface ProjectionGeneration {
  readonly generation: number;
  /** Applies the events as one batch past the generation's checkpoint; returns how many it applied. */
  apply(events: readonly RecordedEvent[]): Promise<number>;
  /** A table's rows (by default the projection's first), ordered by its primary key. */
  rows(table?: string): Promise<Record<string, unknown>[]>;
  /** Every table's rows, by table name: what "the same read model" means when comparing generations. */
  snapshot(): Promise<Record<string, Record<string, unknown>[]>>;
  checkpoint(): Promise<CheckpointRow | null>;
}

export interface ProjectionSpec {
  readonly pool: pg.Pool;
  /** Generation 1, which the logical views (`jobs`, …) point at: what a query service reads. */
  readonly active: ProjectionGeneration;
  /** A new, empty generation of the projection's tables, so each test starts from nothing. */
  generation(): Promise<ProjectionGeneration>;
  /** Emmett's `given(events).then(…)`: the events applied as one batch to a new generation. */
  given(events: readonly RecordedEvent[]): {
    then(expectedRows: readonly Record<string, unknown>[], table?: string): Promise<void>;
    thenQuery(sql: string, params: readonly unknown[], expectedRows: readonly Record<string, unknown>[]): Promise<void>;
  };
}

/**
 * A projection against its own fresh database with the read-model migrations run. Registers the
 * `beforeAll` that creates it and the `afterAll` that drops it, so call it at the top of a spec file.
 * `thenQuery` reads through `{table}` placeholders, replaced with the given generation's tables.
 */
export function useProjectionSpec(definition: ProjectionDefinition): ProjectionSpec {
  let database: TestDatabase;
  let pool: pg.Pool;
  let generations = 0;

  beforeAll(async () => {
    ({ database, pool } = await createReadModelDatabase([definition]));
    generations = 1;
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const tableNames = definition.tables.map((table) => table.name);
  const orderOf = (table: string) => definition.tables.find((t) => t.name === table)!.primaryKey.join(', ');

  async function generation(): Promise<ProjectionGeneration> {
    const number = ++generations;
    await inTransaction(pool, (client) => createGeneration(client, definition, number));
    return generationOf(number);
  }

  function generationOf(number: number): ProjectionGeneration {
    const rows = async (table = tableNames[0]!) =>
      (await pool.query(`SELECT * FROM ${physicalTableName(table, number)} ORDER BY ${orderOf(table)}`)).rows;
    return {
      generation: number,
      async apply(events) {
        if (events.length === 0) return 0;
        const client = await pool.connect();
        try {
          return await applyCheckpointedBatch(client, definition, number, events);
        } finally {
          client.release();
        }
      },
      rows,
      async snapshot() {
        return Object.fromEntries(await Promise.all(tableNames.map(async (table) => [table, await rows(table)] as const)));
      },
      checkpoint: () => readCheckpoint(pool, definition.name, number),
    };
  }

  return {
    get pool() {
      return pool;
    },
    active: generationOf(1),
    generation,
    given(events) {
      const applied = (async () => {
        const target = await generation();
        await target.apply(events);
        return target;
      })();
      return {
        async then(expectedRows, table) {
          expect(await (await applied).rows(table)).toEqual(expectedRows);
        },
        async thenQuery(sql, params, expectedRows) {
          const target = await applied;
          const physical = sql.replace(/\{(\w+)\}/g, (_, table: string) => physicalTableName(table, target.generation));
          expect((await pool.query(physical, [...params])).rows).toEqual(expectedRows);
        },
      };
    },
  };
}
