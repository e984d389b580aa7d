import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';
import { PostgresEventStore, START, type Position, type SubscriptionBatch } from '#event-store';
import { createLogger } from '#adapters';
import { ProjectionRunner, type ProjectionRunnerOptions } from '../../apps/projector/src/projection-runner.js';
import { createReadModelDataSource, migrateReadModels } from '../../libs/read-models/src/core/data-source.js';
import { ensureProjection, readCheckpoint, type CheckpointRow } from '../../libs/read-models/src/core/projection-catalog.js';
import { inTransaction as inTransactionOn } from '../../libs/read-models/src/core/in-transaction.js';
import type { ProjectionDefinition } from '../../libs/read-models/src/core/projection.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface ProjectionHarness {
  /** Set once the file's `beforeAll` hooks have run. */
  readonly store: PostgresEventStore;
  readonly pool: pg.Pool;
  /** Position of the last event appended by this file: what "caught up" means for its runners. */
  readonly lastAppended: Position;
  /** Tells the harness a test appended an event; returns the position. */
  recordAppended(position: Position): Position;
  inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  newRunner(options?: Partial<ProjectionRunnerOptions>): ProjectionRunner;
  runToHead(options?: Partial<ProjectionRunnerOptions>): Promise<number[]>;
  readAllBatches(): Promise<SubscriptionBatch[]>;
  /** The rows of a table (by default the projection's first, through its view of the active generation), by id unless `orderBy` says otherwise. */
  rows(table?: string, orderBy?: string): Promise<any[]>;
  checkpointOf(generation?: number): Promise<CheckpointRow | null>;
}

/**
 * A projection against its own fresh database: event store, read-model migrations and generation 1.
 * Registers the `beforeAll` that sets it up and the `afterAll` that drops it, so call it at the top of
 * a spec file, before the hooks that seed events. Its methods may be destructured; `store`, `pool` and
 * `lastAppended` are read from the harness when used.
 */
export function useProjectionHarness(definition: ProjectionDefinition): ProjectionHarness {
  const logger = createLogger(`${definition.name}.projection.spec`, 'silent');
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: pg.Pool;
  let lastAppended: Position = START;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: database.url });
    await store.ensureSchema();
    const dataSource = createReadModelDataSource(database.url, { poolSize: 2 });
    await dataSource.initialize();
    await migrateReadModels(dataSource);
    await dataSource.destroy();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    // pg-pool's end() resolves before its clients' sockets have closed; the test database's DROP … WITH (FORCE)
    // can then terminate one, and the pool re-emits that as an 'error' nobody would handle.
    pool.on('error', () => undefined);
    await inTransaction((client) => ensureProjection(client, definition));
  });

  afterAll(async () => {
    await pool?.end();
    await store?.close();
    await database?.drop();
  });

  const inTransaction = <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => inTransactionOn(pool, work);

  function newRunner(options: Partial<ProjectionRunnerOptions> = {}): ProjectionRunner {
    return new ProjectionRunner({ store, pool, definition, logger, mode: 'live', stopWhenCaughtUp: true, ...options });
  }

  /**
   * Runs the runner with `stopWhenCaughtUp` until its checkpoint reaches the last appended event;
   * returns the events applied per batch. One run normally does it; a run can report caught up early
   * because the store's visible head stops below any transaction still open on the server (its
   * gap-safety horizon), e.g. one of a test file running in parallel.
   */
  async function runToHead(options: Partial<ProjectionRunnerOptions> = {}): Promise<number[]> {
    const applied: number[] = [];
    const deadline = Date.now() + 10_000;
    let reached: Position = START;
    while (store.comparePositions(reached, lastAppended) < 0) {
      if (Date.now() > deadline) throw new Error(`runner stuck at ${reached}, short of ${lastAppended}`);
      const runner = newRunner({ ...options, onBatch: (progress) => (applied.push(progress.applied), (reached = progress.position)) });
      try {
        await runner.start().done;
      } finally {
        await runner.stop();
      }
    }
    return applied;
  }

  /** The batches a subscription from the start delivers, up to the last appended event: what a runner saw. */
  async function readAllBatches(): Promise<SubscriptionBatch[]> {
    const subscription = store.subscribe({ after: START, eventTypes: definition.eventTypes });
    const batches: SubscriptionBatch[] = [];
    try {
      for await (const batch of subscription) {
        batches.push(batch);
        if (store.comparePositions(batch.checkpoint, lastAppended) >= 0) break;
      }
    } finally {
      await subscription.close();
    }
    return batches;
  }

  return {
    get store() {
      return store;
    },
    get pool() {
      return pool;
    },
    get lastAppended() {
      return lastAppended;
    },
    recordAppended(position) {
      lastAppended = position;
      return position;
    },
    inTransaction,
    newRunner,
    runToHead,
    readAllBatches,
    rows: async (table = definition.tables[0]!.name, orderBy = 'id') => (await pool.query(`SELECT * FROM ${table} ORDER BY ${orderBy}`)).rows,
    checkpointOf: (generation = 1) => readCheckpoint(pool, definition.name, generation),
  };
}
