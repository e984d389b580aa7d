import type { RecordedEvent } from '#domain';
import {
  DOCUMENT_EVENT_TYPES,
  REPOSITORY_EVENT_TYPES,
  assertNever,
  deletedRepositoryMetadata,
  type DocumentEvent,
  type RepositoryEvent,
} from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { repositoriesTable } from './repositories.table.js';

type RepositoryChange = RowChangeOf<typeof repositoriesTable>;

function apply(recorded: RecordedEvent): RepositoryChange[] {
  if ((DOCUMENT_EVENT_TYPES as readonly string[]).includes(recorded.type)) return documentCount(recorded as RecordedEvent & DocumentEvent);
  const event = recorded as RecordedEvent & RepositoryEvent;
  const key = { id: event.data.repositoryId };
  switch (event.type) {
    case 'RepositoryConnected':
      return [connected(event.data)];
    case 'RepositoryReactivated':
      return [reactivated(key, event.data)];
    case 'RepositoryDeactivated':
      return [{ kind: 'patch', table: 'repositories', key, set: { is_active: false } }];
    case 'RepositoryDeleted':
      return [
        { kind: 'patch', table: 'repositories', key, set: { is_active: false, metadata: deletedRepositoryMetadata(event.data.deletedAt) } },
      ];
    case 'RepositoryMetadataUpdated':
      return [{ kind: 'patch', table: 'repositories', key, set: { metadata: event.data.metadata } }];
    case 'RepositoryConfigDetected':
      return [configDetected(key, event.data)];
    case 'ReindexRequested':
      return [{ kind: 'patch', table: 'repositories', key, set: { active_job_id: event.data.jobId } }];
    case 'ReindexFinished':
      return [{ kind: 'patch', table: 'repositories', key, set: { active_job_id: null, last_ingested_at: event.data.at } }];
    default:
      return assertNever(event);
  }
}

type RepositoryData<T extends RepositoryEvent['type']> = Extract<RepositoryEvent, { type: T }>['data'];

function connected(d: RepositoryData<'RepositoryConnected'>): RepositoryChange {
  return {
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
  };
}

/**
 * As the original: the row is kept (config, documents), with the new installation, workspace and
 * metadata, and `lastSyncedAt` set to now.
 */
function reactivated(key: { id: string }, d: RepositoryData<'RepositoryReactivated'>): RepositoryChange {
  return {
    kind: 'patch',
    table: 'repositories',
    key,
    set: {
      organization_id: d.organizationId,
      github_installation_id: d.githubInstallationId,
      workspace_id: d.workspaceId,
      is_active: true,
      metadata: d.metadata,
      last_synced_at: d.reactivatedAt,
    },
  };
}

function configDetected(key: { id: string }, d: RepositoryData<'RepositoryConfigDetected'>): RepositoryChange {
  return {
    kind: 'patch',
    table: 'repositories',
    key,
    set: { config_status: d.status, config_path: d.configPath, config: d.config, config_error: d.error, config_detected_at: d.detectedAt },
  };
}

/**
 * Documents of the repository in its store: new ones counted in, removed ones out. Each batch is
 * recorded once per (job, batch number), so the counts move exactly once per batch. The row exists:
 * a repository's documents are ingested only after its `RepositoryConnected`, earlier in the log.
 */
function documentCount(event: RecordedEvent & DocumentEvent): RepositoryChange[] {
  const { repositoryId } = event.data;
  if (repositoryId === null) return [];
  const delta = event.type === 'DocumentsIndexed' ? event.data.documents.filter((d) => d.isNew).length : -event.data.documents.length;
  return delta === 0 ? [] : [{ kind: 'increment', table: 'repositories', key: { id: repositoryId }, add: { document_count: delta } }];
}

export const repositoriesProjection = defineProjection({
  name: 'repositories',
  eventTypes: [...REPOSITORY_EVENT_TYPES, ...DOCUMENT_EVENT_TYPES],
  tables: [repositoriesTable],
  apply,
});
