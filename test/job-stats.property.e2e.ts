import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { JOB_STATUSES, jobDecider, jobStreamId, type JobCommand, type JobStatus } from '#domain';
import { START, handleCommand, type Position } from '#event-store';
import { LocalIdentityProvider, createLogger } from '#adapters';
import { loadConfig } from '#runtime';
import { openRuntime, type Runtime } from '#runtime';
import { replayProjection } from '../apps/projector/src/cli/replay.js';
import { ProjectionRunner } from '../apps/projector/src/projection-runner.js';
import { WorkspaceAnalytics, healthOf } from '../apps/api/src/analytics/workspace-analytics.service.js';
import { createTestDatabase, type TestDatabase } from '#testing';
import {
  JobQueries,
  JobStatsQueries,
  TIME_RANGES,
  jobStatsProjection,
  jobsProjection,
  sqlOnPool,
  type ProjectionDefinition,
  type TimeRange,
  type WindowTotals,
} from '#read-models';

/*
 * Random job histories, appended as commands in a random interleaving across jobs, projected, and
 * every analytics answer compared with a brute-force computation over the same history. The
 * brute force below deliberately shares no code with the read models: it scans the in-memory jobs.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Not on an hour boundary; runs also use its hour and its midnight as `now`. */
const NOW = Date.parse('2025-06-15T13:37:12.345Z');
const SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20250615;
const NUM_RUNS = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : 40;
const STATISTICS_HOURS = [1, 5, 24, 100];
const PERCENTILE_BOUND = 0.01;

const logger = createLogger('job-stats.property.spec', 'silent');
const floorHour = (t: number) => Math.floor(t / HOUR) * HOUR;
const floorDay = (t: number) => Math.floor(t / DAY) * DAY;
const iso = (t: number) => new Date(t).toISOString();

// The generated history

/** An instant relative to the run's `now`, so the interesting boundaries move with it. */
type Instant =
  | { readonly anchor: 'now'; readonly offset: number }
  | { readonly anchor: 'hour'; readonly hours: number; readonly delta: number }
  | { readonly anchor: 'window'; readonly hours: number; readonly delta: number }
  /** The first minute boundary after a window's start: where percentiles stop reading jobs one by one. */
  | { readonly anchor: 'windowMinute'; readonly hours: number; readonly delta: number }
  | { readonly anchor: 'day'; readonly days: number; readonly delta: number };

function resolve(instant: Instant, now: number): number {
  switch (instant.anchor) {
    case 'now':
      return now + instant.offset;
    case 'hour':
      return floorHour(now) + instant.hours * HOUR + instant.delta;
    case 'window':
      return now - instant.hours * HOUR + instant.delta;
    case 'windowMinute':
      return Math.ceil((now - instant.hours * HOUR) / MINUTE) * MINUTE + instant.delta;
    case 'day':
      return floorDay(now) + instant.days * DAY + instant.delta;
  }
}

const smallDelta = fc.oneof(fc.constant(0), fc.constantFrom(1, -1, 2, -2), fc.integer({ min: -HOUR + 1, max: HOUR - 1 }));
const instantArb: fc.Arbitrary<Instant> = fc.oneof(
  // Anywhere from a bit more than 7 days before now to a day after it.
  { weight: 4, arbitrary: fc.record({ anchor: fc.constant('now' as const), offset: fc.integer({ min: -8 * DAY - 12 * HOUR, max: DAY }) }) },
  // Exactly on an hour boundary, or within a millisecond of one.
  {
    weight: 3,
    arbitrary: fc.record({
      anchor: fc.constant('hour' as const),
      hours: fc.integer({ min: -200, max: 24 }),
      delta: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.constantFrom(1, -1), fc.integer({ min: 0, max: HOUR - 1 })),
    }),
  },
  // On or next to the start of a window the queries use (statistics, percentiles, time series).
  {
    weight: 2,
    arbitrary: fc.record({ anchor: fc.constant('window' as const), hours: fc.constantFrom(0, 1, 5, 23, 24, 100, 168), delta: smallDelta }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      anchor: fc.constant('windowMinute' as const),
      hours: fc.constantFrom(24, 168),
      delta: fc.constantFrom(0, 1, -1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ anchor: fc.constant('day' as const), days: fc.integer({ min: -8, max: 1 }), delta: smallDelta }) },
);

