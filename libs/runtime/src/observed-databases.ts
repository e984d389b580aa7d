import pg from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresEventStore, type EventStore } from '#event-store';
import { IngestionQueueQueries, sqlOnPool } from '#read-models';
import { QueryObserver, namedStatements, watchIngestionQueue, watchPool, type PoolCounts } from '#adapters';

/** The store's calls whose statements are named `event_store.<method>`; a subscription's reads are named by their SQL. */
const EVENT_STORE_CALLS = ['append', 'readStream', 'streamHead', 'headPosition', 'backlog', 'readBackward', 'readStreamPage'];

/** A PostgreSQL store on a pool whose statements are observed; it ends that pool when it closes, as it would its own. */
class ObservedPostgresEventStore extends PostgresEventStore {
  override async close(): Promise<void> {
    await super.close();
    await this.pool.end();
  }
}

export function observedPostgresEventStore(url: string, queries: QueryObserver, groupCommit?: false): PostgresEventStore {
  const pool = queries.pool('event_store', { connectionString: url, max: 10 });
  // As the store does for a pool of its own: an idle client's error must not crash the process.
  pool.on('error', () => undefined);
  return new ObservedPostgresEventStore({ connectionString: url, pool, groupCommit });
}

/** `store` with its statements named after the call that issued them. */
export function withNamedStatements(store: EventStore): EventStore {
  return namedStatements(store, 'event_store', EVENT_STORE_CALLS);
}

/**
 * Puts a process's databases on /metrics until the returned function is called: the connections
 * of each pool (`db_pool_connections`) and the ingestion queue's age, both read at each scrape.
 */
export function watchDatabases(parts: {
  readonly dataSource: DataSource;
  readonly projectorPool: pg.Pool;
  readonly store: EventStore;
  /** The api's read replica (DATABASE_READ_URL), when it has one. */
  readonly readReplica?: DataSource;
}): () => void {
  const queue = new IngestionQueueQueries(sqlOnPool(parts.projectorPool));
  const stops = [
    watchPool('read_models', (parts.dataSource.driver as unknown as { master: PoolCounts }).master),
    watchPool('projector', parts.projectorPool),
    ...(parts.readReplica ? [watchPool('read_replica', (parts.readReplica.driver as unknown as { master: PoolCounts }).master)] : []),
    ...(parts.store instanceof PostgresEventStore ? [watchPool('event_store', parts.store.pool)] : []),
    watchIngestionQueue(() => queue.waitingSeconds()),
  ];
  return () => stops.forEach((stop) => stop());
}
