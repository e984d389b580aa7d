import type { RecordedEvent } from '#domain';
import { REPOSITORY_EVENT_TYPES, assertNever, type RepositoryEvent } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

/** The original's `DeusConnectedRepository`, one row per connected GitHub repository. */
export const repositoriesTable: TableDefinition = {
  name: 'repositories',
  columns: {
    id: { type: 'text' },
    organization_id: { type: 'text' },
    github_repo_id: { type: 'text' },
    github_installation_id: { type: 'text' },
    workspace_id: { type: 'text', nullable: true },
    is_active: { type: 'boolean' },
    config_status: { type: 'text' },
    config_path: { type: 'text', nullable: true },
    config: { type: 'jsonb', nullable: true },
    config_error: { type: 'text', nullable: true },
    config_detected_at: { type: 'timestamptz', nullable: true },
    metadata: { type: 'jsonb' },
    connected_at: { type: 'timestamptz' },
    last_synced_at: { type: 'timestamptz', nullable: true },
    document_count: { type: 'integer' },
    last_ingested_at: { type: 'timestamptz', nullable: true },
    active_job_id: { type: 'text', nullable: true },
  },
  primaryKey: ['id'],
  // One stream per GitHub repository id keeps it unique; `(organization_id, is_active)` serves the
  // list, `(github_installation_id)` the installation-wide changes webhooks make.
  indexes: ['UNIQUE (github_repo_id)', '(organization_id, is_active)', '(workspace_id, is_active)', '(github_installation_id)'],
};

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & RepositoryEvent;
  const key = { id: event.data.repositoryId };
  switch (event.type) {
    case 'RepositoryConnected': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'repositories',
          row: {
            id: d.repositoryId,
            organization_id: d.organizationId,
            github_repo_id: d.githubRepoId,
            github_installation_id: d.githubInstallationId,
            workspace_id: d.workspaceId,
            is_active: true,
            config_status: 'pending',
            config_path: null,
            config: null,
            config_error: null,
            config_detected_at: null,
            metadata: d.metadata,
            connected_at: d.connectedAt,
            last_synced_at: null,
            document_count: 0,
            last_ingested_at: null,
            active_job_id: null,
          },
        },
      ];
    }
    case 'RepositoryReactivated': {
      const d = event.data;
      // As the original: the row is kept (config, documents), with the new installation,
      // workspace and metadata, and `lastSyncedAt` set to now.
      return [
        {
          kind: 'patch',
          table: 'repositories',
          key,
          set: { organization_id: d.organizationId, github_installation_id: d.githubInstallationId, workspace_id: d.workspaceId, is_active: true, metadata: d.metadata, last_synced_at: d.reactivatedAt },
        },
      ];
    }
    case 'RepositoryDeactivated':
      return [{ kind: 'patch', table: 'repositories', key, set: { is_active: false } }];
    case 'RepositoryConfigDetected': {
      const d = event.data;
      return [{ kind: 'patch', table: 'repositories', key, set: { config_status: d.status, config_path: d.configPath, config: d.config, config_error: d.error, config_detected_at: d.detectedAt } }];
    }
    case 'ReindexRequested':
      return [{ kind: 'patch', table: 'repositories', key, set: { active_job_id: event.data.jobId } }];
    case 'ReindexFinished':
      return [{ kind: 'patch', table: 'repositories', key, set: { active_job_id: null, last_ingested_at: event.data.at } }];
    default:
      return assertNever(event);
  }
}

export const repositoriesProjection: ProjectionDefinition = {
  name: 'repositories',
  eventTypes: [...REPOSITORY_EVENT_TYPES],
  tables: [repositoriesTable],
  apply,
};
