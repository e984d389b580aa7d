import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalIdentityProvider, createLogger, localOrganizationId } from '#adapters';
import { jobStatsProjection, jobsProjection } from '#read-models';
import { loadConfig } from '#runtime';
import { openRuntime } from '#runtime';
import { replayProjection } from '../apps/projector/src/cli/replay.js';
import { seedJobs } from '../apps/projector/src/cli/seed-jobs.js';
import { benchAnalytics } from './analytics.bench.js';
import { benchAppends } from './event-store.bench.js';
import { benchAuthentication } from './auth.bench.js';
import { benchGlobs } from './globs.bench.js';
import { benchIngestion, formatIngestionMarkdown } from './ingestion.bench.js';
import { benchSearch } from './search.bench.js';
import { benchSummary, wrongAnswers, type BenchResults } from './summary.js';
import { benchDatabase, fmt } from './support.js';
import { benchThroughput } from './throughput.bench.js';

/**
 * `npm run bench`: everything measured side by side in one run on this machine, written to
 * bench/results/<date>.json (and the analytics table in <date>.md). Sizes can be lowered for a quick
 * look: BENCH_REPLAY_JOBS, BENCH_SIZES (jobs per analytics workspace, e.g. "2000,20000"; "0" skips
 * the analytics section), BENCH_BUDGET_MS (time bound of one measurement), BENCH_SMALL_WORKSPACES
 * and BENCH_SMALL_WORKSPACE_JOBS (100 workspaces of 200 jobs added last: the workspace list on an
 * organization of many workspaces; 0 skips), BENCH_SHARED_READER=0 (the daemon's catch-up with one
 * subscription per projection instead of one shared read, for comparison).
 *
 * BENCH_SECTIONS picks sections (comma-separated, default all): appends, replay, analytics,
 * authentication, ingestion, search, globs. With a subset, the day's JSON keeps the other sections'
 * earlier results. Ingestion: BENCH_INGESTION_FILES (100000), BENCH_INGESTION_TRUNCATED_FILES
 * (120000; 0 skips the truncated tree), BENCH_INGESTION_TRUNCATED_FULL=1 (also ingest it end to
 * end), BENCH_INGESTION_TIMEOUT_MS (600000 per ingestion). Search: BENCH_SEARCH_DOCUMENTS (10000),
 * BENCH_SEARCH_QUERIES (200), BENCH_SEARCH_SEMANTIC (1: also `semantic: true` against a fake Cohere). Globs (the worst accepted lightfast.yml include config against a tree
 * of hostile paths): BENCH_GLOBS_PATHS (100000), BENCH_GLOBS_MAX_MEASURE_MS (60000: past it, projected from a sample).
 * Throughput (autocannon, 16 connections): BENCH_THROUGHPUT_JOBS (50000), BENCH_THROUGHPUT_SECONDS (10).
 *
 * `npm run bench -- --quick`: every section at small sizes (a few minutes; CI runs it), written to
 * bench/results/<date>.quick.json. Either way the last line is `BENCH_SUMMARY {…}` (see summary.ts),
 * and the exit code is 1 when an answer was wrong (never because of a timing).
 */
const quick = process.argv.includes('--quick');
/** A setting from the environment, else the quick or the full default. */
const setting = (name: string, full: number, small: number) => Number(process.env[name] ?? (quick ? small : full));
const benchStarted = Date.now();
const ALL_SECTIONS = ['appends', 'replay', 'analytics', 'throughput', 'authentication', 'ingestion', 'search', 'globs'];
const sections = new Set(
  process.env.BENCH_SECTIONS
    ? process.env.BENCH_SECTIONS.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : ALL_SECTIONS,
);
const unknownSections = [...sections].filter((s) => !ALL_SECTIONS.includes(s));
if (unknownSections.length > 0)
  throw new Error(`BENCH_SECTIONS: unknown ${unknownSections.join(', ')} (known: ${ALL_SECTIONS.join(', ')})`);
const replayJobs = setting('BENCH_REPLAY_JOBS', 40_000, 8_000);
const analyticsSizes = (process.env.BENCH_SIZES ?? (quick ? '2000,20000' : '10000,100000,1000000'))
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  quick,
  node: process.version,
  database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded',
};
const log = (line: string) => process.stdout.write(`${line}\n`);

