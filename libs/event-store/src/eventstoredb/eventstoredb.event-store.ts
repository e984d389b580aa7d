import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START as ESDB_START,
  type AllStreamResolvedEvent,
  type AppendResult as EsdbAppendResult,
  type Position as EsdbPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { RecordedEvent } from '#domain';
import {
  START,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadBackwardOptions,
  type StreamHead,
  type SubscribeOptions,
  type Subscription,
} from '../event-store.port.js';
import { comparePositions, parsePosition } from '../position.js';
import type { Upcasters } from '../upcasters.js';
import { isStreamNotFound, isWrongExpectedVersion, toStoreError } from './eventstoredb.errors.js';
import {
  isSystemEventType,
  subscriptionFilter,
  toActualRevision,
  toEsdbExpectedRevision,
  toEventData,
  toRecordedEvent,
  toEsdbPosition,
  toStorePosition,
} from './eventstoredb.mapping.js';
import { EventStoreDbSubscription, type EventStoreDbLogger, type ResubscribeBackoff } from './eventstoredb.subscription.js';

/** The part of the client this adapter calls: a test can stand in for the network behind it. */
export type EventStoreDbClientApi = Pick<EventStoreDBClient, 'appendToStream' | 'readStream' | 'subscribeToAll' | 'readAll' | 'dispose'>;

export interface EventStoreDbEventStoreOptions {
  readonly upcasters?: Upcasters;
  readonly resubscribe?: Partial<ResubscribeBackoff>;
  readonly logger?: EventStoreDbLogger;
  /** Server checkpoints come every `checkpointInterval × 32` scanned events. */
  readonly checkpointInterval?: number;
}

const DEFAULT_BACKOFF: ResubscribeBackoff = { initialDelayMs: 250, maxDelayMs: 10_000, factor: 2 };
const DEFAULT_MAX_BATCH_SIZE = 500;
const HEAD_PAGE_SIZE = 64;
/** `readBackward` filters types client-side ($all reads take no filter): it scans at most this many records per call. */
const BROWSE_SCAN_LIMIT = 10_000;
const BROWSE_PAGE_SIZE = 256;

