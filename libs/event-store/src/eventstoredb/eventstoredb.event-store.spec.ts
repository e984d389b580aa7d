import { describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  ANY,
  AccessDeniedError,
  EventStoreDBClient,
  NO_STREAM,
  WrongExpectedVersionError,
  convertToCommandError,
  type AppendResult as EsdbAppendResult,
} from '@eventstore/db-client';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { ReadReq } from '@eventstore/db-client/generated/streams_pb.js';
import type { RecordedEvent } from '#domain';
import {
  EventStoreUnavailableError,
  START,
  WrongExpectedRevisionError,
  type Subscription,
  type SubscriptionBatch,
} from '../event-store.port.js';
import type { Upcasters } from '../upcasters.js';
import { EventStoreDbEventStore, type EventStoreDbClientApi, type EventStoreDbEventStoreOptions } from './eventstoredb.event-store.js';

/*
 * The real client methods (`readStream`, `readAll`, `subscribeToAll`) run unchanged: they build the
 * real gRPC request, and their real `ReadStream`/`Subscription` parse real protobuf responses. Only
 * the network is fake: `FakeTransport` stands where the client opens a gRPC call, and a test plays
 * the server on that call. `appendToStream` (a client-streaming call) is stubbed at the method.
 */

const { ReadResp } = streamsPb;
const GRPC = { CANCELLED: 1, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;
const CREATED = new Date('2026-03-01T12:00:00.000Z');

interface StoredRecord {
  readonly commit: bigint;
  readonly prepare?: bigint;
  readonly type?: string;
  readonly data?: unknown;
  readonly metadata?: unknown;
  readonly id?: string;
  readonly streamId?: string;
  readonly revision?: bigint;
  readonly contentType?: string;
}

function recordedEvent(record: StoredRecord) {
  const stored = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new sharedPb.UUID().setString(record.id ?? randomUUID()))
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(record.streamId ?? 'job-1')))
    .setStreamRevision(String(record.revision ?? 0n))
    .setCommitPosition(String(record.commit))
    .setPreparePosition(String(record.prepare ?? record.commit))
    .setData(record.data instanceof Uint8Array ? record.data : Buffer.from(JSON.stringify(record.data ?? {})))
    .setCustomMetadata(record.metadata === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(record.metadata)));
  stored
    .getMetadataMap()
    .set('type', record.type ?? 'JobQueued')
    .set('content-type', record.contentType ?? 'application/json')
    // .NET ticks (100 ns) since the Unix epoch, as the server sends them.
    .set('created', String(BigInt(CREATED.getTime()) * 10_000n));
  return stored;
}

const eventResp = (record: StoredRecord) =>
  new ReadResp().setEvent(new ReadResp.ReadEvent().setEvent(recordedEvent(record)).setCommitPosition(String(record.commit)));
const unresolvedLinkResp = (record: StoredRecord) =>
  new ReadResp().setEvent(
    new ReadResp.ReadEvent().setLink(recordedEvent({ ...record, type: '$>' })).setCommitPosition(String(record.commit)),
  );
const caughtUpResp = () => new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
const confirmationResp = () => new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId('subscription-1'));
const checkpointResp = (commit: bigint, prepare: bigint) =>
  new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(String(commit)).setPreparePosition(String(prepare)));
const streamNotFoundResp = (streamId: string) =>
  new ReadResp().setStreamNotFound(
    new ReadResp.StreamNotFound().setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(streamId))),
  );

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

/** One server-streaming gRPC call as @grpc/grpc-js hands it to the client: object mode, `cancel()`. */
class FakeCall extends PassThrough {
  cancelled = false;

  constructor(readonly request: ReadReq) {
    super({ objectMode: true });
  }

  send(...responses: unknown[]): this {
    for (const response of responses) this.write(response);
    return this;
  }

  fail(code: number, details: string): void {
    this.destroy(grpcError(code, details));
  }

  cancel(): void {
    this.cancelled = true;
    this.destroy(grpcError(GRPC.CANCELLED, 'Cancelled on client'));
  }
}

class FakeTransport {
  readonly calls: FakeCall[] = [];
  /** Plays the server on every new call, e.g. answers a read and ends it. */
  respond: ((call: FakeCall) => void) | undefined;
  private readonly waiting = new Map<number, (call: FakeCall) => void>();