const database = sections.has('appends') || sections.has('replay') ? await benchDatabase() : null;
if (database) {
  try {
    if (sections.has('appends')) {
      log('# event store appends (single-event appends to new streams)');
      const appendsPerWriter = setting('BENCH_APPENDS', 1500, 500);
      const appends = [await benchAppends(database.url, 1, appendsPerWriter * 2), await benchAppends(database.url, 8, appendsPerWriter)];
      for (const a of appends)
        log(`  ${a.writers} writer(s): ${Math.round(a.eventsPerSecond)} events/s, p50 ${fmt(a.p50Ms)} ms, p99 ${fmt(a.p99Ms)} ms`);
      log(`  8 writers / 1 writer: ${fmt(appends[1]!.eventsPerSecond / appends[0]!.eventsPerSecond)}×`);
      results.appends = appends;
    }
    if (sections.has('replay')) {
      log(`# projector replay (jobs projection over ${replayJobs} seeded jobs)`);
      const runtime = await openRuntime(loadConfig({}), {
        databaseUrl: database.url,
        identity: await LocalIdentityProvider.ephemeral(),
        logger: createLogger('bench', 'warn'),
      });
      const seedStarted = Date.now();
      const seeded = await seedJobs(runtime.store, {
        organizationId: localOrganizationId('bench'),
        workspaceName: 'replay',
        jobs: replayJobs,
        days: 30,
        seed: 1,
        now: new Date('2026-11-01T00:00:00Z'),
        concurrency: 16,
      });
      const seedSeconds = (Date.now() - seedStarted) / 1000;
      log(
        `  seeded ${seeded.jobs} jobs through the command path in ${fmt(seedSeconds, 1)} s (${Math.round(seeded.jobs / seedSeconds)} jobs/s)`,
      );
      // Each projection that reads job events, rebuilt on its own: `jobs` (a row per job) and
      // `job_stats` (hourly counters, histograms, latest jobs).
      const replays: Record<string, { events: number; seconds: number; eventsPerSecond: number }> = {};
      for (const definition of [jobsProjection, jobStatsProjection]) {
        const replay = await replayProjection({ store: runtime.store, pool: runtime.projectorPool, definition, logger: runtime.logger });
        replays[definition.name] = { events: replay.events, seconds: replay.seconds, eventsPerSecond: replay.events / replay.seconds };
        log(
          `  replayed ${definition.name}: ${replay.events} events in ${fmt(replay.seconds)} s: ${Math.round(replay.events / replay.seconds)} events/s`,
        );
      }
      const replayRate = replays.jobs!.eventsPerSecond;
      results.replay = {
        jobs: seeded.jobs,
        events: replays.jobs!.events,
        seconds: replays.jobs!.seconds,
        eventsPerSecond: replayRate,
        seedSeconds,
        byProjection: replays,
      };
      await runtime.close();
    }
  } finally {
    await database.drop();
  }
}

// On its own database: three workspaces of growing size, the API and the projector daemon running.
let analyticsMarkdown: string | null = null;
if (analyticsSizes.length > 0 && sections.has('analytics')) {
  log(`# dashboard analytics: ours vs the review's "current" and "after" at ${analyticsSizes.join(', ')} jobs per workspace`);
  const { markdown, ...analytics } = await benchAnalytics({
    sizes: analyticsSizes,
    smallWorkspaces: setting('BENCH_SMALL_WORKSPACES', 100, 10),
    smallWorkspaceJobs: setting('BENCH_SMALL_WORKSPACE_JOBS', 200, 50),
    log,
    budgetMs: process.env.BENCH_BUDGET_MS ? Number(process.env.BENCH_BUDGET_MS) : quick ? 2_000 : undefined,
  });
  results.analytics = analytics;
  analyticsMarkdown = markdown;
}

if (sections.has('throughput')) {
  const jobs = setting('BENCH_THROUGHPUT_JOBS', 50_000, 5_000);
  const seconds = setting('BENCH_THROUGHPUT_SECONDS', 10, 3);
  log(`# sustained dashboard throughput: autocannon, 16 connections, ${seconds} s per endpoint, one workspace of ${jobs} jobs`);
  results.throughput = await benchThroughput({ jobs, seconds, log });
}

