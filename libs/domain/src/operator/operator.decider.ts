import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { DeadLetterCommand, ProjectionRebuildCommand } from './operator.commands.js';
import type { DeadLetterEvent, ProjectionRebuildEvent } from './operator.events.js';

export interface DeadLetterState {
  /** Null while the letter is open (never handled, or every retry failed). */
  readonly resolution: 'applied' | 'skipped' | null;
  readonly attempts: number;
}

function decideDeadLetter(command: DeadLetterCommand, state: DeadLetterState): DeadLetterEvent[] {
  if (state.resolution !== null)
    throw new DomainError('conflict', `Dead letter ${command.data.deadLetterId} is already resolved (${state.resolution})`, {
      deadLetterId: command.data.deadLetterId,
      resolution: state.resolution,
    });
  const { deadLetterId, projection, generation, eventId, eventPosition, by, at } = command.data;
  const type = command.type;
  switch (type) {
    case 'RecordDeadLetterRetry':
      return [
        {
          type: 'DeadLetterRetried',
          data: {
            deadLetterId,
            projection,
            generation,
            eventId,
            eventPosition,
            outcome: command.data.outcome,
            error: command.data.error,
            by,
            at,
          },
        },
      ];
    case 'SkipDeadLetter':
      return [{ type: 'DeadLetterSkipped', data: { deadLetterId, projection, generation, eventId, eventPosition, by, at } }];
    default:
      return assertNever(type);
  }
}

function evolveDeadLetter(state: DeadLetterState, event: DeadLetterEvent): DeadLetterState {
  const type = event.type;
  switch (type) {
    case 'DeadLetterRetried':
      return { resolution: event.data.outcome === 'applied' ? 'applied' : state.resolution, attempts: state.attempts + 1 };
    case 'DeadLetterSkipped':
      return { ...state, resolution: 'skipped' };
    default:
      return assertNever(type);
  }
}

/** A dead letter is resolved once: by a retry that applied, or by a skip; a failed retry leaves it open. */
export const deadLetterDecider: Decider<DeadLetterCommand, DeadLetterEvent, DeadLetterState> = {
  decide: decideDeadLetter,
  evolve: evolveDeadLetter,
  initialState: () => ({ resolution: null, attempts: 0 }),
};

export interface ProjectionRebuildState {
  /** The request not yet finished, if any: at most one rebuild of a projection runs at a time. */
  readonly pending: { readonly requestId: string; readonly requestedBy: string; readonly requestedAt: string } | null;
  readonly rebuilds: number;
}

function decideRebuild(command: ProjectionRebuildCommand, state: ProjectionRebuildState): ProjectionRebuildEvent[] {
  const type = command.type;
  switch (type) {
    case 'RequestProjectionRebuild': {
      const { projection, requestId, requestedBy, requestedAt } = command.data;
      if (state.pending)
        throw new DomainError('conflict', `A rebuild of ${projection} is already running (requested at ${state.pending.requestedAt})`, {
          projection,
          requestId: state.pending.requestId,
        });
      return [{ type: 'ProjectionRebuildRequested', data: { projection, requestId, requestedBy, requestedAt } }];
    }
    case 'CompleteProjectionRebuild': {
      // Only the pending request finishes: a second daemon reporting the same request again changes nothing.
      if (state.pending?.requestId !== command.data.requestId) return [];
      const { projection, requestId, fromGeneration, toGeneration, events, seconds, at } = command.data;
      return [
        {
          type: 'ProjectionRebuildCompleted',
          data: { projection, requestId, fromGeneration, toGeneration, events, seconds, completedAt: at },
        },
      ];
    }
    case 'FailProjectionRebuild': {
      if (state.pending?.requestId !== command.data.requestId) return [];
      const { projection, requestId, error, at } = command.data;
      return [{ type: 'ProjectionRebuildFailed', data: { projection, requestId, error, failedAt: at } }];
    }
    default:
      return assertNever(type);
  }
}

function evolveRebuild(state: ProjectionRebuildState, event: ProjectionRebuildEvent): ProjectionRebuildState {
  const type = event.type;
  switch (type) {
    case 'ProjectionRebuildRequested':
      return {
        pending: { requestId: event.data.requestId, requestedBy: event.data.requestedBy, requestedAt: event.data.requestedAt },
        rebuilds: state.rebuilds,
      };
    case 'ProjectionRebuildCompleted':
    case 'ProjectionRebuildFailed':
      return state.pending?.requestId === event.data.requestId ? { pending: null, rebuilds: state.rebuilds + 1 } : state;
    default:
      return assertNever(type);
  }
}

export const projectionRebuildDecider: Decider<ProjectionRebuildCommand, ProjectionRebuildEvent, ProjectionRebuildState> = {
  decide: decideRebuild,
  evolve: evolveRebuild,
  initialState: () => ({ pending: null, rebuilds: 0 }),
};
