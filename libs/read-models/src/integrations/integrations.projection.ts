import type { RecordedEvent } from '#domain';
import {
  INTEGRATION_EVENT_TYPES,
  assertNever,
  type GitHubInstallationsValidated,
  type GitHubIntegrationConnected,
  type IntegrationDisconnected,
  type IntegrationEvent,
  type ResourceConnectedToWorkspace,
  type ResourceDisconnectedFromWorkspace,
  type ResourcesCreated,
  type WorkspaceSyncConfigChanged,
  type WorkspaceSyncRecorded,
} from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { integrationResourcesTable, integrationsTable, workspaceIntegrationsTable } from './integrations.table.js';

type IntegrationChange = RowChangeOf<typeof integrationsTable | typeof integrationResourcesTable | typeof workspaceIntegrationsTable>;

type UserIntegrationEvent = GitHubIntegrationConnected | GitHubInstallationsValidated | IntegrationDisconnected;
type WorkspaceConnectionEvent =
  ResourceConnectedToWorkspace | WorkspaceSyncConfigChanged | ResourceDisconnectedFromWorkspace | WorkspaceSyncRecorded;

function apply(recorded: RecordedEvent): IntegrationChange[] {
  const event = recorded as RecordedEvent & IntegrationEvent;
  switch (event.type) {
    case 'GitHubIntegrationConnected':
    case 'GitHubInstallationsValidated':
    case 'IntegrationDisconnected':
      return userIntegration(event);
    case 'ResourcesCreated':
      return resources(event);
    case 'ResourceConnectedToWorkspace':
    case 'WorkspaceSyncConfigChanged':
    case 'ResourceDisconnectedFromWorkspace':
    case 'WorkspaceSyncRecorded':
      return workspaceConnection(event);
    default:
      return assertNever(event);
  }
}

/** `integrations`: the user's connection to GitHub and the installations it reaches. */
function userIntegration(event: UserIntegrationEvent): IntegrationChange[] {
  switch (event.type) {
    case 'GitHubIntegrationConnected': {
      const d = event.data;
      const current = {
        scopes: d.scopes,
        installations: d.installations,
        is_active: true,
        last_sync_at: d.connectedAt,
        disconnected_at: null,
        updated_at: d.connectedAt,
      };
      // A reconnection keeps the first connection's dates, as the original's upsert did.
      if (d.reconnected) return [{ kind: 'patch', table: 'integrations', key: { id: d.integrationId }, set: current }];
      return [
        {
          kind: 'upsert',
          table: 'integrations',
          row: {
            id: d.integrationId,
            user_id: d.userId,
            provider: 'github',
            ...current,
            connected_at: d.connectedAt,
            created_at: d.connectedAt,
          },
        },
      ];
    }
    case 'GitHubInstallationsValidated': {
      const d = event.data;
      return [
        {
          kind: 'patch',
          table: 'integrations',
          key: { id: d.integrationId },
          set: { installations: d.installations, last_sync_at: d.validatedAt, updated_at: d.validatedAt },
        },
      ];
    }
    case 'IntegrationDisconnected': {
      const d = event.data;
      return [
        {
          kind: 'patch',
          table: 'integrations',
          key: { id: d.integrationId },
          set: { is_active: false, disconnected_at: d.disconnectedAt, updated_at: d.disconnectedAt },
        },
      ];
    }
    default:
      return assertNever(event);
  }
}

/** `integration_resources`: the repositories a user registered, one row each. */
function resources(event: ResourcesCreated): IntegrationChange[] {
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

/** `workspace_integrations`: a resource connected to a workspace, its sync settings and its last sync. */
function workspaceConnection(event: WorkspaceConnectionEvent): IntegrationChange[] {
  const d = event.data;
  const key = { workspace_id: d.workspaceId, resource_id: d.resourceId };
  switch (event.type) {
    case 'ResourceConnectedToWorkspace': {
      const c = event.data;
      return [
        {
          kind: 'upsert',
          table: 'workspace_integrations',
          row: {
            ...key,
            organization_id: c.organizationId,
            integration_id: c.integrationId,
            user_id: c.connectedBy,
            sync_config: c.syncConfig,
            is_active: true,
            connected_at: c.connectedAt,
            disconnected_at: null,
            // A (re)connection starts a new initial sync: its status starts over.
            last_sync_status: 'pending',
            last_sync_error: null,
            updated_at: c.connectedAt,
          },
        },
      ];
    }
    case 'WorkspaceSyncConfigChanged':
      return [
        {
          kind: 'patch',
          table: 'workspace_integrations',
          key,
          set: { sync_config: event.data.syncConfig, updated_at: event.data.changedAt },
        },
      ];
    case 'ResourceDisconnectedFromWorkspace': {
      const at = event.data.disconnectedAt;
      return [{ kind: 'patch', table: 'workspace_integrations', key, set: { is_active: false, disconnected_at: at, updated_at: at } }];
    }
    case 'WorkspaceSyncRecorded': {
      const r = event.data;
      return [
        {
          kind: 'patch',
          table: 'workspace_integrations',
          key,
          set: {
            last_sync_status: r.status,
            last_sync_error: r.error,
            ...(r.status === 'completed' ? { last_synced_at: r.recordedAt } : {}),
            updated_at: r.recordedAt,
          },
        },
      ];
    }
    default:
      return assertNever(event);
  }
}

export const integrationsProjection = defineProjection({
  name: 'integrations',
  eventTypes: INTEGRATION_EVENT_TYPES,
  tables: [integrationsTable, integrationResourcesTable, workspaceIntegrationsTable],
  apply,
});
