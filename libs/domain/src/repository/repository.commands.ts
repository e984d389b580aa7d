import type { Command } from '../core/event.js';
import type { JobStatus } from '../job/job.events.js';
import type { ConfigDetection } from './lightfast-config.js';
import type { RepositoryConfigDetected, RepositoryMetadata } from './repository.events.js';

/** `repositoryId` is used only when the repository is new; a reactivation keeps the stored id. */
export type ConnectRepository = Command<
  'ConnectRepository',
  {
    readonly repositoryId: string;
    readonly organizationId: string;
    readonly githubRepoId: string;
    readonly githubInstallationId: string;
    readonly workspaceId: string | null;
    readonly metadata: RepositoryMetadata;
    readonly at: string;
  }
>;
/**
 * With `githubInstallationId`, only while the repository is connected through that installation: a
 * webhook about an installation the repository has since left changes nothing.
 */
export type DeactivateRepository = Command<
  'DeactivateRepository',
  { readonly reason: string; readonly githubInstallationId?: string; readonly at: string }
>;
/** GitHub deleted the repository (the original's `markDeleted`): inactive, and its metadata replaced. */
export type MarkRepositoryDeleted = Command<'MarkRepositoryDeleted', { readonly at: string }>;
/** Merged into the stored metadata (the original's `updateMetadata`), e.g. a new `fullName` after a rename. */
export type UpdateRepositoryMetadata = Command<'UpdateRepositoryMetadata', { readonly changes: RepositoryMetadata; readonly at: string }>;
export type RecordRepositoryConfig = Command<
  'RecordRepositoryConfig',
  Omit<RepositoryConfigDetected['data'], 'repositoryId' | 'detectedAt'> & { readonly organizationId: string; readonly at: string }
>;

/** What is recorded: a detection's outcome, or GitHub not answering (no file was chosen then). */
export type ConfigOutcome =
  ConfigDetection | { readonly status: 'error'; readonly configPath: null; readonly config: null; readonly error: string };

export const configUnreadable = (error: string): ConfigOutcome => ({ status: 'error', configPath: null, config: null, error });

/** The one way a config outcome is recorded (detect-config, a push that touched it, the ingestion job). */
export function recordRepositoryConfig(
  organizationId: string,
  { status, configPath, config, error }: ConfigOutcome,
  at: string,
): RecordRepositoryConfig {
  return {
    type: 'RecordRepositoryConfig',
    data: { organizationId, status, configPath, config: config === null ? null : { ...config }, error, at },
  };
}

/**
 * `activeJob` is what the caller read from the job stream of the repository's active reindex job
 * (authoritative, not a read model). The decider trusts it only when it names the job the state
 * holds, so a reindex requested in between still conflicts.
 */
export type RequestReindex = Command<
  'RequestReindex',
  {
    readonly organizationId: string;
    readonly jobId: string;
    readonly requestedBy: string | null;
    readonly activeJob: { readonly jobId: string; readonly status: JobStatus | 'none' } | null;
    readonly at: string;
  }
>;
export type FinishReindex = Command<'FinishReindex', { readonly jobId: string; readonly at: string }>;

export type RepositoryCommand =
  | ConnectRepository
  | DeactivateRepository
  | MarkRepositoryDeleted
  | UpdateRepositoryMetadata
  | RecordRepositoryConfig
  | RequestReindex
  | FinishReindex;
