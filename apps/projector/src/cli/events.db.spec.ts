import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '#domain';
import { PostgresEventStore, type EventStore } from '#event-store';
import { createTestDatabase, type TestDatabase } from '#testing';
import { StreamNotFoundError, eventJson, formatEvent, streamEvents, tailEvents } from './events.js';

describe('events tail and stream', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: database.url });
    await store.ensureSchema();
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const append = (streamId: string, type: string, n: number) =>
    store.append(streamId, [{ id: randomUUID(), type, data: { n, note: `event ${n}` }, metadata: { userId: 'u1' } }], 'any');

  const tail = async (target: EventStore, limit: number, types?: string[]) => {
    const events: RecordedEvent[] = [];
    await tailEvents(target, { limit, types, follow: false, onEvent: (event) => events.push(event) });
    return events.map((event) => (event.data as { n: number }).n);
  };

  it('says the log is empty by delivering nothing', async () => {
    expect(await tail(store, 5)).toEqual([]);
  });

  describe('with events in several streams', () => {
    beforeAll(async () => {
      for (let n = 1; n <= 12; n++) await append(`note-${n % 3}`, n % 4 === 0 ? 'NoteStarred' : 'NoteWritten', n);
    });

    it('delivers the newest `limit` events of the log, oldest first', async () => {
      expect(await tail(store, 4)).toEqual([9, 10, 11, 12]);
    });

    it('delivers the whole log when it holds fewer events than the limit', async () => {
      expect(await tail(store, 100)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    });

    it('counts only the events of the types asked for', async () => {
      expect(await tail(store, 2, ['NoteStarred'])).toEqual([8, 12]);
      expect(await tail(store, 10, ['NoteStarred', 'NoteWritten'])).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(await tail(store, 3, ['NoteDeleted'])).toEqual([]);
    });

    it('with follow, keeps delivering events appended after the newest ones until stopped', async () => {
      const controller = new AbortController();
      const seen: number[] = [];
      let caughtUp!: () => void;
      const newestDelivered = new Promise<void>((resolve) => (caughtUp = resolve));
      const following = tailEvents(store, {
        limit: 2,
        follow: true,
        signal: controller.signal,
        onEvent: (event) => {
          seen.push((event.data as { n: number }).n);
          if (seen.length === 2) caughtUp();
          if (seen.length === 4) controller.abort();
        },
      });
      await newestDelivered;
      await append('note-x', 'NoteWritten', 13);
      await append('note-y', 'NoteWritten', 14);
      expect(await following).toBe(4);
      expect(seen).toEqual([11, 12, 13, 14]);
    });

    it('with follow and no event of the type yet, delivers the first one appended', async () => {
      const controller = new AbortController();
      const seen: number[] = [];
      const following = tailEvents(store, {
        limit: 5,
        types: ['NoteArchived'],
        follow: true,
        signal: controller.signal,
        onEvent: (event) => {
          seen.push((event.data as { n: number }).n);
          controller.abort();
        },
      });
      await append('note-z', 'NoteWritten', 15);
      await append('note-z', 'NoteArchived', 16);
      expect(await following).toBe(1);
      expect(seen).toEqual([16]);
    });

    it('reads one stream in revision order, and names a stream that holds nothing', async () => {
      expect((await streamEvents(store, 'note-1')).map((event) => (event.data as { n: number }).n)).toEqual([1, 4, 7, 10]);
      await expect(streamEvents(store, 'note-404')).rejects.toThrow(StreamNotFoundError);
      await expect(streamEvents(store, 'note-404')).rejects.toThrow('stream "note-404" not found');
    });

    it('prints an event on one line, and as JSON with everything stored', async () => {
      const [event] = await streamEvents(store, 'note-2');
      expect(formatEvent(event!)).toBe(`${event!.position}  ${event!.recordedAt}  note-2@0  NoteWritten  n=2 note="event 2"`);
      expect(JSON.parse(eventJson(event!))).toEqual({
        position: event!.position,
        recordedAt: event!.recordedAt,
        streamId: 'note-2',
        revision: 0,
        type: 'NoteWritten',
        id: event!.id,
        data: { n: 2, note: 'event 2' },
        metadata: { userId: 'u1' },
      });
    });
  });
});
