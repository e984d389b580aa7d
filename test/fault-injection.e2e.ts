import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { LocalIdentityProvider, createLogger, localOrganizationId } from '#adapters';
import { comparePositions } from '#event-store';
import { PROJECTIONS } from '#read-models';
import { loadConfig, openRuntime, type Runtime } from '#runtime';
import { createTestDatabase, type TestDatabase } from '#testing';
import { replayProjection } from '../apps/projector/src/cli/replay.js';
import { freePort, startConsoleProcess, waitForApi, waitUntil, type ConsoleProcess } from './support/console-processes.js';
import { MixedLoad, countByStatus, type LoadClient, type LoadRecord } from './support/mixed-load.js';

/**
 * The production shape, as child processes on one PostgreSQL database: two api replicas and two
 * projector daemons (one applies, one stands by), under a mixed load of commands and reads sent
 * round-robin to both replicas. In sequence: every connection to the database terminated at once
 * (what a failover looks like to the processes), the applying projector SIGKILLed, an api replica
 * SIGKILLed; and the CLI's seed-jobs and replay with their connections terminated mid-run. The
 * service must answer 503 with Retry-After while it cannot reach the database, never 500, recover
 * by itself, lose no acknowledged write, and end with read models equal to a clean replay.
 */
const SEED = { org: 'seed', workspace: 'docs', jobs: 2000 };
const RECOVERY_DEADLINE_MS = 30_000; // a liveness deadline, not a performance assertion

