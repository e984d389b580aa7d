import type { DomainEvent } from '../core/event.js';

/** What GitHub told us about the repository when it was connected (the original's `RepositoryMetadata`). */
export interface RepositoryMetadata {
  readonly fullName?: string;
  readonly defaultBranch?: string;
  readonly private?: boolean;
  readonly description?: string;
  readonly language?: string;
  readonly owner?: string;
  readonly [key: string]: unknown;
}

export const REPOSITORY_CONFIG_STATUSES = ['pending', 'configured', 'unconfigured', 'error'] as const;
export type RepositoryConfigStatus = (typeof REPOSITORY_CONFIG_STATUSES)[number];

export type RepositoryConnected = DomainEvent<
  'RepositoryConnected',
  {
    readonly repositoryId: string;
    readonly organizationId: string;
    readonly githubRepoId: string;
    readonly githubInstallationId: string;
    readonly workspaceId: string | null;
    readonly metadata: RepositoryMetadata;
    readonly connectedAt: string;
  }
>;
/** An inactive repository connected again: same id, the new installation, workspace and metadata. */
export type RepositoryReactivated = DomainEvent<
  'RepositoryReactivated',
  {
    readonly repositoryId: string;
    readonly organizationId: string;
    readonly githubRepoId: string;
    readonly githubInstallationId: string;
    readonly workspaceId: string | null;
    readonly metadata: RepositoryMetadata;
    readonly reactivatedAt: string;
  }
>;
export type RepositoryDeactivated = DomainEvent<
  'RepositoryDeactivated',
  { readonly repositoryId: string; readonly githubRepoId: string; readonly reason: string; readonly deactivatedAt: string }
>;
export type RepositoryConfigDetected = DomainEvent<
  'RepositoryConfigDetected',
  {
    readonly repositoryId: string;
    readonly status: Exclude<RepositoryConfigStatus, 'pending'>;
    readonly configPath: string | null;
    readonly config: Readonly<Record<string, unknown>> | null;
    readonly error: string | null;
    readonly detectedAt: string;
  }
>;
export type ReindexRequested = DomainEvent<
  'ReindexRequested',
  { readonly repositoryId: string; readonly jobId: string; readonly requestedBy: string | null; readonly at: string }
>;
/** Appended by the ingestion reactor when the reindex job ends, whatever its outcome. */
export type ReindexFinished = DomainEvent<'ReindexFinished', { readonly repositoryId: string; readonly jobId: string; readonly at: string }>;

export type RepositoryEvent = RepositoryConnected | RepositoryReactivated | RepositoryDeactivated | RepositoryConfigDetected | ReindexRequested | ReindexFinished;
export const REPOSITORY_EVENT_TYPES: readonly RepositoryEvent['type'][] = [
  'RepositoryConnected',
  'RepositoryReactivated',
  'RepositoryDeactivated',
  'RepositoryConfigDetected',
  'ReindexRequested',
  'ReindexFinished',
];

/** One stream per GitHub repository: connecting the same repository twice meets the same state. */
export const repositoryStreamId = (githubRepoId: string) => `repository-${githubRepoId}`;
