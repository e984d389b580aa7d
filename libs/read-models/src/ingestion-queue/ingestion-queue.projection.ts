import type { RecordedEvent } from '#domain';
import { isIngestionJobInput, type JobEvent, type ResourceConnectedToWorkspace, type ResourceDisconnectedFromWorkspace } from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { ingestionQueueTable, initialSyncRequestsTable } from './ingestion-queue.table.js';

type QueueChange = RowChangeOf<typeof ingestionQueueTable | typeof initialSyncRequestsTable>;

type Handled = JobEvent | ResourceConnectedToWorkspace | ResourceDisconnectedFromWorkspace;

function apply(recorded: RecordedEvent): QueueChange[] {
  const event = recorded as RecordedEvent & Handled;
  switch (event.type) {
    case 'JobQueued': {
      const d = event.data;
      if (!isIngestionJobInput(d.input)) return [];
      const queued: QueueChange = {
        kind: 'upsert',
        table: 'ingestion_queue',
        row: {
          job_id: d.jobId,
          organization_id: d.organizationId,
          workspace_id: d.workspaceId,
          repository_id: d.repositoryId,
          github_repo_id: d.input.githubRepoId,
          status: 'queued',
          input: d.input,
          queued_at: d.queuedAt,
        },
      };
      const resourceId = d.input.initialSyncResourceId;
      return typeof resourceId === 'string'
        ? [queued, { kind: 'delete', table: 'initial_sync_requests', key: { resource_id: resourceId } }]
        : [queued];
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

export const ingestionQueueProjection = defineProjection({
  name: 'ingestion_queue',
  eventTypes: [
    'JobQueued',
    'JobStarted',
    'JobProgressed',
    'JobCompleted',
    'JobFailed',
    'JobCancelled',
    'ResourceConnectedToWorkspace',
    'ResourceDisconnectedFromWorkspace',
  ],
  tables: [ingestionQueueTable, initialSyncRequestsTable],
  apply,
});
