import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { LocalIdentityProvider, createLogger, localOrganizationId } from '#adapters';
import { PROJECTIONS, activeGeneration, readCheckpoint } from '#read-models';
import { loadConfig } from '#runtime';
import { openRuntime, type Runtime } from '#runtime';
import { seedJobs } from '../apps/projector/src/cli/seed-jobs.js';
import { replayProjection } from '../apps/projector/src/cli/replay.js';
import { createTestDatabase, type TestDatabase } from '#testing';

/**
 * The projector daemon, as a real child process, is SIGKILLed at random moments while it catches
 * up on more than 50k events, and restarted each time. Because every batch commits with its
 * checkpoint, the read models must end up equal, row for row, to a clean rebuild.
 */
describe('projector crash safety', () => {
  let database: TestDatabase;
  let runtime: Runtime;
  let totalEvents = 0;
  /** The last seeded event: done means every projection's checkpoint has reached it. */
  let lastPosition = '';

  beforeAll(async () => {
    database = await createTestDatabase();
    runtime = await openRuntime(loadConfig({}), {
      databaseUrl: database.url,
      identity: await LocalIdentityProvider.ephemeral(),
      logger: createLogger('test', 'silent'),
    });
    const seeded = await seedJobs(runtime.store, {
      organizationId: localOrganizationId('crash'),
      workspaceName: 'docs',
      jobs: 18_000,
      days: 30,
      seed: 42,
      now: new Date('2026-11-01T00:00:00Z'),
      concurrency: 16,
    });
    expect(seeded.jobs).toBe(18_000);
    lastPosition = seeded.position!;
    const { rows } = await runtime.projectorPool.query<{ count: string }>('SELECT count(*) FROM es_events');
    totalEvents = Number(rows[0]!.count);
  }, 300_000);

  afterAll(async () => {
    await runtime?.close();
    await database?.drop();
  });

  // Not the store's head: a long transaction elsewhere on the server can hold the visible head back.
  async function caughtUp(): Promise<boolean> {
    const head = lastPosition;
    for (const projection of PROJECTIONS) {
      const generation = (await activeGeneration(runtime.projectorPool, projection.name))!.generation;
      const checkpoint = await readCheckpoint(runtime.projectorPool, projection.name, generation);
      if (runtime.store.comparePositions(checkpoint!.position, head) < 0) return false;
    }
    return true;
  }

  function startDaemon(): ChildProcess {
    return spawn(process.execPath, ['dist/apps/projector/src/main.js'], {
      // PROJECTOR_PORT 0: its health server on any free port, so parallel test files never clash on 9464.
      env: { ...process.env, DATABASE_URL: database.url, EVENT_STORE_URL: '', LOG_LEVEL: 'info', NODE_OPTIONS: '', PROJECTOR_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  }

  /** Resolves once the daemon has applied at least one batch after it started (its log says so). */
  async function startedApplying(child: ChildProcess): Promise<void> {
    let output = '';
    for await (const chunk of child.stdout!) {
      output += String(chunk);
      if (output.includes('projector started')) return;
    }
  }

  it('ends equal to a clean rebuild after repeated SIGKILLs during catch-up', async () => {
    expect(totalEvents).toBeGreaterThanOrEqual(50_000);
    let kills = 0;
    let killsMidway = 0;
    for (let round = 0; round < 40 && !(await caughtUp()); round++) {
      const child = startDaemon();
      await startedApplying(child);
      const exited = once(child, 'exit');
      // A random instant inside the catch-up: somewhere in a batch, between batches, or mid-commit.
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 400));
      const midway = !(await caughtUp());
      child.kill('SIGKILL');
      await exited;
      kills++;
      if (midway) killsMidway++;
    }
    const last = startDaemon();
    await startedApplying(last);
    while (!(await caughtUp())) await new Promise((resolve) => setTimeout(resolve, 100)); // polls the checkpoint, not a fixed sleep
    last.kill('SIGTERM');
    await once(last, 'exit');

    for (const projection of PROJECTIONS) {
      const crashed = await snapshot(projection.tables.map((t) => t.name));
      const { rows } = await runtime.projectorPool.query<{ count: string }>('SELECT count(*) FROM es_events WHERE type = ANY($1)', [
        [...projection.eventTypes],
      ]);
      const result = await replayProjection({
        store: runtime.store,
        pool: runtime.projectorPool,
        definition: projection,
        logger: runtime.logger,
      });
      expect(result.droppedOld).toBe(true);
      expect(result.events).toBe(Number(rows[0]!.count));
      const clean = await snapshot(projection.tables.map((t) => t.name));
      // Rows exactly when there were events: projections of other aggregates (organizations, API keys, …) stay empty
      // here, and so does the ingestion queue, which keeps only ingestion jobs (the seeded jobs are not).
      expect(crashed.length > 0).toBe(Number(rows[0]!.count) > 0 && projection.name !== 'ingestion_queue');
      expect(crashed).toEqual(clean);
    }
    const jobs = await runtime.projectorPool.query<{ count: string }>('SELECT count(*) FROM jobs');
    expect(Number(jobs.rows[0]!.count)).toBe(18_000);
    expect(killsMidway).toBeGreaterThanOrEqual(3);
    process.stdout.write(`crash test: ${totalEvents} events, ${kills} kills (${killsMidway} mid catch-up)\n`);
  }, 600_000);

  async function snapshot(tables: string[]): Promise<unknown[]> {
    const rows: unknown[] = [];
    for (const table of tables) {
      const result = await runtime.projectorPool.query(`SELECT to_jsonb(t) AS row FROM ${table} t ORDER BY to_jsonb(t)::text`);
      rows.push(...result.rows.map((r) => ({ table, ...(r.row as object) })));
    }
    return rows;
  }
});
