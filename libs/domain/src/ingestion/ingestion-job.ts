import { v5 as uuidv5 } from 'uuid';
import type { JobTrigger } from '../job/job.events.js';

export const INGESTION_JOB_KIND = 'docs-ingestion';
export type IngestionSource = 'manual' | 'github-webhook' | 'initial-sync';

/**
 * The `input` of a job the ingestion reactor runs. Everything the reactor needs to reach GitHub is
 * here, so the job can run (and resume after a crash) from its own stream.
 */
export interface IngestionJobInput {
  readonly kind: typeof INGESTION_JOB_KIND;
  readonly source: IngestionSource;
  readonly repositoryId: string | null;
  readonly githubRepoId: string;
  readonly githubInstallationId: string;
  readonly repoFullName: string;
  /** Branch to read; null = the repository's default branch. */
  readonly ref: string | null;
  /** The pushed commit (webhooks); null = the head of `ref`. */
  readonly afterSha: string | null;
  /** The webhook delivery, or `initial-sync-<resourceId>`, or null for a manual reindex. */
  readonly deliveryId: string | null;
  readonly changedFileCount: number | null;
  /** Ingest into this store when the repository has no `lightfast.yml` (the initial sync's `default`). */
  readonly fallbackStore: string | null;
  readonly [key: string]: unknown;
}

export const isIngestionJobInput = (input: Readonly<Record<string, unknown>>): input is IngestionJobInput => input.kind === INGESTION_JOB_KIND;

export const ingestionJobName = (source: IngestionSource, repoFullName: string) =>
  source === 'initial-sync' ? `Repository Initial Sync: ${repoFullName}` : `Docs Ingestion: ${repoFullName}`;

export const ingestionTrigger = (source: IngestionSource): JobTrigger => (source === 'manual' ? 'manual' : source === 'initial-sync' ? 'automatic' : 'webhook');

const INGESTION_JOB_NAMESPACE = '2b7f4c1e-8d3a-4f6b-a1c9-5e0d7b3f2a64';
/** One job per delivery: a delivery seen twice names the same job, so it is queued once. */
export const ingestionJobIdFor = (deliveryId: string) => uuidv5(`ingestion:${deliveryId}`, INGESTION_JOB_NAMESPACE);
/**
 * One job per repository and pushed commit: the same push delivered again under another delivery
 * id (a manual redelivery, a second webhook on the same App) names the same job, so it is queued once.
 */
export const pushJobIdFor = (repositoryId: string, afterSha: string) => uuidv5(`ingestion:push:${repositoryId}:${afterSha}`, INGESTION_JOB_NAMESPACE);

/** The original's fallback globs when a repository has no config (`repository.reindex`). */
export const DEFAULT_INCLUDE_GLOBS: readonly string[] = ['docs/**/*.md', 'docs/**/*.mdx', 'README.md'];
