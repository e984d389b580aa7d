import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { PostgresEventStore, START, type Position, type Subscription, type SubscriptionBatch } from '#event-store';
import { createTestDatabase, type TestDatabase } from '#testing';
import { SharedLogReader, type MemberMode } from './shared-log-reader.js';

/*
 * Each test appends its own event types (prefixed by a fresh tag), so what one test appends never
 * matches another's members although they share the store. A member's deliveries are compared with
 * what a subscription of its own to the store delivers: the same events in the same order, no gap,
 * no repeat, and a last checkpoint that reaches the head.
 */
let database: TestDatabase;
let store: PostgresEventStore;
let pool: pg.Pool;
const readers: SharedLogReader[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 8 });
  pool.on('error', () => undefined);
  store = new PostgresEventStore({ pool });
  await store.ensureSchema();
});

afterAll(async () => {
  for (const reader of readers) await reader.close();
  await store?.close();
  await pool?.end();
  await database?.drop();
});

const tagged = () => {
  const tag = `t${randomUUID().slice(0, 8)}`;
  return { a: `${tag}.A`, b: `${tag}.B`, c: `${tag}.C` };
};

/** Appends `count` events of `type`, each to its own stream, in parallel groups (commits interleave). */
async function append(type: string, count: number): Promise<Position> {
  let last: Position = START;
  for (let start = 0; start < count; start += 20) {
    const results = await Promise.all(
      Array.from({ length: Math.min(20, count - start) }, (_, i) =>
        store.append(`s-${randomUUID()}`, [{ id: randomUUID(), type, data: { n: start + i } }], 'no-stream'),
      ),
    );
    for (const result of results) if (store.comparePositions(result.position, last) > 0) last = result.position;
  }
  return last;
}

interface Collected {
  readonly ids: string[];
  readonly batches: SubscriptionBatch[];
  checkpoint: Position;
}

/**
 * Iterates `subscription` until its checkpoint reaches `until`, collecting what it delivers;
 * `perBatch` runs after each batch (a slow consumer awaits there).
 */
async function collect(subscription: Subscription, until: Position, perBatch?: () => Promise<void>): Promise<Collected> {
  const collected: Collected = { ids: [], batches: [], checkpoint: START };
  for await (const batch of subscription) {
    collected.batches.push(batch);
    collected.ids.push(...batch.events.map((event) => event.id));
    expect(store.comparePositions(batch.checkpoint, collected.checkpoint)).toBeGreaterThanOrEqual(0);
    collected.checkpoint = batch.checkpoint;
    await perBatch?.();
    if (store.comparePositions(batch.checkpoint, until) >= 0) break;
  }
  await subscription.close();
  return collected;
}

/** What the store itself delivers to a subscriber of `types` after `after`, up to `until`. */
async function expected(types: readonly string[], after: Position, until: Position): Promise<string[]> {
  return (await collect(store.subscribe({ after, eventTypes: types }), until)).ids;
}

function readerOf(types: readonly string[], options: Partial<ConstructorParameters<typeof SharedLogReader>[0]> = {}) {
  const modes: MemberMode[] = [];
  const reader = new SharedLogReader({ store, eventTypes: types, onModeChange: ({ mode }) => modes.push(mode), ...options });
  readers.push(reader);
  return { reader, modes };
}

