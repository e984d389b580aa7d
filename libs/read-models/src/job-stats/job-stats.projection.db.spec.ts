import { describe, it } from '@jest/globals';
import { jobStreamId, type JobCompleted, type JobEvent, type JobFailed, type JobQueued, type JobStarted } from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing/projection';
import { jobStatsProjection } from './job-stats.projection.js';

const spec = useProjectionSpec(jobStatsProjection);

const queued = (jobId: string, workspaceId: string, queuedAt: string, repositoryId: string | null = null): JobQueued => ({
  type: 'JobQueued',
  data: {
    jobId,
    organizationId: 'org-1',
    workspaceId,
    repositoryId,
    name: `job ${jobId}`,
    trigger: 'manual',
    triggeredBy: null,
    input: {},
    queuedAt,
  },
});
const refOf = ({ data: { jobId, workspaceId, queuedAt } }: JobQueued) => ({ jobId, workspaceId, queuedAt });
const started = (job: JobQueued, startedAt: string): JobStarted => ({ type: 'JobStarted', data: { ...refOf(job), startedAt } });
const completed = (job: JobQueued, completedAt: string, durationMs: number): JobCompleted => ({
  type: 'JobCompleted',
  data: { ...refOf(job), completedAt, durationMs, output: {} },
});
const failed = (job: JobQueued, failedAt: string): JobFailed => ({
  type: 'JobFailed',
  data: { ...refOf(job), from: 'queued', failedAt, durationMs: null, error: { message: 'no runner', code: null } },
});

/** Two completed jobs in one hour of ws-1, one completed in 0 ms, one failed in ws-2; interleaved. */
function history() {
  const log = new EventLog();
  const a = queued('job-a', 'ws-1', '2025-03-01T10:05:30.000Z');
  const b = queued('job-b', 'ws-1', '2025-03-01T10:40:00.000Z', 'repo-1');
  const c = queued('job-c', 'ws-1', '2025-03-01T11:00:00.000Z');
  const d = queued('job-d', 'ws-2', '2025-03-02T00:00:00.000Z');
  const append = (...events: JobEvent[]) => log.append(jobStreamId(events[0]!.data.jobId), ...events);
  append(a);
  append(b);
  append(started(a, '2025-03-01T10:06:00.000Z'));
  append(started(b, '2025-03-01T10:41:00.000Z'), completed(b, '2025-03-01T10:42:30.000Z', 90_000));
  append(c, started(c, '2025-03-01T11:00:00.000Z'), completed(c, '2025-03-01T11:00:00.000Z', 0));
  append(completed(a, '2025-03-01T10:08:00.000Z', 120_000));
  append(d, failed(d, '2025-03-02T00:00:01.000Z'));
  return log.events;
}

const hourly = (workspace_id: string, hour: string, counts: { completed?: number; failed?: number; sum?: number }) => ({
  workspace_id,
  hour: new Date(hour),
  queued: '0',
  running: '0',
  completed: String(counts.completed ?? 0),
  failed: String(counts.failed ?? 0),
  cancelled: '0',
  duration_sum_ms: String(counts.sum ?? 0),
  duration_count: String(counts.completed ?? 0),
});

// bucketOf(120 000) = 585 and bucketOf(90 000) = 571: ⌈ln x / ln(1.01 / 0.99)⌉.
const A = { durations: { 585: 1 }, duration_max_ms: '120000' };
const B = { durations: { 571: 1 }, duration_max_ms: '90000' };
const AB = { durations: { 571: 1, 585: 1 }, duration_max_ms: '120000' };
const sketch = (span_minutes: number, start: string, content: { durations: Record<string, number>; duration_max_ms: string }) => ({
  workspace_id: 'ws-1',
  span_minutes,
  start: new Date(start),
  ...content,
});

describe('job_stats projection', () => {
  it('counts jobs by hour of creation and current status, with the sum of completed durations', () =>
    spec
      .given(history())
      .then(
        [
          hourly('ws-1', '2025-03-01T10:00:00.000Z', { completed: 2, sum: 210_000 }),
          hourly('ws-1', '2025-03-01T11:00:00.000Z', { completed: 1 }),
          hourly('ws-2', '2025-03-02T00:00:00.000Z', { failed: 1 }),
        ],
        'job_hourly_stats',
      ));

  it('counts each positive duration in the 17 spans around its creation time (10:05:30 and 10:40 on epoch day 20148)', () =>
    spec.given(history()).then(
      [
        sketch(1, '2025-03-01T10:05:00.000Z', A),
        sketch(1, '2025-03-01T10:40:00.000Z', B),
        sketch(2, '2025-03-01T10:04:00.000Z', A),
        sketch(2, '2025-03-01T10:40:00.000Z', B),
        sketch(4, '2025-03-01T10:04:00.000Z', A),
        sketch(4, '2025-03-01T10:40:00.000Z', B),
        sketch(8, '2025-03-01T10:00:00.000Z', A),
        sketch(8, '2025-03-01T10:40:00.000Z', B),
        sketch(16, '2025-03-01T10:00:00.000Z', A),
        sketch(16, '2025-03-01T10:32:00.000Z', B),
        sketch(32, '2025-03-01T10:00:00.000Z', A),
        sketch(32, '2025-03-01T10:32:00.000Z', B),
        sketch(60, '2025-03-01T10:00:00.000Z', AB),
        sketch(120, '2025-03-01T10:00:00.000Z', AB),
        sketch(240, '2025-03-01T08:00:00.000Z', AB),
        sketch(480, '2025-03-01T08:00:00.000Z', AB),
        sketch(960, '2025-03-01T00:00:00.000Z', AB),
        sketch(1440, '2025-03-01T00:00:00.000Z', AB),
        sketch(2880, '2025-03-01T00:00:00.000Z', AB), // day 20148 = 2 × 10074
        sketch(5760, '2025-03-01T00:00:00.000Z', AB),
        sketch(11520, '2025-02-25T00:00:00.000Z', AB), // day 20144 = 8 × 2518
        sketch(23040, '2025-02-25T00:00:00.000Z', AB),
        sketch(46080, '2025-02-09T00:00:00.000Z', AB), // day 20128 = 32 × 629
      ],
      'job_duration_sketches',
    ));

  it('keeps the newest job of each workspace and repository', () =>
    spec.given(history()).then(
      [
        {
          scope: 'repository',
          scope_id: 'repo-1',
          workspace_id: 'ws-1',
          job_id: 'job-b',
          created_at: new Date('2025-03-01T10:40:00.000Z'),
        },
        { scope: 'workspace', scope_id: 'ws-1', workspace_id: 'ws-1', job_id: 'job-c', created_at: new Date('2025-03-01T11:00:00.000Z') },
        { scope: 'workspace', scope_id: 'ws-2', workspace_id: 'ws-2', job_id: 'job-d', created_at: new Date('2025-03-02T00:00:00.000Z') },
      ],
      'latest_jobs',
    ));

  describeProjectionContract(spec, history);
});
