import type { QueueJob } from '../job/job.commands.js';
import type { JobTrigger } from '../job/job.events.js';

export const INGESTION_JOB_KIND = 'docs-ingestion';
export type IngestionSource = 'manual' | 'github-webhook' | 'initial-sync';

interface IngestionJobFields {
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

/**
 * The `input` of a job the ingestion reactor runs. Everything the reactor needs to reach GitHub is
 * here, so the job can run (and resume after a crash) from its own stream.
 */
export interface IngestionJobInput extends IngestionJobFields {
  readonly kind: typeof INGESTION_JOB_KIND;
}

export const isIngestionJobInput = (input: Readonly<Record<string, unknown>>): input is IngestionJobInput =>
  input.kind === INGESTION_JOB_KIND;

export const ingestionJobName = (source: IngestionSource, repoFullName: string) =>
  source === 'initial-sync' ? `Repository Initial Sync: ${repoFullName}` : `Docs Ingestion: ${repoFullName}`;

export const ingestionTrigger = (source: IngestionSource): JobTrigger =>
  source === 'manual' ? 'manual' : source === 'initial-sync' ? 'automatic' : 'webhook';

export interface IngestionJobOrder {
  readonly jobId: string;
  readonly organizationId: string;
  readonly workspaceId: string;
  readonly triggeredBy: string | null;
  readonly input: IngestionJobFields;
  readonly at: string;
}

/**
 * The one way an ingestion job is queued (manual reindex, push, initial sync): its name, trigger
 * and repository follow from the input, so the job list and the reactor never disagree on them.
 */
export function queueIngestionJob({ jobId, organizationId, workspaceId, triggeredBy, input, at }: IngestionJobOrder): QueueJob {
  return {
    type: 'QueueJob',
    data: {
      jobId,
      organizationId,
      workspaceId,
      repositoryId: input.repositoryId,
      name: ingestionJobName(input.source, input.repoFullName),
      trigger: ingestionTrigger(input.source),
      triggeredBy,
      input: { kind: INGESTION_JOB_KIND, ...input } satisfies IngestionJobInput,
      at,
    },
  };
}

/** The original's fallback globs when a repository has no config (`repository.reindex`). */
export const DEFAULT_INCLUDE_GLOBS: readonly string[] = ['docs/**/*.md', 'docs/**/*.mdx', 'README.md'];
