import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; the all-in-one process serves api and projector metrics together. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration by route template',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const projectorEventsTotal = new Counter({
  name: 'projector_events_total',
  help: 'Events applied by a projection',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
});

export const projectorBatchDuration = new Histogram({
  name: 'projector_batch_duration_seconds',
  help: 'Time to apply and commit one batch',
  labelNames: ['projection'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

export const projectorDeadLettersTotal = new Counter({
  name: 'projector_dead_letters_total',
  help: 'Events a projection could not apply and sent to dead letters',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
});

export const projectorLagEvents = new Gauge({
  name: 'projector_lag_events',
  help: 'Events in the store after the projection checkpoint',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
});

export const projectorLagSeconds = new Gauge({
  name: 'projector_lag_seconds',
  help: 'Age of the oldest event the projection has not applied yet',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
});

export const projectorEventsPerSecond = new Gauge({
  name: 'projector_events_per_second',
  help: 'Events applied per second over the last batch window',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
});

export const githubRateLimitRemaining = new Gauge({
  name: 'github_rate_limit_remaining',
  help: 'Requests left in the current GitHub rate-limit window (x-ratelimit-remaining), by installation',
  labelNames: ['installation'] as const,
  registers: [metricsRegistry],
});

export const githubRequestDuration = new Histogram({
  name: 'github_request_duration_seconds',
  help: 'GitHub API call duration by route template; status 304 is a free revalidation',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const projectorDeadLetters = new Gauge({
  name: 'projector_dead_letters',
  help: 'Events in projection_dead_letters for the active generation of a projection (set when projection status is read, e.g. at each scrape)',
  labelNames: ['projection'] as const,
  registers: [metricsRegistry],
});

/** Seconds the oldest waiting ingestion work has waited, read from the read model (any process can). */
export interface IngestionQueueWait {
  /** The oldest job still queued (not yet running); 0 when none. */
  readonly jobs: number;
  /** The oldest initial sync not yet turned into a job; 0 when none. */
  readonly initialSyncs: number;
}

const ingestionQueueSources = new Set<() => Promise<IngestionQueueWait>>();

/**
 * Read from the database at each scrape, not kept by the reactor: when the reactor stalls or its
 * process is gone, the age keeps growing in every process that is scraped, which is when the
 * alert must fire. A failed read leaves the gauge empty for that scrape rather than fail it.
 */
export const ingestionQueueAge = new Gauge({
  name: 'reactor_ingestion_queue_age_seconds',
  help: 'Age of the oldest queued ingestion job (kind=jobs) and of the oldest initial sync not yet queued (kind=initial_syncs); 0 when none',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
  async collect() {
    const waits = (await Promise.all([...ingestionQueueSources].map((source) => source().catch(() => null)))).filter(
      (wait) => wait !== null,
    );
    this.reset();
    if (waits.length === 0) return;
    this.set({ kind: 'jobs' }, Math.max(...waits.map((wait) => wait.jobs)));
    this.set({ kind: 'initial_syncs' }, Math.max(...waits.map((wait) => wait.initialSyncs)));
  },
});

/** Feeds `reactor_ingestion_queue_age_seconds` from `source` until the returned function is called. */
export function watchIngestionQueue(source: () => Promise<IngestionQueueWait>): () => void {
  ingestionQueueSources.add(source);
  return () => ingestionQueueSources.delete(source);
}