  // The two members of `this` that the real client methods use to open a call.
  readonly GRPCStreamCreator =
    (_client: unknown, _name: string, creator: (grpcClient: { read: (request: ReadReq) => FakeCall }) => FakeCall) => async () =>
      creator({ read: (request) => this.open(request) });
  readonly callArguments = () => [];

  call(index: number): Promise<FakeCall> {
    const existing = this.calls[index];
    return existing ? Promise.resolve(existing) : new Promise((resolve) => this.waiting.set(index, resolve));
  }

  private open(request: ReadReq): FakeCall {
    const call = new FakeCall(request);
    this.calls.push(call);
    const respond = this.respond;
    if (respond) setImmediate(() => respond(call));
    this.waiting.get(this.calls.length - 1)?.(call);
    return call;
  }
}

type AppendToStream = EventStoreDbClientApi['appendToStream'];

function setup(options: EventStoreDbEventStoreOptions = {}) {
  const transport = new FakeTransport();
  const client = transport as unknown as EventStoreDBClient;
  const real = EventStoreDBClient.prototype;
  const appendToStream = jest.fn<AppendToStream>();
  const dispose = jest.fn(async () => undefined);
  const api = {
    appendToStream,
    readStream: (streamName, readOptions) => real.readStream.call(client, streamName, readOptions),
    readAll: (readOptions) => real.readAll.call(client, readOptions),
    subscribeToAll: (subscribeOptions) => real.subscribeToAll.call(client, subscribeOptions),
    dispose,
  } as EventStoreDbClientApi;
  const store = new EventStoreDbEventStore(api, { resubscribe: { initialDelayMs: 5, maxDelayMs: 20, factor: 2 }, ...options });
  return { store, transport, appendToStream, dispose };
}

const event = (type = 'JobQueued', data: object = { jobId: 'j1' }) => ({ id: randomUUID(), type, data, metadata: { commandId: 'c1' } });
const appended = (nextExpectedRevision: bigint, commit: bigint, prepare: bigint): EsdbAppendResult => ({
  success: true,
  nextExpectedRevision,
  position: { commit, prepare },
});
const streamName = (call: FakeCall) =>
  Buffer.from(call.request.getOptions()!.getStream()!.getStreamIdentifier()!.getStreamName()).toString();

