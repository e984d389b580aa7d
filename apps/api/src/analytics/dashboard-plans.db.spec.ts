import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { jobStreamId, workspaceDirectoryStreamId, type JobEvent, type JobQueued, type RecordedEvent, type WorkspaceCreated } from '#domain';
import {
  JobQueries,
  JobStatsQueries,
  PROJECTIONS,
  WorkspaceQueries,
  jobStatsProjection,
  jobsProjection,
  workspacesProjection,
  type ProjectionDefinition,
  type Sql,
} from '#read-models';
import type { TestDatabase } from '#testing';
import { EventLog, applyCheckpointedBatch, createReadModelDatabase } from '#testing/projection';
import { WorkspaceAnalytics } from './workspace-analytics.service.js';

/*
 * The dashboard's statements, captured as the query classes issue them (text and parameters), and
 * planned by PostgreSQL on a realistic spread of data: 1,000 workspaces in 100 organizations, three of
 * them with 6,000 jobs over 30 days (the bench's shape), the others with 8 each, ANALYZEd. None may
 * scan a whole table of jobs or job statistics: each must find its rows by an index, or its cost
 * would grow with every other workspace's jobs. (Small tables such as workspaces may rightly be
 * scanned; the sources and document totals read the stores projection's counters, never documents
 * or chunks: `document-stores/document-counts-plan.db.spec.ts` checks that.)
 */

