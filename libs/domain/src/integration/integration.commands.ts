import type { Command } from '../core/event.js';
import type { GitHubInstallation, GitHubRepositoryResource, SyncConfig } from './integration.events.js';

/** The tokens are sealed by the caller before the command is built; the decider refuses a clear one. */
export type ConnectGitHubIntegration = Command<
  'ConnectGitHubIntegration',
  {
    readonly userId: string;
    /** Used only when the user has no GitHub integration yet. */
    readonly integrationId: string;
    readonly encryptedAccessToken: string;
    readonly encryptedRefreshToken: string | null;
    readonly tokenExpiresAt: string | null;
    readonly scopes: readonly string[];
    readonly installations: readonly GitHubInstallation[];
    readonly at: string;
  }
>;

/** The installations as GitHub lists them now, read by the caller with the integration's token. */
export type ValidateGitHubInstallations = Command<
  'ValidateGitHubInstallations',
  { readonly userId: string; readonly integrationId: string; readonly installations: readonly GitHubInstallation[]; readonly at: string }
>;

export type DisconnectIntegration = Command<
  'DisconnectIntegration',
  { readonly userId: string; readonly integrationId: string; readonly at: string }
>;

/** Each entry carries a fresh resource id, used only if its repo id is new to the integration. */
export type CreateResources = Command<
  'CreateResources',
  { readonly userId: string; readonly integrationId: string; readonly resources: readonly GitHubRepositoryResource[]; readonly at: string }
>;

/** The workspace was resolved (and the caller's membership checked) by the caller. */
export type ConnectResourceToWorkspace = Command<
  'ConnectResourceToWorkspace',
  {
    readonly userId: string;
    readonly resourceId: string;
    readonly workspaceId: string;
    readonly workspaceKey: string;
    readonly organizationId: string;
    readonly syncConfig: SyncConfig;
    readonly at: string;
  }
>;

/** `by` is who asked: the resource's owner, or an admin of the workspace's organization. */
export type DisconnectResourceFromWorkspace = Command<
  'DisconnectResourceFromWorkspace',
  { readonly userId: string; readonly resourceId: string; readonly workspaceId: string; readonly by: string; readonly at: string }
>;

/** The initial sync's progress on a connection (the original's `lastSyncStatus`), reported by the ingestion reactor. */
export type RecordWorkspaceSync = Command<
  'RecordWorkspaceSync',
  {
    readonly userId: string;
    readonly resourceId: string;
    readonly workspaceId: string;
    readonly jobId: string;
    readonly status: 'in_progress' | 'completed' | 'failed' | 'cancelled';
    readonly error: string | null;
    readonly at: string;
  }
>;

export type IntegrationCommand =
  | ConnectGitHubIntegration
  | ValidateGitHubInstallations
  | DisconnectIntegration
  | CreateResources
  | ConnectResourceToWorkspace
  | DisconnectResourceFromWorkspace
  | RecordWorkspaceSync;
