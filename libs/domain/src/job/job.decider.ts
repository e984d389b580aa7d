import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { JobCommand } from './job.commands.js';
import type { JobEvent, JobStatus } from './job.events.js';

export type JobState =
  | { readonly status: 'none' }
  | {
      readonly status: JobStatus;
      readonly jobId: string;
      readonly workspaceId: string;
      readonly queuedAt: string;
      readonly startedAt: string | null;
    };

const initialState = (): JobState => ({ status: 'none' });

function decide(command: JobCommand, state: JobState): JobEvent[] {
  if (command.type === 'QueueJob') {
    if (state.status !== 'none') throw new DomainError('conflict', `Job ${command.data.jobId} already exists`);
    const { at, ...job } = command.data;
    return [{ type: 'JobQueued', data: { ...job, queuedAt: at } }];
  }
  if (state.status === 'none') throw new DomainError('not_found', 'Job not found');
  const ref = { jobId: state.jobId, workspaceId: state.workspaceId, queuedAt: state.queuedAt };

  switch (command.type) {
    case 'StartJob':
      requireStatus(state, ['queued'], 'start', command.data.at);
      return [{ type: 'JobStarted', data: { ...ref, startedAt: command.data.at } }];
    case 'ReportJobProgress': {
      requireStatus(state, ['running'], 'report progress of', command.data.at);
      const { at, processed, total, message } = command.data;
      return [{ type: 'JobProgressed', data: { ...ref, at, processed, total, message } }];
    }
    case 'CompleteJob':
      requireStatus(state, ['running'], 'complete', command.data.at);
      return [
        {
          type: 'JobCompleted',
          data: {
            ...ref,
            completedAt: command.data.at,
            durationMs: elapsed(state.startedAt!, command.data.at),
            output: command.data.output,
          },
        },
      ];
    case 'FailJob': {
      const from = requireStatus(state, ['queued', 'running'], 'fail', command.data.at);
      const durationMs = state.startedAt ? elapsed(state.startedAt, command.data.at) : null;
      return [{ type: 'JobFailed', data: { ...ref, from, failedAt: command.data.at, durationMs, error: command.data.error } }];
    }
    case 'CancelJob': {
      const from = requireStatus(state, ['queued', 'running'], 'cancel', command.data.at);
      return [{ type: 'JobCancelled', data: { ...ref, from, cancelledAt: command.data.at, reason: command.data.reason } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: JobState, event: JobEvent): JobState {
  switch (event.type) {
    case 'JobQueued':
      return {
        status: 'queued',
        jobId: event.data.jobId,
        workspaceId: event.data.workspaceId,
        queuedAt: event.data.queuedAt,
        startedAt: null,
      };
    case 'JobStarted':
      return state.status === 'none' ? state : { ...state, status: 'running', startedAt: event.data.startedAt };
    case 'JobProgressed':
      return state;
    case 'JobCompleted':
      return state.status === 'none' ? state : { ...state, status: 'completed' };
    case 'JobFailed':
      return state.status === 'none' ? state : { ...state, status: 'failed' };
    case 'JobCancelled':
      return state.status === 'none' ? state : { ...state, status: 'cancelled' };
    default:
      return assertNever(event);
  }
}

/** The state check comes first: a command the state refuses is refused whatever its time. */
function requireStatus<S extends JobStatus>(
  state: Exclude<JobState, { status: 'none' }>,
  allowed: readonly S[],
  action: string,
  at: string,
): S {
  if (!(allowed as readonly JobStatus[]).includes(state.status)) {
    throw new DomainError('refused', `Cannot ${action} job with status: ${state.status}`, { status: state.status });
  }
  notBefore(at, state.startedAt ?? state.queuedAt);
  return state.status as S;
}

function notBefore(at: string, earliest: string): void {
  if (Date.parse(at) < Date.parse(earliest)) throw new DomainError('invalid', `Time ${at} is before ${earliest}`, { field: 'at' });
}

const elapsed = (from: string, to: string) => Date.parse(to) - Date.parse(from);

export const jobDecider: Decider<JobCommand, JobEvent, JobState> = { decide, evolve, initialState };
