import type { RecordedEvent } from '#domain';
import { INTEGRATION_EVENT_TYPES, assertNever, type IntegrationEvent } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

/**
 * A user's integrations. There is no token column: the sealed token stays in the event stream,
 * which is the only place the one command that needs it (validation) reads from.
 */
export const integrationsTable: TableDefinition = {
  name: 'integrations',
  columns: {
    id: { type: 'text' },
    user_id: { type: 'text' },
    provider: { type: 'text' },
    scopes: { type: 'jsonb' },
    installations: { type: 'jsonb' },
    is_active: { type: 'boolean' },
    connected_at: { type: 'timestamptz' },
    last_sync_at: { type: 'timestamptz', nullable: true },
    disconnected_at: { type: 'timestamptz', nullable: true },
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  indexes: ['(user_id, provider)'],
};

export const integrationResourcesTable: TableDefinition = {
  name: 'integration_resources',
  columns: {
    id: { type: 'text' },
    integration_id: { type: 'text' },
    user_id: { type: 'text' },
    provider: { type: 'text' },
    resource_type: { type: 'text' },
    installation_id: { type: 'text' },
    repo_id: { type: 'text' },
    repo_name: { type: 'text' },
    repo_full_name: { type: 'text' },
    default_branch: { type: 'text' },
    is_private: { type: 'boolean' },
    is_archived: { type: 'boolean' },
    created_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  // `(integration_id, created_at, id)`: the resource list of an integration, in order.
  // `(integration_id, repo_id)`: not unique on purpose: one resource per repo id is the decider's
  // invariant (checked and appended at one stream revision); a read model never refuses an event.
  // `(user_id, lower(repo_full_name))`: the workspace status of "my repository owner/name".
  indexes: ['(integration_id, created_at, id)', '(integration_id, repo_id)', '(user_id, lower(repo_full_name))'],
};

/** One row per (workspace, resource) ever connected; `is_active` false once disconnected. */
export const workspaceIntegrationsTable: TableDefinition = {
  name: 'workspace_integrations',
  columns: {
    workspace_id: { type: 'text' },
    resource_id: { type: 'text' },
    organization_id: { type: 'text' },
    integration_id: { type: 'text' },
    user_id: { type: 'text' },
    sync_config: { type: 'jsonb' },
    is_active: { type: 'boolean' },
    connected_at: { type: 'timestamptz' },
    disconnected_at: { type: 'timestamptz', nullable: true },
    // Written by the initial-sync reactor's events (issue 5); `pending` until it starts.
    last_sync_status: { type: 'text', nullable: true },
    last_synced_at: { type: 'timestamptz', nullable: true },
    last_sync_error: { type: 'text', nullable: true },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['workspace_id', 'resource_id'],
  indexes: ['(workspace_id, is_active, connected_at)', '(resource_id)'],
};

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & IntegrationEvent;
  switch (event.type) {
    case 'GitHubIntegrationConnected': {
      const d = event.data;
      const current = { scopes: d.scopes, installations: d.installations, is_active: true, last_sync_at: d.connectedAt, disconnected_at: null, updated_at: d.connectedAt };
      // A reconnection keeps the first connection's dates, as the original's upsert did.
      if (d.reconnected) return [{ kind: 'patch', table: 'integrations', key: { id: d.integrationId }, set: current }];
      return [
        {
          kind: 'upsert',
          table: 'integrations',
          row: { id: d.integrationId, user_id: d.userId, provider: 'github', ...current, connected_at: d.connectedAt, created_at: d.connectedAt },
        },
      ];
    }
    case 'GitHubInstallationsValidated': {
      const d = event.data;
      return [{ kind: 'patch', table: 'integrations', key: { id: d.integrationId }, set: { installations: d.installations, last_sync_at: d.validatedAt, updated_at: d.validatedAt } }];
    }
    case 'IntegrationDisconnected': {
      const d = event.data;
      return [{ kind: 'patch', table: 'integrations', key: { id: d.integrationId }, set: { is_active: false, disconnected_at: d.disconnectedAt, updated_at: d.disconnectedAt } }];
    }
    case 'ResourcesCreated': {
      const d = event.data;
      return d.resources.map((r) => ({
        kind: 'upsert',
        table: 'integration_resources',
        row: {
          id: r.resourceId,
          integration_id: d.integrationId,
          user_id: d.userId,
          provider: 'github',
          resource_type: 'repository',
          installation_id: r.installationId,
          repo_id: r.repoId,
          repo_name: r.repoName,
          repo_full_name: r.repoFullName,
          default_branch: r.defaultBranch,
          is_private: r.isPrivate,
          is_archived: r.isArchived,
          created_at: d.createdAt,
        },
      }));
    }
    case 'ResourceConnectedToWorkspace': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'workspace_integrations',
          row: {
            workspace_id: d.workspaceId,
            resource_id: d.resourceId,
            organization_id: d.organizationId,
            integration_id: d.integrationId,
            user_id: d.connectedBy,
            sync_config: d.syncConfig,
            is_active: true,
            connected_at: d.connectedAt,
            disconnected_at: null,
            // A (re)connection starts a new initial sync: its status starts over.
            last_sync_status: 'pending',
            last_sync_error: null,
            updated_at: d.connectedAt,
          },
        },
      ];
    }
    case 'WorkspaceSyncConfigChanged': {
      const d = event.data;
      return [{ kind: 'patch', table: 'workspace_integrations', key: { workspace_id: d.workspaceId, resource_id: d.resourceId }, set: { sync_config: d.syncConfig, updated_at: d.changedAt } }];
    }
    case 'ResourceDisconnectedFromWorkspace': {
      const d = event.data;
      return [
        {
          kind: 'patch',
          table: 'workspace_integrations',
          key: { workspace_id: d.workspaceId, resource_id: d.resourceId },
          set: { is_active: false, disconnected_at: d.disconnectedAt, updated_at: d.disconnectedAt },
        },
      ];
    }
    case 'WorkspaceSyncRecorded': {
      const d = event.data;
      return [
        {
          kind: 'patch',
          table: 'workspace_integrations',
          key: { workspace_id: d.workspaceId, resource_id: d.resourceId },
          set: { last_sync_status: d.status, last_sync_error: d.error, ...(d.status === 'completed' ? { last_synced_at: d.recordedAt } : {}), updated_at: d.recordedAt },
        },
      ];
    }
    default:
      return assertNever(event);
  }
}

export const integrationsProjection: ProjectionDefinition = {
  name: 'integrations',
  eventTypes: INTEGRATION_EVENT_TYPES,
  tables: [integrationsTable, integrationResourcesTable, workspaceIntegrationsTable],
  apply,
};
