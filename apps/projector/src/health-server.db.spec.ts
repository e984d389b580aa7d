import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { LocalIdentityProvider, createLogger } from '#adapters';
import { PostgresEventStore } from '#event-store';
import { loadConfig, openRuntime, type Runtime } from '#runtime';
import { createTestDatabase, type TestDatabase } from '#testing';
import { startProjectorHealthServer, type ProjectorHealthServer } from './health-server.js';
import { ProjectorDaemon } from './projector.daemon.js';

const logger = createLogger('test', 'silent');
const METRICS_TOKEN = 'metrics-secret';

/** Polls an observable condition (a runner's state) until it holds, failing after the deadline. */
async function until(condition: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the projector health and metrics server', () => {
  let database: TestDatabase;
  let runtime: Runtime;
  let active: ProjectorDaemon;
  let standby: ProjectorDaemon;
  let standbyPool: pg.Pool;
  let standbyStore: PostgresEventStore;
  const servers: ProjectorHealthServer[] = [];

  const serve = async (options: { daemon: ProjectorDaemon; pool?: pg.Pool }) => {
    const server = await startProjectorHealthServer({
      host: '127.0.0.1',
      port: 0,
      runners: options.daemon.runners,
      store: runtime.store,
      pool: options.pool ?? runtime.projectorPool,
      logger,
      metricsToken: METRICS_TOKEN,
    });
    servers.push(server);
    return server;
  };
  const get = async (server: ProjectorHealthServer, path: string, init?: RequestInit) => {
    const response = await fetch(`${server.url}${path}`, init);
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    runtime = await openRuntime(loadConfig({}), { databaseUrl: database.url, logger, identity: await LocalIdentityProvider.ephemeral() });
    active = new ProjectorDaemon({ store: runtime.store, pool: runtime.projectorPool, connectionString: database.url, logger });
    await active.start();
    await until(() => active.runners.every((r) => r.state === 'running'), 'every projection runs');
    // A second projector process: its own connections, so the first one's advisory locks keep it standing by.
    standbyPool = new pg.Pool({ connectionString: database.url, max: active.runners.length + 4 });
    standbyPool.on('error', () => undefined);
    standbyStore = new PostgresEventStore({ connectionString: database.url });
    standby = new ProjectorDaemon({ store: standbyStore, pool: standbyPool, connectionString: database.url, logger });
    await standby.start();
    await until(() => standby.runners.every((r) => r.state === 'standby'), 'every projection of the second daemon stands by');
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    await standby?.stop();
    await active?.stop();
    await standbyPool?.end();
    await standbyStore?.close();
    await runtime?.close();
    await database?.drop();
  });

  it('is live, and ready while every projection runs, naming each state', async () => {
    const server = await serve({ daemon: active });
    expect(await get(server, '/health/live')).toEqual({ status: 200, type: 'application/json; charset=utf-8', text: '{"status":"ok"}' });
    const ready = await get(server, '/health/ready');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({
      status: 'ready',
      checks: { database: 'ok', projections: Object.fromEntries(active.runners.map((r) => [r.name, 'running'])) },
    });
  });

  it('counts a standby as healthy: another process holds the projections', async () => {
    const ready = await get(await serve({ daemon: standby, pool: standbyPool }), '/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.values(JSON.parse(ready.text).checks.projections)).toEqual(standby.runners.map(() => 'standby'));
  });

  it('is not ready when the database does not answer, and says only which dependency is down', async () => {
    const unreachable = new pg.Pool({ connectionString: 'postgres://console:secret-password@127.0.0.1:1/console', max: 1 });
    try {
      const ready = await get(await serve({ daemon: active, pool: unreachable }), '/health/ready');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.text)).toEqual(
        expect.objectContaining({ status: 'not_ready', checks: expect.objectContaining({ database: 'down' }) }),
      );
      expect(ready.text).not.toMatch(/ECONNREFUSED|secret-password|127\.0\.0\.1/);
    } finally {
      await unreachable.end();
    }
  });

  it('serves the Prometheus registry with the projector metrics, only with METRICS_TOKEN', async () => {
    const server = await serve({ daemon: active });
    expect((await get(server, '/metrics')).status).toBe(401);
    expect((await get(server, '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const metrics = await get(server, '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    // Refreshed on each scrape from the checkpoints: one lag gauge per projection.
    for (const runner of active.runners) expect(metrics.text).toContain(`projector_lag_seconds{projection="${runner.name}"}`);
    expect(metrics.text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('answers 404 for another path and 405 for another method', async () => {
    const server = await serve({ daemon: active });
    expect((await get(server, '/health')).status).toBe(404);
    const post = await get(server, '/health/ready', { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('is not ready once the daemon stopped', async () => {
    const server = await serve({ daemon: standby, pool: standbyPool });
    await standby.stop();
    const ready = await get(server, '/health/ready');
    expect(ready.status).toBe(503);
    expect(Object.values(JSON.parse(ready.text).checks.projections)).toEqual(standby.runners.map(() => 'stopped'));
  });
});
