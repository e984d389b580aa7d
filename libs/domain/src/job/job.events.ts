import type { DomainEvent } from '../core/event.js';

export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const JOB_TRIGGERS = ['manual', 'scheduled', 'webhook', 'automatic'] as const;
export type JobTrigger = (typeof JOB_TRIGGERS)[number];

/**
 * Every job event carries the workspace and the time the job was queued: read models key their
 * rows by (workspace, hour of creation) and must not need a lookup to place a later event.
 * Transitions out of a state name it in `from`, so counters move between statuses exactly.
 */
interface JobRef {
  readonly jobId: string;
  readonly workspaceId: string;
  readonly queuedAt: string;
}

export type JobQueued = DomainEvent<
  'JobQueued',
  JobRef & {
    readonly organizationId: string;
    readonly repositoryId: string | null;
    readonly name: string;
    readonly trigger: JobTrigger;
    readonly triggeredBy: string | null;
    readonly input: Readonly<Record<string, unknown>>;
  }
>;
export type JobStarted = DomainEvent<'JobStarted', JobRef & { readonly startedAt: string }>;
export type JobProgressed = DomainEvent<
  'JobProgressed',
  JobRef & { readonly at: string; readonly processed: number; readonly total: number | null; readonly message: string | null }
>;
export type JobCompleted = DomainEvent<
  'JobCompleted',
  JobRef & { readonly completedAt: string; readonly durationMs: number; readonly output: Readonly<Record<string, unknown>> }
>;
export type JobFailed = DomainEvent<
  'JobFailed',
  JobRef & {
    readonly from: 'queued' | 'running';
    readonly failedAt: string;
    /** Null when the job failed before it started. */
    readonly durationMs: number | null;
    readonly error: { readonly message: string; readonly code: string | null };
  }
>;
export type JobCancelled = DomainEvent<
  'JobCancelled',
  JobRef & { readonly from: 'queued' | 'running'; readonly cancelledAt: string; readonly reason: string | null }
>;

export type JobEvent = JobQueued | JobStarted | JobProgressed | JobCompleted | JobFailed | JobCancelled;
export const JOB_EVENT_TYPES: readonly JobEvent['type'][] = [
  'JobQueued',
  'JobStarted',
  'JobProgressed',
  'JobCompleted',
  'JobFailed',
  'JobCancelled',
];

export const jobStreamId = (jobId: string) => `job-${jobId}`;
