import { READ_DATABASE } from '#runtime';
import type { DataSource } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import type { GitHubInstallation, SyncConfig } from '#domain';
import { notFound } from '../common/api-error.js';
import type { GitHubIntegrationView, IntegrationSummary, ResourceView, WorkspaceIntegrationView } from './integrations.dto.js';

interface IntegrationRow {
  id: string;
  user_id: string;
  provider: string;
  installations: GitHubInstallation[];
  is_active: boolean;
  connected_at: Date;
  last_sync_at: Date | null;
}

interface ResourceRow {
  id: string;
  integration_id: string;
  installation_id: string;
  repo_id: string;
  repo_name: string;
  repo_full_name: string;
  default_branch: string;
  is_private: boolean;
  is_archived: boolean;
  created_at: Date;
}

interface ConnectionRow {
  workspace_id: string;
  resource_id: string;
  integration_id: string;
  user_id: string;
  sync_config: SyncConfig;
  is_active: boolean;
  connected_at: Date;
  last_synced_at: Date | null;
  last_sync_status: string | null;
  last_sync_error: string | null;
}

/** Resource columns under an `r_` prefix, so one row can carry a connection and its resource. */
const RESOURCE_COLUMNS = ['id', 'integration_id', 'installation_id', 'repo_id', 'repo_name', 'repo_full_name', 'default_branch', 'is_private', 'is_archived', 'created_at']
  .map((c) => `r.${c} AS r_${c}`)
  .join(', ');

const iso = (date: Date | null) => date?.toISOString() ?? null;

export const toResourceView = (row: ResourceRow): ResourceView => ({
  id: row.id,
  integrationId: row.integration_id,
  provider: 'github',
  type: 'repository',
  installationId: row.installation_id,
  repoId: row.repo_id,
  repoName: row.repo_name,
  repoFullName: row.repo_full_name,
  defaultBranch: row.default_branch,
  isPrivate: row.is_private,
  isArchived: row.is_archived,
  createdAt: row.created_at.toISOString(),
});

function prefixed(row: Record<string, unknown>): ResourceRow | null {
  if (row.r_id === null || row.r_id === undefined) return null;
  return Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith('r_')).map(([k, v]) => [k.slice(2), v])) as unknown as ResourceRow;
}

const toConnectionView = (row: ConnectionRow & Record<string, unknown>): WorkspaceIntegrationView => {
  const resource = prefixed(row);
  return {
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
    resource: resource ? toResourceView(resource) : null,
  };
};

/** Lookups on the `integrations` read models: each answer is one indexed query, and none writes. */
@Injectable()
export class IntegrationQueries {
  constructor(@Inject(READ_DATABASE) private readonly database: DataSource) {}

  /** `account.integrations.list` */
  async list(userId: string): Promise<IntegrationSummary[]> {
    const rows: IntegrationRow[] = await this.database.query(
      'SELECT id, provider, is_active, connected_at, last_sync_at FROM integrations WHERE user_id = $1 ORDER BY connected_at, id',
      [userId],
    );
    return rows.map((row) => ({ id: row.id, provider: row.provider, isActive: row.is_active, connectedAt: row.connected_at.toISOString(), lastSyncAt: iso(row.last_sync_at) }));
  }

  /** `integration.github.list`: the user's GitHub integration, or null. */
  async github(userId: string): Promise<GitHubIntegrationView | null> {
    const rows: IntegrationRow[] = await this.database.query(
      `SELECT id, user_id, installations, is_active, connected_at FROM integrations WHERE user_id = $1 AND provider = 'github' ORDER BY connected_at LIMIT 1`,
      [userId],
    );
    const row = rows[0];
    return row ? { id: row.id, userId: row.user_id, provider: 'github', connectedAt: row.connected_at.toISOString(), isActive: row.is_active, installations: row.installations } : null;
  }

  /**
   * `integration.resources.list`: one query that also proves ownership (an integration of
   * another user, or none, gives no row: a 404).
   */
  async resources(userId: string, integrationId: string): Promise<ResourceView[]> {
    const rows: Array<Record<string, unknown>> = await this.database.query(
      `SELECT ${RESOURCE_COLUMNS} FROM integrations i LEFT JOIN integration_resources r ON r.integration_id = i.id
        WHERE i.id = $1 AND i.user_id = $2 ORDER BY r.created_at, r.id`,
      [integrationId, userId],
    );
    if (rows.length === 0) throw notFound('Integration');
    return rows.flatMap((row) => {
      const resource = prefixed(row);
      return resource ? [toResourceView(resource)] : [];
    });
  }

  /** `integration.workspace.list`: the workspace's active connections with their resources, in one join. */
  async workspaceConnections(workspaceId: string): Promise<WorkspaceIntegrationView[]> {
    const rows: Array<ConnectionRow & Record<string, unknown>> = await this.database.query(
      `SELECT w.*, ${RESOURCE_COLUMNS} FROM workspace_integrations w LEFT JOIN integration_resources r ON r.id = w.resource_id
        WHERE w.workspace_id = $1 AND w.is_active ORDER BY w.connected_at, w.resource_id`,
      [workspaceId],
    );
    return rows.map(toConnectionView);
  }

  /**
   * `integration.workspace.getStatus`: the connection of the caller's repository `owner/name` to
   * the workspace, or null. Through the caller's own resources, as the original (after its fix) did.
   */
  async status(userId: string, workspaceId: string, repoFullName: string): Promise<WorkspaceIntegrationView | null> {
    const rows: Array<ConnectionRow & Record<string, unknown>> = await this.database.query(
      `SELECT w.*, ${RESOURCE_COLUMNS} FROM integration_resources r
         JOIN workspace_integrations w ON w.resource_id = r.id AND w.workspace_id = $2
        WHERE r.user_id = $1 AND lower(r.repo_full_name) = lower($3)
        ORDER BY w.is_active DESC, w.connected_at DESC LIMIT 1`,
      [userId, workspaceId, repoFullName],
    );
    return rows[0] ? toConnectionView(rows[0]) : null;
  }

  /** Who owns a connection (its resource's user), to route a disconnection to their stream. */
  async connectionOwner(workspaceId: string, resourceId: string): Promise<string | null> {
    const rows: Array<{ user_id: string }> = await this.database.query(
      'SELECT user_id FROM workspace_integrations WHERE workspace_id = $1 AND resource_id = $2',
      [workspaceId, resourceId],
    );
    return rows[0]?.user_id ?? null;
  }
}
