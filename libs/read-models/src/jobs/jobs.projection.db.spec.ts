import { describe, it } from '@jest/globals';
import {
  jobStreamId,
  type JobCancelled,
  type JobCompleted,
  type JobEvent,
  type JobFailed,
  type JobProgressed,
  type JobQueued,
  type JobStarted,
} from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing/projection';
import { jobsProjection } from './jobs.projection.js';

const spec = useProjectionSpec(jobsProjection);

const queued = (jobId: string, queuedAt: string, extra: Partial<JobQueued['data']> = {}): JobQueued => ({
  type: 'JobQueued',
  data: {
    jobId,
    organizationId: 'org-1',
    workspaceId: 'ws-1',
    repositoryId: null,
    name: `job ${jobId}`,
    trigger: 'manual',
    triggeredBy: null,
    input: {},
    queuedAt,
    ...extra,
  },
});
// Every later event of a job repeats these fields of its JobQueued.
const refOf = ({ data: { jobId, workspaceId, queuedAt } }: JobQueued) => ({ jobId, workspaceId, queuedAt });
const started = (job: JobQueued, startedAt: string): JobStarted => ({ type: 'JobStarted', data: { ...refOf(job), startedAt } });
const progressed = (job: JobQueued, at: string, processed: number, total: number | null, message: string | null): JobProgressed => ({
  type: 'JobProgressed',
  data: { ...refOf(job), at, processed, total, message },
});
const completed = (job: JobQueued, completedAt: string, durationMs: number, output: JobCompleted['data']['output']): JobCompleted => ({
  type: 'JobCompleted',
  data: { ...refOf(job), completedAt, durationMs, output },
});
const failed = (
  job: JobQueued,
  from: JobFailed['data']['from'],
  failedAt: string,
  durationMs: number | null,
  error: JobFailed['data']['error'],
): JobFailed => ({
  type: 'JobFailed',
  data: { ...refOf(job), from, failedAt, durationMs, error },
});
const cancelled = (job: JobQueued, from: JobCancelled['data']['from'], cancelledAt: string, reason: string | null): JobCancelled => ({
  type: 'JobCancelled',
  data: { ...refOf(job), from, cancelledAt, reason },
});

/**
 * A history that touches every event type, interleaved across streams so one batch holds the
 * whole life of some jobs and only part of others.
 */
function history() {
  const log = new EventLog();
  const job1 = queued('job-1', '2025-03-01T10:00:00.000Z', { input: { branch: 'main', depth: 1 } });
  const job2 = queued('job-2', '2025-03-01T10:05:00.000Z');
  const job3 = queued('job-3', '2025-03-01T11:00:00.000Z', {
    workspaceId: 'ws-2',
    repositoryId: 'repo-9',
    trigger: 'webhook',
    triggeredBy: 'user-1',
  });
  const job4 = queued('job-4', '2025-03-01T12:00:00.000Z', { trigger: 'scheduled' });
  const job5 = queued('job-5', '2025-03-01T13:00:00.000Z');
  // Each job event names its job, so its stream.
  const append = (...events: JobEvent[]) => log.append(jobStreamId(events[0]!.data.jobId), ...events);
  append(job1);
  append(job2);
  append(started(job1, '2025-03-01T10:01:00.000Z'));
  append(job3);
  append(progressed(job1, '2025-03-01T10:02:00.000Z', 5, 10, 'half way'));
  append(failed(job2, 'queued', '2025-03-01T10:06:00.000Z', null, { message: 'no runner available', code: 'E_NO_RUNNER' }));
  append(started(job3, '2025-03-01T11:00:30.000Z'));
  append(completed(job1, '2025-03-01T10:03:00.000Z', 120_000, { artifacts: 2 }));
  append(job4);
  append(cancelled(job3, 'running', '2025-03-01T11:01:00.000Z', 'superseded'));
  append(
    job5,
    started(job5, '2025-03-01T13:00:01.000Z'),
    failed(job5, 'running', '2025-03-01T13:00:03.500Z', 2_500, { message: 'exit code 1', code: null }),
  );
  return log.events;
}

const date = (iso: string) => new Date(iso);
const base = {
  organization_id: 'org-1',
  workspace_id: 'ws-1',
  repository_id: null,
  trigger: 'manual',
  triggered_by: null,
  input: {},
  output: null,
  progress: null,
  error_message: null,
  error_code: null,
  started_at: null,
  completed_at: null,
  duration_ms: null,
};

const expectedRows = [
  {
    ...base,
    id: 'job-1',
    name: 'job job-1',
    status: 'completed',
    input: { branch: 'main', depth: 1 },
    output: { artifacts: 2 },
    progress: { processed: 5, total: 10, message: 'half way', at: '2025-03-01T10:02:00.000Z' },
    created_at: date('2025-03-01T10:00:00.000Z'),
    started_at: date('2025-03-01T10:01:00.000Z'),
    completed_at: date('2025-03-01T10:03:00.000Z'),
    duration_ms: '120000', // bigint comes back as a string
    updated_at: date('2025-03-01T10:03:00.000Z'),
  },
  {
    ...base,
    id: 'job-2',
    name: 'job job-2',
    status: 'failed',
    error_message: 'no runner available',
    error_code: 'E_NO_RUNNER',
    created_at: date('2025-03-01T10:05:00.000Z'),
    completed_at: date('2025-03-01T10:06:00.000Z'),
    updated_at: date('2025-03-01T10:06:00.000Z'),
  },
  {
    ...base,
    id: 'job-3',
    name: 'job job-3',
    workspace_id: 'ws-2',
    repository_id: 'repo-9',
    trigger: 'webhook',
    triggered_by: 'user-1',
    status: 'cancelled',
    output: { reason: 'superseded' },
    created_at: date('2025-03-01T11:00:00.000Z'),
    started_at: date('2025-03-01T11:00:30.000Z'),
    completed_at: date('2025-03-01T11:01:00.000Z'),
    updated_at: date('2025-03-01T11:01:00.000Z'),
  },
  {
    ...base,
    id: 'job-4',
    name: 'job job-4',
    status: 'queued',
    trigger: 'scheduled',
    created_at: date('2025-03-01T12:00:00.000Z'),
    updated_at: date('2025-03-01T12:00:00.000Z'),
  },
  {
    ...base,
    id: 'job-5',
    name: 'job job-5',
    status: 'failed',
    error_message: 'exit code 1',
    created_at: date('2025-03-01T13:00:00.000Z'),
    started_at: date('2025-03-01T13:00:01.000Z'),
    completed_at: date('2025-03-01T13:00:03.500Z'),
    duration_ms: '2500',
    updated_at: date('2025-03-01T13:00:03.500Z'),
  },
];

describe('jobs projection', () => {
  it('writes one row per job with its whole life: progress, output, errors and durations', () => spec.given(history()).then(expectedRows));

  describeProjectionContract(spec, history);
});
