import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import type { INestApplication } from '@nestjs/common';
import { LocalIdentityProvider, createLogger, localOrganizationId } from '#adapters';
import { PROJECTIONS } from '#read-models';
import { createApiApp } from '../apps/api/src/create-api-app.js';
import { loadConfig } from '#runtime';
import { openRuntime, type Runtime } from '#runtime';
import { seedJobs } from '../apps/projector/src/cli/seed-jobs.js';
import { ProjectorDaemon } from '../apps/projector/src/projector.daemon.js';
import {
  HOUR_MS,
  ReviewAfter,
  ReviewCurrent,
  baselinePool,
  copyWorkspaceIntoBaseline,
  createBaselineTable,
  type Comparison,
  type JobStatistics,
  type Percentiles,
  type Range,
  type TimeSeriesPoint,
  type WorkspaceLastActivity,
} from './analytics-baseline.js';
import {
  formatMarkdown,
  formatTable,
  queryResult,
  queryRow,
  sample,
  sizeLabel,
  type QueryResult,
  type QueryRow,
} from './analytics-report.js';
import { benchDatabase, fmt, measureBounded, type BoundedMeasureOptions } from './support.js';

/**
 * Dashboard analytics at 10k, 100k and 1M jobs per workspace: our endpoints over HTTP next to the
 * performance review's "current" (rows into Node) and "after" (SQL aggregation) approaches, which
 * run on `bench_jobs`, a copy of our jobs in the original schema with the review's indexes.
 *
 * The workspaces are seeded one after the other into one organization, through the command path,
 * then projected by the projector daemon. The workspace list is measured after each
 * one (the organization then holds 10k, 110k, 1.11M jobs: the list's cost grows with those), the
 * per-workspace queries once all are there.
 */
export interface AnalyticsOptions {
  readonly sizes: readonly number[];
  /**
   * Small workspaces added after the sized ones (each `smallWorkspaceJobs` jobs), so the workspace
   * list is also measured on an organization of many workspaces (0: none).
   */
  readonly smallWorkspaces?: number;
  readonly smallWorkspaceJobs?: number;
  readonly log: (line: string) => void;
  /** Upper bound of timed runs per measurement of ours, and of the review's approaches. */
  readonly oursIterations?: number;
  readonly baselineIterations?: number;
  /** Time spent in timed runs after which a measurement stops (once it has `minIterations`). */
  readonly budgetMs?: number;
  readonly minIterations?: number;
}

export interface AnalyticsResults {
  readonly sizes: readonly number[];
  readonly seeding: SeedingResult[];
  readonly queries: QueryResult[];
  readonly checks: Check[];
  readonly notes: string[];
  readonly markdown: string;
}

interface SeedingResult {
  readonly jobs: number;
  readonly workspace: string;
  readonly seedSeconds: number;
  readonly jobsPerSecond: number;
  readonly catchUpSeconds: number;
  readonly catchUpEventsPerProjection: number;
  readonly baselineCopySeconds: number;
}

