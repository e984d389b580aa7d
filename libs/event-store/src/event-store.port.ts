import type { EventMetadata, RecordedEvent } from '#domain';

/** Positions are opaque outside a store; `START` sorts before every event of every store. */
export type Position = string;
export const START: Position = 'start';

/** `no-stream`: the stream must not exist; a bigint: its last revision must be exactly that. */
export type ExpectedRevision = 'no-stream' | 'any' | bigint;

export interface EventToAppend {
  /** Deterministic (derived from the command id and the event's index): a retried append is a no-op. */
  readonly id: string;
  readonly type: string;
  readonly data: object;
  readonly metadata?: EventMetadata;
}

export interface AppendResult {
  readonly nextExpectedRevision: bigint;
  /** Position of the last event appended (or of the original events when the append was a retry). */
  readonly position: Position;
  /** The event ids were already stored: nothing was appended and the stored events stand. */
  readonly duplicate: boolean;
}

export interface StreamHead {
  readonly revision: bigint;
  readonly position: Position;
}

export interface SubscribeOptions {
  /** Exclusive: the first event delivered is the one after this position. */
  readonly after: Position;
  /** Only these event types are delivered; checkpoints still advance over the others. */
  readonly eventTypes?: readonly string[];
  readonly maxBatchSize?: number;
}

export interface SubscriptionBatch {
  readonly events: readonly RecordedEvent[];
  /** Everything up to here has been scanned: safe to store as the subscriber's checkpoint. */
  readonly checkpoint: Position;
  /** The batch reached what the store held when it was read: the subscriber is live. */
  readonly caughtUp: boolean;
}

export interface Subscription extends AsyncIterable<SubscriptionBatch> {
  close(): Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** All events of a stream in revision order; an empty list when the stream does not exist. */
  readStream(streamId: string): Promise<RecordedEvent[]>;
  /**
   * Revision and position of a stream's last event (null when it does not exist): one point read,
   * to tell whether a read model has applied everything in a stream without reading the stream.
   */
  streamHead(streamId: string): Promise<StreamHead | null>;
  /** Ordered delivery over all streams, in one total order, never skipping an event that commits late. */
  subscribe(options: SubscribeOptions): Subscription;
  /**
   * Position of the newest committed event (`START` when the store is empty): what a reader waits
   * for to see every write made so far, its own included. A subscriber reaches it once every
   * transaction that could still commit below it has ended.
   */
  headPosition(): Promise<Position>;
  comparePositions(a: Position, b: Position): number;
  /**
   * How far a subscriber at `after` is behind: events of those types still to come (counted up to
   * `limit`) and when the oldest of them was recorded. Optional: not every store can count cheaply.
   */
  backlog?(after: Position, eventTypes: readonly string[], limit: number): Promise<{ events: number; oldestRecordedAt: string | null }>;
  /**
   * The log newest first, for browsing (the operator console): events strictly before `before` (from
   * the newest when absent), of `eventTypes` when given, at most `limit`.
   */
  readBackward(options: ReadBackwardOptions): Promise<RecordedEvent[]>;
  /** A page of one stream in revision order: events after revision `afterRevision` (from the first when absent), at most `limit`. */
  readStreamPage(streamId: string, options: { readonly afterRevision?: bigint; readonly limit: number }): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

export interface ReadBackwardOptions {
  readonly before?: Position;
  readonly eventTypes?: readonly string[];
  readonly limit: number;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no-stream',
  ) {
    super(`Stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An event id of the append is already stored in another stream: ids derive from command ids, so a command id was reused. */
export class EventIdInUseError extends Error {
  constructor(readonly streamId: string) {
    super(`An event id appended to ${streamId} is already stored in another stream`);
    this.name = 'EventIdInUseError';
  }
}

/** The store cannot be reached; callers retry or answer 503, never 500. */
export class EventStoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}
