import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalIdentityProvider, createLogger, localOrganizationId } from '#integrations';
import { jobStatsProjection, jobsProjection } from '#read-models';
import { loadConfig } from '../apps/console/src/config.js';
import { openRuntime } from '../apps/console/src/runtime.js';
import { replayProjection } from '../apps/projector/src/cli/replay.js';
import { seedJobs } from '../apps/projector/src/cli/seed-jobs.js';
import { benchAnalytics } from './analytics.bench.js';
import { benchAppends } from './event-store.bench.js';
import { benchAuthentication } from './auth.bench.js';
import { benchDatabase, fmt } from './support.js';

/**
 * `npm run bench`: everything measured side by side in one run on this machine, written to
 * bench/results/<date>.json (and the analytics table in <date>.md). Sizes can be lowered for a quick
 * look: BENCH_REPLAY_JOBS, BENCH_SIZES (jobs per analytics workspace, e.g. "2000,20000"; "0" skips
 * the analytics section), BENCH_BUDGET_MS (time bound of one measurement).
 */
const benchStarted = Date.now();
const replayJobs = Number(process.env.BENCH_REPLAY_JOBS ?? 40_000);
const analyticsSizes = (process.env.BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number).filter((n) => n > 0);
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded' };
const log = (line: string) => process.stdout.write(`${line}\n`);

const database = await benchDatabase();
try {
  log('# event store appends (single-event appends to new streams)');
  const appends = [await benchAppends(database.url, 1, 3000), await benchAppends(database.url, 8, 1500)];
  for (const a of appends) log(`  ${a.writers} writer(s): ${Math.round(a.eventsPerSecond)} events/s, p50 ${fmt(a.p50Ms)} ms, p99 ${fmt(a.p99Ms)} ms`);
  log(`  8 writers / 1 writer: ${fmt(appends[1]!.eventsPerSecond / appends[0]!.eventsPerSecond)}×`);
  results.appends = appends;

  log(`# projector replay (jobs projection over ${replayJobs} seeded jobs)`);
  const runtime = await openRuntime(loadConfig({}), { databaseUrl: database.url, identity: await LocalIdentityProvider.ephemeral(), logger: createLogger('bench', 'warn') });
  const seedStarted = Date.now();
  const seeded = await seedJobs(runtime.store, { organizationId: localOrganizationId('bench'), workspaceName: 'replay', jobs: replayJobs, days: 30, seed: 1, now: new Date('2026-11-01T00:00:00Z'), concurrency: 16 });
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  log(`  seeded ${seeded.jobs} jobs through the command path in ${fmt(seedSeconds, 1)} s (${Math.round(seeded.jobs / seedSeconds)} jobs/s)`);
  // Each projection that reads job events, rebuilt on its own: `jobs` (a row per job) and
  // `job_stats` (hourly counters, histograms, latest jobs).
  const replays: Record<string, { events: number; seconds: number; eventsPerSecond: number }> = {};
  for (const definition of [jobsProjection, jobStatsProjection]) {
    const replay = await replayProjection({ store: runtime.store, pool: runtime.projectorPool, definition, logger: runtime.logger });
    replays[definition.name] = { events: replay.events, seconds: replay.seconds, eventsPerSecond: replay.events / replay.seconds };
    log(`  replayed ${definition.name}: ${replay.events} events in ${fmt(replay.seconds)} s: ${Math.round(replay.events / replay.seconds)} events/s`);
  }
  const replayRate = replays.jobs!.eventsPerSecond;
  results.replay = { jobs: seeded.jobs, events: replays.jobs!.events, seconds: replays.jobs!.seconds, eventsPerSecond: replayRate, seedSeconds, byProjection: replays };
  await runtime.close();
} finally {
  await database.drop();
}

// On its own database: three workspaces of growing size, the API and the projector daemon running.
let analyticsMarkdown: string | null = null;
if (analyticsSizes.length > 0) {
  log(`# dashboard analytics: ours vs the review's "current" and "after" at ${analyticsSizes.join(', ')} jobs per workspace`);
  const { markdown, ...analytics } = await benchAnalytics({ sizes: analyticsSizes, log, budgetMs: process.env.BENCH_BUDGET_MS ? Number(process.env.BENCH_BUDGET_MS) : undefined });
  results.analytics = analytics;
  analyticsMarkdown = markdown;
}

// Authentication overhead per request, on its own database (BENCH_AUTH_ITERATIONS=0 skips it).
const authIterations = Number(process.env.BENCH_AUTH_ITERATIONS ?? 2000);
if (authIterations > 0) {
  log('# authentication overhead per request (over the public floor)');
  const authDatabase = await benchDatabase();
  try {
    results.authentication = await benchAuthentication(authDatabase.url, { iterations: authIterations, log });
  } finally {
    await authDatabase.drop();
  }
}

results.seconds = (Date.now() - benchStarted) / 1000;
const dir = join(process.cwd(), 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().slice(0, 10)}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
log(`results written to ${file}`);
if (analyticsMarkdown) {
  const replay = results.replay as { eventsPerSecond: number; events: number } | undefined;
  const header = [`# Benchmark ${new Date().toISOString().slice(0, 10)} (node ${process.version}, ${results.database as string} PostgreSQL)`, ''];
  const byProjection = (results.replay as { byProjection?: Record<string, { eventsPerSecond: number; events: number }> } | undefined)?.byProjection ?? {};
  if (replay) header.push(`Projector replay: ${Object.entries(byProjection).map(([name, r]) => `${name} ${Math.round(r.eventsPerSecond)} events/s over ${r.events} events`).join('; ')}.`, '');
  writeFileSync(file.replace(/\.json$/, '.md'), `${header.join('\n')}\n${analyticsMarkdown}`);
  log(`summary table written to ${file.replace(/\.json$/, '.md')}`);
}
log(`bench finished in ${fmt(results.seconds as number, 0)} s`);
