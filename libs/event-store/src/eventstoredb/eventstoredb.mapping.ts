import {
  ANY,
  NO_STREAM,
  START as ESDB_START,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  type AppendExpectedRevision,
  type EventData,
  type Filter,
  type JSONType,
  type Position as EsdbPosition,
  type RecordedEvent as EsdbRecordedEvent,
  type CurrentRevision,
} from '@eventstore/db-client';
import type { EventMetadata, RecordedEvent } from '#domain';
import type { EventToAppend, ExpectedRevision, Position } from '../event-store.port.js';
import { formatPosition, parsePosition } from '../position.js';
import { upcast, type Upcasters } from '../upcasters.js';

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'no-stream') return NO_STREAM;
  if (expected === 'any') return ANY;
  return expected;
}

export function toActualRevision(current: CurrentRevision): bigint | 'no-stream' {
  return current === NO_STREAM || current < 0n ? 'no-stream' : current;
}

export function toEventData(event: EventToAppend): EventData {
  return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata: event.metadata });
}

export function toStorePosition(position: EsdbPosition): Position {
  return formatPosition({ major: position.commit, minor: position.prepare });
}

export function toEsdbPosition(position: Position): typeof ESDB_START | EsdbPosition {
  const pair = parsePosition(position);
  return pair ? { commit: pair.major, prepare: pair.minor } : ESDB_START;
}

/** EventStoreDB's own records (`$stats`, `$metadata`, links `$>`) all have `$`-prefixed types. */
export function isSystemEventType(type: string): boolean {
  return type.startsWith('$');
}

/** Where a delivered record sits in `$all`, also for records we do not turn into events. */
export function positionOf(resolved: { event?: { position?: EsdbPosition }; link?: { position?: EsdbPosition } }): Position | undefined {
  const position = resolved.event?.position ?? resolved.link?.position;
  return position ? toStorePosition(position) : undefined;
}

/**
 * `undefined` for what cannot be one of our events: a record missing behind an unresolved link,
 * or a payload that is not a JSON object (we only ever write `jsonEvent`s).
 */
export function toRecordedEvent(resolved: { event?: EsdbRecordedEvent }, upcasters: Upcasters | undefined): RecordedEvent | undefined {
  const stored = resolved.event;
  if (!stored?.isJson || !isJsonObject(stored.data) || !stored.position) return undefined;
  return upcast(upcasters, {
    id: stored.id,
    type: stored.type,
    data: stored.data,
    metadata: isJsonObject(stored.metadata) ? (stored.metadata as EventMetadata) : {},
    streamId: stored.streamId,
    revision: stored.revision,
    position: toStorePosition(stored.position),
    recordedAt: stored.created.toISOString(),
  });
}

function isJsonObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

export interface FilterOptions {
  readonly checkpointInterval: number;
  readonly checkpointReached: NonNullable<Filter['checkpointReached']>;
}

export function subscriptionFilter(eventTypes: readonly string[] | undefined, options: FilterOptions): Filter {
  if (!eventTypes) return excludeSystemEvents(options);
  return eventTypeFilter({ regex: exactTypesRegex(eventTypes), ...options });
}

/**
 * Anchored at both ends: the client's `prefixes` filter would let `JobQueued` pull in `JobQueuedV2`.
 * System types are dropped from the list, so the filter can never let a `$` record through.
 * The server compiles this as a .NET regex; only syntax that .NET and JavaScript share is used.
 */
export function exactTypesRegex(eventTypes: readonly string[]): string {
  const alternatives = eventTypes.filter((type) => !isSystemEventType(type)).map(escapeRegex);
  return alternatives.length > 0 ? `^(?:${alternatives.join('|')})$` : '^(?!)';
}

function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}#\s]/g, (char) =>
    /\s/.test(char) ? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}` : `\\${char}`,
  );
}
