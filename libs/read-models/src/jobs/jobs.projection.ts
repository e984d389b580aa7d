import type { RecordedEvent } from '#domain';
import { JOB_EVENT_TYPES, assertNever, type JobEvent } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

export const jobsTable: TableDefinition = {
  name: 'jobs',
  columns: {
    id: { type: 'text' },
    organization_id: { type: 'text' },
    workspace_id: { type: 'text' },
    repository_id: { type: 'text', nullable: true },
    name: { type: 'text' },
    status: { type: 'text' },
    trigger: { type: 'text' },
    triggered_by: { type: 'text', nullable: true },
    input: { type: 'jsonb' },
    output: { type: 'jsonb', nullable: true },
    progress: { type: 'jsonb', nullable: true },
    error_message: { type: 'text', nullable: true },
    error_code: { type: 'text', nullable: true },
    created_at: { type: 'timestamptz' },
    started_at: { type: 'timestamptz', nullable: true },
    completed_at: { type: 'timestamptz', nullable: true },
    duration_ms: { type: 'bigint', nullable: true },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  indexes: [
    // Keyset pagination of a workspace's jobs, newest first, with and without a status filter.
    // INCLUDE lets the analytics' partial edge hours be answered from the index alone.
    '(workspace_id, created_at DESC, id DESC) INCLUDE (status, duration_ms)',
    '(workspace_id, status, created_at DESC, id DESC)',
    '(repository_id, created_at DESC, id DESC) WHERE repository_id IS NOT NULL',
  ],
};

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & JobEvent;
  const key = { id: event.data.jobId };
  const patch = (set: Record<string, unknown>): RowChange[] => [{ kind: 'patch', table: 'jobs', key, set }];
  switch (event.type) {
    case 'JobQueued': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'jobs',
          row: {
            id: d.jobId,
            organization_id: d.organizationId,
            workspace_id: d.workspaceId,
            repository_id: d.repositoryId,
            name: d.name,
            status: 'queued',
            trigger: d.trigger,
            triggered_by: d.triggeredBy,
            input: d.input,
            created_at: d.queuedAt,
            updated_at: d.queuedAt,
          },
        },
      ];
    }
    case 'JobStarted':
      return patch({ status: 'running', started_at: event.data.startedAt, updated_at: event.data.startedAt });
    case 'JobProgressed': {
      const { processed, total, message, at } = event.data;
      return patch({ progress: { processed, total, message, at }, updated_at: at });
    }
    case 'JobCompleted':
      return patch({ status: 'completed', completed_at: event.data.completedAt, duration_ms: event.data.durationMs, output: event.data.output, updated_at: event.data.completedAt });
    case 'JobFailed':
      return patch({
        status: 'failed',
        completed_at: event.data.failedAt,
        duration_ms: event.data.durationMs,
        error_message: event.data.error.message,
        error_code: event.data.error.code,
        updated_at: event.data.failedAt,
      });
    case 'JobCancelled':
      return patch({ status: 'cancelled', completed_at: event.data.cancelledAt, output: event.data.reason ? { reason: event.data.reason } : null, updated_at: event.data.cancelledAt });
    default:
      return assertNever(event);
  }
}

export const jobsProjection: ProjectionDefinition = { name: 'jobs', eventTypes: JOB_EVENT_TYPES, tables: [jobsTable], apply };
