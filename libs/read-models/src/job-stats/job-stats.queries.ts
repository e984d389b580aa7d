import type { JobStatus } from '#domain';
import { JOB_STATUSES } from '#domain';
import type { Sql } from '../core/sql.js';
import { addCounts, bucketOf, percentileOf, type Counts } from './duration-sketch.js';
import { DAY_SPAN_MINUTES, coverFrom } from './sketch-spans.js';
import { floorHour, hoursBefore, splitWindow } from './time-window.js';

export type ByStatus = Record<JobStatus, number>;

export interface WindowTotals {
  readonly total: number;
  readonly byStatus: ByStatus;
  readonly durationSumMs: number;
  readonly durationCount: number;
}

export interface JobStatistics {
  readonly total: number;
  readonly byStatus: ByStatus;
  /** Mean duration of completed jobs, rounded to a millisecond; 0 when none completed. */
  readonly avgDurationMs: number;
  /** completed / (completed + failed + cancelled) × 100, to 0.1; 100 when none has finished. */
  readonly successRate: number;
}

export interface Percentiles {
  readonly hasData: boolean;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly sampleSize: number;
}

export interface TimeSeriesPoint {
  readonly timestamp: string;
  readonly hour: string;
  readonly jobCount: number;
  readonly avgDuration: number;
  readonly successRate: number;
}

export const TIME_RANGES = { '24h': 24, '7d': 168, '30d': 720 } as const;
export type TimeRange = keyof typeof TIME_RANGES;

const round1 = (n: number) => Math.round(n * 10) / 10;

/** "2 PM", as the original's labels; one formatter, since building one per point costs ~50 µs. */
/** The original's hour labels ("3 PM", UTC), by hour of the day: formatted once, not per point. */
const HOUR_LABELS = Array.from({ length: 24 }, (_, h) =>
  new Intl.DateTimeFormat('en-US', { hour: 'numeric', hour12: true, timeZone: 'UTC' }).format(Date.UTC(2000, 0, 1, h)),
);

/**
 * Job analytics as lookups on `job_hourly_stats`, `job_duration_sketches` and `latest_jobs`. Whole
 * hours (or spans) come from those rows; only jobs created inside a partial edge hour (for
 * percentiles, minute) are read from the `jobs` index. The cost of a request depends on its window,
 * never on how many jobs exist.
 */
export class JobStatsQueries {
  constructor(private readonly sql: Sql) {}

  async windowTotals(workspaceId: string, from: Date, to: Date | null): Promise<WindowTotals> {
    const split = splitWindow(from, to);
    const params: unknown[] = [workspaceId];
    const parts: string[] = [];
    if (split.full) {
      const bounds = [`hour >= $${params.push(split.full.from.toISOString())}`];
      if (split.full.to) bounds.push(`hour < $${params.push(split.full.to.toISOString())}`);
      parts.push(`SELECT queued, running, completed, failed, cancelled, duration_sum_ms, duration_count
                    FROM job_hourly_stats WHERE workspace_id = $1 AND ${bounds.join(' AND ')}`);
    }
    for (const edge of split.edges) {
      const upper = edge.inclusiveTo ? '<=' : '<';
      parts.push(`SELECT (status = 'queued')::int, (status = 'running')::int, (status = 'completed')::int, (status = 'failed')::int,
                         (status = 'cancelled')::int, CASE WHEN status = 'completed' THEN duration_ms ELSE 0 END, (status = 'completed')::int
                    FROM jobs WHERE workspace_id = $1 AND created_at >= $${params.push(edge.from.toISOString())} AND created_at ${upper} $${params.push(edge.to.toISOString())}`);
    }
    const [row] = await this.sql<Record<string, string | null>>(
      `SELECT sum(queued) AS queued, sum(running) AS running, sum(completed) AS completed, sum(failed) AS failed, sum(cancelled) AS cancelled,
              sum(duration_sum_ms) AS duration_sum_ms, sum(duration_count) AS duration_count
         FROM (${parts.join(' UNION ALL ')}) AS w (queued, running, completed, failed, cancelled, duration_sum_ms, duration_count)`,
      params,
    );
    const byStatus = Object.fromEntries(JOB_STATUSES.map((status) => [status, Number(row?.[status] ?? 0)])) as ByStatus;
    return {
      total: JOB_STATUSES.reduce((sum, status) => sum + byStatus[status], 0),
      byStatus,
      durationSumMs: Number(row?.duration_sum_ms ?? 0),
      durationCount: Number(row?.duration_count ?? 0),
    };
  }

  /** `jobs.statistics?hours=N`: jobs created in the last N hours (and any with a later clock). */
  async statistics(workspaceId: string, hours: number, now: Date): Promise<JobStatistics> {
    return summarize(await this.windowTotals(workspaceId, hoursBefore(now, hours), null));
  }

