import type { RecordedEvent } from '#domain';
import { JOB_EVENT_TYPES, assertNever, type JobEvent } from '#domain';
import { defineProjection, type RowChangeOf, type RowValues } from '../core/projection.js';
import { jobsTable } from './jobs.table.js';

type JobChange = RowChangeOf<typeof jobsTable>;

function apply(recorded: RecordedEvent): JobChange[] {
  const event = recorded as RecordedEvent & JobEvent;
  const key = { id: event.data.jobId };
  const patch = (set: RowValues<typeof jobsTable>): JobChange[] => [{ kind: 'patch', table: 'jobs', key, set }];
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
      return patch({
        status: 'completed',
        completed_at: event.data.completedAt,
        duration_ms: event.data.durationMs,
        output: event.data.output,
        updated_at: event.data.completedAt,
      });
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
      return patch({
        status: 'cancelled',
        completed_at: event.data.cancelledAt,
        output: event.data.reason ? { reason: event.data.reason } : null,
        updated_at: event.data.cancelledAt,
      });
    default:
      return assertNever(event);
  }
}

export const jobsProjection = defineProjection({ name: 'jobs', eventTypes: JOB_EVENT_TYPES, tables: [jobsTable], apply });
