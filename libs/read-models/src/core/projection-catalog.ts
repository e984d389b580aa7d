import { createHash } from 'node:crypto';
import type pg from 'pg';
import { START, type Position } from '#event-store';
import type { ProjectionDefinition } from './projection.js';
import { createTableSql, dropTableSql, pointViewSql } from './table-ddl.js';

type Queryable = Pick<pg.ClientBase, 'query'>;

export interface CheckpointRow {
  readonly name: string;
  readonly generation: number;
  readonly position: Position;
  readonly eventsProcessed: number;
  readonly lastEventAt: Date | null;
  readonly updatedAt: Date;
}

export const CHECKPOINT_CHANNEL = 'projection_checkpoints';
export const SWITCH_CHANNEL = 'projection_switched';

/** A change to the tables of a projection needs a rebuild; the hash tells the daemon it happened. */
export function schemaHash(definition: ProjectionDefinition): string {
  return createHash('sha256').update(JSON.stringify(definition.tables)).digest('hex').slice(0, 16);
}

const lockKey = (name: string) => `projection-catalog:${name}`;

/** Creates generation 1 of a projection the first time it is seen. Safe to call from every process. */
export async function ensureProjection(client: Queryable, definition: ProjectionDefinition): Promise<void> {
  // Transaction-scoped: the caller runs this inside BEGIN … COMMIT so concurrent starts serialize.
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey(definition.name)]);
  const { rows } = await client.query<{ active_generation: number }>(
    'SELECT active_generation FROM projection_generations WHERE name = $1',
    [definition.name],
  );
  if (rows.length > 0) return;
  await createGeneration(client, definition, 1);
  for (const table of definition.tables) for (const sql of pointViewSql(table, 1)) await client.query(sql);
  await client.query('INSERT INTO projection_generations (name, active_generation, schema_hash) VALUES ($1, 1, $2)', [
    definition.name,
    schemaHash(definition),
  ]);
}

export async function createGeneration(client: Queryable, definition: ProjectionDefinition, generation: number): Promise<void> {
  for (const table of definition.tables) for (const sql of createTableSql(table, generation)) await client.query(sql);
  await client.query(
    `INSERT INTO projection_checkpoints (name, generation, schema_hash, position) VALUES ($1, $2, $3, $4)
     ON CONFLICT (name, generation) DO NOTHING`,
    [definition.name, generation, schemaHash(definition), START],
  );
}

export async function dropGeneration(client: Queryable, definition: ProjectionDefinition, generation: number): Promise<void> {
  for (const table of definition.tables) await client.query(dropTableSql(table, generation));
  await client.query('DELETE FROM projection_checkpoints WHERE name = $1 AND generation = $2', [definition.name, generation]);
  await client.query('DELETE FROM projection_dead_letters WHERE name = $1 AND generation = $2', [definition.name, generation]);
}

/** Points the logical views at `generation` and makes it active, in the caller's transaction. */
export async function switchGeneration(client: Queryable, definition: ProjectionDefinition, generation: number): Promise<void> {
  for (const table of definition.tables) for (const sql of pointViewSql(table, generation)) await client.query(sql);
  await client.query('UPDATE projection_generations SET active_generation = $2, schema_hash = $3, switched_at = now() WHERE name = $1', [
    definition.name,
    generation,
    schemaHash(definition),
  ]);
  await client.query('SELECT pg_notify($1, $2)', [SWITCH_CHANNEL, definition.name]);
}

export async function activeGeneration(client: Queryable, name: string): Promise<{ generation: number; schemaHash: string } | null> {
  const { rows } = await client.query<{ active_generation: number; schema_hash: string }>(
    'SELECT active_generation, schema_hash FROM projection_generations WHERE name = $1',
    [name],
  );
  return rows[0] ? { generation: rows[0].active_generation, schemaHash: rows[0].schema_hash } : null;
}

export async function readCheckpoint(
  client: Queryable,
  name: string,
  generation: number,
  forUpdate = false,
): Promise<CheckpointRow | null> {
  const { rows } = await client.query<{ position: string; events_processed: string; last_event_at: Date | null; updated_at: Date }>(
    `SELECT position, events_processed, last_event_at, updated_at FROM projection_checkpoints WHERE name = $1 AND generation = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [name, generation],
  );
  const row = rows[0];
  return row
    ? {
        name,
        generation,
        position: row.position,
        eventsProcessed: Number(row.events_processed),
        lastEventAt: row.last_event_at,
        updatedAt: row.updated_at,
      }
    : null;
}

/** The active generation's checkpoint of every projection: what queries are consistent up to. */
export async function activeCheckpoints(client: Queryable): Promise<Array<CheckpointRow & { deadLetters: number }>> {
  const { rows } = await client.query<{
    name: string;
    generation: number;
    position: string;
    events_processed: string;
    last_event_at: Date | null;
    updated_at: Date;
    dead_letters: string;
  }>(
    `SELECT c.name, c.generation, c.position, c.events_processed, c.last_event_at, c.updated_at,
            (SELECT count(*) FROM projection_dead_letters d WHERE d.name = c.name AND d.generation = c.generation) AS dead_letters
       FROM projection_checkpoints c JOIN projection_generations g ON g.name = c.name AND g.active_generation = c.generation
      ORDER BY c.name`,
  );
  return rows.map((row) => ({
    name: row.name,
    generation: row.generation,
    position: row.position,
    eventsProcessed: Number(row.events_processed),
    lastEventAt: row.last_event_at,
    updatedAt: row.updated_at,
    deadLetters: Number(row.dead_letters),
  }));
}
