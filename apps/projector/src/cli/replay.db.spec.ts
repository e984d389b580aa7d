import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { pino } from 'pino';
import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '#domain';
import { PostgresEventStore } from '#event-store';
import {
  activeGeneration,
  createGeneration,
  createReadModelDataSource,
  ensureProjection,
  inTransaction,
  migrateReadModels,
  type ProjectionDefinition,
} from '#read-models';
import { createTestDatabase, type TestDatabase } from '#testing';
import { replayProjection } from './replay.js';

/** One row per event: a replay that lost or doubled an event shows in the row count. */
function noteProjection(name: string): ProjectionDefinition {
  return {
    name,
    eventTypes: [`${name}.Noted`],
    tables: [{ name: `${name}_notes`, columns: { event_id: { type: 'text' }, n: { type: 'bigint' } }, primaryKey: ['event_id'] }],
    apply: (event: RecordedEvent) => [
      { kind: 'upsert', table: `${name}_notes`, row: { event_id: event.id, n: (event.data as { n: number }).n } },
    ],
  };
}

describe('replayProjection', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: pg.Pool;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: database.url });
    await store.ensureSchema();
    const dataSource = createReadModelDataSource(database.url, { poolSize: 2 });
    await dataSource.initialize();
    await migrateReadModels(dataSource);
    await dataSource.destroy();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    pool.on('error', () => undefined);
  });

  afterAll(async () => {
    await pool?.end();
    await store?.close();
    await database?.drop();
  });

  async function projectionWithEvents(name: string, count: number): Promise<ProjectionDefinition> {
    const definition = noteProjection(name);
    await inTransaction(pool, (client) => ensureProjection(client, definition));
    for (let n = 1; n <= count; n++) await store.append(`note-${n % 3}`, [{ id: randomUUID(), type: `${name}.Noted`, data: { n } }], 'any');
    return definition;
  }

  const rows = async (definition: ProjectionDefinition) =>
    Number((await pool.query(`SELECT count(*) FROM ${definition.name}_notes`)).rows[0].count);

  it('resumes the generation an interrupted replay left unfinished, instead of leaving it behind', async () => {
    const definition = await projectionWithEvents('resumed', 12);
    // What a replay stopped before its switch leaves: generation 2, created, not active.
    await inTransaction(pool, (client) => createGeneration(client, definition, 2));

    const result = await replayProjection({ store, pool, definition, logger });

    expect(result).toMatchObject({ from: 1, to: 2, resumed: true, droppedOld: true, events: 12 });
    expect(await activeGeneration(pool, definition.name)).toMatchObject({ generation: 2 });
    expect(await rows(definition)).toBe(12);
  });

  it('starts a new generation when the unfinished one was built for other tables', async () => {
    const definition = await projectionWithEvents('changed', 5);
    const older: ProjectionDefinition = { ...definition, tables: [{ ...definition.tables[0]!, columns: { event_id: { type: 'text' } } }] };
    await inTransaction(pool, (client) => createGeneration(client, older, 2));

    const result = await replayProjection({ store, pool, definition, logger });

    expect(result).toMatchObject({ from: 1, to: 3, resumed: false, events: 5 });
    expect(await rows(definition)).toBe(5);
  });
});
