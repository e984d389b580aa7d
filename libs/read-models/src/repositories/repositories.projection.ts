import type { RecordedEvent } from '#domain';
import { DOCUMENT_EVENT_TYPES, REPOSITORY_EVENT_TYPES, assertNever, deletedRepositoryMetadata, type DocumentEvent, type RepositoryEvent } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

/**
 * The original's `DeusConnectedRepository`, one row per connected GitHub repository.
 *
 * The defaults are there for `document_count`'s increments only: an increment is an INSERT … ON
 * CONFLICT, and PostgreSQL checks NOT NULL on the proposed row before it finds the conflict. They
 * never fill a row: a repository's documents are ingested after its `RepositoryConnected`, which
 * the log holds earlier, so the row is always there to update.
 */
export const repositoriesTable: TableDefinition = {
  name: 'repositories',
  columns: {
    id: { type: 'text' },
    organization_id: { type: 'text', default: "''" },
    github_repo_id: { type: 'text', default: "''" },
    github_installation_id: { type: 'text', default: "''" },
    workspace_id: { type: 'text', nullable: true },
    is_active: { type: 'boolean', default: 'false' },
    config_status: { type: 'text', default: "'pending'" },
    config_path: { type: 'text', nullable: true },
    config: { type: 'jsonb', nullable: true },
    config_error: { type: 'text', nullable: true },
    config_detected_at: { type: 'timestamptz', nullable: true },
    metadata: { type: 'jsonb', default: "'{}'::jsonb" },
    connected_at: { type: 'timestamptz', default: "'epoch'" },
    last_synced_at: { type: 'timestamptz', nullable: true },
    document_count: { type: 'integer', default: '0' },
    last_ingested_at: { type: 'timestamptz', nullable: true },
    active_job_id: { type: 'text', nullable: true },
  },
  primaryKey: ['id'],
  // One stream per organization and GitHub repository id keeps the pair unique; `(organization_id,
  // is_active)` serves the list, `(github_repo_id)` and `(github_installation_id)` the webhooks'
  // routing (a repository may be connected by several organizations that each own its installation).
  indexes: ['UNIQUE (organization_id, github_repo_id)', '(organization_id, is_active)', '(workspace_id, is_active)', '(github_repo_id)', '(github_installation_id)'],
};

function apply(recorded: RecordedEvent): RowChange[] {
  if ((DOCUMENT_EVENT_TYPES as readonly string[]).includes(recorded.type)) return documentCount(recorded as RecordedEvent & DocumentEvent);
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
    case 'RepositoryDeleted':
      return [{ kind: 'patch', table: 'repositories', key, set: { is_active: false, metadata: deletedRepositoryMetadata(event.data.deletedAt) } }];
    case 'RepositoryMetadataUpdated':
      return [{ kind: 'patch', table: 'repositories', key, set: { metadata: event.data.metadata } }];
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

/**
 * Documents of the repository in its store: new ones counted in, removed ones out. Each batch is
 * recorded once per (job, batch number), so the counts move exactly once per batch. The row exists:
 * a repository's documents are ingested only after its `RepositoryConnected`, earlier in the log.
 */
function documentCount(event: RecordedEvent & DocumentEvent): RowChange[] {
  const { repositoryId } = event.data;
  if (repositoryId === null) return [];
  const delta = event.type === 'DocumentsIndexed' ? event.data.documents.filter((d) => d.isNew).length : -event.data.documents.length;
  return delta === 0 ? [] : [{ kind: 'increment', table: 'repositories', key: { id: repositoryId }, add: { document_count: delta } }];
}

export const repositoriesProjection: ProjectionDefinition = {
  name: 'repositories',
  eventTypes: [...REPOSITORY_EVENT_TYPES, ...DOCUMENT_EVENT_TYPES],
  tables: [repositoriesTable],
  apply,
};