/**
 * The `EventStore` port over EventStoreDB through `@eventstore/db-client` v6. Reading or
 * subscribing to `$all` needs an admin user in the connection string.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new Set<EventStoreDbSubscription>();

  static fromConnectionString(url: string, options: EventStoreDbEventStoreOptions = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(url), options);
  }

  constructor(
    private readonly client: EventStoreDbClientApi,
    private readonly options: EventStoreDbEventStoreOptions = {},
  ) {}

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new RangeError('append needs at least one event');
    let result: EsdbAppendResult;
    try {
      result = await this.client.appendToStream(streamId, events.map(toEventData), { expectedRevision: toEsdbExpectedRevision(expected) });
    } catch (error) {
      if (isWrongExpectedVersion(error)) throw new WrongExpectedRevisionError(streamId, expected, toActualRevision(error.actualVersion));
      throw toStoreError(error, `append to ${streamId}`);
    }
    // With `throwOnAppendFailure=false` a conflict is a result, and v6.2.1's batch append reports
    // its revision as `BigInt(true)`: ask the stream instead.
    if (!result.success) throw new WrongExpectedRevisionError(streamId, expected, await this.lastRevision(streamId));
    // An idempotent retry is answered without a position; the original events still have theirs.
    const position = result.position ?? (await this.positionAt(streamId, result.nextExpectedRevision));
    return {
      nextExpectedRevision: result.nextExpectedRevision,
      position: toStorePosition(position),
      duplicate: result.position === undefined,
    };
  }

  async readStream(streamId: string): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { fromRevision: ESDB_START, direction: FORWARDS })) {
        const event = toRecordedEvent(resolved, this.options.upcasters);
        // Skipping would fold a wrong state and hide the revision the next append must expect.
        if (!event)
          throw new Error(`Stream ${streamId} holds a record that is not a JSON object event at revision ${resolved.event?.revision}`);
        events.push(event);
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw toStoreError(error, `read of ${streamId}`);
    }
    return events;
  }

  async readBackward({ before, eventTypes, limit }: ReadBackwardOptions): Promise<RecordedEvent[]> {
    const wanted = eventTypes ? new Set(eventTypes) : null;
    const found: RecordedEvent[] = [];
    let from: typeof END | EsdbPosition = END;
    if (before !== undefined) {
      const position = toEsdbPosition(before);
      if (position === ESDB_START) return [];
      from = position;
    }
    let scanned = 0;
    while (found.length < limit && scanned < BROWSE_SCAN_LIMIT) {
      let count = 0;
      let oldest: EsdbPosition | undefined;
      try {
        for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: BROWSE_PAGE_SIZE })) {
          count += 1;
          const position = resolved.event?.position;
          if (!position) continue;
          oldest = position;
          // Exclusive, and whether a backwards read includes its start is not documented.
          if (from !== END && !isBefore(position, from)) continue;
          if (isSystemEventType(resolved.event!.type) || (wanted && !wanted.has(resolved.event!.type))) continue;
          const event = toRecordedEvent(resolved, this.options.upcasters);
          if (event && found.length < limit) found.push(event);
        }
      } catch (error) {
        throw toStoreError(error, 'read of $all');
      }
      scanned += count;
      if (count < BROWSE_PAGE_SIZE || !oldest) break;
      from = oldest;
    }
    return found;
  }

  async readStreamPage(streamId: string, { afterRevision, limit }: { afterRevision?: bigint; limit: number }): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    try {
      const fromRevision = afterRevision === undefined ? ESDB_START : afterRevision + 1n;
      for await (const resolved of this.client.readStream(streamId, { fromRevision, direction: FORWARDS, maxCount: limit })) {
        const event = toRecordedEvent(resolved, this.options.upcasters);
        if (event) events.push(event);
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw toStoreError(error, `read of ${streamId}`);
    }
    return events;
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    const last = (await this.readOne(streamId, { fromRevision: END, direction: BACKWARDS }))?.event;
    if (!last) return null;
    if (!last.position) throw new Error(`EventStoreDB returned no position for the head of ${streamId}`);
    return { revision: last.revision, position: toStorePosition(last.position) };
  }

  subscribe(options: SubscribeOptions): Subscription {
    // A malformed checkpoint fails the caller now rather than the first `next()`.
    parsePosition(options.after);
    const eventTypes = options.eventTypes;
    const wanted = eventTypes ? new Set(eventTypes) : undefined;
    const subscription: EventStoreDbSubscription = new EventStoreDbSubscription({
      subscribeToAll: (subscribeOptions) => this.client.subscribeToAll(subscribeOptions),
      after: options.after,
      maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      filter: (checkpointReached) =>
        subscriptionFilter(eventTypes, { checkpointInterval: this.options.checkpointInterval ?? 1, checkpointReached }),
      acceptsType: (type) => !isSystemEventType(type) && (!wanted || wanted.has(type)),
      toRecordedEvent: (resolved) => toRecordedEvent(resolved, this.options.upcasters),
      backoff: { ...DEFAULT_BACKOFF, ...this.options.resubscribe },
      logger: this.options.logger,
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * EventStoreDB appends its own `$` records (stats, scavenges, stream metadata) after ours, and no
   * subscriber ever sees those: the head is the newest record that is not one of them. Pages are
   * read to the end, so no gRPC call is left open.
   */
  async headPosition(): Promise<Position> {
    let from: typeof END | EsdbPosition = END;
    for (;;) {
      const { records, count } = await this.readAllBackwards(from);
      const newest = records.find((resolved) => resolved.event && !isSystemEventType(resolved.event.type));
      if (newest?.event) return toStorePosition(newest.event.position);
      const oldest = records.at(-1)?.event?.position;
      if (count < HEAD_PAGE_SIZE || !oldest) return START;
      from = oldest;
    }
  }

  comparePositions(a: Position, b: Position): number {
    return comparePositions(a, b);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  private async readAllBackwards(from: typeof END | EsdbPosition): Promise<{ records: AllStreamResolvedEvent[]; count: number }> {
    const records: AllStreamResolvedEvent[] = [];
    let count = 0;
    try {
      for await (const resolved of this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: HEAD_PAGE_SIZE })) {
        count += 1;
        // Whether a backwards read includes its start position is not documented: never step back onto it.
        if (from !== END && resolved.event && !isBefore(resolved.event.position, from)) continue;
        records.push(resolved);
      }
    } catch (error) {
      throw toStoreError(error, 'read of $all');
    }
    return { records, count };
  }

  private async lastRevision(streamId: string): Promise<bigint | 'no-stream'> {
    const last = await this.readOne(streamId, { fromRevision: END, direction: BACKWARDS });
    return last?.event ? last.event.revision : 'no-stream';
  }

  private async positionAt(streamId: string, revision: bigint): Promise<EsdbPosition> {
    const position = (await this.readOne(streamId, { fromRevision: revision, direction: FORWARDS }))?.event?.position;
    if (!position) throw new Error(`EventStoreDB returned no position for ${streamId}@${revision}`);
    return position;
  }

  /** Read to the end rather than returning from the loop: leaving early would leave the gRPC call open. */
  private async readOne(
    streamId: string,
    options: { fromRevision: bigint | typeof END; direction: typeof FORWARDS | typeof BACKWARDS },
  ): Promise<ResolvedEvent | undefined> {
    let found: ResolvedEvent | undefined;
    try {
      for await (const resolved of this.client.readStream(streamId, { ...options, maxCount: 1 })) found = resolved;
      return found;
    } catch (error) {
      if (isStreamNotFound(error)) return undefined;
      throw toStoreError(error, `read of ${streamId}`);
    }
  }
}

function isBefore(a: EsdbPosition, b: EsdbPosition): boolean {
  return a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare);
}