const durationArb = fc.oneof(
  fc.constant(0),
  fc.constant(1),
  fc.integer({ min: 2, max: 999 }),
  fc.integer({ min: 1_000, max: 600_000 }),
  fc.integer({ min: 600_000, max: 3 * DAY }),
);
const delayArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 * HOUR }));

type Outcome =
  | { readonly kind: 'queued' }
  | { readonly kind: 'running'; readonly startAfter: number; readonly progress: boolean }
  | { readonly kind: 'completed'; readonly startAfter: number; readonly duration: number; readonly progress: boolean }
  | { readonly kind: 'failed' | 'cancelled'; readonly from: 'queued' | 'running'; readonly startAfter: number; readonly after: number };

const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
  fc.constant({ kind: 'queued' as const }),
  fc.record({ kind: fc.constant('running' as const), startAfter: delayArb, progress: fc.boolean() }),
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('completed' as const), startAfter: delayArb, duration: durationArb, progress: fc.boolean() }),
  },
  fc.record({
    kind: fc.constantFrom('failed' as const, 'cancelled' as const),
    from: fc.constantFrom('queued' as const, 'running' as const),
    startAfter: delayArb,
    after: delayArb,
  }),
);

interface JobSpec {
  readonly workspace: number;
  readonly repository: number | null;
  readonly created: Instant;
  readonly outcome: Outcome;
  /** Random keys, one per command; sorted per job, they place its commands in the interleaving. */
  readonly keys: readonly number[];
  /** Sends this job's first command a second time (same command id) at the end: nothing may double. */
  readonly resend: boolean;
}

const jobArb: fc.Arbitrary<JobSpec> = fc.record({
  workspace: fc.nat({ max: 2 }),
  repository: fc.option(fc.nat({ max: 2 }), { freq: 3 }),
  created: instantArb,
  outcome: outcomeArb,
  keys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
  resend: fc.boolean(),
});

type Range =
  | { readonly from: Instant; readonly to: Instant }
  | { readonly from: Instant; readonly length: number }
  /** Around the creation of one of the run's jobs (index modulo their number), so edges hold jobs. */
  | { readonly job: number; readonly before: number; readonly after: number };
const marginArb = fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: HOUR }), fc.integer({ min: 0, max: 2 * DAY }));
const rangeArb: fc.Arbitrary<Range> = fc.oneof(
  // Independent ends: about half of these are reversed, hence empty.
  fc.record({ from: instantArb, to: instantArb }),
  {
    weight: 3,
    arbitrary: fc.record({
      from: instantArb,
      length: fc.oneof(
        fc.constant(0),
        fc.constant(1),
        fc.integer({ min: 2, max: HOUR - 1 }),
        fc.integer({ min: 1, max: 48 }).map((h) => h * HOUR),
        fc.integer({ min: 0, max: 9 * DAY }),
      ),
    }),
  },
  { weight: 3, arbitrary: fc.record({ job: fc.nat(), before: marginArb, after: marginArb }) },
);

interface History {
  readonly workspaces: number;
  readonly now: Instant;
  readonly jobs: readonly JobSpec[];
  /** Ids are a random permutation of 0..n−1, so the id order is unrelated to the creation order. */
  readonly idOrder: readonly number[];
  readonly maxBatchSize: number;
  /** Catch the projections up after this fraction of the commands as well (batches that split a job's life). */
  readonly midCatchUp: number | null;
  readonly ranges: readonly Range[];
  readonly hours: number;
  readonly limit: number;
}

const historyArb = (minJobs = 0): fc.Arbitrary<History> =>
  fc
    .record({
      workspaces: fc.integer({ min: 1, max: 3 }),
      now: fc.oneof(
        fc.constant<Instant>({ anchor: 'now', offset: 0 }),
        fc.constant<Instant>({ anchor: 'hour', hours: 0, delta: 0 }),
        fc.constant<Instant>({ anchor: 'day', days: 0, delta: 0 }),
        fc.integer({ min: -HOUR, max: HOUR }).map((offset): Instant => ({ anchor: 'now', offset })),
      ),
      jobs: fc.array(jobArb, { minLength: minJobs, maxLength: 60, size: 'max' }),
      maxBatchSize: fc.constantFrom(3, 40, 500),
      midCatchUp: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 2 }),
      ranges: fc.array(rangeArb, { minLength: 4, maxLength: 8 }),
      hours: fc.integer({ min: 1, max: 250 }),
      limit: fc.integer({ min: 1, max: 50 }),
      shuffle: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 60, maxLength: 60 }),
    })
    .map(({ shuffle, ...history }) => {
      const idOrder = history.jobs.map((_, i) => i).sort((a, b) => shuffle[a]! - shuffle[b]! || a - b);
      return { ...history, idOrder };
    });

