import pg from 'pg';

/**
 * The review's two approaches, implemented here for comparison only (never in the product):
 * "current" is what the original console did (rows into Node, sort / bucket / count in JS, an N+1
 * for the list), "after" is the SQL the review recommends. Both run on `bench_jobs`, a copy of our
 * `jobs` read model in the original schema with the review's indexes.
 */

const STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
type Status = (typeof STATUSES)[number];
export const HOUR_MS = 3_600_000;

/** A pool that reads `timestamp` columns as strings, as the original's Drizzle schema did (mode: "string"). */
export function baselinePool(connectionString: string): pg.Pool {
  const TIMESTAMP = 1114;
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === TIMESTAMP ? (value: string) => value : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  return new pg.Pool({ connectionString, max: 4, types });
}

/** The original `lightfast_jobs` schema (varchar ids and status, `durationMs` a varchar, timestamps without time zone). */
export async function createBaselineTable(pool: pg.Pool): Promise<void> {
  await pool.query('DROP TABLE IF EXISTS bench_jobs');
  await pool.query(`
    CREATE TABLE bench_jobs (
      id varchar(191) PRIMARY KEY,
      clerk_org_id varchar(191) NOT NULL,
      workspace_id varchar(191) NOT NULL,
      repository_id varchar(191),
      inngest_run_id varchar(191) NOT NULL,
      inngest_function_id varchar(191) NOT NULL,
      name varchar(191) NOT NULL,
      status varchar(50) NOT NULL DEFAULT 'queued',
      trigger varchar(50) NOT NULL,
      triggered_by varchar(191),
      input jsonb,
      output jsonb,
      error_message varchar(1000),
      started_at timestamp,
      completed_at timestamp,
      duration_ms varchar(50),
      created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
      updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
    )`);
  // The indexes the review relies on (the composite one already existed in the original).
  await pool.query('CREATE INDEX bench_jobs_workspace_created_at_idx ON bench_jobs (workspace_id, created_at)');
  await pool.query('CREATE INDEX bench_jobs_workspace_id_idx ON bench_jobs (workspace_id)');
  await pool.query('CREATE INDEX bench_jobs_status_idx ON bench_jobs (status)');
  await pool.query('CREATE INDEX bench_jobs_repository_id_idx ON bench_jobs (repository_id)');
}

