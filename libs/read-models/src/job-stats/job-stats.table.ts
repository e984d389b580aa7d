import { defineTable, typed, type RowOf } from '../core/table.js';
import type { Counts } from './duration-sketch.js';

const counter = { type: 'bigint', default: '0' } as const;

/** Per workspace and hour of creation: jobs by *current* status, completed durations, a histogram. */
export const jobHourlyStatsTable = defineTable({
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
    durations: typed<Counts>()({ type: 'jsonb', default: "'{}'::jsonb" }),
  },
  primaryKey: ['workspace_id', 'hour'],
});

/** The same histogram per day, so a 30-day percentile merges ~30 rows, not 720. */
export const jobDailyDurationsTable = defineTable({
  name: 'job_daily_durations',
  columns: {
    workspace_id: { type: 'text' },
    day: { type: 'timestamptz' },
    duration_count: counter,
    duration_max_ms: { type: 'bigint', nullable: true },
    durations: typed<Counts>()({ type: 'jsonb', default: "'{}'::jsonb" }),
  },
  primaryKey: ['workspace_id', 'day'],
});

/** The newest job (by creation time, then id) of a workspace or of a repository. */
export const latestJobsTable = defineTable({
  name: 'latest_jobs',
  columns: {
    scope: typed<'workspace' | 'repository'>()({ type: 'text' }),
    scope_id: { type: 'text' },
    workspace_id: { type: 'text' },
    job_id: { type: 'text' },
    created_at: { type: 'timestamptz' },
  },
  primaryKey: ['scope', 'scope_id'],
  indexes: ['(workspace_id)'],
});

export type JobHourlyStatsRow = RowOf<typeof jobHourlyStatsTable>;
export type JobDailyDurationsRow = RowOf<typeof jobDailyDurationsTable>;
export type LatestJobRow = RowOf<typeof latestJobsTable>;
