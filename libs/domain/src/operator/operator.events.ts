import type { DomainEvent } from '../core/event.js';

/**
 * Operator commands, appended so that every intervention on the read side is audited in the log.
 * `by` is the operator's user id (or `cli:<os user>` from the command line); times are ISO strings.
 */
export type DeadLetterRetried = DomainEvent<
  'DeadLetterRetried',
  {
    readonly deadLetterId: string;
    readonly projection: string;
    readonly generation: number;
    readonly eventId: string;
    readonly eventPosition: string;
    /** `failed`: the event failed again; the dead letter stays, with this error, and may be retried later. */
    readonly outcome: 'applied' | 'failed';
    readonly error: string | null;
    readonly by: string;
    readonly at: string;
  }
>;
export type DeadLetterSkipped = DomainEvent<
  'DeadLetterSkipped',
  {
    readonly deadLetterId: string;
    readonly projection: string;
    readonly generation: number;
    readonly eventId: string;
    readonly eventPosition: string;
    readonly by: string;
    readonly at: string;
  }
>;

export type DeadLetterEvent = DeadLetterRetried | DeadLetterSkipped;
export const DEAD_LETTER_EVENT_TYPES: readonly DeadLetterEvent['type'][] = ['DeadLetterRetried', 'DeadLetterSkipped'];

/** One stream per dead letter: whether it is resolved is one read of a tiny stream, and retries of two letters never conflict. */
export const deadLetterStreamId = (deadLetterId: string) => `operator-dead-letter-${deadLetterId}`;

export type ProjectionRebuildRequested = DomainEvent<
  'ProjectionRebuildRequested',
  { readonly projection: string; readonly requestId: string; readonly requestedBy: string; readonly requestedAt: string }
>;
/** Appended by the projector daemon that ran the blue/green replay. */
export type ProjectionRebuildCompleted = DomainEvent<
  'ProjectionRebuildCompleted',
  {
    readonly projection: string;
    readonly requestId: string;
    readonly fromGeneration: number;
    readonly toGeneration: number;
    readonly events: number;
    readonly seconds: number;
    readonly completedAt: string;
  }
>;
export type ProjectionRebuildFailed = DomainEvent<
  'ProjectionRebuildFailed',
  { readonly projection: string; readonly requestId: string; readonly error: string; readonly failedAt: string }
>;

export type ProjectionRebuildEvent = ProjectionRebuildRequested | ProjectionRebuildCompleted | ProjectionRebuildFailed;
export const PROJECTION_REBUILD_EVENT_TYPES: readonly ProjectionRebuildEvent['type'][] = [
  'ProjectionRebuildRequested',
  'ProjectionRebuildCompleted',
  'ProjectionRebuildFailed',
];

/** One stream per projection: a rebuild requested and not yet finished is its last event. */
export const projectionRebuildStreamId = (projection: string) => `operator-projection-${projection}`;
