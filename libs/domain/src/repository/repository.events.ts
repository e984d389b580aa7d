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
/**
 * As the original's `markDeleted`, the metadata is replaced by `{deleted: true, deletedAt}` (not
 * merged): the repository is gone on GitHub, so what GitHub said about it no longer holds.
 */
export type RepositoryDeleted = DomainEvent<
  'RepositoryDeleted',
  { readonly repositoryId: string; readonly githubRepoId: string; readonly deletedAt: string }
>;
/** `metadata` is the result of merging `changes` into what was stored, so readers need no history. */
export type RepositoryMetadataUpdated = DomainEvent<
  'RepositoryMetadataUpdated',
  {
    readonly repositoryId: string;
    readonly githubRepoId: string;
    readonly changes: RepositoryMetadata;
    readonly metadata: RepositoryMetadata;
    readonly updatedAt: string;
  }
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
export type ReindexFinished = DomainEvent<
  'ReindexFinished',
  { readonly repositoryId: string; readonly jobId: string; readonly at: string }
>;

export type RepositoryEvent =
  | RepositoryConnected
  | RepositoryReactivated
  | RepositoryDeactivated
  | RepositoryDeleted
  | RepositoryMetadataUpdated
  | RepositoryConfigDetected
  | ReindexRequested
  | ReindexFinished;
export const REPOSITORY_EVENT_TYPES: readonly RepositoryEvent['type'][] = [
  'RepositoryConnected',
  'RepositoryReactivated',
  'RepositoryDeactivated',
  'RepositoryDeleted',
  'RepositoryMetadataUpdated',
  'RepositoryConfigDetected',
  'ReindexRequested',
  'ReindexFinished',
];

/** The metadata a deleted repository keeps. */
export const deletedRepositoryMetadata = (deletedAt: string): RepositoryMetadata => ({ deleted: true, deletedAt });

/**
 * One stream per organization and GitHub repository: connecting the same repository twice in an
 * organization meets the same state, and no organization can reach (connect, reactivate, move)
 * another's, because the organization is part of the name of every stream it decides on.
 */
export const repositoryStreamId = (organizationId: string, githubRepoId: string) => `repository-${organizationId}-${githubRepoId}`;
