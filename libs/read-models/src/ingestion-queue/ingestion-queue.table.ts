import type { IngestionJobInput } from '#domain';
import { defineTable, typed, type RowOf } from '../core/table.js';

/**
 * The ingestion reactor's work: jobs queued or running (a row leaves when the job ends), and
 * initial syncs requested by a resource connection that have no job yet. Both are small by
 * construction — their size is the reactor's queue length — and rebuilt from the log like any
 * read model, so a reactor that crashed finds its unfinished work here.
 */
export const ingestionQueueTable = defineTable({
  name: 'ingestion_queue',
  columns: {
    job_id: { type: 'text' },
    organization_id: { type: 'text' },
    workspace_id: { type: 'text' },
    repository_id: { type: 'text', nullable: true },
    github_repo_id: { type: 'text' },
    status: typed<'queued' | 'running'>()({ type: 'text' }),
    input: typed<IngestionJobInput>()({ type: 'jsonb' }),
    queued_at: { type: 'timestamptz' },
  },
  primaryKey: ['job_id'],
  indexes: ['(github_repo_id, queued_at, job_id)'],
});

export const initialSyncRequestsTable = defineTable({
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
});

export type IngestionQueueRow = RowOf<typeof ingestionQueueTable>;
export type InitialSyncRequestRow = RowOf<typeof initialSyncRequestsTable>;
