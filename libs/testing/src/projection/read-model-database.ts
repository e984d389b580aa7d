import pg from 'pg';
import { createReadModelDataSource, ensureProjection, inTransaction, migrateReadModels, type ProjectionDefinition } from '#read-models';
import { createTestDatabase, type TestDatabase } from '../test-database.js';

export interface ReadModelDatabase {
  readonly database: TestDatabase;
  readonly pool: pg.Pool;
}

/**
 * A fresh test database with the read-model migrations run and generation 1 of `projections`
 * created, and a pool on it (the caller ends the pool and drops the database).
 */
export async function createReadModelDatabase(projections: readonly ProjectionDefinition[]): Promise<ReadModelDatabase> {
  const database = await createTestDatabase();
  // Two connections: the migration lock holds one while the migrations run on the other.
  const dataSource = createReadModelDataSource(database.url, { poolSize: 2 });
  await dataSource.initialize();
  await migrateReadModels(dataSource);
  await dataSource.destroy();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // The DROP … WITH (FORCE) of the test database can end a socket pg-pool has not closed yet.
  pool.on('error', () => undefined);
  await inTransaction(pool, async (client) => {
    for (const projection of projections) await ensureProjection(client, projection);
  });
  return { database, pool };
}
