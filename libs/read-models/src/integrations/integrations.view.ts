import type { GitHubInstallation, SyncConfig } from '#domain';
import type { IntegrationResourceRow, IntegrationRow, WorkspaceIntegrationRow } from './integrations.table.js';

/** `account.integrations.list` */
export interface IntegrationSummary {
  readonly id: string;
  readonly provider: string;
  readonly isActive: boolean;
  readonly connectedAt: string;
  readonly lastSyncAt: string | null;
}

/** `integration.github.list`: never a token, sealed or not. */
export interface GitHubIntegrationView {
  readonly id: string;
  readonly userId: string;
  readonly provider: 'github';
  readonly connectedAt: string;
  readonly isActive: boolean;
  readonly installations: readonly GitHubInstallation[];
}

export interface ResourceView {
  readonly id: string;
  readonly integrationId: string;
  readonly provider: 'github';
  readonly type: 'repository';
  readonly installationId: string;
  readonly repoId: string;
  readonly repoName: string;
  readonly repoFullName: string;
  readonly defaultBranch: string;
  readonly isPrivate: boolean;
  readonly isArchived: boolean;
  readonly createdAt: string;
}

export interface WorkspaceIntegrationView {
  readonly workspaceId: string;
  readonly resourceId: string;
  readonly integrationId: string;
  readonly connectedBy: string;
  readonly syncConfig: SyncConfig;
  readonly isActive: boolean;
  readonly connectedAt: string;
  readonly lastSyncedAt: string | null;
  readonly lastSyncStatus: string | null;
  readonly lastSyncError: string | null;
  readonly resource: ResourceView | null;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export const RESOURCE_VIEW_COLUMNS = [
  'id',
  'integration_id',
  'installation_id',
  'repo_id',
  'repo_name',
  'repo_full_name',
  'default_branch',
  'is_private',
  'is_archived',
  'created_at',
] as const satisfies ReadonlyArray<keyof IntegrationResourceRow>;

type ResourceViewRow = Pick<IntegrationResourceRow, (typeof RESOURCE_VIEW_COLUMNS)[number]>;

/** A resource's columns under an `r_` prefix, all null when a LEFT JOIN found none. */
export type PrefixedResourceRow =
  { [K in keyof ResourceViewRow as `r_${K}`]: ResourceViewRow[K] } | { [K in keyof ResourceViewRow as `r_${K}`]: null };

export type ConnectionRow = Pick<
  WorkspaceIntegrationRow,
  | 'workspace_id'
  | 'resource_id'
  | 'integration_id'
  | 'user_id'
  | 'sync_config'
  | 'is_active'
  | 'connected_at'
  | 'last_synced_at'
  | 'last_sync_status'
  | 'last_sync_error'
>;

export const toIntegrationSummary = (
  row: Pick<IntegrationRow, 'id' | 'provider' | 'is_active' | 'connected_at' | 'last_sync_at'>,
): IntegrationSummary => ({
  id: row.id,
  provider: row.provider,
  isActive: row.is_active,
  connectedAt: row.connected_at.toISOString(),
  lastSyncAt: iso(row.last_sync_at),
});

export const toGitHubIntegrationView = (
  row: Pick<IntegrationRow, 'id' | 'user_id' | 'installations' | 'is_active' | 'connected_at'>,
): GitHubIntegrationView => ({
  id: row.id,
  userId: row.user_id,
  provider: 'github',
  connectedAt: row.connected_at.toISOString(),
  isActive: row.is_active,
  installations: row.installations,
});

export function toResourceView(row: PrefixedResourceRow): ResourceView | null {
  if (row.r_id === null) return null;
  return {
    id: row.r_id,
    integrationId: row.r_integration_id,
    provider: 'github',
    type: 'repository',
    installationId: row.r_installation_id,
    repoId: row.r_repo_id,
    repoName: row.r_repo_name,
    repoFullName: row.r_repo_full_name,
    defaultBranch: row.r_default_branch,
    isPrivate: row.r_is_private,
    isArchived: row.r_is_archived,
    createdAt: row.r_created_at.toISOString(),
  };
}

export const toConnectionView = (row: ConnectionRow & PrefixedResourceRow): WorkspaceIntegrationView => ({
  workspaceId: row.workspace_id,
  resourceId: row.resource_id,
  integrationId: row.integration_id,
  connectedBy: row.user_id,
  syncConfig: row.sync_config,
  isActive: row.is_active,
  connectedAt: row.connected_at.toISOString(),
  lastSyncedAt: iso(row.last_synced_at),
  lastSyncStatus: row.last_sync_status,
  lastSyncError: row.last_sync_error,
  resource: toResourceView(row),
});