// Authentication overhead per request, on its own database (BENCH_AUTH_ITERATIONS=0 skips it).
const authIterations = setting('BENCH_AUTH_ITERATIONS', 2000, 300);
if (authIterations > 0 && sections.has('authentication')) {
  log('# authentication overhead per request (over the public floor)');
  const authDatabase = await benchDatabase();
  try {
    results.authentication = await benchAuthentication(authDatabase.url, { iterations: authIterations, log });
  } finally {
    await authDatabase.drop();
  }
}

// Ingestion of a 100k-file repository and GitHub call counts, against the app and a fake GitHub.
if (sections.has('ingestion')) {
  log('# ingestion (api, projector daemon and ingestion reactor; fake GitHub on loopback)');
  results.ingestion = await benchIngestion({
    files: setting('BENCH_INGESTION_FILES', 100_000, 3_000),
    truncatedFiles: setting('BENCH_INGESTION_TRUNCATED_FILES', 120_000, 0),
    truncatedFull: process.env.BENCH_INGESTION_TRUNCATED_FULL === '1',
    timeoutMs: Number(process.env.BENCH_INGESTION_TIMEOUT_MS ?? 600_000),
    log,
  });
}

if (sections.has('search')) {
  const documents = setting('BENCH_SEARCH_DOCUMENTS', 10_000, 2_000);
  log(`# search over ${documents} documents (library queries, and POST /v1/search over HTTP)`);
  results.search = await benchSearch({
    documents,
    queries: setting('BENCH_SEARCH_QUERIES', 200, 60),
    semantic: process.env.BENCH_SEARCH_SEMANTIC === '1',
    log,
  });
}

if (sections.has('globs')) {
  const paths = setting('BENCH_GLOBS_PATHS', 100_000, 10_000);
  log(`# include globs: the worst config validation accepts vs an ordinary one, over ${paths} paths`);
  results.globs = await benchGlobs({ paths, maxMeasureMs: setting('BENCH_GLOBS_MAX_MEASURE_MS', 60_000, 10_000), log });
}

results.seconds = (Date.now() - benchStarted) / 1000;
results.sections = [...sections];
const dir = join(process.cwd(), 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${new Date().toISOString().slice(0, 10)}${quick ? '.quick' : ''}.json`);
// A run of some sections keeps the day's results of the others.
const earlier =
  sections.size < ALL_SECTIONS.length && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
const merged = { ...earlier, ...results };
writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
log(`results written to ${file}`);
if (analyticsMarkdown) {
  const replay = results.replay as { eventsPerSecond: number; events: number } | undefined;
  const header = [
    `# Benchmark ${new Date().toISOString().slice(0, 10)} (node ${process.version}, ${results.database as string} PostgreSQL)`,
    '',
  ];
  const byProjection =
    (results.replay as { byProjection?: Record<string, { eventsPerSecond: number; events: number }> } | undefined)?.byProjection ?? {};
  if (replay)
    header.push(
      `Projector replay: ${Object.entries(byProjection)
        .map(([name, r]) => `${name} ${Math.round(r.eventsPerSecond)} events/s over ${r.events} events`)
        .join('; ')}.`,
      '',
    );
  writeFileSync(file.replace(/\.json$/, '.md'), `${header.join('\n')}\n${analyticsMarkdown}`);
  log(`summary table written to ${file.replace(/\.json$/, '.md')}`);
}
if (results.ingestion || results.search) {
  const ingestionFile = file.replace(/\.json$/, '.ingestion.md');
  writeFileSync(
    ingestionFile,
    formatIngestionMarkdown(merged.ingestion as never, merged.search as never, {
      date: new Date().toISOString().slice(0, 10),
      node: process.version,
      database: results.database as string,
    }),
  );
  log(`ingestion and search summary written to ${ingestionFile}`);
}
log(`bench finished in ${fmt(results.seconds as number, 0)} s`);
const wrong = wrongAnswers(results as BenchResults);
for (const line of wrong) log(`WRONG ANSWER ${line}`);
if (wrong.length > 0) process.exitCode = 1;
// The last line, for CI and for comparing runs: the figures of issue 12's table (null: section not run).
log(`BENCH_SUMMARY ${JSON.stringify(benchSummary(results as BenchResults))}`);
