import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from './metrics.js';

export const dbQueryDuration = new Histogram({
  name: 'db_query_duration_seconds',
  help: 'PostgreSQL statement duration (from sending it on a connection to its answer), by pool and statement name',
  labelNames: ['pool', 'statement'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const dbStatementTimeouts = new Counter({
  name: 'db_statement_timeouts_total',
  help: 'Statements PostgreSQL cancelled (statement_timeout, SQLSTATE 57014), by pool and statement name',
  labelNames: ['pool', 'statement'] as const,
  registers: [metricsRegistry],
});

export const dbQueriesPerRequest = new Histogram({
  name: 'db_queries_per_request',
  help: 'Statements one HTTP request issued, on every pool, by route template',
  labelNames: ['route'] as const,
  buckets: [0, 1, 2, 3, 4, 6, 8, 10, 15, 20, 50, 100],
  registers: [metricsRegistry],
});

/** What a pg.Pool tells about its connections (also TypeORM's pool: `dataSource.driver.master`). */
export type PoolCounts = Pick<import('pg').Pool, 'totalCount' | 'idleCount' | 'waitingCount'>;

const pools = new Map<string, Set<PoolCounts>>();

/**
 * Read at each scrape, so no timer runs and a pool's figures are current. `waiting` counts callers
 * queued for a connection: above 0 for long, the pool is too small for the load.
 */
export const dbPoolConnections = new Gauge({
  name: 'db_pool_connections',
  help: 'Connections of each PostgreSQL pool (state: total, idle) and callers waiting for one (state: waiting)',
  labelNames: ['pool', 'state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const [pool, members] of pools) {
      const sum = (count: (p: PoolCounts) => number) => [...members].reduce((total, member) => total + count(member), 0);
      this.set(
        { pool, state: 'total' },
        sum((p) => p.totalCount),
      );
      this.set(
        { pool, state: 'idle' },
        sum((p) => p.idleCount),
      );
      this.set(
        { pool, state: 'waiting' },
        sum((p) => p.waitingCount),
      );
    }
  },
});

/** Reports `pool` under `name` in `db_pool_connections` until the returned function is called. */
export function watchPool(name: string, pool: PoolCounts): () => void {
  const members = pools.get(name) ?? new Set();
  pools.set(name, members.add(pool));
  return () => {
    members.delete(pool);
    if (members.size === 0 && pools.get(name) === members) pools.delete(name);
  };
}