describe('EventStoreDbEventStore', () => {
  describe('append', () => {
    it('passes no-stream, an exact revision and any as the client expected revisions, with our event ids', async () => {
      const { store, appendToStream } = setup();
      appendToStream.mockResolvedValue(appended(0n, 10n, 10n));
      const first = event('JobQueued', { jobId: 'j1' });
      await store.append('job-1', [first], 'no-stream');
      await store.append('job-1', [event()], 5n);
      await store.append('job-1', [event()], 'any');

      expect(appendToStream.mock.calls.map(([, , options]) => options?.expectedRevision)).toEqual([NO_STREAM, 5n, ANY]);
      expect(appendToStream.mock.calls[0]![0]).toBe('job-1');
      expect(appendToStream.mock.calls[0]![1]).toEqual([
        { id: first.id, contentType: 'application/json', type: 'JobQueued', data: { jobId: 'j1' }, metadata: { commandId: 'c1' } },
      ]);
    });

    it('returns the next revision and the position as commit/prepare', async () => {
      const { store, appendToStream } = setup();
      appendToStream.mockResolvedValue(appended(3n, 1200n, 1180n));
      await expect(store.append('job-1', [event()], 2n)).resolves.toEqual({
        nextExpectedRevision: 3n,
        position: '1200/1180',
        duplicate: false,
      });
    });

    it('answers an idempotent retry, which has no position, with the position of the event at the returned revision', async () => {
      const { store, appendToStream, transport } = setup();
      appendToStream.mockResolvedValue({ success: true, nextExpectedRevision: 4n, position: undefined });
      transport.respond = (call) => call.send(eventResp({ commit: 300n, prepare: 290n, revision: 4n })).end();

      await expect(store.append('job-1', [event()], 2n)).resolves.toEqual({
        nextExpectedRevision: 4n,
        position: '300/290',
        duplicate: true,
      });
      const read = transport.calls[0]!.request.getOptions()!;
      expect([streamName(transport.calls[0]!), read.getStream()!.getRevision(), read.getCount(), read.getReadDirection()]).toEqual([
        'job-1',
        '4',
        '1',
        0,
      ]);
    });

    it('turns a wrong expected version into WrongExpectedRevisionError naming the actual revision', async () => {
      const { store, appendToStream } = setup();
      appendToStream.mockRejectedValueOnce(new WrongExpectedVersionError(undefined, { streamName: 'job-1', expected: 3n, current: 7n }));
      appendToStream.mockRejectedValueOnce(
        new WrongExpectedVersionError(undefined, { streamName: 'job-2', expected: 0n, current: NO_STREAM }),
      );

      const conflict = await store.append('job-1', [event()], 3n).catch((error: unknown) => error);
      expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
      expect(conflict).toMatchObject({ streamId: 'job-1', expected: 3n, actual: 7n });
      await expect(store.append('job-2', [event()], 0n)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', actual: 'no-stream' });
    });

    it('asks the stream for the actual revision when the client reports a conflict as a result', async () => {
      const { store, appendToStream, transport } = setup();
      appendToStream.mockResolvedValue({ success: false, nextExpectedRevision: 1n, position: undefined });
      transport.respond = (call) => call.send(eventResp({ commit: 90n, revision: 7n })).end();

      await expect(store.append('job-1', [event()], 3n)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', actual: 7n });
      const read = transport.calls[0]!.request.getOptions()!;
      expect([read.getStream()!.hasEnd(), read.getReadDirection(), read.getCount()]).toEqual([true, 1, '1']);
    });

    it('turns an unreachable server into EventStoreUnavailableError and leaves other errors alone', async () => {
      const { store, appendToStream } = setup();
      const unavailable = convertToCommandError(grpcError(GRPC.UNAVAILABLE, 'No connection established'));
      // What v6.2.1 really throws when no server answers: its server-features lookup fails unconverted.
      const raw = grpcError(GRPC.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:2113');
      const denied = new AccessDeniedError();
      appendToStream.mockRejectedValueOnce(unavailable).mockRejectedValueOnce(raw).mockRejectedValueOnce(denied);

      const error = await store.append('job-1', [event()], 0n).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect((error as Error).cause).toBe(unavailable);
      await expect(store.append('job-1', [event()], 0n)).rejects.toMatchObject({ name: 'EventStoreUnavailableError', cause: raw });
      await expect(store.append('job-1', [event()], 0n)).rejects.toBe(denied);
    });

    it('refuses an empty append without calling the server', async () => {
      const { store, appendToStream } = setup();
      await expect(store.append('job-1', [], 'no-stream')).rejects.toBeInstanceOf(RangeError);
      expect(appendToStream).not.toHaveBeenCalled();
    });
  });

  describe('readStream', () => {
    it('reads every event forward from the start and maps it to a RecordedEvent', async () => {
      const { store, transport } = setup();
      const ids = [randomUUID(), randomUUID()];
      transport.respond = (call) =>
        call
          .send(
            eventResp({
              id: ids[0],
              streamId: 'job-1',
              revision: 0n,
              commit: 100n,
              prepare: 98n,
              data: { jobId: 'j1' },
              metadata: { commandId: 'c1' },
            }),
            eventResp({ id: ids[1], streamId: 'job-1', revision: 1n, commit: 140n, prepare: 140n, type: 'JobStarted' }),
          )
          .end();

      const events = await store.readStream('job-1');
      expect(events).toEqual([
        {
          id: ids[0],
          type: 'JobQueued',
          data: { jobId: 'j1' },
          metadata: { commandId: 'c1' },
          streamId: 'job-1',
          revision: 0n,
          position: '100/98',
          recordedAt: '2026-03-01T12:00:00.000Z',
        },
        {
          id: ids[1],
          type: 'JobStarted',
          data: {},
          metadata: {},
          streamId: 'job-1',
          revision: 1n,
          position: '140/140',
          recordedAt: '2026-03-01T12:00:00.000Z',
        },
      ]);
      const read = transport.calls[0]!.request.getOptions()!;
      expect([streamName(transport.calls[0]!), read.getStream()!.hasStart(), read.getReadDirection()]).toEqual(['job-1', true, 0]);
    });

    it('runs the upcasters on what it reads', async () => {
      const upcasters: Upcasters = {
        JobQueuedV1: (old) => ({ ...old, type: 'JobQueued', data: { jobId: (old.data as { id: string }).id } }),
      };
      const { store, transport } = setup({ upcasters });
      transport.respond = (call) => call.send(eventResp({ commit: 10n, type: 'JobQueuedV1', data: { id: 'j9' } })).end();
      const [upcast] = await store.readStream('job-1');
      expect([upcast!.type, upcast!.data]).toEqual(['JobQueued', { jobId: 'j9' }]);
    });

    it('reads a stream that does not exist as empty', async () => {
      const { store, transport } = setup();
      transport.respond = (call) => call.send(streamNotFoundResp('job-404'));
      await expect(store.readStream('job-404')).resolves.toEqual([]);
    });

    it('refuses a stream holding a record that is not a JSON object event', async () => {
      const { store, transport } = setup();
      transport.respond = (call) =>
        call.send(eventResp({ commit: 10n, contentType: 'application/octet-stream', data: new Uint8Array([1, 2]) })).end();
      await expect(store.readStream('job-1')).rejects.toThrow(/not a JSON object event at revision 0/);
    });

    it('turns an unreachable server into EventStoreUnavailableError', async () => {
      const { store, transport } = setup();
      transport.respond = (call) => call.fail(GRPC.UNAVAILABLE, 'No connection established');
      await expect(store.readStream('job-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    });
  });

  describe('subscribe', () => {
    /** Starts the iteration (the call is opened on the first `next()`) and returns the open call. */
    async function open(subscription: Subscription, transport: FakeTransport, index = 0) {
      const iterator = subscription[Symbol.asyncIterator]();
      const first = iterator.next();
      const call = await transport.call(index);
      return { iterator, first, call };
    }

    const positions = (events: readonly RecordedEvent[]) => events.map((e) => e.position);

    it('starts at the beginning of $all, or after a given position', async () => {
      const { store, transport } = setup();
      const fromStart = await open(store.subscribe({ after: START }), transport, 0);
      const fromPosition = await open(store.subscribe({ after: '120/118' }), transport, 1);

      expect(fromStart.call.request.getOptions()!.getAll()!.hasStart()).toBe(true);
      const position = fromPosition.call.request.getOptions()!.getAll()!.getPosition()!;
      expect([position.getCommitPosition(), position.getPreparePosition()]).toEqual(['120', '118']);
      expect(fromPosition.call.request.getOptions()!.hasSubscription()).toBe(true);
      await store.close();
    });

    it('refuses a malformed start position at once', () => {
      const { store } = setup();
      expect(() => store.subscribe({ after: 'yesterday' })).toThrow(RangeError);
    });

    it('filters on the server by exactly the requested types and never lets system records through', async () => {
      const { store, transport } = setup();
      const { call } = await open(store.subscribe({ after: START, eventTypes: ['JobQueued', 'Job.Started', '$metadata'] }), transport);
      const filter = call.request.getOptions()!.getFilter()!;
      expect(filter.hasEventType()).toBe(true);
      expect(filter.getCheckpointintervalmultiplier()).toBe(1);
      const regex = new RegExp(filter.getEventType()!.getRegex());

      expect(['JobQueued', 'Job.Started'].filter((type) => regex.test(type))).toEqual(['JobQueued', 'Job.Started']);
      expect(
        ['JobQueuedV2', 'OldJobQueued', 'JobXStarted', '$metadata', '$stats-127.0.0.1:2113', '$>'].filter((type) => regex.test(type)),
      ).toEqual([]);
      await store.close();
    });

    it('without types, filters out system records only', async () => {
      const { store, transport } = setup();
      const { call } = await open(store.subscribe({ after: START }), transport);
      const regex = new RegExp(call.request.getOptions()!.getFilter()!.getEventType()!.getRegex());
      expect(['JobQueued', 'AnythingElse', '$stats', '$>', '$metadata'].map((type) => regex.test(type))).toEqual([
        true,
        true,
        false,
        false,
        false,
      ]);
      await store.close();
    });

    it('maps and upcasts events and hands them over in batches of at most maxBatchSize', async () => {
      const upcasters: Upcasters = { JobQueuedV1: (old) => ({ ...old, type: 'JobQueued' }) };
      const { store, transport } = setup({ upcasters });
      const { iterator, first, call } = await open(store.subscribe({ after: START, maxBatchSize: 2 }), transport);
      call.send(
        confirmationResp(),
        ...[10n, 20n, 30n, 40n].map((commit) => eventResp({ commit, prepare: commit - 1n })),
        eventResp({ commit: 50n, prepare: 49n, type: 'JobQueuedV1', streamId: 'job-5', revision: 3n }),
        caughtUpResp(),
      );

      const batches = [(await first).value, (await iterator.next()).value, (await iterator.next()).value] as SubscriptionBatch[];
      expect(batches.map((batch) => [positions(batch.events), batch.checkpoint, batch.caughtUp])).toEqual([
        [['10/9', '20/19'], '20/19', false],
        [['30/29', '40/39'], '40/39', false],
        [['50/49'], '50/49', true],
      ]);
      expect(batches[2]!.events[0]).toMatchObject({
        type: 'JobQueued',
        streamId: 'job-5',
        revision: 3n,
        recordedAt: CREATED.toISOString(),
      });
      await store.close();
    });

    it('announces being caught up with an empty batch when there is nothing to deliver', async () => {
      const { store, transport } = setup();
      const { first, call } = await open(store.subscribe({ after: '70/70' }), transport);
      call.send(confirmationResp(), caughtUpResp());
      expect((await first).value).toEqual({ events: [], checkpoint: '70/70', caughtUp: true });
      await store.close();
    });

    it('hands over an empty batch carrying the checkpoint the server reports, and never a stale one', async () => {
      const { store, transport } = setup();
      const { iterator, first, call } = await open(store.subscribe({ after: START, eventTypes: ['JobQueued'] }), transport);
      call.send(checkpointResp(500n, 480n));
      expect((await first).value).toEqual({ events: [], checkpoint: '500/480', caughtUp: false });

      call.send(eventResp({ commit: 600n }));
      expect(((await iterator.next()).value as SubscriptionBatch).checkpoint).toBe('600/600');
      const pending = iterator.next();
      call.send(checkpointResp(550n, 550n));
      // One turn of the event loop, not a timed wait: the stale checkpoint is read before the next event is sent.
      await new Promise((resolve) => setImmediate(resolve));
      call.send(eventResp({ commit: 700n }), caughtUpResp());
      const next = (await pending).value as SubscriptionBatch;
      expect([positions(next.events), next.checkpoint, next.caughtUp]).toEqual([['700/700'], '700/700', true]);
      await store.close();
    });

    it('keeps caughtUp behind the events still buffered in the client when it has paused the client', async () => {
      const { store, transport } = setup();
      const { iterator, first, call } = await open(store.subscribe({ after: START, maxBatchSize: 1 }), transport);
      call.send(...[1n, 2n, 3n, 4n, 5n, 6n].map((commit) => eventResp({ commit })), caughtUpResp());

      const batches = [(await first).value as SubscriptionBatch];
      for (let i = 0; i < 5; i++) batches.push((await iterator.next()).value as SubscriptionBatch);
      expect(batches.map((batch) => [positions(batch.events), batch.caughtUp])).toEqual([
        [['1/1'], false],
        [['2/2'], false],
        [['3/3'], false],
        [['4/4'], false],
        [['5/5'], false],
        [['6/6'], true],
      ]);
      await store.close();
    });

    it('skips unresolved links, system records, other types and non-JSON records, but checkpoints past them', async () => {
      const warn = jest.fn();
      const { store, transport } = setup({ logger: { warn } });
      const { iterator, first, call } = await open(store.subscribe({ after: START, eventTypes: ['JobQueued'] }), transport);
      call.send(
        unresolvedLinkResp({ commit: 10n }),
        eventResp({ commit: 20n, type: 'JobQueuedV2' }),
        eventResp({ commit: 30n, type: '$metadata' }),
        eventResp({ commit: 40n, contentType: 'application/octet-stream', data: new Uint8Array([7]) }),
        caughtUpResp(),
      );
      expect((await first).value).toEqual({ events: [], checkpoint: '40/40', caughtUp: true });
      expect(warn).toHaveBeenCalledTimes(1);

      call.send(eventResp({ commit: 50n }));
      expect(positions(((await iterator.next()).value as SubscriptionBatch).events)).toEqual(['50/50']);
      await store.close();
    });

    it('resubscribes after a transport error from the newest position taken, with exponential backoff', async () => {
      const warn = jest.fn<(obj: object, msg: string) => void>();
      const { store, transport } = setup({ logger: { warn }, resubscribe: { initialDelayMs: 5, maxDelayMs: 12, factor: 2 } });
      const { iterator, first, call } = await open(store.subscribe({ after: START }), transport);
      call.send(eventResp({ commit: 10n }), eventResp({ commit: 20n }));
      expect(positions(((await first).value as SubscriptionBatch).events)).toEqual(['10/10', '20/20']);

      const next = iterator.next();
      let failedAt = performance.now();
      call.fail(GRPC.UNAVAILABLE, 'Connection dropped');
      const retries: FakeCall[] = [];
      const waited: number[] = [];
      for (let index = 1; index <= 3; index++) {
        const retry = await transport.call(index);
        waited.push(performance.now() - failedAt);
        retries.push(retry);
        if (index < 3) {
          failedAt = performance.now();
          retry.fail(GRPC.UNAVAILABLE, 'No connection established');
        }
      }
      expect(warn.mock.calls.map(([fields]) => (fields as { delayMs: number }).delayMs)).toEqual([5, 10, 12]);
      waited.forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual([5, 10, 12][i]! - 1));
      for (const retry of retries) {
        const position = retry.request.getOptions()!.getAll()!.getPosition()!;
        expect([position.getCommitPosition(), position.getPreparePosition()]).toEqual(['20', '20']);
      }

      // A server that starts inclusively would resend 20/20: it is delivered once only.
      retries[2]!.send(eventResp({ commit: 20n }), eventResp({ commit: 30n }), checkpointResp(45n, 40n));
      const resumed = (await next).value as SubscriptionBatch;
      expect([positions(resumed.events), resumed.checkpoint]).toEqual([['30/30'], '45/40']);
      retries[2]!.fail(GRPC.UNAVAILABLE, 'Connection dropped');

      const afterCheckpoint = await transport.call(4);
      const position = afterCheckpoint.request.getOptions()!.getAll()!.getPosition()!;
      expect([position.getCommitPosition(), position.getPreparePosition()]).toEqual(['45', '40']);
      // Delivery since the last failure reset the backoff.
      expect((warn.mock.calls.at(-1)![0] as { delayMs: number }).delayMs).toBe(5);
      await store.close();
    });

    it('resubscribes when the server ends the subscription', async () => {
      const { store, transport } = setup();
      const { first, call } = await open(store.subscribe({ after: START }), transport);
      call.send(eventResp({ commit: 10n }));
      await first;
      call.end();
      const retry = await transport.call(1);
      expect(retry.request.getOptions()!.getAll()!.getPosition()!.getCommitPosition()).toBe('10');
      await store.close();
    });

    it('ends the iteration with the error when retrying cannot help', async () => {
      const { store, transport } = setup();
      const { first, call } = await open(store.subscribe({ after: START }), transport);
      call.fail(GRPC.UNAUTHENTICATED, 'Access denied');
      await expect(first).rejects.toBeInstanceOf(AccessDeniedError);
      expect(transport.calls).toHaveLength(1);
      await store.close();
    });

    it('close() ends the iteration and cancels the call', async () => {
      const { store, transport } = setup();
      const subscription = store.subscribe({ after: START });
      const { first, call } = await open(subscription, transport);
      await subscription.close();
      await expect(first).resolves.toEqual({ done: true, value: undefined });
      expect(call.cancelled).toBe(true);
    });

    it('close() during the backoff stops resubscribing for good', async () => {
      let backoffStarted!: () => void;
      const inBackoff = new Promise<void>((resolve) => (backoffStarted = resolve));
      const logger = { warn: (_obj: object, message: string) => message.includes('resubscribing') && backoffStarted() };
      const { store, transport } = setup({ resubscribe: { initialDelayMs: 5, maxDelayMs: 5, factor: 1 }, logger });
      const subscription = store.subscribe({ after: START });
      const { first, call } = await open(subscription, transport);
      // Fake timers from the drop on: the backoff's whole delay passes without waiting for it.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      try {
        call.fail(GRPC.UNAVAILABLE, 'Connection dropped');
        await inBackoff; // the retry is scheduled: close() now lands in the middle of the backoff
        await subscription.close();
        jest.advanceTimersByTime(50);
      } finally {
        jest.useRealTimers();
      }
      expect(transport.calls).toHaveLength(1);
      await expect(first).resolves.toMatchObject({ done: true });
    });

    it('store.close() closes the open subscriptions and disposes the client', async () => {
      const { store, transport, dispose } = setup();
      const { first, call } = await open(store.subscribe({ after: START }), transport);
      await store.close();
      await expect(first).resolves.toMatchObject({ done: true });
      expect(call.cancelled).toBe(true);
      expect(dispose).toHaveBeenCalledTimes(1);
    });
  });

  describe('headPosition', () => {
    it('is the newest record that is not a system record, read backwards from the end', async () => {
      const { store, transport } = setup();
      transport.respond = (call) =>
        call
          .send(
            eventResp({ commit: 300n, type: '$stats' }),
            eventResp({ commit: 290n, type: '$metadata' }),
            eventResp({ commit: 280n, prepare: 270n }),
          )
          .end();

      await expect(store.headPosition()).resolves.toBe('280/270');
      const read = transport.calls[0]!.request.getOptions()!;
      expect([read.getAll()!.hasEnd(), read.getReadDirection(), read.getCount()]).toEqual([true, 1, '64']);
    });

    it('is START when the store holds nothing but system records', async () => {
      const { store, transport } = setup();
      transport.respond = (call) => call.send(eventResp({ commit: 30n, type: '$stats' })).end();
      await expect(store.headPosition()).resolves.toBe(START);
    });

    it('pages back past a run of system records', async () => {
      const { store, transport } = setup();
      const systemRun = Array.from({ length: 64 }, (_, i) => eventResp({ commit: BigInt(1000 - i), type: '$stats' }));
      transport.respond = (call) => {
        if (transport.calls.length === 1) call.send(...systemRun).end();
        // Whether the server repeats the start record is not documented: it must not matter.
        else call.send(eventResp({ commit: 937n, type: '$stats' }), eventResp({ commit: 900n })).end();
      };

      await expect(store.headPosition()).resolves.toBe('900/900');
      expect(transport.calls[1]!.request.getOptions()!.getAll()!.getPosition()!.getCommitPosition()).toBe('937');
    });
  });

  describe('readBackward and readStreamPage (browsing)', () => {
    it('reads $all backwards from before a position, leaving out system records, the start record and other types', async () => {
      const { store, transport } = setup();
      transport.respond = (call) =>
        call
          .send(
            eventResp({ commit: 500n, type: 'JobQueued' }), // the start position itself, if the server repeats it
            eventResp({ commit: 490n, type: '$stats' }),
            eventResp({ commit: 480n, type: 'JobStarted' }),
            eventResp({ commit: 470n, type: 'JobQueued', data: { jobId: 'j2' } }),
            eventResp({ commit: 460n, type: 'JobQueued', data: { jobId: 'j1' } }),
          )
          .end();

      const events = await store.readBackward({ before: '500/500', eventTypes: ['JobQueued'], limit: 5 });
      expect(events.map((e) => [e.position, e.data])).toEqual([
        ['470/470', { jobId: 'j2' }],
        ['460/460', { jobId: 'j1' }],
      ]);
      const read = transport.calls[0]!.request.getOptions()!;
      expect([read.getAll()!.getPosition()!.getCommitPosition(), read.getReadDirection()]).toEqual(['500', 1]);
    });

    it('reads nothing before START, and from the end without a position', async () => {
      const { store, transport } = setup();
      await expect(store.readBackward({ before: START, limit: 5 })).resolves.toEqual([]);
      transport.respond = (call) => call.send(eventResp({ commit: 20n }), eventResp({ commit: 10n })).end();
      expect((await store.readBackward({ limit: 1 })).map((e) => e.position)).toEqual(['20/20']);
      expect(transport.calls[0]!.request.getOptions()!.getAll()!.hasEnd()).toBe(true);
    });

    it('pages a stream forward from the revision after the given one', async () => {
      const { store, transport } = setup();
      transport.respond = (call) => call.send(eventResp({ commit: 30n, revision: 3n })).end();
      expect((await store.readStreamPage('job-1', { afterRevision: 2n, limit: 2 })).map((e) => e.revision)).toEqual([3n]);
      const read = transport.calls[0]!.request.getOptions()!;
      expect([read.getStream()!.getRevision(), read.getCount(), read.getReadDirection()]).toEqual(['3', '2', 0]);
      transport.respond = (call) => call.send(streamNotFoundResp('job-404'));
      await expect(store.readStreamPage('job-404', { limit: 2 })).resolves.toEqual([]);
    });
  });

  it('orders positions like the port: START first, then by commit and prepare', () => {
    const { store } = setup();
    expect([store.comparePositions(START, '1/1'), store.comparePositions('10/2', '10/1'), store.comparePositions('9/9', '10/0')]).toEqual([
      -1, 1, -1,
    ]);
  });
});
