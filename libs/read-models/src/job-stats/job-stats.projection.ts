import type { RecordedEvent } from '#domain';
import { JOB_EVENT_TYPES, assertNever, type JobEvent, type JobStatus } from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { bucketOf } from './duration-sketch.js';
import { jobDurationSketchesTable, jobHourlyStatsTable, latestJobsTable } from './job-stats.table.js';
import { spansOf } from './sketch-spans.js';

type JobStatsChange = RowChangeOf<typeof jobHourlyStatsTable | typeof jobDurationSketchesTable | typeof latestJobsTable>;

/** UTC hour of an instant; normalized first, so an offset like +02:00 lands in the right hour. */
export const hourOf = (iso: string) => `${new Date(iso).toISOString().slice(0, 13)}:00:00.000Z`;

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
      const hourly: JobStatsChange = {
        kind: 'increment',
        table: 'job_hourly_stats',
        key,
        add: { running: -1, completed: 1, duration_sum_ms: ms, duration_count: 1 },
      };
      // Percentiles are over positive durations only (as the original filtered).
      if (!(ms > 0)) return [hourly];
      const durations = { [bucketOf(ms)]: 1 };
      return [
        hourly,
        ...spansOf(Date.parse(event.data.queuedAt)).map((span): JobStatsChange => ({
          kind: 'increment',
          table: 'job_duration_sketches',
          key: { workspace_id: event.data.workspaceId, span_minutes: span.minutes, start: span.start.toISOString() },
          add: {},
          max: { duration_max_ms: ms },
          counts: { durations },
        })),
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
  tables: [jobHourlyStatsTable, jobDurationSketchesTable, latestJobsTable],
  apply,
});