describe('SharedLogReader', () => {
  it('gives every member exactly the events its own subscription would get, in order, from one shared read', async () => {
    const { a, b, c } = tagged();
    const start = await store.headPosition();
    const { reader } = readerOf([a, b, c]);
    const members = [[a], [b], [a, c]].map((types) => ({ types, subscription: reader.subscribe({ after: start, eventTypes: types }) }));
    const head = await Promise.all([append(a, 120), append(b, 80), append(c, 60)]).then((ends) =>
      ends.reduce((x, y) => (store.comparePositions(x, y) >= 0 ? x : y)),
    );
    const got = await Promise.all(members.map(({ subscription }) => collect(subscription, head)));
    for (const [i, { types }] of members.entries()) {
      const want = await expected(types, start, head);
      expect(got[i]!.ids).toEqual(want);
      expect(new Set(got[i]!.ids).size).toBe(got[i]!.ids.length);
    }
    expect(got.map((g) => g.ids.length)).toEqual([120, 80, 180]);
  });

  it('lets a member that starts far behind read on its own, then join the shared read, with no gap or repeat', async () => {
    const { a, b } = tagged();
    const start = await store.headPosition();
    const early = await append(a, 150);
    const { reader, modes } = readerOf([a, b]);
    // The first member starts the shared read at `early`; once it has delivered, the late one, far
    // behind it, subscribes.
    const first = reader.subscribe({ after: early, eventTypes: [a, b] });
    const firstIds: string[] = [];
    const firstBatches = first[Symbol.asyncIterator]();
    const marker = await append(b, 1);
    for (let checkpoint = early; store.comparePositions(checkpoint, marker) < 0;) {
      const next = await firstBatches.next();
      if (next.done) throw new Error('the first member ended');
      const value: SubscriptionBatch = next.value;
      firstIds.push(...value.events.map((event) => event.id));
      checkpoint = value.checkpoint;
    }
    expect(reader.position).not.toBeNull();
    const behind = reader.subscribe({ after: start, eventTypes: [a] });
    const head = await append(a, 100);
    const restOfFirst = collect({ close: () => first.close(), [Symbol.asyncIterator]: () => firstBatches }, head);
    const [gotFirst, gotBehind] = await Promise.all([restOfFirst, collect(behind, head)]);
    expect(gotBehind.ids).toEqual(await expected([a], start, head));
    expect([...firstIds, ...gotFirst.ids]).toEqual(await expected([a, b], early, head));
    expect(modes).toContain('own');
  });

  it('leaves a slow member to read on its own while the others go on, and it still gets everything', async () => {
    const { a } = tagged();
    const start = await store.headPosition();
    const { reader, modes } = readerOf([a], { maxBatchSize: 10, queueBatches: 2, lagGraceMs: 50 });
    const fast = reader.subscribe({ after: start, eventTypes: [a] });
    const slow = reader.subscribe({ after: start, eventTypes: [a] });
    const head = await append(a, 200);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The slow one blocks after its first batch until the fast one has everything.
    const slowDone = collect(slow, head, () => released);
    const gotFast = await collect(fast, head);
    release();
    const gotSlow = await slowDone;
    const want = await expected([a], start, head);
    expect(gotFast.ids).toEqual(want);
    expect(gotSlow.ids).toEqual(want);
    expect(modes.filter((mode) => mode === 'own').length).toBeGreaterThanOrEqual(1);
  });

  it('brings a slow member whose last batches hold none of its events to the head', async () => {
    const { a, b } = tagged();
    const start = await store.headPosition();
    // One event per read: the slow member gets `a`, then only batches of `b`, whose checkpoints it
    // is handed as empty batches or holds back; its queue (one batch) fills and it is left behind.
    const head = await append(a, 1).then(() => append(b, 3));
    const { reader } = readerOf([a, b], { maxBatchSize: 1, queueBatches: 1, lagGraceMs: 30, emptyFlushMs: 0 });
    const fast = reader.subscribe({ after: start, eventTypes: [a, b] });
    const slow = reader.subscribe({ after: start, eventTypes: [a] });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slowDone = collect(slow, head, () => released);
    const gotFast = await collect(fast, head);
    release();
    const gotSlow = await slowDone;
    expect(gotFast.ids).toEqual(await expected([a, b], start, head));
    expect(gotSlow.ids).toEqual(await expected([a], start, head));
    expect(store.comparePositions(gotSlow.checkpoint, head)).toBeGreaterThanOrEqual(0);
  });

  it('delivers the checkpoint of a batch with none of a member’s events at once when it delivered nothing for the interval', async () => {
    const { a, b } = tagged();
    const start = await store.headPosition();
    await append(a, 5);
    // An interval longer than the test: only the leading edge can deliver it.
    const { reader } = readerOf([a, b], { emptyFlushMs: 600_000 });
    const busy = reader.subscribe({ after: start, eventTypes: [a] });
    const idle = reader.subscribe({ after: start, eventTypes: [b] });
    const firstOf = async (subscription: Subscription) => {
      const next = await subscription[Symbol.asyncIterator]().next();
      await subscription.close();
      return next.value as SubscriptionBatch;
    };
    // The first shared batch holds the five events (or none, while another transaction holds the
    // visible horizon back): either way the idle member gets its checkpoint with it, not 10 minutes later.
    const [fromBusy, fromIdle] = await Promise.all([firstOf(busy), firstOf(idle)]);
    expect(fromIdle).toEqual({ events: [], checkpoint: fromBusy.checkpoint, caughtUp: fromBusy.caughtUp });
  }, 10_000);

  it('moves the checkpoint of a member given none of its events with far fewer batches than the log has', async () => {
    const { a, b } = tagged();
    const start = await store.headPosition();
    const { reader } = readerOf([a, b], { maxBatchSize: 5, emptyFlushMs: 20 });
    const busy = reader.subscribe({ after: start, eventTypes: [a] });
    const idle = reader.subscribe({ after: start, eventTypes: [b] });
    const head = await append(a, 300);
    const [gotBusy, gotIdle] = await Promise.all([collect(busy, head), collect(idle, head)]);
    expect(gotBusy.ids).toHaveLength(300);
    expect(gotBusy.batches.length).toBeGreaterThanOrEqual(300 / 5);
    expect(gotIdle.ids).toEqual([]);
    expect(store.comparePositions(gotIdle.checkpoint, head)).toBeGreaterThanOrEqual(0);
    // One empty batch per flush interval at most, not one per shared batch.
    expect(gotIdle.batches.length).toBeLessThan(gotBusy.batches.length / 2);
  });

  it('keeps the others running when one member closes', async () => {
    const { a } = tagged();
    const start = await store.headPosition();
    const { reader } = readerOf([a]);
    const leaving = reader.subscribe({ after: start, eventTypes: [a] });
    const staying = reader.subscribe({ after: start, eventTypes: [a] });
    const half = await append(a, 50);
    await collect(leaving, half);
    const head = await append(a, 50);
    const got = await collect(staying, head);
    expect(got.ids).toEqual(await expected([a], start, head));
  });

  it('closes the shared read when its last member leaves, on an idle log too, and starts again for the next', async () => {
    const { a } = tagged();
    const start = await store.headPosition();
    const opened: Position[] = [];
    let closed = 0;
    const counting = {
      comparePositions: (x: Position, y: Position) => store.comparePositions(x, y),
      subscribe: (options: Parameters<PostgresEventStore['subscribe']>[0]) => {
        opened.push(options.after);
        const inner = store.subscribe(options);
        return { close: () => ((closed += 1), inner.close()), [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator]() };
      },
    };
    const { reader } = readerOf([a], { store: counting });
    const head = await append(a, 10);
    // collect closes each member once its checkpoint reaches the head; nothing is appended after.
    expect((await collect(reader.subscribe({ after: start, eventTypes: [a] }), head)).ids).toHaveLength(10);
    expect({ opened: opened.length, closed, position: reader.position }).toEqual({ opened: 1, closed: 1, position: null });
    const next = await append(a, 5);
    expect((await collect(reader.subscribe({ after: head, eventTypes: [a] }), next)).ids).toEqual(await expected([a], head, next));
    expect({ opened, closed }).toEqual({ opened: [start, head], closed: 2 });
  });

  it('fails every member it feeds when the shared read fails', async () => {
    const { a, b } = tagged();
    const start = await store.headPosition();
    const failing = new Error('shared read lost');
    let reads = 0;
    // A store whose subscription fails on its second batch, as a dropped connection would.
    const flaky = {
      comparePositions: (x: Position, y: Position) => store.comparePositions(x, y),
      subscribe: (options: Parameters<PostgresEventStore['subscribe']>[0]) => {
        const inner = store.subscribe({ ...options, maxBatchSize: 10 });
        return {
          close: () => inner.close(),
          async *[Symbol.asyncIterator]() {
            for await (const batch of inner) {
              if (++reads === 2) throw failing;
              yield batch;
            }
          },
        };
      },
    };
    const { reader } = readerOf([a, b], { store: flaky });
    const members = [reader.subscribe({ after: start, eventTypes: [a] }), reader.subscribe({ after: start, eventTypes: [b] })];
    const head = await Promise.all([append(a, 30), append(b, 30)]).then(([x, y]) => (store.comparePositions(x, y) >= 0 ? x : y));
    const outcomes = await Promise.allSettled(members.map((member) => collect(member, head)));
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'delivered everything'))).toEqual([
      'shared read lost',
      'shared read lost',
    ]);
  });
});
