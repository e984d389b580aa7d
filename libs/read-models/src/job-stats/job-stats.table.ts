import { defineTable, typed, type RowOf } from '../core/table.js';
import type { Counts } from './duration-sketch.js';

const counter = { type: 'bigint', default: '0' } as const;

/** Per workspace and hour of creation: jobs by *current* status and the sum of completed durations. */
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
  },
  primaryKey: ['workspace_id', 'hour'],
});

/**
 * Completed durations > 0 (as the original's percentiles) of the jobs created in a span of time
 * (see sketch-spans.ts): a `{bucket: count}` histogram and the exact maximum. Every job is in 17
 * nested spans, so any "last N hours" window is a bounded number of these rows.
 */
export const jobDurationSketchesTable = defineTable({
  name: 'job_duration_sketches',
  columns: {
    workspace_id: { type: 'text' },
    span_minutes: { type: 'integer' },
    start: { type: 'timestamptz' },
    duration_max_ms: { type: 'bigint' },
    durations: typed<Counts>()({ type: 'jsonb', default: "'{}'::jsonb" }),
  },
  primaryKey: ['workspace_id', 'span_minutes', 'start'],
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
export type JobDurationSketchRow = RowOf<typeof jobDurationSketchesTable>;
export type LatestJobRow = RowOf<typeof latestJobsTable>;
