import type { AnalyticsResults } from './analytics.bench.js';
import type { AppendResult } from './event-store.bench.js';
import type { IngestionBenchResults } from './ingestion.bench.js';
import type { SearchBenchResults } from './search.bench.js';
import type { ThroughputResults } from './throughput.bench.js';

/** What `npm run bench` measured, section by section (a section not run is absent). */
export interface BenchResults {
  readonly appends?: readonly AppendResult[];
  readonly replay?: { readonly eventsPerSecond: number };
  readonly analytics?: Omit<AnalyticsResults, 'markdown'>;
  readonly ingestion?: IngestionBenchResults;
  readonly search?: SearchBenchResults;
  readonly throughput?: ThroughputResults;
}

/** The dashboard queries the ratios are about (the workspace list is measured separately). */
const DASHBOARD_QUERIES = ['statistics', 'percentiles', 'timeSeries24h', 'timeSeries7d', 'comparison'];
/** The search measurement the summary reports: the API's own query service, uncached, over HTTP. */
const SEARCH_MEASUREMENT = /over HTTP, uncached/;

/**
 * The one-line summary CI and people compare between runs (`BENCH_SUMMARY {…}`): the figures of
 * issue 12's table, null where the section did not run.
 */
export function benchSummary(results: BenchResults): Record<string, number | null> {
  const analytics = results.analytics;
  const largest = (key: string) => analytics?.queries.find((q) => q.key === key)?.rows.at(-1);
  const dashboardRows = DASHBOARD_QUERIES.map(largest).filter((row) => row !== undefined);
  const catchUp = analytics?.seeding.at(-1);
  const percentiles = analytics?.queries.find((q) => q.key === 'percentiles');
  const search = results.search?.measurements.find((m) => SEARCH_MEASUREMENT.test(m.name));
  const firstIngestion = results.ingestion?.runs[0];
  const eightWriters = results.appends?.find((a) => a.writers === 8);
  return {
    daemonCatchUpEventsPerSecond: catchUp ? catchUp.catchUpEventsPerProjection / catchUp.catchUpSeconds : null,
    replayEventsPerSecond: results.replay?.eventsPerSecond ?? null,
    percentilesLargeOverSmall: percentiles?.oursLargestOverSmallest ?? null,
    dashboardVsSqlMin: dashboardRows.length ? Math.min(...dashboardRows.map((row) => row.afterOverOursServer)) : null,
    dashboardHttpP50Ms: dashboardRows.length ? Math.max(...dashboardRows.map((row) => row.ours.p50)) : null,
    searchP50Ms: search?.p50Ms ?? null,
    searchP99Ms: search?.p99Ms ?? null,
    searchP99OverP50: search ? search.p99Ms / search.p50Ms : null,
    appendEventsPerSecond8: eightWriters?.eventsPerSecond ?? null,
    ingestionFilesPerSecond: firstIngestion ? firstIngestion.documents / (firstIngestion.documentsCaughtUpMs / 1000) : null,
    dashboardThroughputMin: results.throughput?.slowestRequestsPerSecond ?? null,
  };
}

/**
 * Wrong answers, never timings: the bench fails (exit 1) on these only. A dashboard answer that
 * differs from the review's queries, an ingestion that did not complete or lost documents, a load
 * run with errors or non-2xx answers.
 */
export function wrongAnswers(results: BenchResults): string[] {
  const wrong: string[] = [];
  for (const check of results.analytics?.checks ?? [])
    if (!check.ok) wrong.push(`analytics ${check.query} at ${check.size}: ${check.detail}`);
  const first = results.ingestion?.runs[0];
  if (first && first.status !== 'completed') wrong.push(`ingestion ${first.name}: ${first.status} ${first.error ?? ''}`.trim());
  if (first && results.ingestion && first.documents !== results.ingestion.files)
    wrong.push(`ingestion ${first.name}: ${first.documents} documents for ${results.ingestion.files} files`);
  for (const run of results.ingestion?.runs.slice(1) ?? [])
    if (run.status !== 'completed') wrong.push(`ingestion ${run.name}: ${run.status}`);
  for (const m of results.search?.measurements ?? []) if (m.meanResults === 0) wrong.push(`search ${m.name}: no results`);
  const throughput = results.throughput;
  for (const r of throughput ? [throughput.floor, ...throughput.endpoints] : [])
    if (r.non2xx > 0 || r.errors > 0) wrong.push(`throughput ${r.name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  return wrong;
}