const NOW = new Date('2025-06-15T13:37:12.345Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ORGANIZATIONS = 100;
const WORKSPACES_PER_ORGANIZATION = 10;
const BIG_WORKSPACES = 3;
const BIG_JOBS = 6_000;
const SMALL_JOBS = 8;
const REPOSITORIES_PER_WORKSPACE = 5;
/** Relations whose every read must go through an index (views' physical tables, `_g<N>` dropped). */
const INDEXED_ONLY = ['jobs', 'job_hourly_stats', 'job_duration_sketches', 'latest_jobs'];

interface Statement {
  readonly label: string;
  readonly text: string;
  readonly params: readonly unknown[];
}

let database: TestDatabase;
let pool: pg.Pool;
const statements: Statement[] = [];
const labels: string[] = [];

/** A deterministic stream of numbers in [0, 1) (mulberry32), so every run plans the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Workspace {
  readonly organizationId: string;
  readonly workspaceId: string;
}

const WORKSPACES: Workspace[] = Array.from({ length: ORGANIZATIONS * WORKSPACES_PER_ORGANIZATION }, (_, i) => ({
  organizationId: `org-${Math.floor(i / WORKSPACES_PER_ORGANIZATION)}`,
  workspaceId: `ws-${Math.floor(i / WORKSPACES_PER_ORGANIZATION)}-${i % WORKSPACES_PER_ORGANIZATION}`,
}));
const BIG = WORKSPACES.slice(0, BIG_WORKSPACES);
const SMALL = WORKSPACES.slice(BIG_WORKSPACES);

function workspaceEvents(): RecordedEvent[] {
  const log = new EventLog();
  WORKSPACES.forEach(({ organizationId, workspaceId }, i) => {
    const created: WorkspaceCreated = {
      type: 'WorkspaceCreated',
      data: {
        organizationId,
        workspaceId,
        name: `workspace ${i}`,
        slug: `workspace-${i}`,
        isDefault: i % WORKSPACES_PER_ORGANIZATION === 0,
        createdAt: new Date(NOW.getTime() - 60 * DAY + i * HOUR).toISOString(),
      },
    };
    log.append(workspaceDirectoryStreamId(organizationId), created);
  });
  return [...log.events];
}

/** Job histories of some workspaces over the 30 days before NOW, in the order they happened (as live). */
function jobEvents(workspaces: ReadonlyArray<Workspace & { readonly jobs: number }>): RecordedEvent[] {
  const next = random(12);
  const histories: Array<{ queuedAt: number; events: JobEvent[] }> = [];
  for (const { organizationId, workspaceId, jobs } of workspaces) {
    for (let i = 0; i < jobs; i++) {
      const jobId = `job-${workspaceId}-${i}`;
      const queuedAt = NOW.getTime() - Math.floor(next() * 30 * DAY);
      const queued: JobQueued = {
        type: 'JobQueued',
        data: {
          jobId,
          organizationId,
          workspaceId,
          repositoryId: `repo-${workspaceId}-${Math.floor(next() * REPOSITORIES_PER_WORKSPACE)}`,
          name: `Docs Ingestion ${i}`,
          trigger: 'webhook',
          triggeredBy: null,
          input: { githubRepoId: String(1000 + Math.floor(next() * REPOSITORIES_PER_WORKSPACE)) },
          queuedAt: new Date(queuedAt).toISOString(),
        },
      };
      const ref = { jobId, workspaceId, queuedAt: queued.data.queuedAt };
      const startedAt = queuedAt + 2_000;
      const durationMs = Math.round(45_000 * Math.exp(1.2 * (next() + next() + next() - 1.5)));
      const outcome = next();
      const events: JobEvent[] = [queued];
      if (startedAt + durationMs < NOW.getTime()) {
        events.push({ type: 'JobStarted', data: { ...ref, startedAt: new Date(startedAt).toISOString() } });
        const at = new Date(startedAt + durationMs).toISOString();
        events.push(
          outcome < 0.88
            ? { type: 'JobCompleted', data: { ...ref, completedAt: at, durationMs, output: {} } }
            : { type: 'JobFailed', data: { ...ref, from: 'running', failedAt: at, durationMs, error: { message: 'boom', code: null } } },
        );
      }
      histories.push({ queuedAt, events });
    }
  }
  histories.sort((a, b) => a.queuedAt - b.queuedAt);
  const log = new EventLog();
  for (const { events } of histories) log.append(jobStreamId(events[0]!.data.jobId), ...events);
  return [...log.events];
}

/**
 * Copies a workspace's rows of the projection's tables to other workspaces, renaming every text
 * that names it or its organization (ids embed them): the same history, written in one statement
 * per table rather than projected again, so seeding takes seconds.
 */
async function cloneWorkspace(definition: ProjectionDefinition, from: Workspace, to: readonly Workspace[]): Promise<void> {
  for (const table of definition.tables) {
    const columns = Object.entries(table.columns).filter(([, column]) => column.generated === undefined);
    const values = columns.map(([name, column]) =>
      column.type === 'text' ? `replace(replace(t.${name}, $1, w.workspace_id), $2, w.organization_id)` : `t.${name}`,
    );
    const physical = `${table.name}_g1`;
    await pool.query(
      `INSERT INTO ${physical} (${columns.map(([name]) => name).join(', ')})
       SELECT ${values.join(', ')} FROM ${physical} t, unnest($3::text[], $4::text[]) AS w (workspace_id, organization_id)
        WHERE t.workspace_id = $1`,
      [from.workspaceId, from.organizationId, to.map((w) => w.workspaceId), to.map((w) => w.organizationId)],
    );
  }
}

async function project(definition: ProjectionDefinition, events: readonly RecordedEvent[]): Promise<void> {
  const client = await pool.connect();
  try {
    // Batches the size the projector's replay reads.
    for (let i = 0; i < events.length; i += 5_000) await applyCheckpointedBatch(client, definition, 1, events.slice(i, i + 5_000));
  } finally {
    client.release();
  }
}

/** A Sql that records each statement under the name of what issued it, then runs it. */
const recording =
  (label: () => string): Sql =>
  async <R>(text: string, params?: readonly unknown[]) => {
    statements.push({ label: label(), text, params: params ?? [] });
    return (await pool.query(text, params ? [...params] : undefined)).rows as R[];
  };

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

/** Every `Seq Scan` of the plan on a relation that must be read through an index. */
async function sequentialScans(client: pg.Pool | pg.PoolClient, statement: Statement): Promise<string[]> {
  const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${statement.text}`, [
    ...statement.params,
  ]);
  const found: string[] = [];
  const walk = (node: PlanNode) => {
    const relation = node['Relation Name']?.replace(/_g\d+$/, '');
    if (node['Node Type'] === 'Seq Scan' && relation && INDEXED_ONLY.includes(relation))
      found.push(`${statement.label}: Seq Scan on ${relation}`);
    node.Plans?.forEach(walk);
  };
  walk(rows[0]!['QUERY PLAN'][0]!.Plan);
  return found;
}

beforeAll(async () => {
  ({ database, pool } = await createReadModelDatabase(PROJECTIONS));
  await project(workspacesProjection, workspaceEvents());
  // One big and one small workspace are projected; the others are copies of them.
  const [big, small] = [BIG[0]!, SMALL[0]!];
  const events = jobEvents([
    { ...big, jobs: BIG_JOBS },
    { ...small, jobs: SMALL_JOBS },
  ]);
  for (const definition of [jobsProjection, jobStatsProjection]) {
    await project(definition, events);
    await cloneWorkspace(definition, big, BIG.slice(1));
    await cloneWorkspace(definition, small, SMALL.slice(1));
  }
  await pool.query('ANALYZE');

  // What the dashboard issues, through the same classes and arguments as its endpoints.
  let current = '';
  const as = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
    current = label;
    labels.push(label);
    return run();
  };
  const sql = recording(() => current);
  const analytics = new WorkspaceAnalytics({ query: (text: string, params?: unknown[]) => sql(text, params) } as unknown as DataSource);
  const jobStats = new JobStatsQueries(sql);
  const jobs = new JobQueries(sql);
  const workspaces = new WorkspaceQueries(sql);
  const ws = BIG[1]!.workspaceId;
  const week = (end: number) => ({ start: new Date(end - 7 * DAY), end: new Date(end) });
  await as('workspace statistics', () => analytics.statistics(ws, NOW));
  await as('statistics comparison', () => analytics.comparison(ws, week(NOW.getTime()), week(NOW.getTime() - 7 * DAY)));
  await as('system health', () => analytics.systemHealth(ws, NOW));
  for (const hours of [24, 168, 720]) await as(`jobs statistics ${hours}h`, () => jobStats.statistics(ws, hours, NOW));
  for (const range of ['24h', '7d', '30d'] as const) {
    await as(`percentiles ${range}`, () => jobStats.percentiles(ws, range, NOW));
    await as(`time series ${range}`, () => jobStats.timeSeries(ws, range, NOW));
  }
  await as('last activity', () => jobStats.lastActivity([...BIG.map((w) => w.workspaceId)]));
  await as('workspace list', () => workspaces.list(BIG[1]!.organizationId));
  await as('recent jobs', () => jobs.recent(ws, 10, null));
  const page = await as('jobs list', () => jobs.list(ws, { limit: 20 }));
  await as('jobs list, next page', () => jobs.list(ws, { limit: 20, cursor: page.nextCursor! }));
  await as('jobs list by status', () => jobs.list(ws, { status: 'failed', limit: 20 }));
  await as('jobs list by repository', () => jobs.list(ws, { repositoryId: `repo-${ws}-1`, limit: 20 }));
  await as('job', () => jobs.get(ws, page.items[0]!.id));
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('dashboard query plans at bench sizes', () => {
  it('seeded what the plans are judged on', async () => {
    const { rows } = await pool.query<{ jobs: string; workspace_jobs: string; sketches: string; latest: string }>(
      `SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM jobs WHERE workspace_id = $1) AS workspace_jobs,
              (SELECT count(*) FROM job_duration_sketches) AS sketches, (SELECT count(*) FROM latest_jobs) AS latest`,
      [BIG[1]!.workspaceId],
    );
    expect(Number(rows[0]!.jobs)).toBe(
      BIG_WORKSPACES * BIG_JOBS + (ORGANIZATIONS * WORKSPACES_PER_ORGANIZATION - BIG_WORKSPACES) * SMALL_JOBS,
    );
    expect(Number(rows[0]!.workspace_jobs)).toBe(BIG_JOBS);
    expect(Number(rows[0]!.sketches)).toBeGreaterThan(10_000);
    expect(Number(rows[0]!.latest)).toBeGreaterThan(ORGANIZATIONS * WORKSPACES_PER_ORGANIZATION);
    // Every call issued statements (and they ran).
    expect(labels.filter((label) => !statements.some((s) => s.label === label))).toEqual([]);
  });

  it('read jobs, job stats and latest jobs through indexes only', async () => {
    const scans = (await Promise.all(statements.map((statement) => sequentialScans(pool, statement)))).flat();
    expect(scans).toEqual([]);
  });

  it('would be caught scanning: without the indexes they use, the same statements plan sequential scans', async () => {
    // Dropped inside a transaction that is rolled back: the check must be able to fail.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ index: string }>(
        `SELECT indexrelid::regclass::text AS index FROM pg_index
          WHERE indrelid IN ('jobs_g1'::regclass, 'job_duration_sketches_g1'::regclass, 'job_hourly_stats_g1'::regclass) AND NOT indisprimary`,
      );
      for (const { index } of rows) await client.query(`DROP INDEX ${index}`);
      for (const table of ['job_duration_sketches_g1', 'job_hourly_stats_g1'])
        await client.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_pkey`);
      const scans: string[] = [];
      for (const statement of statements) scans.push(...(await sequentialScans(client, statement)));
      expect(scans).toEqual(
        expect.arrayContaining([
          'percentiles 30d: Seq Scan on job_duration_sketches',
          'percentiles 30d: Seq Scan on jobs',
          'time series 24h: Seq Scan on job_hourly_stats',
          'recent jobs: Seq Scan on jobs',
          'workspace statistics: Seq Scan on jobs',
        ]),
      );
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
