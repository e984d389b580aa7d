import { eventIdFor, fold, type Command, type Decider, type DomainEvent, type EventMetadata, type RecordedEvent } from '#domain';
import {
  EventIdInUseError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type Position,
} from './event-store.port.js';

export { eventIdFor };

export interface CommandContext {
  /** Same id, same events: a retried command appends nothing twice. */
  readonly commandId: string;
  readonly userId?: string;
  readonly correlationId?: string;
  /**
   * Fingerprint of what was asked (an HTTP request's method, route and body), stored with the events.
   * A replay of the command id with another fingerprint is refused, never answered with the first result.
   */
  readonly requestHash?: string;
}

/** A command id (an `Idempotency-Key`) already used for a different request. */
export class CommandIdReusedError extends Error {
  constructor(readonly commandId: string) {
    super(`Command id ${commandId} was already used for a different request`);
    this.name = 'CommandIdReusedError';
  }
}

export interface CommandResult<E extends DomainEvent> {
  readonly events: readonly E[];
  /** Position of the last event this command produced (or of the stream's last event for a no-op). */
  readonly position: Position | null;
  readonly nextExpectedRevision: bigint | null;
}

export interface HandleCommandOptions {
  /** Version conflicts re-decided before the conflict reaches the caller (default 5). */
  readonly maxAttempts?: number;
  /**
   * The stream is almost certainly new (its id was just generated, or is a seed's): the first
   * attempt skips reading it, decides on the initial state and appends with `no-stream`. Nothing is
   * assumed: a stream that exists after all (a retried command, an id in use) makes that append fail
   * or answer as a duplicate, and a decision the initial state refuses or that appends nothing is
   * taken again on the stream as read, as without this option.
   */
  readonly newStream?: boolean;
}

/**
 * The whole write path: read the stream, fold, decide, append at the exact revision read. On a
 * version conflict the decision is re-run on the new state a bounded number of times; after that
 * the conflict reaches the caller (HTTP 409).
 */
export async function handleCommand<C extends Command, E extends DomainEvent, S>(
  store: EventStore,
  streamId: string,
  decider: Decider<C, E, S>,
  commands: C | readonly C[],
  context: CommandContext,
  options: HandleCommandOptions = {},
): Promise<CommandResult<E>> {
  const sequence: readonly C[] = Array.isArray(commands) ? commands : [commands as C];
  if (options.newStream) {
    let events: E[] | null = null;
    try {
      events = decideAll(decider, decider.initialState(), sequence);
    } catch {
      // Refused on the assumed initial state: decided below on the stream as it is.
    }
    if (events && events.length > 0) {
      try {
        return await appendDecision(store, streamId, events, context, 'no-stream');
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error; // it exists: an ordinary attempt follows
      }
    }
  }
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const history = await readTypedStream<E>(store, streamId);
    const replayed = history.filter((e) => e.metadata.commandId === context.commandId);
    if (replayed.length > 0) return alreadyHandled<E>(replayed, context);

    const events = decideAll(decider, fold(decider, history), sequence);
    const last = history.at(-1);
    if (events.length === 0) return { events, position: last?.position ?? null, nextExpectedRevision: last?.revision ?? null };
    try {
      return await appendDecision(store, streamId, events, context, last ? last.revision : 'no-stream');
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxAttempts) throw error;
      // Jitter, so writers that collided do not collide again on the next attempt.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
    }
  }
}

function decideAll<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>, initial: S, sequence: readonly C[]): E[] {
  let state = initial;
  const events: E[] = [];
  for (const command of sequence) {
    const decided = decider.decide(command, state);
    state = decided.reduce(decider.evolve, state);
    events.push(...decided);
  }
  return events;
}

async function appendDecision<E extends DomainEvent>(
  store: EventStore,
  streamId: string,
  events: readonly E[],
  context: CommandContext,
  expected: ExpectedRevision,
): Promise<CommandResult<E>> {
  const metadata: EventMetadata = {
    commandId: context.commandId,
    userId: context.userId,
    correlationId: context.correlationId,
    schemaVersion: 1,
    ...(context.requestHash === undefined ? {} : { requestHash: context.requestHash }),
  };
  let appended: AppendResult;
  try {
    appended = await store.append(
      streamId,
      events.map((event, index) => ({ id: eventIdFor(context.commandId, index), type: event.type, data: event.data, metadata })),
      expected,
    );
  } catch (error) {
    // Event ids derive from the command id: the same id in another stream is the same id used for another command.
    if (error instanceof EventIdInUseError) throw new CommandIdReusedError(context.commandId);
    throw error;
  }
  if (appended.duplicate) {
    // A concurrent retry of this command won the race: answer with what it stored, not with
    // this attempt's decision (whose generated ids and times differ).
    return alreadyHandled<E>(
      (await store.readStream(streamId)).filter((e) => e.metadata.commandId === context.commandId),
      context,
    );
  }
  return { events, position: appended.position, nextExpectedRevision: appended.nextExpectedRevision };
}

export interface AggregateStream<S> {
  readonly state: S;
  /** The stream's last revision, or null when it does not exist: the expected revision of the next append. */
  readonly revision: bigint | null;
  /** The position of the stream's last event: what a read model must have reached to show this state. */
  readonly position: Position | null;
}

/**
 * The one typed read of a stream: a stream holds its decider's events (upcast on read), so this is the
 * only place the store's untyped records become a decider's event union.
 */
export async function readTypedStream<E extends DomainEvent>(store: EventStore, streamId: string): Promise<readonly RecordedEvent<E>[]> {
  return (await store.readStream(streamId)) as readonly RecordedEvent[] as readonly RecordedEvent<E>[];
}

/** One stream folded with its decider (Emmett's `aggregateStream`, Marten's `FetchForWriting`): for reads that must not trail the log. */
export async function aggregateStream<E extends DomainEvent, S>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<never, E, S>, 'evolve' | 'initialState'>,
): Promise<AggregateStream<S>> {
  const history = await readTypedStream<E>(store, streamId);
  const last = history.at(-1);
  return { state: fold(decider, history), revision: last?.revision ?? null, position: last?.position ?? null };
}

function alreadyHandled<E extends DomainEvent>(replayed: readonly RecordedEvent[], context: CommandContext): CommandResult<E> {
  const stored = replayed[0]!.metadata.requestHash;
  // Events written without a fingerprint (internal commands, older events) replay as before.
  if (context.requestHash !== undefined && stored !== undefined && stored !== context.requestHash)
    throw new CommandIdReusedError(context.commandId);
  const last = replayed.at(-1)!;
  return {
    events: replayed.map((e) => ({ type: e.type, data: e.data }) as E),
    position: last.position,
    nextExpectedRevision: last.revision,
  };
}