interface Check {
  readonly query: string;
  readonly size: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SeededWorkspace {
  readonly id: string;
  readonly name: string;
  readonly jobs: number;
  readonly label: string;
}

const ORG_SLUG = 'bench-analytics';
const ORG_ID = localOrganizationId(ORG_SLUG);

export async function benchAnalytics(options: AnalyticsOptions): Promise<AnalyticsResults> {
  const { log } = options;
  const budgetMs = options.budgetMs ?? 20_000;
  const minIterations = options.minIterations ?? 10;
  const oursRuns: BoundedMeasureOptions = { iterations: options.oursIterations ?? 200, warmup: 20, budgetMs, minIterations };
  const baselineRuns: BoundedMeasureOptions = { iterations: options.baselineIterations ?? 200, warmup: 5, budgetMs, minIterations };

  const env = await startEnvironment();
  const checks: Check[] = [];
  const check = (query: string, size: string, ok: boolean, detail: string) => {
    checks.push({ query, size, ok, detail });
    if (!ok) log(`  WARNING ${query} at ${size}: ${detail}`);
  };
  try {
    await createBaselineTable(env.pool);
    const seeding: SeedingResult[] = [];
    const seeded: SeededWorkspace[] = [];
    const listRows: QueryRow[] = [];
    for (const [index, jobs] of options.sizes.entries()) {
      const { workspace, result } = await seedWorkspace(env, jobs, index, log);
      seeding.push(result);
      seeded.push(workspace);
      const listRow = await measureList(env, seeded, oursRuns, baselineRuns, check);
      log(
        `  workspace list at ${listRow.size}: ours ${fmt(listRow.ours.p50)} ms, current ${fmt(listRow.current.p50)} ms, after ${fmt(listRow.after.p50)} ms (p50)`,
      );
      listRows.push(listRow);
    }
    if ((options.smallWorkspaces ?? 0) > 0) {
      const small = await seedSmallWorkspaces(env, options.smallWorkspaces!, options.smallWorkspaceJobs ?? 200, log);
      const listRow = await measureList(env, [...seeded, ...small], oursRuns, baselineRuns, check);
      log(
        `  workspace list at ${listRow.size}: ours ${fmt(listRow.ours.p50)} ms, current ${fmt(listRow.current.p50)} ms, after ${fmt(listRow.after.p50)} ms (p50)`,
      );
      listRows.push(listRow);
    }

    log('# measuring the per-workspace queries (all workspaces seeded)');
    const queries: QueryResult[] = [];
    for (const spec of perWorkspaceQueries(env)) {
      const rows: QueryRow[] = [];
      for (const workspace of seeded) {
        const input = spec.input();
        await spec.check(workspace, input, (ok, detail) => check(spec.title, workspace.label, ok, detail));
        const server: number[] = [];
        const ours = sample(
          await measureBounded(
            () => env.serverTime(spec.oursPath(workspace, input)),
            oursRuns,
            (ms) => server.push(ms),
          ),
        );
        const current = sample(await measureBounded(() => spec.current(workspace, input), baselineRuns));
        const after = sample(await measureBounded(() => spec.after(workspace, input), baselineRuns));
        rows.push(queryRow(workspace.label, workspace.jobs, ours, sample(server.sort((a, b) => a - b)), current, after));
      }
      const result = queryResult(spec.key, spec.title, rows);
      for (const line of formatTable(result)) log(line);
      queries.push(result);
    }
    const list = queryResult('workspaceList', 'workspace list (org total jobs)', listRows);
    for (const line of formatTable(list)) log(line);
    queries.push(list);

    const notes = [
      'ours: a real HTTP round trip (keep-alive fetch, bearer token, Nest, workspace lookup) to the API in the same process; ours in the server: the same requests as the API measured them (its Server-Timing header: from the request reaching the app to the headers going out); current/after: the query plus the JS work only, no HTTP, auth or workspace lookup.',
      'the projector daemon is stopped during measurements (everything caught up); each workspace was seeded through the command path, then projected.',
      "statistics: hours=24; percentiles: range=30d; comparison: the last 7 days vs the 7 days before, ending now; list: measured after each workspace was seeded, so its size is the organization's total.",
      `runs per measurement: up to ${oursRuns.iterations} (ours) / ${baselineRuns.iterations} (baselines), stopping after ${fmt(budgetMs / 1000, 0)} s once ${minIterations} are done; with fewer than 100 runs p99 is the slowest run.`,
      `checks: ${checks.filter((c) => c.ok).length}/${checks.length} passed${
        checks.some((c) => !c.ok)
          ? ` (failed: ${checks
              .filter((c) => !c.ok)
              .map((c) => `${c.query} ${c.size}`)
              .join(', ')})`
          : ''
      }.`,
    ];
    const failed = checks.filter((c) => !c.ok).length;
    log(`# checks: ${checks.length - failed}/${checks.length} agree (ours vs the review's approaches)`);
    for (const c of checks.filter((c) => c.ok && c.detail)) log(`  ${c.query} ${c.size}: ${c.detail}`);
    return { sizes: options.sizes, seeding, queries, checks, notes, markdown: formatMarkdown(queries, notes) };
  } finally {
    await env.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Environment: database, runtime, projector daemon, HTTP API, the baselines' pool

export interface Environment {
  readonly runtime: Runtime;
  readonly pool: pg.Pool;
  readonly current: ReviewCurrent;
  readonly after: ReviewAfter;
  /** The organization's routes (`http://127.0.0.1:<port>/v1/orgs/<org>`) and an admin's Authorization header, for a load generator. */
  readonly orgUrl: string;
  readonly authorization: string;
  /** GET on the API as an admin of the benchmark organization; the parsed JSON body. */
  get<T>(path: string): Promise<T>;
  /** The same GET, answering the time the server says it spent (`Server-Timing: app;dur=…`). */
  serverTime(path: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * The API as `npm start` runs it, on a fresh database. The projector daemon runs only while a
 * seeded workspace is being projected: alongside the seeding it would halve the seeding rate (two
 * cores), and idle during measurements it would only add noise.
 */
export async function startEnvironment(): Promise<Environment> {
  const database = await benchDatabase();
  const runtime = await openRuntime(loadConfig({}), {
    databaseUrl: database.url,
    identity: await LocalIdentityProvider.ephemeral(),
    logger: createLogger('bench', 'warn'),
  });
  const app: INestApplication = await createApiApp(runtime);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  const authorization = `Bearer ${await runtime.identity.mint({ userId: 'user_bench', organizationSlug: ORG_SLUG, role: 'admin' })}`;
  const pool = baselinePool(database.url);
  const get = async (path: string): Promise<{ body: unknown; serverMs: number }> => {
    // Node's fetch keeps connections alive, so this is one request on a warm connection.
    const response = await fetch(`http://127.0.0.1:${port}/v1/orgs/${ORG_SLUG}${path}`, { headers: { authorization } });
    const body = await response.json();
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body)}`);
    const serverMs = Number(/app;dur=([\d.]+)/.exec(response.headers.get('server-timing') ?? '')?.[1]);
    if (!Number.isFinite(serverMs)) throw new Error(`GET ${path}: no Server-Timing header`);
    return { body, serverMs };
  };
  return {
    runtime,
    pool,
    current: new ReviewCurrent(pool),
    after: new ReviewAfter(pool),
    orgUrl: `http://127.0.0.1:${port}/v1/orgs/${ORG_SLUG}`,
    authorization,
    get: async <T>(path: string) => (await get(path)).body as T,
    serverTime: async (path: string) => (await get(path)).serverMs,
    async close() {
      await pool.end();
      await app.close();
      await runtime.close();
      await database.drop();
    },
  };
}

/**
 * Seeds one workspace through the command path, waits until every projection applied it, then
 * copies its jobs into `bench_jobs`. VACUUM ANALYZE leaves both sides in the state autovacuum
 * would reach (statistics, visibility map), and keeps autovacuum from running during measurements.
 */
export async function seedWorkspace(
  env: Environment,
  jobs: number,
  index: number,
  log: (line: string) => void,
): Promise<{ workspace: SeededWorkspace; result: SeedingResult }> {
  const label = sizeLabel(jobs);
  const name = `jobs-${label}`;
  // Seeded "now" is the real now (to the minute): the endpoints use the real clock, so the last
  // 24 hours hold data; jobs that would end after it stay queued or running.
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  log(`# seeding workspace ${name}: ${jobs} jobs over 30 days, through the command path`);
  const seedStarted = Date.now();
  let nextReport = seedStarted + 60_000;
  const seeded = await seedJobs(env.runtime.store, {
    organizationId: ORG_ID,
    workspaceName: name,
    jobs,
    days: 30,
    seed: 1000 + index,
    now,
    concurrency: 16,
    onProgress: (done) => {
      if (Date.now() < nextReport) return;
      nextReport += 60_000;
      log(`  … ${done} jobs (${Math.round(done / ((Date.now() - seedStarted) / 1000))} jobs/s)`);
    },
  });
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  log(`  seeded ${seeded.jobs} jobs in ${fmt(seedSeconds, 1)} s (${Math.round(seeded.jobs / seedSeconds)} jobs/s)`);

  const catchUp = await projectUntil(env.runtime, seeded.position);
  const catchUpSeconds = catchUp.seconds;
  log(
    `  projector daemon caught up in ${fmt(catchUpSeconds, 1)} s: ${catchUp.events} job events, ${Math.round(catchUp.events / catchUpSeconds)} events/s with all ${PROJECTIONS.length} projections running side by side`,
  );

  const copyStarted = Date.now();
  const copied = await copyWorkspaceIntoBaseline(env.pool, seeded.workspaceId);
  await env.pool.query('VACUUM (ANALYZE)');
  const baselineCopySeconds = (Date.now() - copyStarted) / 1000;
  log(`  copied ${copied} rows into bench_jobs and vacuumed in ${fmt(baselineCopySeconds, 1)} s`);
  if (copied !== jobs) log(`  WARNING: ${copied} rows in jobs for ${jobs} seeded jobs`);

  return {
    workspace: { id: seeded.workspaceId, name, jobs, label },
    result: {
      jobs,
      workspace: name,
      seedSeconds,
      jobsPerSecond: seeded.jobs / seedSeconds,
      catchUpSeconds,
      catchUpEventsPerProjection: catchUp.events,
      baselineCopySeconds,
    },
  };
}

/** `count` workspaces of `jobs` jobs each, seeded together, projected once and copied into the baseline. */
async function seedSmallWorkspaces(env: Environment, count: number, jobs: number, log: (line: string) => void): Promise<SeededWorkspace[]> {
  log(`# seeding ${count} small workspaces of ${jobs} jobs each (the workspace list on an organization of many workspaces)`);
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const started = Date.now();
  const workspaces: SeededWorkspace[] = [];
  let position: string | null = null;
  for (let index = 0; index < count; index++) {
    const name = `small-${String(index + 1).padStart(3, '0')}`;
    const seeded = await seedJobs(env.runtime.store, {
      organizationId: ORG_ID,
      workspaceName: name,
      jobs,
      days: 30,
      seed: 5000 + index,
      now,
      concurrency: 16,
    });
    position = seeded.position ?? position;
    workspaces.push({ id: seeded.workspaceId, name, jobs, label: sizeLabel(jobs) });
  }
  const catchUp = await projectUntil(env.runtime, position);
  for (const workspace of workspaces) await copyWorkspaceIntoBaseline(env.pool, workspace.id);
  await env.pool.query('VACUUM (ANALYZE)');
  log(`  seeded, projected and copied in ${fmt((Date.now() - started) / 1000, 1)} s (catch-up ${fmt(catchUp.seconds, 1)} s)`);
  return workspaces;
}

/** Runs the projector daemon until every projection applied `position`; events applied by the jobs projection. */
async function projectUntil(runtime: Runtime, position: string | null): Promise<{ seconds: number; events: number }> {
  const before = await eventsProcessed(runtime, 'jobs');
  const started = Date.now();
  const daemon = new ProjectorDaemon({
    store: runtime.store,
    pool: runtime.projectorPool,
    connectionString: runtime.databaseUrl,
    logger: runtime.logger,
    // BENCH_SHARED_READER=0: one subscription per projection, to compare with the shared read.
    sharedReader: process.env.BENCH_SHARED_READER !== '0',
  });
  await daemon.start();
  try {
    const timeoutMs = 60 * 60_000;
    if (position) await Promise.all(PROJECTIONS.map((projection) => runtime.checkpoints.waitFor(projection.name, position, timeoutMs)));
  } finally {
    await daemon.stop();
  }
  return { seconds: (Date.now() - started) / 1000, events: (await eventsProcessed(runtime, 'jobs')) - before };
}

async function eventsProcessed(runtime: Runtime, projection: string): Promise<number> {
  const { rows } = await runtime.projectorPool.query<{ events: string }>(
    `SELECT c.events_processed AS events FROM projection_checkpoints c
       JOIN projection_generations g ON g.name = c.name AND g.active_generation = c.generation WHERE c.name = $1`,
    [projection],
  );
  return Number(rows[0]?.events ?? 0);
}

// ---------------------------------------------------------------------------------------------
// The queries

interface PerWorkspaceQuery<I> {
  readonly key: string;
  readonly title: string;
  /** Fixed inputs for one workspace's measurements (the comparison's ranges). */
  input(): I;
  /** Our endpoint for this workspace, under /v1/orgs/{org}. */
  oursPath(workspace: SeededWorkspace, input: I): string;
  current(workspace: SeededWorkspace, input: I): Promise<unknown>;
  after(workspace: SeededWorkspace, input: I): Promise<unknown>;
  /** Sanity: do ours and the review's approaches give the same answer? (warns, never fails) */
  check(workspace: SeededWorkspace, input: I, report: (ok: boolean, detail: string) => void): Promise<void>;
}

const ws = (workspace: SeededWorkspace) => `/workspaces/${workspace.name}`;

/**
 * Windows relative to "now" move while we compare, so a mismatch is retried a few times before
 * it is reported: a job can leave the window between two calls.
 */
async function agreeing(
  attempts: number,
  compare: () => Promise<{ ok: boolean; detail: string }>,
): Promise<{ ok: boolean; detail: string }> {
  let last = { ok: false, detail: '' };
  for (let i = 0; i < attempts && !last.ok; i++) last = await compare();
  return last;
}

function perWorkspaceQueries(env: Environment): Array<PerWorkspaceQuery<unknown>> {
  const statistics: PerWorkspaceQuery<null> = {
    key: 'statistics',
    title: 'statistics (24h)',
    input: () => null,
    oursPath: (w) => `${ws(w)}/jobs/statistics?hours=24`,
    current: (w) => env.current.statistics(w.id, 24),
    after: (w) => env.after.statistics(w.id, 24),
    async check(w, _input, report) {
      const { ok, detail } = await agreeing(3, async () => {
        const [ours, current, after] = await Promise.all([
          env.get<JobStatistics>(`${ws(w)}/jobs/statistics?hours=24`),
          env.current.statistics(w.id, 24),
          env.after.statistics(w.id, 24),
        ]);
        const ok = isDeepStrictEqual(ours, after) && isDeepStrictEqual(ours, current);
        return {
          ok,
          detail: ok
            ? `total ${ours.total}, identical`
            : `ours ${JSON.stringify(ours)}, after ${JSON.stringify(after)}, current ${JSON.stringify(current)}`,
        };
      });
      report(ok, detail);
    },
  };

  const percentiles: PerWorkspaceQuery<null> = {
    key: 'percentiles',
    title: 'percentiles (30d)',
    input: () => null,
    oursPath: (w) => `${ws(w)}/jobs/percentiles?range=30d`,
    current: (w) => env.current.percentiles(w.id, 720),
    after: (w) => env.after.percentiles(w.id, 720),
    async check(w, _input, report) {
      // Ours comes from log-scale histograms (≤ 1 % relative error), "current" is the exact nearest rank.
      const { ok, detail } = await agreeing(3, async () => {
        const [ours, exact] = await Promise.all([
          env.get<Percentiles>(`${ws(w)}/jobs/percentiles?range=30d`),
          env.current.percentiles(w.id, 720),
        ]);
        const errors = (['p50', 'p95', 'p99'] as const).map((p) => Math.abs(ours[p] - exact[p]) / exact[p]);
        const worst = Math.max(...errors);
        const ok = ours.sampleSize === exact.sampleSize && ours.max === exact.max && worst <= 0.01;
        return {
          ok,
          detail: `n ${ours.sampleSize}/${exact.sampleSize}, largest relative error vs exact nearest rank ${fmt(worst * 100, 3)} %`,
        };
      });
      report(ok, detail);
    },
  };

  const timeSeries = (range: '24h' | '7d'): PerWorkspaceQuery<null> => {
    const hours = range === '24h' ? 24 : 168;
    return {
      key: `timeSeries${range}`,
      title: `time series (${range})`,
      input: () => null,
      oursPath: (w) => `${ws(w)}/jobs/timeseries?range=${range}`,
      current: (w) => env.current.timeSeries(w.id, hours),
      after: (w) => env.after.timeSeries(w.id, hours),
      async check(w, _input, report) {
        const { ok, detail } = await agreeing(3, async () => {
          const [ours, after] = await Promise.all([
            env.get<TimeSeriesPoint[]>(`${ws(w)}/jobs/timeseries?range=${range}`),
            env.after.timeSeries(w.id, hours),
          ]);
          const ok = isDeepStrictEqual(ours, after);
          const differing = ours.filter((point, i) => !isDeepStrictEqual(point, after[i])).length;
          return {
            ok,
            detail: ok
              ? `${ours.length} points, ${ours.reduce((s, p) => s + p.jobCount, 0)} jobs, identical`
              : `${differing} of ${ours.length} points differ`,
          };
        });
        report(ok, detail);
      },
    };
  };

  const comparison: PerWorkspaceQuery<{ current: Range; previous: Range; query: string }> = {
    key: 'comparison',
    title: 'comparison (7d vs previous 7d)',
    input: () => {
      const now = Date.now();
      const current = { start: new Date(now - 168 * HOUR_MS), end: new Date(now) };
      const previous = { start: new Date(now - 336 * HOUR_MS), end: new Date(now - 168 * HOUR_MS) };
      const query = new URLSearchParams({
        currentStart: current.start.toISOString(),
        currentEnd: current.end.toISOString(),
        previousStart: previous.start.toISOString(),
        previousEnd: previous.end.toISOString(),
      });
      return { current, previous, query: query.toString() };
    },
    oursPath: (w, input) => `${ws(w)}/statistics/compare?${input.query}`,
    current: (w, input) => env.current.comparison(w.id, input.current, input.previous),
    after: (w, input) => env.after.comparison(w.id, input.current, input.previous),
    async check(w, input, report) {
      // Fixed ranges: all three must agree exactly.
      const [ours, current, after] = await Promise.all([
        env.get<Comparison>(`${ws(w)}/statistics/compare?${input.query}`),
        env.current.comparison(w.id, input.current, input.previous),
        env.after.comparison(w.id, input.current, input.previous),
      ]);
      const ok = isDeepStrictEqual(ours, after) && isDeepStrictEqual(ours, current);
      report(
        ok,
        ok
          ? `${ours.current.jobs.total} vs ${ours.previous.jobs.total} jobs, identical`
          : `ours ${JSON.stringify(ours.current.jobs)}/${JSON.stringify(ours.previous.jobs)}, after ${JSON.stringify(after.current.jobs)}/${JSON.stringify(after.previous.jobs)}`,
      );
    },
  };

  return [statistics, percentiles, timeSeries('24h'), timeSeries('7d'), comparison] as Array<PerWorkspaceQuery<unknown>>;
}

/** The workspace list of the organization as it is now (after each seeded workspace). */
async function measureList(
  env: Environment,
  seeded: readonly SeededWorkspace[],
  oursRuns: BoundedMeasureOptions,
  baselineRuns: BoundedMeasureOptions,
  check: (query: string, size: string, ok: boolean, detail: string) => void,
): Promise<QueryRow> {
  const totalJobs = seeded.reduce((sum, w) => sum + w.jobs, 0);
  const size = `${sizeLabel(totalJobs)} (${seeded.length} ws)`;
  const oursList = () => env.get<Array<{ id: string; lastActivity: string }>>('/workspaces');

  const [ours, after] = await Promise.all([oursList(), env.after.workspaceList(ORG_ID)]);
  const lastActivity = (list: ReadonlyArray<{ id: string; lastActivity: string }>) =>
    Object.fromEntries(list.map((w) => [w.id, w.lastActivity]));
  const ok = ours.length === seeded.length && isDeepStrictEqual(lastActivity(ours), lastActivity(after as WorkspaceLastActivity[]));
  check(
    'workspace list',
    size,
    ok,
    ok
      ? `${ours.length} workspaces, same last activity`
      : `ours ${JSON.stringify(lastActivity(ours))}, after ${JSON.stringify(lastActivity(after))}`,
  );

  const server: number[] = [];
  const http = sample(
    await measureBounded(
      () => env.serverTime('/workspaces'),
      oursRuns,
      (ms) => server.push(ms),
    ),
  );
  const row = queryRow(
    size,
    totalJobs,
    http,
    sample(server.sort((a, b) => a - b)),
    sample(await measureBounded(() => env.current.workspaceList(ORG_ID), baselineRuns)),
    sample(await measureBounded(() => env.after.workspaceList(ORG_ID), baselineRuns)),
    { 'after, ROW_NUMBER form (#3)': sample(await measureBounded(() => env.after.workspaceListRowNumber(ORG_ID), baselineRuns)) },
  );
  return row satisfies QueryRow;
}
