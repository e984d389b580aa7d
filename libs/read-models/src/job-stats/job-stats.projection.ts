import type { RecordedEvent } from '#domain';
import { JOB_EVENT_TYPES, assertNever, type JobEvent, type JobStatus } from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { bucketOf } from './duration-sketch.js';
import { jobDailyDurationsTable, jobHourlyStatsTable, latestJobsTable } from './job-stats.table.js';

type JobStatsChange = RowChangeOf<typeof jobHourlyStatsTable | typeof jobDailyDurationsTable | typeof latestJobsTable>;

/** UTC hour and day of an instant; normalized first, so an offset like +02:00 lands in the right hour. */
export const hourOf = (iso: string) => `${new Date(iso).toISOString().slice(0, 13)}:00:00.000Z`;
export const dayOf = (iso: string) => `${new Date(iso).toISOString().slice(0, 10)}T00:00:00.000Z`;

function apply(recorded: RecordedEvent): JobStatsChange[] {
  const event = recorded as RecordedEvent & JobEvent;
  const key = { workspace_id: event.data.workspaceId, hour: hourOf(event.data.queuedAt) };
  const move = (from: JobStatus, to: JobStatus): JobStatsChange => ({
    kind: 'increment',
    table: 'job_hourly_stats',
    key,
    add: { [from]: -1, [to]: 1 },
  });
  switch (event.type) {
    case 'JobQueued': {
      const d = event.data;
      const latest = (scope: 'workspace' | 'repository', scopeId: string): JobStatsChange => ({
        kind: 'latest',
        table: 'latest_jobs',
        row: { scope, scope_id: scopeId, workspace_id: d.workspaceId, job_id: d.jobId, created_at: d.queuedAt },
        by: ['created_at', 'job_id'],
      });
      return [
        { kind: 'increment', table: 'job_hourly_stats', key, add: { queued: 1 } },
        latest('workspace', d.workspaceId),
        ...(d.repositoryId ? [latest('repository', d.repositoryId)] : []),
      ];
    }
    case 'JobStarted':
      return [move('queued', 'running')];
    case 'JobProgressed':
      return [];
    case 'JobCompleted': {
      const ms = event.data.durationMs;
      const histogram = ms > 0 ? { durations: { [bucketOf(ms)]: 1 } } : undefined;
      return [
        {
          kind: 'increment',
          table: 'job_hourly_stats',
          key,
          add: { running: -1, completed: 1, duration_sum_ms: ms, duration_count: 1 },
          max: { duration_max_ms: ms },
          counts: histogram,
        },
        {
          kind: 'increment',
          table: 'job_daily_durations',
          key: { workspace_id: event.data.workspaceId, day: dayOf(event.data.queuedAt) },
          add: { duration_count: 1 },
          max: { duration_max_ms: ms },
          counts: histogram,
        },
      ];
    }
    case 'JobFailed':
      return [move(event.data.from, 'failed')];
    case 'JobCancelled':
      return [move(event.data.from, 'cancelled')];
    default:
      return assertNever(event);
  }
}

export const jobStatsProjection = defineProjection({
  name: 'job_stats',
  eventTypes: JOB_EVENT_TYPES.filter((type) => type !== 'JobProgressed'),
  tables: [jobHourlyStatsTable, jobDailyDurationsTable, latestJobsTable],
  apply,
});