/** Copies one workspace's rows from our `jobs` read model (timestamps as UTC wall-clock time). */
export async function copyWorkspaceIntoBaseline(pool: pg.Pool, workspaceId: string): Promise<number> {
  const result = await pool.query(
    `INSERT INTO bench_jobs (id, clerk_org_id, workspace_id, repository_id, inngest_run_id, inngest_function_id, name, status, trigger, triggered_by,
                             input, output, error_message, started_at, completed_at, duration_ms, created_at, updated_at)
     SELECT id, organization_id, workspace_id, repository_id, 'run_' || id, 'apps-console/docs.ingestion', name, status, trigger, triggered_by,
            input, output, left(error_message, 1000), started_at AT TIME ZONE 'UTC', completed_at AT TIME ZONE 'UTC', duration_ms::varchar,
            created_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC'
       FROM jobs WHERE workspace_id = $1`,
    [workspaceId],
  );
  return result.rowCount ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Shapes shared by both approaches (the original's output shapes, as our endpoints return them)

export interface JobStatistics {
  total: number;
  byStatus: Record<Status, number>;
  avgDurationMs: number;
  successRate: number;
}
export interface Percentiles {
  hasData: boolean;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  sampleSize: number;
}
export interface TimeSeriesPoint {
  timestamp: string;
  hour: string;
  jobCount: number;
  avgDuration: number;
  successRate: number;
}
export interface Period {
  jobs: { total: number; completed: number; failed: number; successRate: number; avgDurationMs: number };
  documents: { total: number; chunks: number };
}
export interface Comparison {
  current: Period;
  previous: Period;
  changes: { jobs: Record<keyof Period['jobs'], number>; documents: { total: number; chunks: number } };
}
export interface Range {
  start: Date;
  end: Date;
}
export interface WorkspaceLastActivity {
  id: string;
  name: string;
  lastActivity: string;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const hourLabel = (d: Date) => d.toLocaleTimeString('en-US', { hour: 'numeric', hour12: true, timeZone: 'UTC' });
/** A `timestamp without time zone` string read back as the UTC instant it was written as. */
const utc = (timestamp: string) => new Date(`${timestamp.replace(' ', 'T')}Z`);

function summarize(byStatus: Record<Status, number>, durationSum: number, durationCount: number): JobStatistics {
  const finished = byStatus.completed + byStatus.failed + byStatus.cancelled;
  return {
    total: STATUSES.reduce((sum, s) => sum + byStatus[s], 0),
    byStatus,
    avgDurationMs: durationCount > 0 ? Math.round(durationSum / durationCount) : 0,
    successRate: finished > 0 ? round1((byStatus.completed / finished) * 100) : 100,
  };
}

function toPeriod(stats: JobStatistics): Period {
  return {
    jobs: {
      total: stats.total,
      completed: stats.byStatus.completed,
      failed: stats.byStatus.failed,
      successRate: stats.successRate,
      avgDurationMs: stats.avgDurationMs,
    },
    documents: { total: 0, chunks: 0 },
  };
}

/** % changes as the original: relative, 100 or 0 from zero; success rate as an absolute difference. */
function compare(current: Period, previous: Period): Comparison {
  const change = (a: number, b: number) => (b === 0 ? (a > 0 ? 100 : 0) : Math.round(((a - b) / b) * 1000) / 10);
  const a = current.jobs;
  const b = previous.jobs;
  return {
    current,
    previous,
    changes: {
      jobs: {
        total: change(a.total, b.total),
        completed: change(a.completed, b.completed),
        failed: change(a.failed, b.failed),
        successRate: round1(a.successRate - b.successRate),
        avgDurationMs: change(a.avgDurationMs, b.avgDurationMs),
      },
      documents: { total: 0, chunks: 0 },
    },
  };
}

const emptyByStatus = (): Record<Status, number> => ({ queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 });

// ---------------------------------------------------------------------------------------------

/** The review's CURRENT code: fetch the rows, then count, sort and bucket in Node. */
export class ReviewCurrent {
  constructor(private readonly pool: pg.Pool) {}

  /** workspace.ts style: the window's rows into memory, counted in JS (jobs.ts had one aggregate). */
  async statistics(workspaceId: string, hours: number): Promise<JobStatistics> {
    const since = new Date(Date.now() - hours * HOUR_MS).toISOString();
    const { rows } = await this.pool.query<{ status: Status; duration_ms: string | null }>(
      'SELECT status, duration_ms FROM bench_jobs WHERE workspace_id = $1 AND created_at >= $2',
      [workspaceId, since],
    );
    return countInJs(rows);
  }

  /** Finding #12 CURRENT: every completed duration of the range, parsed, filtered, sorted; nearest rank. */
  async percentiles(workspaceId: string, hours: number): Promise<Percentiles> {
    const since = new Date(Date.now() - hours * HOUR_MS).toISOString();
    const { rows } = await this.pool.query<{ duration_ms: string | null }>(
      `SELECT duration_ms FROM bench_jobs WHERE workspace_id = $1 AND status = 'completed' AND created_at >= $2 AND duration_ms IS NOT NULL`,
      [workspaceId, since],
    );
    const durations = rows
      .map((j) => Number.parseInt(j.duration_ms || '0', 10))
      .filter((d) => d > 0)
      .sort((a, b) => a - b);
    if (durations.length === 0) return { hasData: false, p50: 0, p95: 0, p99: 0, max: 0, sampleSize: 0 };
    const getPercentile = (p: number) => durations[Math.ceil((p / 100) * durations.length) - 1] || 0;
    return {
      hasData: true,
      p50: getPercentile(50),
      p95: getPercentile(95),
      p99: getPercentile(99),
      max: durations[durations.length - 1]!,
      sampleSize: durations.length,
    };
  }

  /** Finding #13 CURRENT: every job of the range into memory, bucketed by `toISOString().slice(0, 13)`. */
  async timeSeries(workspaceId: string, rangeHours: number): Promise<TimeSeriesPoint[]> {
    const since = new Date(Date.now() - rangeHours * HOUR_MS).toISOString();
    const { rows: recentJobs } = await this.pool.query<{ created_at: string; duration_ms: string | null; status: Status }>(
      'SELECT created_at, duration_ms, status FROM bench_jobs WHERE workspace_id = $1 AND created_at >= $2',
      [workspaceId, since],
    );
    const hourBuckets = new Map<string, { date: Date; jobs: unknown[]; completed: number; totalDuration: number }>();
    for (let i = 0; i < rangeHours; i++) {
      const hourDate = new Date(Date.now() - i * HOUR_MS);
      hourBuckets.set(hourDate.toISOString().slice(0, 13), { date: hourDate, jobs: [], completed: 0, totalDuration: 0 });
    }
    for (const job of recentJobs) {
      const key = utc(job.created_at).toISOString().slice(0, 13);
      const bucket = hourBuckets.get(key);
      if (!bucket) continue; // the partial hour at the start of the range has no bucket
      bucket.jobs.push(job);
      if (job.status === 'completed') {
        bucket.completed++;
        bucket.totalDuration += Number.parseInt(job.duration_ms || '0', 10);
      }
    }
    return [...hourBuckets.entries()]
      .map(([timestamp, b]) => ({
        timestamp,
        hour: hourLabel(b.date),
        jobCount: b.jobs.length,
        avgDuration: b.completed > 0 ? Math.round(b.totalDuration / b.completed) : 0,
        successRate: b.jobs.length > 0 ? round1((b.completed / b.jobs.length) * 100) : 100,
      }))
      .sort((x, y) => x.timestamp.localeCompare(y.timestamp));
  }

  /** Both ranges' rows into memory (`createdAt between`), each aggregated in JS. */
  async comparison(workspaceId: string, current: Range, previous: Range): Promise<Comparison> {
    const load = (range: Range) =>
      this.pool.query<{ status: Status; duration_ms: string | null }>(
        'SELECT status, duration_ms FROM bench_jobs WHERE workspace_id = $1 AND created_at BETWEEN $2 AND $3',
        [workspaceId, range.start.toISOString(), range.end.toISOString()],
      );
    const [a, b] = await Promise.all([load(current), load(previous)]);
    return compare(toPeriod(countInJs(a.rows)), toPeriod(countInJs(b.rows)));
  }

  /** N+1: the organization's workspaces, then one "latest job" query per workspace. */
  async workspaceList(organizationId: string): Promise<WorkspaceLastActivity[]> {
    const workspaces = await orgWorkspaces(this.pool, organizationId);
    const out: WorkspaceLastActivity[] = [];
    for (const ws of workspaces) {
      const { rows } = await this.pool.query<{ created_at: string }>(
        'SELECT created_at FROM bench_jobs WHERE workspace_id = $1 ORDER BY created_at DESC LIMIT 1',
        [ws.id],
      );
      out.push({ id: ws.id, name: ws.name, lastActivity: rows[0] ? utc(rows[0].created_at).toISOString() : ws.created_at.toISOString() });
    }
    return out;
  }
}

function countInJs(rows: ReadonlyArray<{ status: Status; duration_ms: string | null }>): JobStatistics {
  const byStatus = emptyByStatus();
  let durationSum = 0;
  let durationCount = 0;
  for (const job of rows) {
    byStatus[job.status]++;
    if (job.status === 'completed' && job.duration_ms) {
      durationSum += Number.parseInt(job.duration_ms, 10);
      durationCount++;
    }
  }
  return summarize(byStatus, durationSum, durationCount);
}

// ---------------------------------------------------------------------------------------------

const AGGREGATE = `count(*) AS total,
  SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END) AS queued,
  SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running,
  SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed,
  SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS failed,
  SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
  SUM(CASE WHEN status = 'completed' THEN CAST(duration_ms AS BIGINT) END) AS duration_sum,
  SUM(CASE WHEN status = 'completed' AND duration_ms IS NOT NULL THEN 1 ELSE 0 END) AS duration_count`;

type AggregateRow = Record<Status | 'total' | 'duration_sum' | 'duration_count', string | null>;

/**
 * One aggregate row to statistics. The average is taken over completed jobs, as jobs.statistics
 * defines it (the review's `AVG(CAST(duration_ms AS BIGINT))` would also average failed jobs'
 * durations); a sum and a count instead of AVG, so the rounding matches ours exactly.
 */
function fromAggregate(row: AggregateRow | undefined): JobStatistics {
  const byStatus = emptyByStatus();
  for (const s of STATUSES) byStatus[s] = Number(row?.[s] ?? 0);
  return summarize(byStatus, Number(row?.duration_sum ?? 0), Number(row?.duration_count ?? 0));
}

/** The review's AFTER: aggregation, percentiles and "latest per workspace" done by PostgreSQL. */
export class ReviewAfter {
  constructor(private readonly pool: pg.Pool) {}

  /** Finding #7: `SUM(CASE …)` per status and the duration aggregate in one query. */
  async statistics(workspaceId: string, hours: number): Promise<JobStatistics> {
    const since = new Date(Date.now() - hours * HOUR_MS).toISOString();
    const { rows } = await this.pool.query<AggregateRow>(
      `SELECT ${AGGREGATE} FROM bench_jobs WHERE workspace_id = $1 AND created_at >= $2`,
      [workspaceId, since],
    );
    return fromAggregate(rows[0]);
  }

  /** Finding #12 AFTER: `PERCENTILE_CONT … WITHIN GROUP`, MAX and COUNT in one query. */
  async percentiles(workspaceId: string, hours: number): Promise<Percentiles> {
    const since = new Date(Date.now() - hours * HOUR_MS).toISOString();
    const { rows } = await this.pool.query<{
      p50: number | null;
      p95: number | null;
      p99: number | null;
      max: string | null;
      count: string;
    }>(
      `SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY CAST(duration_ms AS BIGINT)) AS p50,
              PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY CAST(duration_ms AS BIGINT)) AS p95,
              PERCENTILE_CONT(0.99) WITHIN GROUP (ORDER BY CAST(duration_ms AS BIGINT)) AS p99,
              MAX(CAST(duration_ms AS BIGINT)) AS max,
              count(*) AS count
         FROM bench_jobs
        WHERE workspace_id = $1 AND status = 'completed' AND created_at >= $2 AND duration_ms IS NOT NULL`,
      [workspaceId, since],
    );
    const row = rows[0]!;
    const sampleSize = Number(row.count);
    if (sampleSize === 0) return { hasData: false, p50: 0, p95: 0, p99: 0, max: 0, sampleSize: 0 };
    return {
      hasData: true,
      p50: Math.round(row.p50!),
      p95: Math.round(row.p95!),
      p99: Math.round(row.p99!),
      max: Number(row.max),
      sampleSize,
    };
  }

  /** Finding #13 AFTER: `date_trunc('hour', …) GROUP BY` in SQL, the empty hours filled in JS. */
  async timeSeries(workspaceId: string, rangeHours: number): Promise<TimeSeriesPoint[]> {
    const since = new Date(Date.now() - rangeHours * HOUR_MS).toISOString();
    const { rows } = await this.pool.query<{ hour: string; job_count: string; completed: string; avg_duration: string | null }>(
      `SELECT date_trunc('hour', created_at) AS hour, count(*) AS job_count,
              SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS completed,
              AVG(CASE WHEN status = 'completed' THEN CAST(duration_ms AS BIGINT) END) AS avg_duration
         FROM bench_jobs WHERE workspace_id = $1 AND created_at >= $2
        GROUP BY date_trunc('hour', created_at) ORDER BY date_trunc('hour', created_at)`,
      [workspaceId, since],
    );
    const byHour = new Map(rows.map((row) => [utc(row.hour).toISOString().slice(0, 13), row]));
    return Array.from({ length: rangeHours }, (_, i) => {
      const date = new Date(Date.now() - (rangeHours - 1 - i) * HOUR_MS);
      const timestamp = date.toISOString().slice(0, 13);
      const row = byHour.get(timestamp);
      const jobCount = Number(row?.job_count ?? 0);
      const completed = Number(row?.completed ?? 0);
      return {
        timestamp,
        hour: hourLabel(date),
        jobCount,
        avgDuration: row?.avg_duration ? Math.round(Number(row.avg_duration)) : 0,
        successRate: jobCount > 0 ? round1((completed / jobCount) * 100) : 100,
      };
    });
  }

  /** Two aggregate queries, one per range. */
  async comparison(workspaceId: string, current: Range, previous: Range): Promise<Comparison> {
    const aggregate = (range: Range) =>
      this.pool.query<AggregateRow>(`SELECT ${AGGREGATE} FROM bench_jobs WHERE workspace_id = $1 AND created_at BETWEEN $2 AND $3`, [
        workspaceId,
        range.start.toISOString(),
        range.end.toISOString(),
      ]);
    const [a, b] = await Promise.all([aggregate(current), aggregate(previous)]);
    return compare(toPeriod(fromAggregate(a.rows[0])), toPeriod(fromAggregate(b.rows[0])));
  }

  /** Finding #3: one `DISTINCT ON (workspace_id) … ORDER BY workspace_id, created_at DESC`. */
  async workspaceList(organizationId: string): Promise<WorkspaceLastActivity[]> {
    const workspaces = await orgWorkspaces(this.pool, organizationId);
    const { rows } = await this.pool.query<{ workspace_id: string; created_at: string }>(
      `SELECT DISTINCT ON (workspace_id) workspace_id, created_at FROM bench_jobs
        WHERE workspace_id = ANY($1) ORDER BY workspace_id, created_at DESC`,
      [workspaces.map((w) => w.id)],
    );
    return withLastActivity(workspaces, rows);
  }

  /** Finding #3's own AFTER, the portable variant: `ROW_NUMBER() OVER (PARTITION BY …)`, rn = 1. */
  async workspaceListRowNumber(organizationId: string): Promise<WorkspaceLastActivity[]> {
    const workspaces = await orgWorkspaces(this.pool, organizationId);
    const { rows } = await this.pool.query<{ workspace_id: string; created_at: string }>(
      `SELECT workspace_id, created_at FROM (
         SELECT workspace_id, created_at, ROW_NUMBER() OVER (PARTITION BY workspace_id ORDER BY created_at DESC) AS rn
           FROM bench_jobs WHERE workspace_id = ANY($1)) ranked
        WHERE rn = 1`,
      [workspaces.map((w) => w.id)],
    );
    return withLastActivity(workspaces, rows);
  }
}

/** The organization's workspaces, from our `workspaces` read model (the original had its own table). */
async function orgWorkspaces(pool: pg.Pool, organizationId: string): Promise<Array<{ id: string; name: string; created_at: Date }>> {
  const { rows } = await pool.query<{ id: string; name: string; created_at: Date }>(
    'SELECT id, name, created_at FROM workspaces WHERE organization_id = $1 ORDER BY created_at, id',
    [organizationId],
  );
  return rows;
}

function withLastActivity(
  workspaces: ReadonlyArray<{ id: string; name: string; created_at: Date }>,
  latest: ReadonlyArray<{ workspace_id: string; created_at: string }>,
) {
  const byWorkspace = new Map(latest.map((row) => [row.workspace_id, utc(row.created_at).toISOString()]));
  return workspaces.map((ws) => ({ id: ws.id, name: ws.name, lastActivity: byWorkspace.get(ws.id) ?? ws.created_at.toISOString() }));
}
