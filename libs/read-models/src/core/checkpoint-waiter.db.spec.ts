import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { comparePositions } from '#event-store';
import { createTestDatabase, type TestDatabase } from '#testing';
import { createReadModelDatabase } from '#testing/projection';
import { CheckpointWaiter, ConsistencyTimeoutError, ReplicaCheckpointWaiter } from './checkpoint-waiter.js';
import { CHECKPOINT_CHANNEL } from './projection-catalog.js';
import { apiKeysProjection } from '../api-keys/api-keys.projection.js';
import { workspacesProjection } from '../workspaces/workspaces.projection.js';

const LISTENER = 'checkpoint-waiter-spec';

describe('CheckpointWaiter when its LISTEN connection is terminated', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let admin: pg.Client;
  let waiter: CheckpointWaiter;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url });
    pool.on('error', () => undefined);
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    // Its own application_name, so the spec finds (and terminates) the waiter's LISTEN backend alone.
    const url = new URL(database.url);
    url.searchParams.set('application_name', LISTENER);
    waiter = new CheckpointWaiter(pool, url.toString(), comparePositions);
  });

  afterAll(async () => {
    await waiter?.close();
    await admin?.end();
    await pool?.end();
    await database?.drop();
  });

  it('wakes its subscribers to re-read, listens again by itself, and delivers the next notification', async () => {
    let wakes = 0;
    let onWake: () => void = () => undefined;
    const unsubscribe = await waiter.onAdvance('p', () => {
      wakes++;
      onWake();
    });
    /** Resolves once `count` wake-ups have happened in all; fails the test after 10 s. */
    const wakesReach = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${wakes} wake-ups, expected ${count}`)), 10_000);
        const check = () => {
          if (wakes < count) return;
          clearTimeout(timer);
          resolve();
        };
        onWake = check;
        check();
      });
    try {
      const { rowCount } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [
        LISTENER,
      ]);
      expect(rowCount).toBe(1);
      // One wake-up for the loss (every subscriber re-reads), one once it listens again (notifications
      // sent in between reached no one), with no waitFor or onAdvance call to trigger the reconnect.
      await wakesReach(2);
      expect(wakes).toBe(2);
      const listening = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'`, [
        LISTENER,
      ]);
      expect(listening.rowCount).toBe(1);

      // Delivered in order: the other projection's notification first wakes no one here.
      await admin.query('SELECT pg_notify($1, $2), pg_notify($1, $3)', [CHECKPOINT_CHANNEL, 'q', 'p']);
      await wakesReach(3);
      expect(wakes).toBe(3);
    } finally {
      unsubscribe();
    }
  });
});

describe('CheckpointWaiter.waitForAll', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let waiter: CheckpointWaiter;
  const [a, b] = [workspacesProjection.name, apiKeysProjection.name];
  const at = (n: number) => `${n}/0`;

  /** Moves a projection's checkpoint and notifies, as a runner's batch does. */
  const advance = (projection: string, position: string) =>
    pool.query(
      `WITH moved AS (UPDATE projection_checkpoints SET position = $2 WHERE name = $1 RETURNING 1) SELECT pg_notify($3, $1) FROM moved`,
      [projection, position, CHECKPOINT_CHANNEL],
    );

  beforeAll(async () => {
    ({ database, pool } = await createReadModelDatabase([workspacesProjection, apiKeysProjection]));
    waiter = new CheckpointWaiter(pool, database.url, comparePositions);
  });

  afterAll(async () => {
    await waiter?.close();
    await pool?.end();
    await database?.drop();
  });

  it('returns once every projection reached the position, whichever moves last', async () => {
    await advance(a, at(10));
    const waiting = waiter.waitForAll([a, b], at(10), 10_000);
    let settled = false;
    void waiting.finally(() => (settled = true));
    await advance(b, at(5));
    await waiter.waitFor(b, at(5), 10_000); // the waiter has seen b at 5: still short of 10
    expect(settled).toBe(false);
    await advance(b, at(12));
    await expect(waiting).resolves.toBeUndefined();
  });

  it('times out naming the first projection, in the order given, that had not reached it', async () => {
    await advance(a, at(20));
    await advance(b, at(20));
    const failure = await waiter.waitForAll([b, a], at(30), 50).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConsistencyTimeoutError);
    expect(failure).toMatchObject({ projection: b, minPosition: at(30), reached: at(20) });
  });
});

describe('ReplicaCheckpointWaiter (a read replica, where no NOTIFY arrives)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let waiter: ReplicaCheckpointWaiter;
  const [a, b] = [workspacesProjection.name, apiKeysProjection.name];
  const at = (n: number) => `${n}/0`;
  /** Moves a checkpoint as replication applies a batch: the row changes, nobody is notified. */
  const applied = (projection: string, position: string) =>
    pool.query(`UPDATE projection_checkpoints SET position = $2, events_processed = events_processed + 1 WHERE name = $1`, [
      projection,
      position,
    ]);

  beforeAll(async () => {
    ({ database, pool } = await createReadModelDatabase([workspacesProjection, apiKeysProjection]));
    waiter = new ReplicaCheckpointWaiter(pool, comparePositions, { idleMs: 5, waitingMs: 5 });
  });

  afterAll(async () => {
    await waiter?.close();
    await pool?.end();
    await database?.drop();
  });

  it('returns from waitFor and waitForAll once the replicated checkpoints reach the position', async () => {
    await applied(a, at(10));
    const waiting = waiter.waitForAll([a, b], at(10), 10_000);
    const one = waiter.waitFor(b, at(7), 10_000);
    await applied(b, at(5));
    await waiter.waitFor(b, at(5), 10_000);
    await applied(b, at(12));
    await expect(Promise.all([waiting, one])).resolves.toEqual([undefined, undefined]);
  });

  it('wakes the subscribers of the projection whose checkpoint changed, and only those', async () => {
    // Its own waiter: subscribing reads every checkpoint first, so what earlier tests moved is not news to it.
    const fresh = new ReplicaCheckpointWaiter(pool, comparePositions, { idleMs: 5, waitingMs: 5 });
    const wakes = { [a]: 0, [b]: 0 };
    let woken: () => void = () => undefined;
    const stops = await Promise.all(
      [a, b].map((projection) =>
        fresh.onAdvance(projection, () => {
          wakes[projection]!++;
          woken();
        }),
      ),
    );
    try {
      expect(fresh.listening).toBe(true);
      const next = new Promise<void>((resolve) => (woken = resolve));
      await applied(a, at(40));
      await next;
      expect(wakes).toEqual({ [a]: 1, [b]: 0 });
    } finally {
      stops.forEach((stop) => stop());
      await fresh.close();
    }
  });

  it('is not listening while its reads fail, waking every subscriber to read through, and recovers by itself', async () => {
    let wake: () => void = () => undefined;
    const stop = await waiter.onAdvance(a, () => wake());
    const woken = () => new Promise<void>((resolve) => (wake = resolve));
    try {
      const lost = woken();
      await pool.query('ALTER TABLE projection_checkpoints RENAME TO projection_checkpoints_away');
      await lost;
      expect(waiter.listening).toBe(false);
      const back = woken();
      await pool.query('ALTER TABLE projection_checkpoints_away RENAME TO projection_checkpoints');
      await back;
      expect(waiter.listening).toBe(true);
    } finally {
      stop();
    }
  });
});