describe('faults: connection loss, SIGKILLed processes, interrupted CLI runs', () => {
  let database: TestDatabase;
  let dataDir: string;
  let observer: pg.Pool;
  let runtime: Runtime | undefined;
  let env: Record<string, string>;
  let ports: number[];
  let projectorPorts: number[];
  const apis: ConsoleProcess[] = [];
  const projectors: ConsoleProcess[] = [];
  const everyProcess: ConsoleProcess[] = [];
  let load: MixedLoad;
  let probe: LoadClient;
  let clients: LoadClient[];
  let probes = 0;
  const figures: { recoveryMs?: number; projectionRecoveryMs?: number; terminated?: number; takeoverMs?: number } = {};
  const windows: { apiKilledAt?: number; apiBackAt?: number; killedReplica?: number } = {};

  const apiUrl = (replica: number) => `http://127.0.0.1:${ports[replica]}`;

  function start(name: string, entry: 'api' | 'projector' | 'cli', extra: Record<string, string> = {}, args: string[] = []) {
    const child = startConsoleProcess(name, entry, { ...env, ...extra }, args);
    everyProcess.push(child);
    return child;
  }

  const startApi = (replica: number) => start(`api-${replica + 1}`, 'api', { PORT: String(ports[replica]) });
  // Each projector serves its health and metrics on a port of its own, as two on one host must.
  const startProjector = (index: number) =>
    start(`projector-${index + 1}`, 'projector', { LOG_LEVEL: 'info', PROJECTOR_PORT: String(projectorPorts[index]) });

  /** `pg_terminate_backend` on every backend of the test database matching `where` but the one it runs on: the count. */
  async function terminate(where: string, via: pg.Pool | pg.Client = observer): Promise<number> {
    const { rows } = await via.query<{ n: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND (${where})`,
    );
    return rows[0]!.n;
  }

  /**
   * Runs `fault` while appends to the event log wait on a lock held here, once `waiting` (a SQL
   * count over the backends waiting for it) reaches `minimum`: the fault then lands on commands
   * in flight, not on idle connections, whatever the timing of the machine. Reads go on.
   */
  async function whileAppendsWait<T>(
    waiting: string,
    minimum: number,
    fault: (holder: pg.Client) => Promise<T>,
    /** Sends the commands that must be waiting, once the lock is held (else the load's own are awaited). */
    send?: () => void,
  ): Promise<T> {
    const holder = new pg.Client({ connectionString: database.url, application_name: 'fault-observer' });
    holder.on('error', () => undefined);
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE es_events IN EXCLUSIVE MODE');
      send?.();
      await waitUntil(
        `appends waiting (${waiting})`,
        async () =>
          (await count(`SELECT ${waiting} AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)) >=
          minimum,
        30_000,
        10,
      );
      return await fault(holder);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  }

  /** Which process (application_name) holds how many advisory locks: the projection runners' locks. */
  async function lockHolders(): Promise<Record<string, number>> {
    const { rows } = await observer.query<{ name: string; locks: number }>(
      `SELECT a.application_name AS name, count(*)::int AS locks FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() GROUP BY 1 ORDER BY 1`,
    );
    return Object.fromEntries(rows.map((row) => [row.name, row.locks]));
  }

  /** True once the active generation of every projection has applied `position`. */
  async function projectionsReached(position: string): Promise<boolean> {
    const { rows } = await observer.query<{ name: string; position: string }>(
      `SELECT c.name, c.position FROM projection_checkpoints c
         JOIN projection_generations g ON g.name = c.name AND g.active_generation = c.generation`,
    );
    return rows.length === PROJECTIONS.length && rows.every((row) => comparePositions(row.position, position) >= 0);
  }

  async function headPosition(): Promise<string> {
    const { rows } = await observer.query<{ xid: string; seq: string }>(
      'SELECT transaction_id::text AS xid, global_position::text AS seq FROM es_events ORDER BY transaction_id DESC, global_position DESC LIMIT 1',
    );
    return `${rows[0]!.xid}/${rows[0]!.seq}`;
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    return Number((await observer.query<{ n: string }>(sql, params)).rows[0]!.n);
  }

  /** Projections this projector's log says it stands by for (it found their lock taken). */
  function standingBy(projector: ConsoleProcess): Set<string> {
    const names = new Set<string>();
    for (const line of projector.output().split('\n')) {
      if (!line.includes('standing by')) continue;
      const projection = /"projection":"([a-z_]+)"/.exec(line)?.[1];
      if (projection) names.add(projection);
    }
    return names;
  }

  const ok = (record: LoadRecord) => record.status >= 200 && record.status < 300;

  /** The end of the last failed answer that ended after `from`, or null when none failed. */
  function lastFailureEnd(from: number): number | null {
    const failed = load.records.filter((r) => !ok(r) && r.endedAt >= from).map((r) => r.endedAt);
    return failed.length > 0 ? Math.max(...failed) : null;
  }

  async function probeWrite(): Promise<string> {
    return load.probeWrite(probe, -1, `probe-${++probes}`);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'console-faults-'));
    // Every api replica reads the same local identity key from DATA_DIR, so one token works on both.
    const identity = await LocalIdentityProvider.fromDirectory(join(dataDir, 'identity'));
    observer = new pg.Pool({ connectionString: database.url, application_name: 'fault-observer', max: 2 });
    observer.on('error', () => undefined); // its idle clients are terminated with everyone else's
    ports = [await freePort(), await freePort()];
    projectorPorts = [await freePort(), await freePort()];
    env = {
      DATABASE_URL: database.url,
      EVENT_STORE_URL: '',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: '',
      REDIS_URL: '',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // The load creates far more workspaces and keys than an organization's defaults allow.
      RATE_LIMIT_WORKSPACE_CREATE: 'off',
      QUOTA_WORKSPACES: 'off',
      QUOTA_API_KEYS_PER_USER: 'off',
    };
    // As compose runs it: the schema migrated once, then every process starts without DDL.
    const migrate = startConsoleProcess('migrate', 'cli', env, ['migrate']);
    expect(await migrate.exited).toEqual({ code: 0, signal: null });
    env.MIGRATE_ON_START = 'false';
    apis.push(startApi(0), startApi(1));
    projectors.push(startProjector(0));
    await Promise.all(apis.map((api, replica) => waitForApi(apiUrl(replica), api)));
    // The first projector applies every projection before the second starts, which then stands by.
    await waitUntil(
      'projector-1 holds every projection lock',
      async () => (await lockHolders())['projector-1'] === PROJECTIONS.length,
      60_000,
    );
    projectors.push(startProjector(1));
    await waitUntil(
      'projector-2 stands by for every projection',
      async () => standingBy(projectors[1]!).size === PROJECTIONS.length,
      60_000,
    );
    expect(await lockHolders()).toEqual({ 'projector-1': PROJECTIONS.length });

    clients = await Promise.all(
      [0, 1, 2, 3].map(async (i) => ({
        org: `load-${i}`,
        userId: `user_load_${i}`,
        token: await identity.mint({ userId: `user_load_${i}`, organizationSlug: `load-${i}`, role: 'admin' }),
      })),
    );
    probe = {
      org: 'probe',
      userId: 'user_probe',
      token: await identity.mint({ userId: 'user_probe', organizationSlug: 'probe', role: 'admin' }),
    };
    const dashboardToken = await identity.mint({ userId: 'user_viewer', organizationSlug: SEED.org, role: 'member' });
    load = new MixedLoad({
      replicas: [apiUrl(0), apiUrl(1)],
      clients,
      dashboard: { org: SEED.org, workspace: SEED.workspace, token: dashboardToken },
    });
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await Promise.all(everyProcess.map((child) => child.kill('SIGKILL')));
    // FAULT_TEST_LOGS=<dir> keeps every child's output there, to read after a failure.
    if (process.env.FAULT_TEST_LOGS)
      for (const child of everyProcess)
        writeFileSync(join(process.env.FAULT_TEST_LOGS, `${child.name}-${child.child.pid}.log`), child.output());
    await runtime?.close();
    await observer?.end();
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('seed-jobs retries when its connections are terminated mid-run, and writes every job once', async () => {
    const seed = start('seed-cli', 'cli', {}, [
      'seed-jobs',
      ...['--org', SEED.org, '--workspace', SEED.workspace, '--jobs', String(SEED.jobs), '--days', '30', '--seed', '7'],
      ...['--now', '2026-11-01T00:00:00Z', '--concurrency', '8'],
    ]);
    await waitUntil(
      'seed-jobs under way',
      async () => (await count(`SELECT count(*) AS n FROM es_events WHERE type = 'JobQueued'`)) >= 300,
      60_000,
      10,
    );
    // The CLI is CPU-bound: at a random instant its connections are mostly idle, and losing an idle
    // one costs nothing; the cut lands on a command in flight instead.
    const terminated = await whileAppendsWait(`count(*) FILTER (WHERE application_name = 'seed-cli')`, 1, () =>
      terminate(`application_name = 'seed-cli'`),
    );
    expect(terminated).toBeGreaterThan(0);
    const exit = await seed.exited;

    expect({ exit, output: seed.output() }).toEqual({
      exit: { code: 0, signal: null },
      output: expect.stringContaining(`seeded ${SEED.jobs} jobs`),
    });
    expect(seed.output()).toContain('warning: database connection lost (');
    const { rows } = await observer.query<{ events: number; streams: number }>(
      `SELECT count(*)::int AS events, count(DISTINCT stream_id)::int AS streams FROM es_events WHERE type = 'JobQueued'`,
    );
    expect(rows[0]).toEqual({ events: SEED.jobs, streams: SEED.jobs });
    await waitUntil('projections caught up with the seed', async () => projectionsReached(await headPosition()), 60_000);
  }, 120_000);

  it('every connection terminated at once: in-flight requests get 503 with Retry-After, never 500, and the service recovers by itself', async () => {
    load.start();
    await waitUntil('load answered on both replicas', async () => load.answeredSince(0, 0) >= 20 && load.answeredSince(0, 1) >= 20, 60_000);

    // Every connection but the holder's, with commands of both replicas in flight (waiting to append).
    let cut = 0;
    figures.terminated = await whileAppendsWait(
      `count(DISTINCT application_name) FILTER (WHERE application_name LIKE 'api-%')`,
      2,
      (holder) => {
        cut = Date.now();
        return terminate('true', holder);
      },
    );
    expect(figures.terminated).toBeGreaterThanOrEqual(8); // both apis' pools and listeners, both projectors' sessions
    await Promise.all([
      // Recovered: both replicas have answered 10 requests with 2xx since the last failure.
      waitUntil(
        'the service answers without failures again',
        async () => {
          const since = lastFailureEnd(cut) ?? cut;
          return load.answeredSince(since, 0) >= 10 && load.answeredSince(since, 1) >= 10;
        },
        RECOVERY_DEADLINE_MS,
      ),
      (async () => {
        const position = await probeWrite();
        await waitUntil(
          'every projection applies a write made after the cut',
          () => projectionsReached(position),
          RECOVERY_DEADLINE_MS,
          20,
        );
        figures.projectionRecoveryMs = Date.now() - cut;
      })(),
    ]);

    const failed = load.records.filter((r) => !ok(r) && r.endedAt >= cut);
    figures.recoveryMs = (lastFailureEnd(cut) ?? cut) - cut;
    expect(failed.length).toBeGreaterThanOrEqual(2); // the commands in flight
    expect(failed.filter((r) => r.status !== 503)).toEqual([]);
    expect(failed.filter((r) => r.retryAfter === null)).toEqual([]);
    expect(figures.recoveryMs).toBeLessThan(RECOVERY_DEADLINE_MS);
  }, 120_000);

  it('a SIGKILLed projector is replaced by the standby, and the restarted one stands by', async () => {
    const holders = await lockHolders();
    const victim = projectors.findIndex((p) => p.name === Object.entries(holders).sort((a, b) => b[1] - a[1])[0]![0]);
    expect(victim).toBeGreaterThanOrEqual(0);
    const survivor = 1 - victim;

    const killedAt = Date.now();
    await projectors[victim]!.kill('SIGKILL');
    const position = await probeWrite();
    await waitUntil('every projection applies a write made after the kill', () => projectionsReached(position), RECOVERY_DEADLINE_MS, 20);
    figures.takeoverMs = Date.now() - killedAt;
    expect(await lockHolders()).toEqual({ [projectors[survivor]!.name]: PROJECTIONS.length });

    const restarted = startProjector(victim);
    projectors[victim] = restarted;
    await waitUntil(
      'the restarted projector stands by for every projection',
      async () => standingBy(restarted).size === PROJECTIONS.length,
      60_000,
    );
    expect(await lockHolders()).toEqual({ [projectors[survivor]!.name]: PROJECTIONS.length });
    const after = await probeWrite();
    await waitUntil('the survivor keeps applying', () => projectionsReached(after), RECOVERY_DEADLINE_MS);
    expect(await lockHolders()).toEqual({ [projectors[survivor]!.name]: PROJECTIONS.length });
  }, 120_000);

  it('a SIGKILLed api replica, restarted on its port, loses no acknowledged write', async () => {
    const replica = 1;
    windows.killedReplica = replica;
    const acknowledgedBefore = load.acknowledged.length;
    // Killed with a command of its own in flight: the append it sent still commits after its death,
    // unanswered; the client's retry (same Idempotency-Key, other replica) must get that result, not a second write.
    // The test sends that command to the replica itself: the load's clients, blocked on the other
    // replica's appends while the lock is held, might never send it one.
    let inFlight: Promise<string> | undefined;
    await whileAppendsWait(
      `count(*) FILTER (WHERE application_name = 'api-${replica + 1}')`,
      1,
      async () => {
        windows.apiKilledAt = Date.now();
        await apis[replica]!.kill('SIGKILL');
      },
      () => {
        inFlight = load.probeWrite(probe, -1, `in-flight-${++probes}`, replica);
      },
    );
    apis[replica] = startApi(replica);
    await waitForApi(apiUrl(replica), apis[replica]!);
    windows.apiBackAt = Date.now();
    await waitUntil(
      'the restarted replica answers the load',
      async () => load.answeredSince(windows.apiBackAt!, replica) >= 10,
      RECOVERY_DEADLINE_MS,
    );
    await load.stop();
    // The command in flight at the kill is answered by a retry with its key: acknowledged once.
    await expect(inFlight).resolves.toMatch(/\d+\/\d+/);
    expect(load.acknowledged.length).toBeGreaterThan(acknowledgedBefore);
  }, 120_000);

  it('replay retries when its connections are terminated mid-run, and switches to the rebuilt generation', async () => {
    const generation = async () =>
      (await observer.query<{ g: number }>(`SELECT active_generation AS g FROM projection_generations WHERE name = 'jobs'`)).rows[0]!.g;
    const from = await generation();
    const replay = start('replay-cli', 'cli', {}, ['replay', 'jobs', '--batch-size', '50']);
    await waitUntil(
      'replay under way',
      async () =>
        (await count(`SELECT events_processed AS n FROM projection_checkpoints WHERE name = 'jobs' AND generation = $1`, [from + 1]).catch(
          () => 0,
        )) > 0,
      60_000,
      10,
    );
    expect(await generation()).toBe(from); // still building: the switch has not happened
    expect(await terminate(`application_name = 'replay-cli'`)).toBeGreaterThan(0);
    const exit = await replay.exited;

    expect({ exit, output: replay.output() }).toEqual({
      exit: { code: 0, signal: null },
      output: expect.stringContaining(`replayed jobs: generation ${from} → ${from + 1}`),
    });
    expect(replay.output()).toMatch(/lock session lost|resubscribing from checkpoint|database connection lost/);
    // Dropped: the live daemons heard the switch on their LISTEN connections, re-established after the cut.
    expect(replay.output()).toContain(`generation ${from} dropped`);
    expect(await generation()).toBe(from + 1);
  }, 120_000);

  it('loses no acknowledged write, answers no 500, and ends with read models equal to a clean replay', async () => {
    const records = load.records;
    expect(records.filter((r) => r.status >= 500 && r.status !== 503)).toEqual([]);
    expect(records.filter((r) => r.status === 503 && r.retryAfter === null)).toEqual([]);
    expect(records.filter((r) => r.status >= 400 && r.status < 500)).toEqual([]);
    // No answer at all only from the killed replica, while it was down (requests in flight when it died included).
    const unanswered = records.filter((r) => r.status === 0);
    expect(
      unanswered.filter((r) => r.replica !== windows.killedReplica || r.endedAt < windows.apiKilledAt! || r.startedAt > windows.apiBackAt!),
    ).toEqual([]);

    // Every acknowledged write is in the log exactly once, and in its read model.
    const workspaces = load.acknowledged.filter((w) => w.kind === 'workspace').map((w) => w.id);
    const keys = load.acknowledged.filter((w) => w.kind === 'api-key').map((w) => w.id);
    const stored = await observer.query<{ id: string; n: number }>(
      `SELECT data->>'workspaceId' AS id, count(*)::int AS n FROM es_events WHERE type = 'WorkspaceCreated' AND data->>'workspaceId' = ANY($1) GROUP BY 1
       UNION ALL
       SELECT data->>'keyId', count(*)::int FROM es_events WHERE type = 'ApiKeyCreated' AND data->>'keyId' = ANY($2) GROUP BY 1`,
      [workspaces, keys],
    );
    expect(stored.rows.filter((row) => row.n !== 1)).toEqual([]);
    expect(new Set(stored.rows.map((row) => row.id))).toEqual(new Set([...workspaces, ...keys]));
    // Nothing applied twice or behind the clients' backs: the load's organizations and users hold
    // exactly the creations acknowledged to them (plus, at most, commands given up on unanswered).
    const created = await count(
      `SELECT count(*) AS n FROM es_events WHERE (type = 'WorkspaceCreated' AND data->>'organizationId' = ANY($1))
          OR (type = 'ApiKeyCreated' AND data->>'userId' = ANY($2))`,
      [[...clients, probe].map((c) => localOrganizationId(c.org)), [...clients, probe].map((c) => c.userId)],
    );
    expect(created).toBeGreaterThanOrEqual(load.acknowledged.length);
    expect(created).toBeLessThanOrEqual(load.acknowledged.length + load.abandoned.length);
    const head = await headPosition();
    await waitUntil('projections caught up with the log', () => projectionsReached(head), 60_000);
    expect(await count('SELECT count(*) AS n FROM workspaces WHERE id::text = ANY($1)', [workspaces])).toBe(workspaces.length);
    expect(await count('SELECT count(*) AS n FROM api_keys WHERE id::text = ANY($1)', [keys])).toBe(keys.length);

    // Both daemons stop; then every read model must equal a rebuild from the log, row for row.
    for (const projector of projectors) expect(await projector.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    runtime = await openRuntime(loadConfig({}), {
      databaseUrl: database.url,
      identity: await LocalIdentityProvider.ephemeral(),
      logger: createLogger('test', 'silent'),
    });
    for (const projection of PROJECTIONS) {
      const live = await snapshot(projection.tables.map((t) => t.name));
      await replayProjection({ store: runtime.store, pool: runtime.projectorPool, definition: projection, logger: runtime.logger });
      expect({ projection: projection.name, rows: live }).toEqual({
        projection: projection.name,
        rows: await snapshot(projection.tables.map((t) => t.name)),
      });
    }

    const failures: Record<string, number> = {};
    for (const r of records.filter((record) => record.status !== 0 && !ok(record)))
      failures[`${r.op} ${r.code}`] = (failures[`${r.op} ${r.code}`] ?? 0) + 1;
    process.stdout.write(
      `fault test: ${records.length} requests ${JSON.stringify(countByStatus(records))} (503s: ${JSON.stringify(failures)}); ` +
        `${load.acknowledged.length} acknowledged writes ` +
        `(${workspaces.length} workspaces, ${keys.length} API keys), ${load.abandoned.length} abandoned; ` +
        `all connections terminated (${figures.terminated} backends): 503-free after ${figures.recoveryMs} ms, ` +
        `projections applying again after ${figures.projectionRecoveryMs} ms; projector SIGKILL: standby took over in ${figures.takeoverMs} ms\n`,
    );
  }, 180_000);

  async function snapshot(tables: string[]): Promise<unknown[]> {
    const rows: unknown[] = [];
    for (const table of tables) {
      const result = await observer.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY to_jsonb(t)::text`);
      rows.push(...result.rows.map((r) => ({ table, ...(r.row as object) })));
    }
    return rows;
  }
});
