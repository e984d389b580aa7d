import type { JobStatus } from '#domain';
import { defineTable, typed, type RowOf } from '../core/table.js';

export const jobsTable = defineTable({
  name: 'jobs',
  columns: {
    id: { type: 'text' },
    organization_id: { type: 'text' },
    workspace_id: { type: 'text' },
    repository_id: { type: 'text', nullable: true },
    name: { type: 'text' },
    status: typed<JobStatus>()({ type: 'text' }),
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
    // The operator console's recent failures across workspaces (only failed jobs are in it).
    "((COALESCE(completed_at, updated_at)) DESC, id DESC) WHERE status = 'failed'",
  ],
});

export type JobRow = RowOf<typeof jobsTable>;
