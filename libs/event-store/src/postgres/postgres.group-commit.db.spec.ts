import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { jobDecider, jobStreamId, type JobCommand } from '#domain';
import { createTestDatabase, type TestDatabase } from '#testing';
import { CommandIdReusedError, handleCommand } from '../command-handler.js';
import { collect, describeEventStoreContract } from '../event-store.contract.js';
import {
  EventIdInUseError,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventToAppend,
  type Position,
} from '../event-store.port.js';
import { parsePosition } from '../position.js';
import { PostgresEventStore } from './postgres.event-store.js';

const event = (type: string, data: object = {}): EventToAppend => ({ id: randomUUID(), type, data });
const stream = (prefix: string) => `${prefix}-${randomUUID()}`;
/** The transaction an append committed in: appends sent in one turn of the event loop share it. */
const transactionOf = (position: Position) => parsePosition(position)!.major;
const fulfilled = (results: PromiseSettledResult<AppendResult>[]) => results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));

describe('PostgreSQL event store: group commit', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let admin: pg.Pool;
  const applicationName = `group-commit-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 10, application_name: applicationName });
    pool.on('error', () => undefined); // terminated on purpose below
    store = new PostgresEventStore({ pool });
    await store.ensureSchema();
    admin = new pg.Pool({ connectionString: database.url, max: 4 });
    admin.on('error', () => undefined);
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await admin.end();
    await database.drop();
  });

  it('writes appends sent together in one transaction, each with its own revision and position', async () => {
    const ids = [stream('together'), stream('together'), stream('together')];
    const results = await Promise.all(ids.map((id) => store.append(id, [event('A'), event('B')], 'no-stream')));
    expect(new Set(results.map((r) => transactionOf(r.position))).size).toBe(1);
    expect(new Set(results.map((r) => r.position)).size).toBe(3);
    for (const [k, id] of ids.entries()) {
      expect(results[k]!.nextExpectedRevision).toBe(1n);
      const events = await store.readStream(id);
      expect(events.map((e) => e.type)).toEqual(['A', 'B']);
      expect(events[1]!.position).toBe(results[k]!.position);
    }
  });

  it('lets exactly one of two appends to a stream at the same expected revision win inside one batch', async () => {
    const id = stream('race');
    await store.append(id, [event('A')], 'no-stream');
    const other = stream('bystander');
    const results = await Promise.allSettled([
      store.append(id, [event('X')], 0n),
      store.append(other, [event('O')], 'no-stream'),
      store.append(id, [event('Y')], 0n),
    ]);
    const won = [results[0]!, results[2]!].filter((r) => r.status === 'fulfilled');
    const lost = [results[0]!, results[2]!].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toBeInstanceOf(WrongExpectedRevisionError);
    expect((lost[0] as WrongExpectedRevisionError).actual).toBe(1n);
    // The bystander committed with the winner: the loser lost inside the batch, not in another transaction.
    const [winner, bystander] = fulfilled([won[0]!, results[1]!]);
    expect(transactionOf(winner!.position)).toBe(transactionOf(bystander!.position));
    expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', results[0]!.status === 'fulfilled' ? 'X' : 'Y']);
  });

  it('answers the second of two identical appends in one batch as a duplicate with the first one’s result', async () => {
    const id = stream('twice');
    const events = [event('A'), event('B')];
    const [first, second] = await Promise.all([store.append(id, events, 'no-stream'), store.append(id, events, 'no-stream')]);
    expect(first!.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
    expect(await store.readStream(id)).toHaveLength(2);
  });

  it('refuses an event id stored in another stream for that append only', async () => {
    const reused = event('A');
    await store.append(stream('owner'), [reused], 'no-stream');
    const [taken, sameBatch, fine] = await Promise.allSettled([
      store.append(stream('thief'), [reused], 'no-stream'),
      // An id first written earlier in the same batch counts as stored too.
      (async () => {
        const shared = event('S');
        const [a, b] = await Promise.allSettled([
          store.append(stream('first'), [shared], 'no-stream'),
          store.append(stream('second'), [shared], 'no-stream'),
        ]);
        return { a, b };
      })(),
      store.append(stream('fine'), [event('F')], 'no-stream'),
    ]);
    expect(taken.status === 'rejected' && taken.reason).toBeInstanceOf(EventIdInUseError);
    expect(fine.status).toBe('fulfilled');
    const pair = sameBatch.status === 'fulfilled' ? sameBatch.value : null;
    expect(pair?.a.status).toBe('fulfilled');
    expect(pair?.b.status === 'rejected' && pair.b.reason).toBeInstanceOf(EventIdInUseError);
  });

  it('fails only the append whose events cannot be serialized; the others of its batch commit', async () => {
    const good = [stream('good'), stream('good')];
    const bad = stream('bad');
    const results = await Promise.allSettled([
      store.append(good[0]!, [event('G')], 'no-stream'),
      store.append(bad, [event('B', { big: 1n })], 'no-stream'), // JSON cannot hold a bigint
      store.append(good[1]!, [event('G')], 'no-stream'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]!.status === 'rejected' && results[1].reason).toBeInstanceOf(TypeError);
    for (const id of good) expect(await store.readStream(id)).toHaveLength(1);
    expect(await store.readStream(bad)).toEqual([]);
  });

  it('fails only the append that makes the batch statement fail; the others are written alone and commit', async () => {
    const good = [stream('good'), stream('good')];
    const bad = stream('bad');
    const twice = event('T'); // one event id twice in one append violates its unique index mid-statement
    const results = await Promise.allSettled([
      store.append(good[0]!, [event('G')], 'no-stream'),
      store.append(bad, [twice, twice], 'no-stream'),
      store.append(good[1]!, [event('G')], 'no-stream'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    for (const id of good) expect(await store.readStream(id)).toHaveLength(1);
    expect(await store.readStream(bad)).toEqual([]);
  });

  it('fails every append of a batch whose connection is lost before it commits, and commits none of them', async () => {
    const locked = stream('locked');
    await store.append(locked, [event('A')], 'no-stream');
    // Another transaction holds the stream's row, so the batch waits inside its statement.
    const holder = await admin.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM es_streams WHERE stream_id = $1 FOR UPDATE', [locked]);
    const others = [stream('lost'), stream('lost')];
    const pending = Promise.allSettled([
      store.append(others[0]!, [event('L')], 'no-stream'),
      store.append(locked, [event('B')], 0n),
      store.append(others[1]!, [event('L')], 'no-stream'),
    ]);
    try {
      await waitFor(async () => {
        const { rowCount } = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE '%es_append_batch%'`,
          [applicationName],
        );
        return (rowCount ?? 0) > 0;
      });
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const results = await pending;
    for (const result of results) expect(result.status === 'rejected' && result.reason).toBeInstanceOf(EventStoreUnavailableError);
    for (const id of others) expect(await store.readStream(id)).toEqual([]);
    expect(await store.readStream(locked)).toHaveLength(1);
  });

  it('never lets a subscriber skip an event while batches and slow single transactions commit in any order', async () => {
    const tag = `Batched${randomUUID().slice(0, 8)}`;
    const start = await store.headPosition();
    const writers = 12;
    const perWriter = 25;
    const slow = 10;
    const total = writers * perWriter + slow;
    const subscriber = collect(store, { after: start, eventTypes: [tag], maxBatchSize: 13 }, (events) => events.length >= total, 60_000);
    const slowWriters = Array.from({ length: slow }, async (_, k) => {
      const client = await admin.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT * FROM es_append($1, 'no-stream', NULL, $2::uuid[], $3::text[], $4::jsonb[], '{"{}"}'::jsonb[])`, [
          stream('slow'),
          [randomUUID()],
          [tag],
          [JSON.stringify({ slow: k })],
        ]);
        await client.query('SELECT pg_sleep($1)', [Math.random() * 0.05]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
    await Promise.all([
      ...slowWriters,
      ...Array.from({ length: writers }, async (_, writer) => {
        const id = stream(`batched-${writer}`);
        for (let i = 0; i < perWriter; i++) await store.append(id, [event(tag, { writer, i })], i === 0 ? 'no-stream' : BigInt(i - 1));
      }),
    ]);
    await admin.query('NOTIFY es_events');
    const { events } = await subscriber;
    expect(events).toHaveLength(total);
    expect(new Set(events.map((e) => e.id)).size).toBe(total);
    for (let k = 1; k < events.length; k++) expect(store.comparePositions(events[k - 1]!.position, events[k]!.position)).toBeLessThan(0);
    for (let writer = 0; writer < writers; writer++) {
      const mine = events.filter((e) => (e.data as { writer?: number }).writer === writer).map((e) => (e.data as { i: number }).i);
      expect(mine).toEqual(Array.from({ length: perWriter }, (_, i) => i));
    }
  });

  describe('through the command handler', () => {
    const queue = (jobId: string): JobCommand => ({
      type: 'QueueJob',
      data: {
        jobId,
        organizationId: 'org_1',
        workspaceId: 'ws_1',
        repositoryId: null,
        name: 'Docs Ingestion',
        trigger: 'manual',
        triggeredBy: 'user_1',
        input: {},
        at: '2026-12-01T00:00:00.000Z',
      },
    });

    it('answers a command id replayed in the same batch with the stored result, and refuses it reused for another request', async () => {
      const jobId = `job-${randomUUID()}`;
      const commandId = randomUUID();
      const bystander = `job-${randomUUID()}`;
      const send = (requestHash: string, id = jobId, command = commandId) =>
        handleCommand(store, jobStreamId(id), jobDecider, queue(id), { commandId: command, requestHash }, { newStream: true });
      const [first, replay, reused, other] = await Promise.allSettled([
        send('h1'),
        send('h1'),
        send('h2'),
        send('h1', bystander, randomUUID()),
      ]);
      expect(first.status).toBe('fulfilled');
      expect(replay.status === 'fulfilled' && replay.value.position).toBe(first.status === 'fulfilled' && first.value.position);
      expect(reused.status === 'rejected' && reused.reason).toBeInstanceOf(CommandIdReusedError);
      expect(other.status).toBe('fulfilled');
      expect(await store.readStream(jobStreamId(jobId))).toHaveLength(1);
    });

    it('decides again on the stream as it is when a stream assumed new exists', async () => {
      const jobId = `job-${randomUUID()}`;
      await handleCommand(store, jobStreamId(jobId), jobDecider, queue(jobId), { commandId: randomUUID() });
      // Starting a job the initial state does not know is refused there, and decided on the stream instead.
      const started = await handleCommand(
        store,
        jobStreamId(jobId),
        jobDecider,
        { type: 'StartJob', data: { at: '2026-12-01T00:00:01.000Z' } },
        { commandId: randomUUID() },
        { newStream: true },
      );
      expect(started.events.map((e) => e.type)).toEqual(['JobStarted']);
      expect(started.nextExpectedRevision).toBe(1n);
      // Queueing it again is accepted on the initial state, conflicts on append, and is refused on the stream.
      await expect(
        handleCommand(store, jobStreamId(jobId), jobDecider, queue(jobId), { commandId: randomUUID() }, { newStream: true }),
      ).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.readStream(jobStreamId(jobId))).toHaveLength(2);
    });
  });
});

describeEventStoreContract('PostgreSQL without group commit', async () => {
  const database = await createTestDatabase();
  const store = new PostgresEventStore({ connectionString: database.url, groupCommit: false });
  await store.ensureSchema();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
});

async function waitFor(condition: () => Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
