import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresEventStore, type EventStore } from '#event-store';
import { PROJECTIONS, ensureProjection, inTransaction, migrateReadModels } from '#read-models';

/** What a process's schemas live in: the event store, the read-model database (TypeORM) and a pool on it. */
export interface Storage {
  readonly store: EventStore;
  readonly dataSource: DataSource;
  readonly pool: pg.Pool;
}

export interface MigrationReport {
  /** EventStoreDB needs no schema; the PostgreSQL store's tables and functions are created or replaced. */
  readonly eventStore: 'postgres' | 'eventstoredb';
  /** Read-model migrations this run applied (none when another run or process had already). */
  readonly readModelMigrations: readonly string[];
  /** Projections registered (generation 1 created) by this run. */
  readonly projectionsCreated: readonly string[];
}

const MIGRATE_LOCK = 'console-migrate';

/**
 * Creates or updates everything the api and the projector expect to exist: the event store's schema,
 * the read-model migrations and a generation of every projection. Idempotent. Runs one at a time
 * per database (a `console migrate` and processes that migrate at start serialize on an advisory
 * lock, and each step keeps its own lock too), so no two race on DDL and the report says what
 * this run did.
 */
export async function migrateStorage(storage: Storage): Promise<MigrationReport> {
  const lock = await storage.pool.connect();
  let broken = false;
  try {
    await lock.query('SET statement_timeout = 0'); // waiting for another run's migrations is not a slow query
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATE_LOCK]);
    const pendingBefore = await pendingReadModelMigrations(storage.dataSource);
    const projectionsBefore = await registeredProjections(storage.pool);
    if (storage.store instanceof PostgresEventStore) await storage.store.ensureSchema();
    await migrateReadModels(storage.dataSource);
    await inTransaction(storage.pool, async (client) => {
      for (const projection of PROJECTIONS) await ensureProjection(client, projection);
    });
    const pendingAfter = await pendingReadModelMigrations(storage.dataSource);
    const projectionsAfter = await registeredProjections(storage.pool);
    return {
      eventStore: storage.store instanceof PostgresEventStore ? 'postgres' : 'eventstoredb',
      readModelMigrations: pendingBefore.filter((name) => !pendingAfter.includes(name)),
      projectionsCreated: PROJECTIONS.map((p) => p.name).filter((name) => projectionsAfter.has(name) && !projectionsBefore.has(name)),
    };
  } finally {
    try {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATE_LOCK]);
      await lock.query('RESET statement_timeout');
    } catch {
      broken = true; // a session that may still hold the lock must not go back to the pool
    }
    lock.release(broken);
  }
}

export class StorageNotMigratedError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `The database schema is not current (MIGRATE_ON_START=false): ${missing.join('; ')}. ` +
        'Run `console migrate` (docker compose: the migrate service) once, or start with MIGRATE_ON_START=true',
    );
    this.name = 'StorageNotMigratedError';
  }
}

/**
 * For processes that must not run DDL (MIGRATE_ON_START=false): reads only, and refuses to start,
 * naming what is missing, rather than fail later on the first query that needs it.
 */
export async function assertStorageMigrated(storage: Storage): Promise<void> {
  const missing: string[] = [];
  if (storage.store instanceof PostgresEventStore) {
    const { rows } = await storage.store.pool.query<{ events: boolean; append: boolean }>(
      `SELECT to_regclass('es_events') IS NOT NULL AS events,
              to_regprocedure('es_append(text, text, bigint, uuid[], text[], jsonb[], jsonb[])') IS NOT NULL
                AND to_regprocedure('es_append_batch(text[], text[], bigint[], int[], uuid[], text[], jsonb[], jsonb[])') IS NOT NULL AS append`,
    );
    if (!rows[0]!.events || !rows[0]!.append) missing.push('the event store has no schema');
  }
  const pending = await pendingReadModelMigrations(storage.dataSource);
  if (pending.length > 0) missing.push(`read-model migrations pending: ${pending.join(', ')}`);
  const registered = await registeredProjections(storage.pool);
  const unregistered = PROJECTIONS.map((p) => p.name).filter((name) => !registered.has(name));
  if (unregistered.length > 0) missing.push(`projections not registered: ${unregistered.join(', ')}`);
  if (missing.length > 0) throw new StorageNotMigratedError(missing);
}

/**
 * The api's read replica (DATABASE_READ_URL) must have the schema its queries expect: a standby
 * follows the primary's DDL by itself, a logical subscriber does not (DDL is not replicated).
 * Reads only, as its user may do nothing else.
 */
export async function assertReadReplicaMigrated(dataSource: DataSource): Promise<void> {
  const pending = await pendingReadModelMigrations(dataSource);
  if (pending.length > 0)
    throw new Error(
      `The read replica (DATABASE_READ_URL) lacks read-model migrations this version needs: ${pending.join(', ')}. ` +
        'A logical-replication subscriber needs the same schema as the primary; apply its migrations there too',
    );
}

async function pendingReadModelMigrations(dataSource: DataSource): Promise<string[]> {
  const [table] = await dataSource.query<Array<{ exists: boolean }>>(`SELECT to_regclass('read_model_migrations') IS NOT NULL AS exists`);
  const executed = table!.exists
    ? new Set((await dataSource.query<Array<{ name: string }>>('SELECT name FROM read_model_migrations')).map((row) => row.name))
    : new Set<string>();
  return dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name).filter((name) => !executed.has(name));
}

async function registeredProjections(pool: pg.Pool): Promise<Set<string>> {
  const { rows: table } = await pool.query<{ exists: boolean }>(`SELECT to_regclass('projection_generations') IS NOT NULL AS exists`);
  if (!table[0]!.exists) return new Set();
  const { rows } = await pool.query<{ name: string }>('SELECT name FROM projection_generations');
  return new Set(rows.map((row) => row.name));
}