  /**
   * `workspace.jobPercentiles`: completed jobs with a positive duration created in the range. One
   * statement reads a bounded set of sketches (see sketch-spans.ts: about 17 primary-key lookups
   * whatever the history) and the jobs of the range's first partial minute; they merge here, where
   * adding a few thousand counts is cheaper than grouping them in the database.
   */
  async percentiles(workspaceId: string, range: TimeRange, now: Date): Promise<Percentiles> {
    const cover = coverFrom(hoursBefore(now, TIME_RANGES[range]), now);
    const rows = await this.sql<{ durations: Counts | null; max: string }>(
      `SELECT s.durations, s.duration_max_ms AS max
         FROM unnest($2::integer[], $3::timestamptz[]) AS k (span_minutes, start)
         JOIN job_duration_sketches s ON s.workspace_id = $1 AND s.span_minutes = k.span_minutes AND s.start = k.start
       UNION ALL
       SELECT durations, duration_max_ms FROM job_duration_sketches WHERE workspace_id = $1 AND span_minutes = $4 AND start >= $5
       UNION ALL
       SELECT NULL, duration_ms FROM jobs
        WHERE workspace_id = $1 AND created_at >= $6 AND created_at < $7 AND status = 'completed' AND duration_ms > 0`,
      [
        workspaceId,
        cover.spans.map((span) => span.minutes),
        cover.spans.map((span) => span.start.toISOString()),
        DAY_SPAN_MINUTES,
        cover.tailFrom.toISOString(),
        cover.raw.from.toISOString(),
        cover.raw.to.toISOString(),
      ],
    );
    const counts: Counts = {};
    let max = 0;
    for (const row of rows) {
      // A sketch, or one job of the partial first minute (its duration in `max`).
      if (row.durations) addCounts(counts, row.durations);
      else addCounts(counts, { [bucketOf(Number(row.max))]: 1 });
      max = Math.max(max, Number(row.max));
    }
    const sampleSize = Object.values(counts).reduce((sum, n) => sum + n, 0);
    if (sampleSize === 0) return { hasData: false, p50: 0, p95: 0, p99: 0, max: 0, sampleSize: 0 };
    return {
      hasData: true,
      p50: percentileOf(counts, 50)!,
      p95: percentileOf(counts, 95)!,
      p99: percentileOf(counts, 99)!,
      max,
      sampleSize,
    };
  }

  /** `workspace.performanceTimeSeries`: the current hour and the N − 1 before it, oldest first. */
  async timeSeries(workspaceId: string, range: TimeRange, now: Date): Promise<TimeSeriesPoint[]> {
    const hours = TIME_RANGES[range];
    const last = floorHour(now);
    const first = hoursBefore(last, hours - 1);
    // Each row names its point by index (hours since `first`): no timestamp parsed per row.
    const rows = await this.sql<{ i: number; total: string; completed: string; duration_sum_ms: string; duration_count: string }>(
      `SELECT (extract(epoch FROM hour - $2::timestamptz) / 3600)::int AS i,
              queued + running + completed + failed + cancelled AS total, completed, duration_sum_ms, duration_count
         FROM job_hourly_stats WHERE workspace_id = $1 AND hour >= $2 AND hour <= $3`,
      [workspaceId, first.toISOString(), last.toISOString()],
    );
    const byIndex = new Array<(typeof rows)[number] | undefined>(hours);
    for (const row of rows) byIndex[row.i] = row;
    return Array.from({ length: hours }, (_, i) => {
      const hour = hoursBefore(last, hours - 1 - i);
      const row = byIndex[i];
      const jobCount = Number(row?.total ?? 0);
      const completed = Number(row?.completed ?? 0);
      const durationCount = Number(row?.duration_count ?? 0);
      return {
        timestamp: hour.toISOString().slice(0, 13),
        hour: HOUR_LABELS[hour.getUTCHours()]!,
        jobCount,
        avgDuration: durationCount > 0 ? Math.round(Number(row!.duration_sum_ms) / durationCount) : 0,
        // As the original: completed over all jobs of the hour; an empty hour counts as 100.
        successRate: jobCount > 0 ? round1((completed / jobCount) * 100) : 100,
      };
    });
  }

  /** Creation time of each workspace's newest job. */
  async lastActivity(workspaceIds: readonly string[]): Promise<Map<string, Date>> {
    if (workspaceIds.length === 0) return new Map();
    const rows = await this.sql<{ scope_id: string; created_at: Date }>(
      `SELECT scope_id, created_at FROM latest_jobs WHERE scope = 'workspace' AND scope_id = ANY($1)`,
      [[...workspaceIds]],
    );
    return new Map(rows.map((row) => [row.scope_id, row.created_at]));
  }
}

export function summarize(totals: WindowTotals): JobStatistics {
  const { completed, failed, cancelled } = totals.byStatus;
  const finished = completed + failed + cancelled;
  return {
    total: totals.total,
    byStatus: totals.byStatus,
    avgDurationMs: totals.durationCount > 0 ? Math.round(totals.durationSumMs / totals.durationCount) : 0,
    successRate: finished > 0 ? round1((completed / finished) * 100) : 100,
  };
}