// The truth: each job's final status, creation time and duration, as plain data

interface TruthJob {
  readonly id: string;
  readonly workspaceId: string;
  readonly repositoryId: string | null;
  readonly created: number;
  readonly status: JobStatus;
  /** Completed jobs only. */
  readonly duration: number | null;
}

interface Step {
  readonly jobId: string;
  readonly key: number;
  readonly commandId: string;
  readonly command: JobCommand;
}

interface Materialized {
  readonly now: number;
  readonly workspaceIds: readonly string[];
  readonly repositoryIds: readonly string[];
  readonly jobs: readonly TruthJob[];
  readonly steps: readonly Step[];
}

let runCounter = 0;
/** What the runs generated, printed at the end so a reader can judge the coverage. */
const generated = { jobs: 0, commands: 0, outcomes: {} as Record<string, number>, windows: 0, nonEmptyWindows: 0 };

function materialize(history: History): Materialized {
  const run = `${++runCounter}${randomUUID().slice(0, 8)}`;
  const now = resolve(history.now, NOW);
  const workspaceIds = Array.from({ length: history.workspaces }, () => randomUUID());
  const repositoryIds = Array.from({ length: 3 }, (_, i) => `repo-${run}-${i}`);
  const jobs: TruthJob[] = [];
  const steps: Step[] = [];
  history.jobs.forEach((spec, index) => {
    // Same prefix and width inside a run: ids compare the same in JavaScript and in any collation.
    const id = `${run}-${String(history.idOrder[index]).padStart(3, '0')}`;
    const workspaceId = workspaceIds[spec.workspace % history.workspaces]!;
    const repositoryId = spec.repository === null ? null : repositoryIds[spec.repository]!;
    const created = resolve(spec.created, now);
    const outcome = spec.outcome;
    const commands: JobCommand[] = [
      {
        type: 'QueueJob',
        data: {
          jobId: id,
          organizationId: 'org-1',
          workspaceId,
          repositoryId,
          name: `job ${id}`,
          trigger: 'manual',
          triggeredBy: null,
          input: {},
          at: iso(created),
        },
      },
    ];
    let status: JobStatus = 'queued';
    let duration: number | null = null;
    const started = outcome.kind === 'queued' ? created : created + outcome.startAfter;
    const start = () => commands.push({ type: 'StartJob', data: { at: iso(started) } });
    const progress = () => commands.push({ type: 'ReportJobProgress', data: { at: iso(started), processed: 1, total: 2, message: null } });
    switch (outcome.kind) {
      case 'queued':
        break;
      case 'running':
        start();
        if (outcome.progress) progress();
        status = 'running';
        break;
      case 'completed':
        start();
        if (outcome.progress) progress();
        commands.push({ type: 'CompleteJob', data: { at: iso(started + outcome.duration), output: {} } });
        status = 'completed';
        duration = outcome.duration;
        break;
      case 'failed':
      case 'cancelled': {
        if (outcome.from === 'running') start();
        const at = iso((outcome.from === 'running' ? started : created) + outcome.after);
        commands.push(
          outcome.kind === 'failed'
            ? { type: 'FailJob', data: { at, error: { message: 'boom', code: null } } }
            : { type: 'CancelJob', data: { at, reason: null } },
        );
        status = outcome.kind;
        break;
      }
    }
    const keys = [...spec.keys].sort((a, b) => a - b);
    commands.forEach((command, k) => steps.push({ jobId: id, key: keys[k]!, commandId: `${id}-c${k}`, command }));
    // A redelivered command is recognised by its id and appends nothing.
    if (spec.resend) steps.push({ jobId: id, key: 2, commandId: `${id}-c0`, command: commands[0]! });
    jobs.push({ id, workspaceId, repositoryId, created, status, duration });
    const outcomeName = outcome.kind === 'failed' || outcome.kind === 'cancelled' ? `${outcome.kind} from ${outcome.from}` : outcome.kind;
    generated.outcomes[outcomeName] = (generated.outcomes[outcomeName] ?? 0) + 1;
    generated.jobs++;
    generated.commands += commands.length;
  });
  steps.sort((a, b) => a.key - b.key || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0) || (a.commandId < b.commandId ? -1 : 1));
  return { now, workspaceIds, repositoryIds, jobs, steps };
}

