import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { dbPoolConnections, dbQueryDuration, dbStatementTimeouts, watchPool } from './db-metrics.js';
import { createLogger } from './logger.js';
import { QueryObserver, isStatementTimeout } from './query-observer.js';
import { RequestQueries, countingQueries } from './request-queries.js';
import { namedStatements } from './statement-names.js';

type Line = Record<string, unknown> & { msg: string };

function capturingObserver(slowQueryMs: number): { observer: QueryObserver; lines: Line[] } {
  const lines: Line[] = [];
  const logger = createLogger('spec', 'warn', { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  return { observer: new QueryObserver({ logger, slowQueryMs }), lines };
}

async function countOf(metric: typeof dbQueryDuration | typeof dbStatementTimeouts, labels: Record<string, string>): Promise<number> {
  const { values } = (await metric.get()) as { values: Array<{ metricName?: string; labels: Record<string, unknown>; value: number }> };
  const name = metric === dbQueryDuration ? 'db_query_duration_seconds_count' : undefined;
  const found = values.find(
    (v) => (name === undefined || v.metricName === name) && Object.entries(labels).every(([key, value]) => v.labels[key] === value),
  );
  return found?.value ?? 0;
}

describe('QueryObserver (the pg client class given to a pool)', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  const poolOf = (observer: QueryObserver, name: string, config: pg.PoolConfig = {}) => {
    const pool = new pg.Pool({ connectionString: database.url, max: 2, ...config, Client: observer.client(name) });
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database?.drop();
  });

  it('times every statement under its pool and name, whichever way pg is called, failures included', async () => {
    const pool = poolOf(capturingObserver(0).observer, 'spec_forms');
    const count = (statement: string) => countOf(dbQueryDuration, { pool: 'spec_forms', statement });
    const before = await Promise.all(['select pg_class', 'select pg_namespace', 'Probe.run', 'select no_such_table'].map(count));

    await pool.query('SELECT relname FROM pg_class LIMIT 1'); // pool.query: pg's callback form underneath
    const client = await pool.connect();
    try {
      await client.query({ text: 'SELECT nspname FROM pg_namespace LIMIT 1' }); // a config object, a promise
      await new Promise<void>((resolve, reject) =>
        client.query('SELECT relname FROM pg_class LIMIT 1', (error) => (error ? reject(error) : resolve())),
      );
    } finally {
      client.release();
    }
    await namedStatements({ run: () => pool.query('SELECT 4 FROM pg_class LIMIT 1') }, 'Probe').run();
    await expect(pool.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);

    const after = await Promise.all(['select pg_class', 'select pg_namespace', 'Probe.run', 'select no_such_table'].map(count));
    expect(after.map((n, i) => n - before[i]!)).toEqual([2, 1, 1, 1]);
  });

  it('counts the statements a request issues, and logs a slow one with its name, duration and request id', async () => {
    const { observer, lines } = capturingObserver(20);
    const pool = poolOf(observer, 'spec_slow');
    const request = new RequestQueries('req-slow-1');
    await countingQueries(request, async () => {
      await pool.query('SELECT pg_sleep(0.05)');
      await namedStatements({ lookup: () => pool.query('SELECT 1') }, 'Probe').lookup();
    });
    await pool.query('SELECT pg_sleep(0.05)'); // outside any request
    expect(request.count).toBe(2);
    const slow = lines.filter((line) => line.msg === 'slow query' && line.statement === 'select pg_sleep');
    expect(slow).toHaveLength(2);
    expect(slow[0]).toMatchObject({ pool: 'spec_slow', requestId: 'req-slow-1', sql: 'SELECT pg_sleep(0.05)', level: 40 });
    expect(slow[0]!.durationMs).toBeGreaterThan(20);
    expect(slow[1]!.requestId).toBeUndefined();
  });

  it('names and counts a pool.query that waited for a connection as its caller’s, not as the releaser’s', async () => {
    const { observer } = capturingObserver(0);
    const pool = observer.pool('spec_waiting', { connectionString: database.url, max: 1 });
    pools.push(pool);
    const held = await pool.connect();
    const request = new RequestQueries('req-waiting');
    const before = await countOf(dbQueryDuration, { pool: 'spec_waiting', statement: 'Waiter.lookup' });
    const waiting = countingQueries(request, () => namedStatements({ lookup: () => pool.query('SELECT 1') }, 'Waiter').lookup());
    // The waiter gets the connection inside release(), called here from another request's context.
    countingQueries(new RequestQueries('req-releasing'), () => namedStatements({ free: () => held.release() }, 'Releaser').free());
    await waiting;
    expect((await countOf(dbQueryDuration, { pool: 'spec_waiting', statement: 'Waiter.lookup' })) - before).toBe(1);
    expect(request.count).toBe(1);
  });

  it('logs no slow query when the threshold is 0', async () => {
    const { observer, lines } = capturingObserver(0);
    await poolOf(observer, 'spec_quiet').query('SELECT pg_sleep(0.05)');
    expect(lines).toEqual([]);
  });

  it('counts and logs a statement PostgreSQL cancelled at statement_timeout', async () => {
    const { observer, lines } = capturingObserver(10_000);
    const pool = poolOf(observer, 'spec_timeout', { statement_timeout: 50 });
    const before = await countOf(dbStatementTimeouts, { pool: 'spec_timeout', statement: 'select pg_sleep' });
    const error = await pool.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
    expect(isStatementTimeout(error)).toBe(true);
    expect((await countOf(dbStatementTimeouts, { pool: 'spec_timeout', statement: 'select pg_sleep' })) - before).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'statement cancelled: it ran past statement_timeout', statement: 'select pg_sleep' }),
    ]);
  });
});

describe('db_pool_connections', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  const read = async (pool: string) =>
    Object.fromEntries((await dbPoolConnections.get()).values.filter((v) => v.labels.pool === pool).map((v) => [v.labels.state, v.value]));

  it('reports a watched pool’s connections and waiting callers at each scrape, and nothing once unwatched', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1, Client: capturingObserver(0).observer.client('spec_gauges') });
    const unwatch = watchPool('spec_gauges', pool);
    try {
      expect(await read('spec_gauges')).toEqual({ total: 0, idle: 0, waiting: 0 });
      const held = await pool.connect();
      const waiting = pool.connect();
      expect(await read('spec_gauges')).toEqual({ total: 1, idle: 0, waiting: 1 });
      held.release();
      (await waiting).release();
      expect(await read('spec_gauges')).toEqual({ total: 1, idle: 1, waiting: 0 });
    } finally {
      unwatch();
      await pool.end();
    }
    expect(await read('spec_gauges')).toEqual({});
  });
});
