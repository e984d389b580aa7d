import type { DomainEvent } from '../core/event.js';

/** A GitHub App installation the user's token can see, as `GET /user/installations` describes it. */
export interface GitHubInstallation {
  readonly id: string;
  readonly accountId: string;
  /** The organization's or user's login (an enterprise's slug). */
  readonly accountLogin: string;
  readonly accountType: 'User' | 'Organization';
  readonly avatarUrl: string | null;
  readonly permissions: Readonly<Record<string, string>>;
  readonly installedAt: string;
  readonly lastValidatedAt: string;
}

/** A repository the user registered from one of their installations. */
export interface GitHubRepositoryResource {
  readonly resourceId: string;
  readonly installationId: string;
  /** GitHub's numeric repository id, as a string: stable across renames and transfers. */
  readonly repoId: string;
  readonly repoName: string;
  readonly repoFullName: string;
  readonly defaultBranch: string;
  readonly isPrivate: boolean;
  readonly isArchived: boolean;
}

/** What the initial sync should take from the repository; `autoSync` also governs push webhooks. */
export interface SyncConfig {
  readonly branches?: readonly string[];
  readonly paths?: readonly string[];
  readonly events?: readonly string[];
  readonly autoSync: boolean;
}

/**
 * The OAuth result. The token arrives sealed (`v1:…`, AES-256-GCM): neither the decider nor the
 * event log ever holds it in clear. A later connection of the same user (a new OAuth round,
 * a refreshed token) reuses the integration id and says so with `reconnected`.
 */
export type GitHubIntegrationConnected = DomainEvent<
  'GitHubIntegrationConnected',
  {
    readonly integrationId: string;
    readonly userId: string;
    readonly encryptedAccessToken: string;
    readonly encryptedRefreshToken: string | null;
    readonly tokenExpiresAt: string | null;
    readonly scopes: readonly string[];
    readonly installations: readonly GitHubInstallation[];
    readonly reconnected: boolean;
    readonly connectedAt: string;
  }
>;

/** The installations re-read from GitHub replace the stored ones; the differences are recorded for reactors. */
export type GitHubInstallationsValidated = DomainEvent<
  'GitHubInstallationsValidated',
  {
    readonly integrationId: string;
    readonly userId: string;
    readonly installations: readonly GitHubInstallation[];
    readonly addedInstallationIds: readonly string[];
    readonly removedInstallationIds: readonly string[];
    readonly validatedAt: string;
  }
>;

export type IntegrationDisconnected = DomainEvent<
  'IntegrationDisconnected',
  { readonly integrationId: string; readonly userId: string; readonly disconnectedAt: string }
>;

/** One or up to 100 repositories in one event: only those whose repo id the integration did not know yet. */
export type ResourcesCreated = DomainEvent<
  'ResourcesCreated',
  {
    readonly integrationId: string;
    readonly userId: string;
    readonly resources: readonly GitHubRepositoryResource[];
    readonly createdAt: string;
  }
>;

/**
 * A repository resource is connected to a workspace (first time, or again after a disconnection).
 * It starts the repository's initial sync (a reactor does the work), so it carries everything the
 * original's `apps-console/repository.connected` message did.
 */
export type ResourceConnectedToWorkspace = DomainEvent<
  'ResourceConnectedToWorkspace',
  {
    readonly resourceId: string;
    readonly workspaceId: string;
    readonly workspaceKey: string;
    readonly organizationId: string;
    readonly integrationId: string;
    readonly installationId: string;
    readonly repoId: string;
    readonly repoFullName: string;
    readonly defaultBranch: string;
    readonly isPrivate: boolean;
    readonly syncConfig: SyncConfig;
    readonly connectedBy: string;
    readonly connectedAt: string;
  }
>;

/** Connecting an already connected resource with a different configuration: no new initial sync. */
export type WorkspaceSyncConfigChanged = DomainEvent<
  'WorkspaceSyncConfigChanged',
  {
    readonly resourceId: string;
    readonly workspaceId: string;
    readonly integrationId: string;
    readonly syncConfig: SyncConfig;
    readonly changedBy: string;
    readonly changedAt: string;
  }
>;

/** Ends the connection; a reactor cancels a sync in flight (the original's `repository.disconnected`). */
export type ResourceDisconnectedFromWorkspace = DomainEvent<
  'ResourceDisconnectedFromWorkspace',
  {
    readonly resourceId: string;
    readonly workspaceId: string;
    readonly integrationId: string;
    readonly disconnectedBy: string;
    readonly disconnectedAt: string;
  }
>;

/** A step of a connection's initial sync: started (`in_progress`) or ended, with the job that ran it. */
export type WorkspaceSyncRecorded = DomainEvent<
  'WorkspaceSyncRecorded',
  {
    readonly resourceId: string;
    readonly workspaceId: string;
    readonly jobId: string;
    readonly status: 'in_progress' | 'completed' | 'failed' | 'cancelled';
    readonly error: string | null;
    readonly recordedAt: string;
  }
>;

export type IntegrationEvent =
  | GitHubIntegrationConnected
  | GitHubInstallationsValidated
  | IntegrationDisconnected
  | ResourcesCreated
  | ResourceConnectedToWorkspace
  | WorkspaceSyncConfigChanged
  | ResourceDisconnectedFromWorkspace
  | WorkspaceSyncRecorded;

export const INTEGRATION_EVENT_TYPES: readonly IntegrationEvent['type'][] = [
  'GitHubIntegrationConnected',
  'GitHubInstallationsValidated',
  'IntegrationDisconnected',
  'ResourcesCreated',
  'ResourceConnectedToWorkspace',
  'WorkspaceSyncConfigChanged',
  'ResourceDisconnectedFromWorkspace',
  'WorkspaceSyncRecorded',
];

/**
 * One stream per user holds their integrations, the resources registered from them, and the
 * resources' workspace connections. Every invariant of this area is then one aggregate's:
 * a repo id is registered once per integration (a batch of 100 is checked and appended at one
 * expected revision, so two concurrent batches cannot both add a repo), ownership is "it is in the
 * caller's stream" (another user's integration or resource is simply not found), and a resource
 * can be connected to a workspace only while it and its integration exist and are active.
 * The stream grows with what one person registers (hundreds of repositories, not millions).
 */
export const integrationStreamId = (userId: string) => `integrations-${userId}`;