const emptyByStatus = () => Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;

function bruteTotals(jobs: readonly TruthJob[]): WindowTotals {
  const byStatus = emptyByStatus();
  let durationSumMs = 0;
  let durationCount = 0;
  for (const job of jobs) {
    byStatus[job.status]++;
    if (job.status === 'completed') {
      durationSumMs += job.duration!;
      durationCount++;
    }
  }
  return { total: jobs.length, byStatus, durationSumMs, durationCount };
}

const tenth = (x: number) => Math.round(x * 10) / 10;

function bruteStatistics(jobs: readonly TruthJob[]) {
  const t = bruteTotals(jobs);
  const finished = t.byStatus.completed + t.byStatus.failed + t.byStatus.cancelled;
  return {
    total: t.total,
    byStatus: t.byStatus,
    avgDurationMs: t.durationCount === 0 ? 0 : Math.round(t.durationSumMs / t.durationCount),
    successRate: finished === 0 ? 100 : tenth((t.byStatus.completed / finished) * 100),
  };
}

/** The original's comparison rule: % change, 100 or 0 from a zero base; successRate as a difference. */
function bruteChange(current: number, previous: number): number {
  if (previous === 0) return current > 0 ? 100 : 0;
  return tenth(((current - previous) / previous) * 100);
}

/** Nearest rank as the original: sorted ascending, index ⌈p/100 · n⌉ − 1. */
function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

const newestFirst = (a: TruthJob, b: TruthJob) => b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

function hourLabel(t: number): string {
  const h = new Date(t).getUTCHours();
  return `${h % 12 === 0 ? 12 : h % 12} ${h < 12 ? 'AM' : 'PM'}`;
}

// The system: runtime, appends, projections, queries

let database: TestDatabase;
let runtime: Runtime;
let queries: JobStatsQueries;
let analytics: WorkspaceAnalytics;
let lastAppended: Position = START;
let largestPercentileError = 0;
let largestErrorAt = '';
let percentileChecks = 0;
const started = Date.now();

beforeAll(async () => {
  database = await createTestDatabase();
  runtime = await openRuntime(loadConfig({}), { databaseUrl: database.url, identity: await LocalIdentityProvider.ephemeral(), logger });
  queries = new JobStatsQueries((text, params) => runtime.projectorPool.query(text, params as unknown[]).then((r) => r.rows));
  // The service reads through TypeORM, as in the app: a second, independent path to the same rows.
  analytics = new WorkspaceAnalytics(runtime.dataSource);
});

