import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { comparePositions } from '#event-store';
import { createTestDatabase, type TestDatabase } from '#testing';
import { CheckpointWaiter } from './checkpoint-waiter.js';
import { CHECKPOINT_CHANNEL } from './projection-catalog.js';

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
