import type { RecordedEvent } from '#domain';
import { JOB_EVENT_TYPES, assertNever, type JobEvent } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';
import { bucketOf } from './duration-sketch.js';

const counter = { type: 'bigint', default: '0' } as const;

/** Per workspace and hour of creation: jobs by *current* status, completed durations, a histogram. */
export const jobHourlyStatsTable: TableDefinition = {
  name: 'job_hourly_stats',
  columns: {
    workspace_id: { type: 'text' },
    hour: { type: 'timestamptz' },
    queued: counter,
    running: counter,
    completed: counter,
    failed: counter,
    cancelled: counter,
    duration_sum_ms: counter,
    duration_count: counter,
    duration_max_ms: { type: 'bigint', nullable: true },
    /** Completed durations > 0 (as the original's percentiles), `{bucket: count}`. */
    durations: { type: 'jsonb', default: "'{}'::jsonb" },
  },
  primaryKey: ['workspace_id', 'hour'],
};

/** The same histogram per day, so a 30-day percentile merges ~30 rows, not 720. */
export const jobDailyDurationsTable: TableDefinition = {
  name: 'job_daily_durations',
  columns: {
    workspace_id: { type: 'text' },
    day: { type: 'timestamptz' },
    duration_count: counter,
    duration_max_ms: { type: 'bigint', nullable: true },
    durations: { type: 'jsonb', default: "'{}'::jsonb" },
  },
  primaryKey: ['workspace_id', 'day'],
};

/** The newest job (by creation time, then id) of a workspace or of a repository. */
export const latestJobsTable: TableDefinition = {
  name: 'latest_jobs',
  columns: {
    scope: { type: 'text' },
    scope_id: { type: 'text' },
    workspace_id: { type: 'text' },
    job_id: { type: 'text' },
    created_at: { type: 'timestamptz' },
  },
  primaryKey: ['scope', 'scope_id'],
  indexes: ['(workspace_id)'],
};

/** UTC hour and day of an instant; normalized first, so an offset like +02:00 lands in the right hour. */
export const hourOf = (iso: string) => `${new Date(iso).toISOString().slice(0, 13)}:00:00.000Z`;
export const dayOf = (iso: string) => `${new Date(iso).toISOString().slice(0, 10)}T00:00:00.000Z`;

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & JobEvent;
  const key = { workspace_id: event.data.workspaceId, hour: hourOf(event.data.queuedAt) };
  const move = (from: string, to: string): RowChange => ({ kind: 'increment', table: 'job_hourly_stats', key, add: { [from]: -1, [to]: 1 } });
  switch (event.type) {
    case 'JobQueued': {
      const d = event.data;
      const latest = (scope: string, scopeId: string): RowChange => ({
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

export const jobStatsProjection: ProjectionDefinition = {
  name: 'job_stats',
  eventTypes: JOB_EVENT_TYPES.filter((type) => type !== 'JobProgressed'),
  tables: [jobHourlyStatsTable, jobDailyDurationsTable, latestJobsTable],
  apply,
};
