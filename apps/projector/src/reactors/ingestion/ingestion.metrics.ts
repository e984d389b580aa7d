import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '#adapters';

export const ingestionQueueLength = new Gauge({
  name: 'reactor_ingestion_queue_length',
  help: 'Ingestion jobs queued or running, and initial syncs not yet queued',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

export const ingestionJobsTotal = new Counter({
  name: 'reactor_ingestion_jobs_total',
  help: 'Ingestion jobs ended by this process, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const ingestionDocumentsTotal = new Counter({
  name: 'reactor_ingestion_documents_total',
  help: 'Documents indexed or removed by ingestion',
  labelNames: ['action'] as const,
  registers: [metricsRegistry],
});

export const ingestionGitHubCallsTotal = new Counter({
  name: 'reactor_ingestion_github_calls_total',
  help: 'GitHub requests made by ingestion jobs (tree, config and blob reads)',
  registers: [metricsRegistry],
});