afterAll(async () => {
  await runtime?.close();
  await database?.drop();
  process.stdout.write(
    `job-stats property: seed ${SEED}, ${NUM_RUNS} runs, ${percentileChecks} percentile values checked, ` +
      `largest relative percentile error ${largestPercentileError} (${(largestPercentileError * 100).toFixed(6)} %; ${largestErrorAt}) (bound ${PERCENTILE_BOUND * 100} %), ` +
      `${generated.jobs} jobs ${JSON.stringify(generated.outcomes)}, ${generated.commands} commands, ` +
      `${generated.nonEmptyWindows} of ${generated.windows} windowTotals ranges non-empty, ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
});

async function append(steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    const result = await handleCommand(runtime.store, jobStreamId(step.jobId), jobDecider, step.command, { commandId: step.commandId });
    if (result.position && runtime.store.comparePositions(result.position, lastAppended) > 0) lastAppended = result.position;
  }
}

/**
 * Runs the projection until its checkpoint reaches the last appended event. A run can report caught
 * up early while a transaction elsewhere holds the store's visible horizon back, hence the loop.
 */
async function catchUp(definition: ProjectionDefinition, maxBatchSize: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let reached: Position = START;
  for (;;) {
    const runner = new ProjectionRunner({
      store: runtime.store,
      pool: runtime.projectorPool,
      definition,
      logger,
      mode: 'live',
      stopWhenCaughtUp: true,
      maxBatchSize,
      onBatch: ({ position }) => (reached = position),
    });
    try {
      await runner.start().done;
    } finally {
      await runner.stop();
    }
    if (runtime.store.comparePositions(reached, lastAppended) >= 0) return;
    if (Date.now() > deadline) throw new Error(`${definition.name} stuck at ${reached}, short of ${lastAppended}`);
  }
}

const catchUpAll = (maxBatchSize: number) =>
  Promise.all([catchUp(jobsProjection, maxBatchSize), catchUp(jobStatsProjection, maxBatchSize)]);

async function project(history: History, world: Materialized): Promise<void> {
  const cut = history.midCatchUp === null ? 0 : Math.floor(history.midCatchUp * world.steps.length);
  await append(world.steps.slice(0, cut));
  if (cut > 0) await catchUpAll(history.maxBatchSize);
  await append(world.steps.slice(cut));
  await catchUpAll(history.maxBatchSize);
}

/** Expected and actual side by side under a label, so a failure says which answer diverged. */
function same(label: string, actual: unknown, expected: unknown): void {
  expect({ [label]: actual }).toEqual({ [label]: expected });
}

/** Everything the queries answer for a run, in a comparable form. */
async function answers(history: History, world: Materialized) {
  const { now } = world;
  const out: Record<string, unknown> = {};
  const ranges = history.ranges.map((range) => {
    if ('job' in range) {
      const at = world.jobs.length === 0 ? now : world.jobs[range.job % world.jobs.length]!.created;
      return { from: at - range.before, to: at + range.after };
    }
    const from = resolve(range.from, now);
    return { from, to: 'to' in range ? resolve(range.to, now) : from + range.length };
  });
  for (const ws of world.workspaceIds) {
    for (const hours of [...STATISTICS_HOURS, history.hours])
      out[`${ws} statistics ${hours}h`] = await queries.statistics(ws, hours, new Date(now));
    for (const [i, { from, to }] of ranges.entries())
      out[`${ws} windowTotals #${i} ${iso(from)}..${iso(to)}`] = await queries.windowTotals(ws, new Date(from), new Date(to));
    for (const range of Object.keys(TIME_RANGES) as TimeRange[])
      out[`${ws} percentiles ${range}`] = await queries.percentiles(ws, range, new Date(now));
    out[`${ws} timeSeries 24h`] = await queries.timeSeries(ws, '24h', new Date(now));
    out[`${ws} recent ${history.limit}`] = (await new JobQueries(sqlOnPool(runtime.projectorPool)).recent(ws, history.limit, null)).map(
      (job) => job.id,
    );
    for (let i = 0; i + 1 < ranges.length; i += 2) {
      const [a, b] = [ranges[i]!, ranges[i + 1]!].map(({ from, to }) => ({
        start: new Date(Math.min(from, to)),
        end: new Date(Math.max(from, to)),
      }));
      out[`${ws} comparison #${i}`] = await analytics.comparison(ws, a!, b!);
    }
    out[`${ws} systemHealth`] = await analytics.systemHealth(ws, new Date(now));
    const stats = await analytics.statistics(ws, new Date(now));
    out[`${ws} workspace statistics`] = { ...stats, jobs: { ...stats.jobs, recent: stats.jobs.recent.map((job) => job.id) } };
  }
  out.lastActivity = Object.fromEntries([...(await queries.lastActivity(world.workspaceIds))].map(([ws, at]) => [ws, at.toISOString()]));
  const { rows } = await runtime.projectorPool.query<{ scope: string; scope_id: string; job_id: string; created_at: Date }>(
    `SELECT scope, scope_id, job_id, created_at FROM latest_jobs WHERE workspace_id = ANY($1) ORDER BY scope, scope_id`,
    [world.workspaceIds],
  );
  out.latestJobs = rows.map((row) => ({ ...row, created_at: row.created_at.toISOString() }));
  return { out, ranges };
}

function verify(
  history: History,
  world: Materialized,
  out: Record<string, unknown>,
  ranges: ReadonlyArray<{ from: number; to: number }>,
): void {
  const { now } = world;
  for (const ws of world.workspaceIds) {
    const jobs = world.jobs.filter((job) => job.workspaceId === ws);

    for (const hours of [...STATISTICS_HOURS, history.hours]) {
      same(
        `${ws} statistics ${hours}h`,
        out[`${ws} statistics ${hours}h`],
        bruteStatistics(jobs.filter((job) => job.created >= now - hours * HOUR)),
      );
    }

    for (const [i, { from, to }] of ranges.entries()) {
      const label = `${ws} windowTotals #${i} ${iso(from)}..${iso(to)}`;
      const expected = bruteTotals(jobs.filter((job) => job.created >= from && job.created <= to));
      generated.windows++;
      if (expected.total > 0) generated.nonEmptyWindows++;
      same(label, out[label], expected);
    }

    for (const range of Object.keys(TIME_RANGES) as TimeRange[]) {
      const label = `${ws} percentiles ${range}`;
      const actual = out[label] as { hasData: boolean; p50: number; p95: number; p99: number; max: number; sampleSize: number };
      const sample = jobs
        .filter((job) => job.status === 'completed' && job.duration! > 0 && job.created >= now - TIME_RANGES[range] * HOUR)
        .map((job) => job.duration!)
        .sort((a, b) => a - b);
      if (sample.length === 0) {
        same(label, actual, { hasData: false, p50: 0, p95: 0, p99: 0, max: 0, sampleSize: 0 });
        continue;
      }
      same(
        label,
        { hasData: actual.hasData, sampleSize: actual.sampleSize, max: actual.max },
        { hasData: true, sampleSize: sample.length, max: sample.at(-1) },
      );
      for (const p of [50, 95, 99] as const) {
        const exact = nearestRank(sample, p);
        const estimate = actual[`p${p}`];
        const error = Math.abs(estimate - exact) / exact;
        if (error > largestPercentileError) {
          largestPercentileError = error;
          largestErrorAt = `p${p} of ${sample.length}, exact ${exact} ms, answered ${estimate}`;
        }
        percentileChecks++;
        // 1e-12: floating-point slack at a bucket's edge, where the bound is reached exactly.
        same(`${label} p${p} within ${PERCENTILE_BOUND * 100} % of ${exact}`, error <= PERCENTILE_BOUND + 1e-12 ? 'ok' : estimate, 'ok');
      }
    }

    const last = floorHour(now);
    const series = Array.from({ length: 24 }, (_, i) => {
      const hour = last - (23 - i) * HOUR;
      const inHour = jobs.filter((job) => floorHour(job.created) === hour);
      const completed = inHour.filter((job) => job.status === 'completed');
      return {
        timestamp: iso(hour).slice(0, 13),
        hour: hourLabel(hour),
        jobCount: inHour.length,
        avgDuration: completed.length === 0 ? 0 : Math.round(completed.reduce((sum, job) => sum + job.duration!, 0) / completed.length),
        successRate: inHour.length === 0 ? 100 : tenth((completed.length / inHour.length) * 100),
      };
    });
    same(`${ws} timeSeries 24h`, out[`${ws} timeSeries 24h`], series);

    const byRecency = [...jobs].sort(newestFirst);
    same(
      `${ws} recent ${history.limit}`,
      out[`${ws} recent ${history.limit}`],
      byRecency.slice(0, history.limit).map((job) => job.id),
    );

    for (let i = 0; i + 1 < ranges.length; i += 2) {
      const [a, b] = [ranges[i]!, ranges[i + 1]!].map(({ from, to }) => {
        const s = bruteStatistics(jobs.filter((job) => job.created >= Math.min(from, to) && job.created <= Math.max(from, to)));
        return {
          jobs: {
            total: s.total,
            completed: s.byStatus.completed,
            failed: s.byStatus.failed,
            successRate: s.successRate,
            avgDurationMs: s.avgDurationMs,
          },
          documents: { total: 0, chunks: 0 },
        };
      });
      same(`${ws} comparison #${i}`, out[`${ws} comparison #${i}`], {
        current: a,
        previous: b,
        changes: {
          jobs: {
            total: bruteChange(a!.jobs.total, b!.jobs.total),
            completed: bruteChange(a!.jobs.completed, b!.jobs.completed),
            failed: bruteChange(a!.jobs.failed, b!.jobs.failed),
            successRate: tenth(a!.jobs.successRate - b!.jobs.successRate),
            avgDurationMs: bruteChange(a!.jobs.avgDurationMs, b!.jobs.avgDurationMs),
          },
          documents: { total: 0, chunks: 0 },
        },
      });
    }

    const day = jobs.filter((job) => job.created >= now - 24 * HOUR);
    const dayStats = bruteStatistics(day);
    const health = dayStats.successRate >= 95 ? 'healthy' : dayStats.successRate >= 80 ? 'degraded' : 'down';
    expect(healthOf(dayStats.successRate)).toBe(health);
    same(`${ws} systemHealth`, out[`${ws} systemHealth`], {
      workspaceHealth: health,
      successRate: dayStats.successRate,
      storesCount: 0,
      sourcesCount: 0,
      totalJobs24h: dayStats.total,
      stores: [],
    });
    same(`${ws} workspace statistics`, out[`${ws} workspace statistics`], {
      sources: { total: 0, byType: {}, list: [] },
      stores: { total: 0, list: [] },
      documents: { total: 0, chunks: 0 },
      jobs: {
        total: dayStats.total,
        completed: dayStats.byStatus.completed,
        failed: dayStats.byStatus.failed,
        successRate: dayStats.successRate,
        avgDurationMs: dayStats.avgDurationMs,
        recent: [...day]
          .sort(newestFirst)
          .slice(0, 5)
          .map((job) => job.id),
      },
    });
  }

  const newest = (jobs: readonly TruthJob[]) => [...jobs].sort(newestFirst)[0];
  const lastActivity: Record<string, string> = {};
  const latest: Array<{ scope: string; scope_id: string; job_id: string; created_at: string }> = [];
  for (const ws of world.workspaceIds) {
    const job = newest(world.jobs.filter((j) => j.workspaceId === ws));
    if (!job) continue;
    lastActivity[ws] = iso(job.created);
    latest.push({ scope: 'workspace', scope_id: ws, job_id: job.id, created_at: iso(job.created) });
  }
  for (const repo of world.repositoryIds) {
    const job = newest(world.jobs.filter((j) => j.repositoryId === repo));
    if (job) latest.push({ scope: 'repository', scope_id: repo, job_id: job.id, created_at: iso(job.created) });
  }
  same('lastActivity', out.lastActivity, lastActivity);
  const order = (a: { scope: string; scope_id: string }, b: { scope: string; scope_id: string }) =>
    a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : a.scope_id < b.scope_id ? -1 : a.scope_id > b.scope_id ? 1 : 0;
  same('latest_jobs', out.latestJobs, latest.sort(order));
}

/** The job_stats rows of a run's workspaces, for comparing a replayed generation with the live one. */
async function statsRows(workspaceIds: readonly string[]) {
  const rows = async (sql: string) => (await runtime.projectorPool.query(sql, [workspaceIds])).rows;
  return {
    hourly: await rows(`SELECT * FROM job_hourly_stats WHERE workspace_id = ANY($1) ORDER BY workspace_id, hour`),
    sketches: await rows(`SELECT * FROM job_duration_sketches WHERE workspace_id = ANY($1) ORDER BY workspace_id, span_minutes, start`),
    latest: await rows(`SELECT * FROM latest_jobs WHERE workspace_id = ANY($1) ORDER BY scope, scope_id`),
  };
}

describe('job analytics over random histories', () => {
  it('match a brute-force computation over the same history', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb(), async (history) => {
        const world = materialize(history);
        await project(history, world);
        const { out, ranges } = await answers(history, world);
        verify(history, world, out, ranges);
      }),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: process.env.FC_NO_SHRINK === '1' },
    );
  });

  it('are identical after job_stats and jobs are replayed from the log', async () => {
    const [sampled] = fc.sample(historyArb(40), { seed: SEED + 1, numRuns: 1 });
    const history = { ...sampled!, workspaces: 3, midCatchUp: 0.5 };
    const world = materialize(history);
    await project(history, world);
    const before = await answers(history, world);
    verify(history, world, before.out, before.ranges);
    const rowsBefore = await statsRows(world.workspaceIds);

    for (const definition of [jobStatsProjection, jobsProjection]) {
      const result = await replayProjection({
        store: runtime.store,
        pool: runtime.projectorPool,
        definition,
        logger,
        releaseTimeoutMs: 5_000,
      });
      expect(result.to).toBe(result.from + 1);
      expect(result.events).toBeGreaterThan(0);
    }

    const after = await answers(history, world);
    expect(after.out).toEqual(before.out);
    expect(await statsRows(world.workspaceIds)).toEqual(rowsBefore);
    // The replayed generations are the active ones now: later events land there too.
    const more = materialize({ ...history, midCatchUp: null });
    await project(history, more);
    const extra = await answers(history, more);
    verify(history, more, extra.out, extra.ranges);
  });
});
