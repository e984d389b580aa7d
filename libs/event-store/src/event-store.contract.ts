import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '#domain';
import {
  START,
  WrongExpectedRevisionError,
  type EventStore,
  type EventToAppend,
  type Position,
  type SubscriptionBatch,
} from './event-store.port.js';

export interface ContractSetup {
  readonly store: EventStore;
  readonly cleanup: () => Promise<void>;
}

const event = (type: string, data: object = {}): EventToAppend => ({ id: randomUUID(), type, data });

/** Collects from a subscription until `done` says so; fails loudly instead of hanging forever. */
export async function collect(
  store: EventStore,
  options: { after: Position; eventTypes?: string[]; maxBatchSize?: number },
  done: (events: RecordedEvent[], batch: SubscriptionBatch) => boolean,
  timeoutMs = 30_000,
): Promise<{ events: RecordedEvent[]; batches: SubscriptionBatch[] }> {
  const subscription = store.subscribe(options);
  const events: RecordedEvent[] = [];
  const batches: SubscriptionBatch[] = [];
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  try {
    for await (const batch of subscription) {
      batches.push(batch);
      events.push(...batch.events);
      if (done(events, batch)) break;
    }
  } finally {
    clearTimeout(timer);
    await subscription.close();
  }
  return { events, batches };
}

