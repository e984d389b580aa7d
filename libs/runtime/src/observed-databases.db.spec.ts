import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { LocalIdentityProvider, TokenCipher, dbPoolConnections, dbQueryDuration, isStatementTimeout, metricsRegistry } from '#adapters';
import { PostgresEventStore } from '#event-store';
import { createTestDatabase, type TestDatabase } from '#testing';
import { loadConfig } from './config.js';
import { projectionStatus } from './projection-status.js';
import { openRuntime, type Runtime } from './runtime.js';

const STATEMENT_TIMEOUT_MS = 200;

async function observations(pool: string, statement: string): Promise<number> {
  const { values } = (await dbQueryDuration.get()) as {
    values: Array<{ metricName?: string; labels: Record<string, unknown>; value: number }>;
  };
  return (
    values.find((v) => v.metricName === 'db_query_duration_seconds_count' && v.labels.pool === pool && v.labels.statement === statement)
      ?.value ?? 0
  );
}

async function gauge(name: string): Promise<Array<{ labels: Record<string, unknown>; value: number }>> {
  return (await metricsRegistry.getSingleMetric(name)!.get()).values;
}

describe('the runtime’s databases, observed', () => {
  let database: TestDatabase;
  let runtime: Runtime;
  let serverDefault: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    serverDefault = (await admin.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout;
    await admin.end();
    runtime = await openRuntime(loadConfig({ DATABASE_URL: database.url, API_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) }), {
      databaseUrl: database.url,
      identity: await LocalIdentityProvider.ephemeral(),
      cipher: new TokenCipher(Buffer.alloc(32, 7)),
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await database?.drop();
  });

  it('gives every session of the api’s read-model pool the statement timeout, the one that ran the migrations included', async () => {
    // Ten runners at once take every connection the pool has or can open, so each session answers once.
    const runners: QueryRunner[] = Array.from({ length: 10 }, () => runtime.dataSource.createQueryRunner());
    try {
      const settings = await Promise.all(
        runners.map(async (runner) => {
          await runner.connect();
          return ((await runner.query('SHOW statement_timeout')) as Array<{ statement_timeout: string }>)[0]!.statement_timeout;
        }),
      );
      expect(new Set(settings)).toEqual(new Set([`${STATEMENT_TIMEOUT_MS}ms`]));
    } finally {
      await Promise.all(runners.map((runner) => runner.release()));
    }
  });

  it('cancels a long statement on the api’s pool, and not on the projector’s or the event store’s', async () => {
    const error = await runtime.dataSource.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
    expect(isStatementTimeout(error)).toBe(true);
    await expect(runtime.projectorPool.query(`SELECT pg_sleep(${(STATEMENT_TIMEOUT_MS * 2) / 1000})`)).resolves.toBeDefined();
    const storePool = (runtime.store as PostgresEventStore).pool;
    for (const pool of [runtime.projectorPool, storePool]) {
      expect((await pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]!.statement_timeout).toBe(serverDefault);
    }
  });

  it('names the event store’s statements after its calls', async () => {
    const names = ['event_store.append', 'event_store.readStream', 'select es_append', 'select es_events'];
    const before = await Promise.all(names.map((name) => observations('event_store', name)));
    const stream = `spec-${randomUUID()}`;
    await runtime.store.append(stream, [{ id: randomUUID(), type: 'SpecHappened', data: {} }], 'no-stream');
    expect(await runtime.store.readStream(stream)).toHaveLength(1);
    const delta = Object.fromEntries(
      await Promise.all(names.map(async (name, i) => [name, (await observations('event_store', name)) - before[i]!])),
    );
    // The append's NOTIFY, sent without waiting after it commits, also counts under its name (once it has run).
    expect(delta['event_store.append']).toBeGreaterThanOrEqual(1);
    expect(delta).toMatchObject({ 'event_store.readStream': 1, 'select es_append': 0, 'select es_events': 0 });
  });

  it('reports the connections of each of its pools at a scrape', async () => {
    const pools = new Set((await gauge('db_pool_connections')).map((v) => `${String(v.labels.pool)}/${String(v.labels.state)}`));
    for (const pool of ['read_models', 'projector', 'event_store']) {
      for (const state of ['total', 'idle', 'waiting']) expect(pools).toContain(`${pool}/${state}`);
    }
    const total = (await dbPoolConnections.get()).values.find((v) => v.labels.pool === 'read_models' && v.labels.state === 'total')!.value;
    expect(total).toBeGreaterThan(0);
  });

  it('reads the ingestion queue’s age from the read model at each scrape', async () => {
    await runtime.projectorPool.query(
      `INSERT INTO ingestion_queue (job_id, organization_id, workspace_id, repository_id, github_repo_id, status, input, queued_at)
       VALUES ('job-old', 'org', 'ws', NULL, '1', 'queued', '{}', now() - interval '1 hour'),
              ('job-running', 'org', 'ws', NULL, '2', 'running', '{}', now() - interval '5 hours')`,
    );
    try {
      const ages = Object.fromEntries((await gauge('reactor_ingestion_queue_age_seconds')).map((v) => [v.labels.kind, v.value]));
      expect(ages.jobs).toBeGreaterThanOrEqual(3600);
      expect(ages.jobs).toBeLessThan(2 * 3600); // the running job, queued earlier, is not waiting
      expect(ages.initial_syncs).toBe(0);
    } finally {
      await runtime.projectorPool.query(`DELETE FROM ingestion_queue WHERE job_id IN ('job-old', 'job-running')`);
    }
  });

  it('exports each projection’s dead letters when its status is read', async () => {
    await runtime.projectorPool.query(
      `INSERT INTO projection_dead_letters (name, generation, event_id, event_type, stream_id, position, error, event)
       SELECT 'jobs', active_generation, 'bad-1', 'JobQueued', 's', '1/1', 'boom', '{}' FROM projection_generations WHERE name = 'jobs'`,
    );
    await projectionStatus(runtime.store, runtime.projectorPool);
    const deadLetters = Object.fromEntries((await gauge('projector_dead_letters')).map((v) => [v.labels.projection, v.value]));
    expect(deadLetters).toMatchObject({ jobs: 1, workspaces: 0 });
  });
});

describe('a closed runtime', () => {
  it('is no longer on /metrics', async () => {
    const database = await createTestDatabase();
    try {
      const runtime = await openRuntime(loadConfig({ DATABASE_URL: database.url }), {
        databaseUrl: database.url,
        identity: await LocalIdentityProvider.ephemeral(),
        cipher: new TokenCipher(Buffer.alloc(32, 7)),
      });
      expect((await gauge('db_pool_connections')).length).toBeGreaterThan(0);
      await runtime.close();
      expect(await gauge('db_pool_connections')).toEqual([]);
      expect(await gauge('reactor_ingestion_queue_age_seconds')).toEqual([]);
    } finally {
      await database.drop();
    }
  });
});
