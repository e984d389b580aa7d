import type { JobStatus } from '#domain';
import type { JobRow } from './jobs.table.js';

export interface JobView {
  readonly id: string;
  readonly clerkOrgId: string;
  readonly workspaceId: string;
  readonly repositoryId: string | null;
  readonly name: string;
  readonly status: JobStatus;
  readonly trigger: string;
  readonly triggeredBy: string | null;
  readonly input: unknown;
  readonly output: unknown;
  readonly progress: unknown;
  readonly errorMessage: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  /** A number (the original stored a string). Null until the job ends, and for cancelled jobs. */
  readonly durationMs: number | null;
  readonly updatedAt: string;
}

export const toJobView = (row: JobRow): JobView => ({
  id: row.id,
  clerkOrgId: row.organization_id,
  workspaceId: row.workspace_id,
  repositoryId: row.repository_id,
  name: row.name,
  status: row.status,
  trigger: row.trigger,
  triggeredBy: row.triggered_by,
  input: row.input,
  output: row.output,
  progress: row.progress,
  errorMessage: row.error_message,
  createdAt: row.created_at.toISOString(),
  startedAt: row.started_at?.toISOString() ?? null,
  completedAt: row.completed_at?.toISOString() ?? null,
  durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
  updatedAt: row.updated_at.toISOString(),
});