/** The behaviour every `EventStore` adapter must show; each adapter runs it against a real server. */
export function describeEventStoreContract(name: string, setup: () => Promise<ContractSetup>): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    const stream = (prefix: string) => `${prefix}-${randomUUID()}`;

    beforeAll(async () => {
      ({ store, cleanup } = await setup());
    });
    afterAll(async () => cleanup());

    describe('append and read', () => {
      it('creates a stream with no-stream and reads its events back in order', async () => {
        const id = stream('contract');
        const result = await store.append(id, [event('A', { n: 1 }), event('B', { n: 2, at: '2026-01-01T00:00:00.000Z' })], 'no-stream');
        expect(result.nextExpectedRevision).toBe(1n);
        const events = await store.readStream(id);
        expect(events.map((e) => [e.type, e.data, e.revision, e.streamId])).toEqual([
          ['A', { n: 1 }, 0n, id],
          ['B', { n: 2, at: '2026-01-01T00:00:00.000Z' }, 1n, id],
        ]);
        expect(events[1]!.position).toBe(result.position);
        expect(store.comparePositions(events[0]!.position, events[1]!.position)).toBeLessThan(0);
      });

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(stream('missing'))).toEqual([]);
      });

      it('tells the revision and position of a stream head in one read, null for a missing stream', async () => {
        const id = stream('contract');
        await store.append(id, [event('A')], 'no-stream');
        const second = await store.append(id, [event('B'), event('C')], 0n);
        await store.append(stream('contract'), [event('A')], 'no-stream');
        expect(await store.streamHead(id)).toEqual({ revision: 2n, position: second.position });
        expect(await store.streamHead(stream('missing'))).toBeNull();
      });

      it('refuses no-stream on an existing stream, naming the actual revision', async () => {
        const id = stream('contract');
        await store.append(id, [event('A')], 'no-stream');
        const error = await store.append(id, [event('A')], 'no-stream').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).toBe(0n);
        expect(await store.readStream(id)).toHaveLength(1);
      });

      it('appends at the exact expected revision and refuses a stale one', async () => {
        const id = stream('contract');
        await store.append(id, [event('A'), event('A')], 'no-stream');
        await expect(store.append(id, [event('B')], 0n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.append(stream('missing'), [event('B')], 0n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        const result = await store.append(id, [event('C')], 1n);
        expect(result.nextExpectedRevision).toBe(2n);
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'A', 'C']);
      });

      it('treats a retried append with the same event ids as a no-op with the original result', async () => {
        const id = stream('contract');
        await store.append(id, [event('A')], 'no-stream');
        const events = [event('B'), event('C')];
        const first = await store.append(id, events, 0n);
        const retry = await store.append(id, events, 0n);
        expect(first.duplicate).toBe(false);
        expect(retry).toEqual({ ...first, duplicate: true });
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('only one of two concurrent appends at the same revision wins', async () => {
        const id = stream('contract');
        await store.append(id, [event('A')], 'no-stream');
        const results = await Promise.allSettled([store.append(id, [event('X')], 0n), store.append(id, [event('Y')], 0n)]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof WrongExpectedRevisionError)).toHaveLength(1);
        expect(await store.readStream(id)).toHaveLength(2);
      });
    });

    describe('subscribe', () => {
      it('delivers events after an exclusive start position, filtered by type, in append order', async () => {
        const tag = randomUUID().slice(0, 8);
        const [seen, other] = [`Seen${tag}`, `Other${tag}`];
        const start = await store.headPosition();
        const first = await store.append(stream('sub'), [event(seen, { i: 0 }), event(other)], 'no-stream');
        await store.append(stream('sub'), [event(seen, { i: 1 })], 'no-stream');
        const last = await store.append(stream('sub'), [event(other), event(seen, { i: 2 })], 'no-stream');

        const all = await collect(store, { after: start, eventTypes: [seen] }, (events) => events.length >= 3);
        expect(all.events.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2]);
        expect(all.events.every((e) => e.type === seen)).toBe(true);

        const later = await collect(store, { after: first.position, eventTypes: [seen] }, (events) => events.length >= 2);
        expect(later.events.map((e) => (e.data as { i: number }).i)).toEqual([1, 2]);

        // With nothing matching after `last`, the checkpoint still reaches it once caught up.
        const tail = await collect(store, { after: last.position, eventTypes: [seen] }, (_events, batch) => batch.caughtUp);
        expect(tail.events).toEqual([]);
      });

      it('advances the checkpoint over events of other types', async () => {
        const tag = randomUUID().slice(0, 8);
        const start = await store.headPosition();
        const appended = await store.append(stream('sub'), [event(`Ignored${tag}`), event(`Ignored${tag}`)], 'no-stream');
        const result = await collect(
          store,
          { after: start, eventTypes: [`Wanted${tag}`] },
          (_events, batch) => store.comparePositions(batch.checkpoint, appended.position) >= 0,
        );
        expect(result.events).toEqual([]);
        // collect() also ends on its timeout: prove the checkpoint really got there.
        expect(store.comparePositions(result.batches.at(-1)!.checkpoint, appended.position)).toBeGreaterThanOrEqual(0);
      });

      it('wakes a live subscriber when an event is appended', async () => {
        const tag = `Live${randomUUID().slice(0, 8)}`;
        const start = await store.headPosition();
        let appended = false;
        const result = await collect(store, { after: start, eventTypes: [tag] }, (events, batch) => {
          if (batch.caughtUp && !appended) {
            appended = true;
            void store.append(stream('live'), [event(tag, { late: true })], 'no-stream');
          }
          return events.length === 1;
        });
        expect(result.events[0]!.data).toEqual({ late: true });
      });

      it('never skips, duplicates or reorders events under 8 concurrent writers', async () => {
        const tag = `Gap${randomUUID().slice(0, 8)}`;
        const start = await store.headPosition();
        const writers = 8;
        const perWriter = 40;
        const expected = writers * perWriter;
        const subscriber = collect(
          store,
          { after: start, eventTypes: [tag], maxBatchSize: 17 },
          (events) => events.length >= expected,
          60_000,
        );
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            const id = stream(`gap-${writer}`);
            for (let i = 0; i < perWriter; i++) {
              await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
              await store.append(id, [event(tag, { writer, i })], i === 0 ? 'no-stream' : BigInt(i - 1));
            }
          }),
        );
        const { events } = await subscriber;
        expect(events).toHaveLength(expected);
        expect(new Set(events.map((e) => e.id)).size).toBe(expected);
        for (let k = 1; k < events.length; k++)
          expect(store.comparePositions(events[k - 1]!.position, events[k]!.position)).toBeLessThan(0);
        for (let writer = 0; writer < writers; writer++) {
          const mine = events.filter((e) => (e.data as { writer: number }).writer === writer).map((e) => (e.data as { i: number }).i);
          expect(mine).toEqual(Array.from({ length: perWriter }, (_, i) => i));
        }
      });

      it('reports START as the head of nothing and orders START first', async () => {
        expect(store.comparePositions(START, await store.headPosition())).toBeLessThanOrEqual(0);
        expect(store.comparePositions(START, START)).toBe(0);
      });
    });

    describe('browse (readBackward, readStreamPage)', () => {
      it('reads the log newest first, strictly before a position, filtered by type', async () => {
        const id = stream('browse');
        const kind = `Browse${randomUUID().replace(/-/g, '')}`;
        await store.append(id, [event(kind, { n: 1 }), event('BrowseOther', { n: 2 }), event(kind, { n: 3 })], 'no-stream');
        const newest = await store.readBackward({ limit: 3 });
        expect(newest.map((e) => e.data)).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
        const older = await store.readBackward({ before: newest[0]!.position, limit: 2 });
        expect(older.map((e) => e.data)).toEqual([{ n: 2 }, { n: 1 }]);
        const ofKind = await store.readBackward({ eventTypes: [kind], limit: 10 });
        expect(ofKind.map((e) => [e.streamId, e.revision, e.data])).toEqual([
          [id, 2n, { n: 3 }],
          [id, 0n, { n: 1 }],
        ]);
        expect(await store.readBackward({ before: START, limit: 10 })).toEqual([]);
      });

      it('pages one stream by revision; an unknown stream is an empty page', async () => {
        const id = stream('page');
        await store.append(id, [event('P', { n: 0 }), event('P', { n: 1 }), event('P', { n: 2 })], 'no-stream');
        expect((await store.readStreamPage(id, { limit: 2 })).map((e) => e.revision)).toEqual([0n, 1n]);
        expect((await store.readStreamPage(id, { afterRevision: 1n, limit: 2 })).map((e) => e.revision)).toEqual([2n]);
        expect(await store.readStreamPage(id, { afterRevision: 2n, limit: 2 })).toEqual([]);
        expect(await store.readStreamPage(stream('missing'), { limit: 2 })).toEqual([]);
      });
    });
  });
}
