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
