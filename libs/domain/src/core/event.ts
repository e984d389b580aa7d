/**
 * An event as the domain sees it: a tagged plain object. `type` is the storage contract and is never
 * renamed; dates inside `data` are ISO strings so events survive JSON without a reviver.
 */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

export interface Command<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

/** An event as it was read back from a stream, with where it sits in the store. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = E & {
  readonly id: string;
  readonly streamId: string;
  readonly revision: bigint;
  /** Opaque, totally ordered across the whole store; compare with the store's `comparePositions`. */
  readonly position: string;
  readonly recordedAt: string;
  readonly metadata: EventMetadata;
};

export interface EventMetadata {
  readonly commandId?: string;
  readonly causationId?: string;
  readonly correlationId?: string;
  readonly userId?: string;
  readonly schemaVersion?: number;
  /** SHA-256 of the request (method, route, body) whose `Idempotency-Key` gave the command id. */
  readonly requestHash?: string;
  readonly [key: string]: unknown;
}
