import type { RecordedEvent } from '#domain';
import { isIngestionJobInput, type JobEvent, type ResourceConnectedToWorkspace, type ResourceDisconnectedFromWorkspace } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

/**
 * The ingestion reactor's work: jobs queued or running (a row leaves when the job ends), and
 * initial syncs requested by a resource connection that have no job yet. Both are small by
 * construction — their size is the reactor's queue length — and rebuilt from the log like any
 * read model, so a reactor that crashed finds its unfinished work here.
 */
export const ingestionQueueTable: TableDefinition = {
  name: 'ingestion_queue',
  columns: {
    job_id: { type: 'text' },
    organization_id: { type: 'text' },
    workspace_id: { type: 'text' },
    repository_id: { type: 'text', nullable: true },
    github_repo_id: { type: 'text' },
    status: { type: 'text' },
    input: { type: 'jsonb' },
    queued_at: { type: 'timestamptz' },
  },
  primaryKey: ['job_id'],
  indexes: ['(github_repo_id, queued_at, job_id)'],
};

export const initialSyncRequestsTable: TableDefinition = {
  name: 'initial_sync_requests',
  columns: {
    resource_id: { type: 'text' },
    /** The id of the `ResourceConnectedToWorkspace` event: each connection asks for one sync (its job id derives from it). */
    request_id: { type: 'text' },
    organization_id: { type: 'text' },
    workspace_id: { type: 'text' },
    installation_id: { type: 'text' },
    repo_id: { type: 'text' },
    repo_full_name: { type: 'text' },
    default_branch: { type: 'text' },
    connected_by: { type: 'text' },
    requested_at: { type: 'timestamptz' },
  },
  // One pending request per resource: connecting again before the sync was queued asks once.
  primaryKey: ['resource_id'],
};

type Handled = JobEvent | ResourceConnectedToWorkspace | ResourceDisconnectedFromWorkspace;

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & Handled;
  switch (event.type) {
    case 'JobQueued': {
      const d = event.data;
      if (!isIngestionJobInput(d.input)) return [];
      const queued: RowChange = {
        kind: 'upsert',
        table: 'ingestion_queue',
        row: { job_id: d.jobId, organization_id: d.organizationId, workspace_id: d.workspaceId, repository_id: d.repositoryId, github_repo_id: d.input.githubRepoId, status: 'queued', input: d.input, queued_at: d.queuedAt },
      };
      const resourceId = d.input.initialSyncResourceId;
      return typeof resourceId === 'string' ? [queued, { kind: 'delete', table: 'initial_sync_requests', key: { resource_id: resourceId } }] : [queued];
    }
    case 'JobStarted':
      return [{ kind: 'patch', table: 'ingestion_queue', key: { job_id: event.data.jobId }, set: { status: 'running' } }];
    case 'JobCompleted':
    case 'JobFailed':
    case 'JobCancelled':
      return [{ kind: 'delete', table: 'ingestion_queue', key: { job_id: event.data.jobId } }];
    case 'JobProgressed':
      return [];
    case 'ResourceConnectedToWorkspace': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'initial_sync_requests',
          row: {
            request_id: recorded.id,
            resource_id: d.resourceId,
            organization_id: d.organizationId,
            workspace_id: d.workspaceId,
            installation_id: d.installationId,
            repo_id: d.repoId,
            repo_full_name: d.repoFullName,
            default_branch: d.defaultBranch,
            connected_by: d.connectedBy,
            requested_at: d.connectedAt,
          },
        },
      ];
    }
    case 'ResourceDisconnectedFromWorkspace':
      // The original cancels the initial sync on disconnection; one not started yet is dropped.
      return [{ kind: 'delete', table: 'initial_sync_requests', key: { resource_id: event.data.resourceId } }];
    default:
      return [];
  }
}

export const ingestionQueueProjection: ProjectionDefinition = {
  name: 'ingestion_queue',
  eventTypes: ['JobQueued', 'JobStarted', 'JobProgressed', 'JobCompleted', 'JobFailed', 'JobCancelled', 'ResourceConnectedToWorkspace', 'ResourceDisconnectedFromWorkspace'],
  tables: [ingestionQueueTable, initialSyncRequestsTable],
  apply,
};
