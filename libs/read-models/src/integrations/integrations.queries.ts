import { DomainError } from '#domain';
import type { Sql } from '../core/sql.js';
import type { IntegrationRow, WorkspaceIntegrationRow } from './integrations.table.js';
import {
  RESOURCE_VIEW_COLUMNS,
  toConnectionView,
  toGitHubIntegrationView,
  toIntegrationSummary,
  toResourceView,
  type ConnectionRow,
  type GitHubIntegrationView,
  type IntegrationSummary,
  type PrefixedResourceRow,
  type ResourceView,
  type WorkspaceIntegrationView,
} from './integrations.view.js';

/** Resource columns under an `r_` prefix, so one row can carry a connection and its resource. */
const RESOURCE_COLUMNS = RESOURCE_VIEW_COLUMNS.map((c) => `r.${c} AS r_${c}`).join(', ');

/** Lookups on the `integrations` read models: each answer is one indexed query, and none writes. */
export class IntegrationQueries {
  constructor(private readonly sql: Sql) {}

  /** `account.integrations.list` */
  async list(userId: string): Promise<IntegrationSummary[]> {
    const rows = await this.sql<Pick<IntegrationRow, 'id' | 'provider' | 'is_active' | 'connected_at' | 'last_sync_at'>>(
      'SELECT id, provider, is_active, connected_at, last_sync_at FROM integrations WHERE user_id = $1 ORDER BY connected_at, id',
      [userId],
    );
    return rows.map(toIntegrationSummary);
  }

  /** `integration.github.list`: the user's GitHub integration, or null. */
  async github(userId: string): Promise<GitHubIntegrationView | null> {
    const [row] = await this.sql<Pick<IntegrationRow, 'id' | 'user_id' | 'installations' | 'is_active' | 'connected_at'>>(
      `SELECT id, user_id, installations, is_active, connected_at FROM integrations WHERE user_id = $1 AND provider = 'github' ORDER BY connected_at LIMIT 1`,
      [userId],
    );
    return row ? toGitHubIntegrationView(row) : null;
  }

  /**
   * `integration.resources.list`: one query that also proves ownership (an integration of
   * another user, or none, gives no row: a 404).
   */
  async resources(userId: string, integrationId: string): Promise<ResourceView[]> {
    const rows = await this.sql<PrefixedResourceRow>(
      `SELECT ${RESOURCE_COLUMNS} FROM integrations i LEFT JOIN integration_resources r ON r.integration_id = i.id
        WHERE i.id = $1 AND i.user_id = $2 ORDER BY r.created_at, r.id`,
      [integrationId, userId],
    );
    if (rows.length === 0) throw new DomainError('not_found', 'Integration not found');
    return rows.flatMap((row) => toResourceView(row) ?? []);
  }

  /** `integration.workspace.list`: the workspace's active connections with their resources, in one join. */
  async workspaceConnections(workspaceId: string): Promise<WorkspaceIntegrationView[]> {
    const rows = await this.sql<ConnectionRow & PrefixedResourceRow>(
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
    const [row] = await this.sql<ConnectionRow & PrefixedResourceRow>(
      `SELECT w.*, ${RESOURCE_COLUMNS} FROM integration_resources r
         JOIN workspace_integrations w ON w.resource_id = r.id AND w.workspace_id = $2
        WHERE r.user_id = $1 AND lower(r.repo_full_name) = lower($3)
        ORDER BY w.is_active DESC, w.connected_at DESC LIMIT 1`,
      [userId, workspaceId, repoFullName],
    );
    return row ? toConnectionView(row) : null;
  }

  /**
   * Push routing: the active workspace connections of resources registered for this repository id
   * from this installation, with each resource's owner (whose stream the caller confirms them on).
   */
  async connectionsOfRepository(
    repoId: string,
    installationId: string,
  ): Promise<{ userId: string; workspaceId: string; resourceId: string }[]> {
    return this.sql<{ userId: string; workspaceId: string; resourceId: string }>(
      `SELECT r.user_id AS "userId", w.workspace_id AS "workspaceId", w.resource_id AS "resourceId"
         FROM integration_resources r JOIN workspace_integrations w ON w.resource_id = r.id
        WHERE r.repo_id = $1 AND r.installation_id = $2 AND w.is_active
        ORDER BY w.workspace_id, w.resource_id`,
      [repoId, installationId],
    );
  }

  /** Who owns a connection (its resource's user), to route a disconnection to their stream. */
  async connectionOwner(workspaceId: string, resourceId: string): Promise<string | null> {
    const [row] = await this.sql<Pick<WorkspaceIntegrationRow, 'user_id'>>(
      'SELECT user_id FROM workspace_integrations WHERE workspace_id = $1 AND resource_id = $2',
      [workspaceId, resourceId],
    );
    return row?.user_id ?? null;
  }
}
