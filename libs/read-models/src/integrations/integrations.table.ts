import type { GitHubInstallation, SyncConfig } from '#domain';
import { defineTable, typed, type RowOf } from '../core/table.js';

/**
 * A user's integrations. There is no token column: the sealed token stays in the event stream,
 * which is the only place the one command that needs it (validation) reads from.
 */
export const integrationsTable = defineTable({
  name: 'integrations',
  columns: {
    id: { type: 'text' },
    user_id: { type: 'text' },
    provider: typed<'github'>()({ type: 'text' }),
    scopes: typed<readonly string[]>()({ type: 'jsonb' }),
    installations: typed<GitHubInstallation[]>()({ type: 'jsonb' }),
    is_active: { type: 'boolean' },
    connected_at: { type: 'timestamptz' },
    last_sync_at: { type: 'timestamptz', nullable: true },
    disconnected_at: { type: 'timestamptz', nullable: true },
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  indexes: ['(user_id, provider)'],
});

export const integrationResourcesTable = defineTable({
  name: 'integration_resources',
  columns: {
    id: { type: 'text' },
    integration_id: { type: 'text' },
    user_id: { type: 'text' },
    provider: typed<'github'>()({ type: 'text' }),
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
  // `(repo_id, installation_id)`: a push webhook's connections of one repository, across users.
  indexes: [
    '(integration_id, created_at, id)',
    '(integration_id, repo_id)',
    '(user_id, lower(repo_full_name))',
    '(repo_id, installation_id)',
  ],
});

/** One row per (workspace, resource) ever connected; `is_active` false once disconnected. */
export const workspaceIntegrationsTable = defineTable({
  name: 'workspace_integrations',
  columns: {
    workspace_id: { type: 'text' },
    resource_id: { type: 'text' },
    organization_id: { type: 'text' },
    integration_id: { type: 'text' },
    user_id: { type: 'text' },
    sync_config: typed<SyncConfig>()({ type: 'jsonb' }),
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
});

export type IntegrationRow = RowOf<typeof integrationsTable>;
export type IntegrationResourceRow = RowOf<typeof integrationResourcesTable>;
export type WorkspaceIntegrationRow = RowOf<typeof workspaceIntegrationsTable>;
