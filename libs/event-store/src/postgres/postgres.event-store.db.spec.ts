import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { collect, describeEventStoreContract } from '../event-store.contract.js';
import { START } from '../event-store.port.js';
import { PostgresEventStore } from './postgres.event-store.js';
import { createTestDatabase, type TestDatabase } from '#testing';

async function openStore(): Promise<{ store: PostgresEventStore; database: TestDatabase }> {
  const database = await createTestDatabase();
  const store = new PostgresEventStore({ connectionString: database.url });
  await store.ensureSchema();
  return { store, database };
}

describeEventStoreContract('PostgreSQL', async () => {
  const { store, database } = await openStore();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
});

describe('PostgreSQL event store: gap safety under late commits', () => {
  let store: PostgresEventStore;
  let database: TestDatabase;
  let writers: pg.Pool;

  beforeAll(async () => {
    ({ store, database } = await openStore());
    writers = new pg.Pool({ connectionString: database.url, max: 10 });
    // pg-pool's end() resolves before its clients' sockets have closed; the test database's DROP … WITH (FORCE)
    // can then terminate one, and the pool re-emits that as an 'error' nobody would handle.
    writers.on('error', () => undefined);
  });
  afterAll(async () => {
    await writers.end();
    await store.close();
    await database.drop();
  });

  /** An append inside a transaction that stays open for `delayMs` before it commits. */
  async function appendWithCommitDelay(streamId: string, type: string, data: object, delayMs: number): Promise<void> {
    const client = await writers.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT * FROM es_append($1, 'no-stream', NULL, $2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[])`, [
        streamId,
        [randomUUID()],
        [type],
        [JSON.stringify(data)],
        ['{}'],
      ]);
      await client.query('SELECT pg_sleep($1)', [delayMs / 1000]);
      await client.query('COMMIT');
      await client.query(`NOTIFY es_events`);
    } finally {
      client.release();
    }
  }

  it('a live subscriber receives every event exactly once when 8 writers commit in random order', async () => {
    const tag = `Late${randomUUID().slice(0, 8)}`;
    const start = await store.headPosition();
    const total = 8 * 15;
    const subscriber = collect(store, { after: start, eventTypes: [tag], maxBatchSize: 7 }, (events) => events.length >= total, 60_000);
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < 15; i++)
          await appendWithCommitDelay(`late-${writer}-${i}-${randomUUID()}`, tag, { writer, i }, Math.random() * 40);
      }),
    );
    const { events } = await subscriber;
    expect(events).toHaveLength(total);
    expect(new Set(events.map((e) => e.id)).size).toBe(total);
    for (let k = 1; k < events.length; k++) expect(store.comparePositions(events[k - 1]!.position, events[k]!.position)).toBeLessThan(0);
  });

  it('holds back an event whose transaction is still open instead of passing over it', async () => {
    const tag = `Held${randomUUID().slice(0, 8)}`;
    const start = await store.headPosition();
    const slow = await writers.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(`SELECT * FROM es_append($1, 'no-stream', NULL, $2::uuid[], $3::text[], $4::jsonb[], '{"{}"}'::jsonb[])`, [
        `held-${randomUUID()}`,
        [randomUUID()],
        [tag],
        [JSON.stringify({ order: 'first-begun' })],
      ]);
      // A later transaction commits first: its event must not be delivered ahead of the open one.
      await store.append(`held-${randomUUID()}`, [{ id: randomUUID(), type: tag, data: { order: 'first-committed' } }], 'no-stream');
      const before = await collect(store, { after: start, eventTypes: [tag] }, (_events, batch) => batch.caughtUp);
      expect(before.events).toEqual([]);
      await slow.query('COMMIT');
      await slow.query('NOTIFY es_events');
    } finally {
      slow.release();
    }
    const after = await collect(store, { after: start, eventTypes: [tag] }, (events) => events.length >= 2);
    expect(after.events.map((e) => (e.data as { order: string }).order)).toEqual(['first-begun', 'first-committed']);
  });

  it('does not serialize writers of different streams behind one lock', async () => {
    const open = await writers.connect();
    try {
      await open.query('BEGIN');
      await open.query(`SELECT * FROM es_append($1, 'no-stream', NULL, $2::uuid[], '{A}'::text[], '{"{}"}'::jsonb[], '{"{}"}'::jsonb[])`, [
        `open-${randomUUID()}`,
        [randomUUID()],
      ]);
      // While that append is uncommitted, another stream's append completes under a short timeout.
      const other = await writers.connect();
      try {
        await other.query('SET statement_timeout = 5000');
        await other.query('BEGIN');
        const { rows } = await other.query(
          `SELECT status FROM es_append($1, 'no-stream', NULL, $2::uuid[], '{A}'::text[], '{"{}"}'::jsonb[], '{"{}"}'::jsonb[])`,
          [`other-${randomUUID()}`, [randomUUID()]],
        );
        await other.query('COMMIT');
        expect(rows[0].status).toBe('ok');
      } finally {
        other.release();
      }
      await open.query('ROLLBACK');
    } finally {
      open.release();
    }
  });

  it('orders transaction ids as numbers, not text, across a change in digit count', async () => {
    // Two finished transaction ids just below and at a power of ten, e.g. 99999 and 100000.
    const { rows } = await writers.query<{ current: string }>('SELECT pg_current_xact_id()::text AS current');
    const power = 10n ** BigInt(rows[0]!.current.length - 1);
    const [below, at] = [power - 1n, power];
    const tag = `Digits${randomUUID().slice(0, 8)}`;
    const insert = (xid: bigint, order: string) =>
      writers.query(
        `INSERT INTO es_events (transaction_id, event_id, stream_id, stream_revision, type, data) VALUES ($1::text::xid8, $2, $3, 0, $4, $5)`,
        [xid.toString(), randomUUID(), `digits-${randomUUID()}`, tag, JSON.stringify({ order })],
      );
    await insert(at, 'second'); // the larger xid gets the smaller sequence number on purpose
    await insert(below, 'first');
    const delivered = await collect(store, { after: START, eventTypes: [tag] }, (events) => events.length >= 2);
    expect(delivered.events.map((e) => (e.data as { order: string }).order)).toEqual(['first', 'second']);
    expect(store.comparePositions(await store.headPosition(), delivered.events[1]!.position)).toBeGreaterThanOrEqual(0);
  });
});
