import { Inject, Injectable } from '@nestjs/common';
import type { JobStatus } from '#domain';
import { badRequest, notFound } from '../common/api-error.js';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import type { JobView } from './jobs.dto.js';

export interface JobRow {
  id: string;
  organization_id: string;
  workspace_id: string;
  repository_id: string | null;
  name: string;
  status: JobStatus;
  trigger: string;
  triggered_by: string | null;
  input: unknown;
  output: unknown;
  progress: unknown;
  error_message: string | null;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  duration_ms: string | null;
  updated_at: Date;
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

/** Keyset cursor: the (created_at, id) of the last item, so pages stay stable as jobs arrive. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function decodeCursor(cursor: string): [string, string] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Exactly the ISO form we emit: anything else could be a date to JavaScript but not to PostgreSQL.
    if (Array.isArray(value) && value.length === 2 && typeof value[1] === 'string' && typeof value[0] === 'string' && ISO_INSTANT.test(value[0]) && !Number.isNaN(Date.parse(value[0]))) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('cursor', 'is not a cursor returned by this endpoint');
}

/** Lookups on the `jobs` read model through its keyset indexes. */
@Injectable()
export class JobQueries {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  async list(workspaceId: string, filter: { status?: JobStatus; repositoryId?: string; limit: number; cursor?: string }) {
    const params: unknown[] = [workspaceId];
    const where = ['workspace_id = $1'];
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.repositoryId) where.push(`repository_id = $${params.push(filter.repositoryId)}`);
    if (filter.cursor) {
      const [createdAt, id] = decodeCursor(filter.cursor);
      where.push(`(created_at, id) < ($${params.push(createdAt)}::timestamptz, $${params.push(id)})`);
    }
    const rows: JobRow[] = await this.runtime.dataSource.query(
      `SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.push(filter.limit + 1)}`,
      params,
    );
    const hasMore = rows.length > filter.limit;
    const items = rows.slice(0, filter.limit).map(toJobView);
    const last = items.at(-1);
    return { items, nextCursor: hasMore && last ? encodeCursor(last.createdAt, last.id) : null, hasMore };
  }

  async get(workspaceId: string, jobId: string): Promise<JobView> {
    const rows: JobRow[] = await this.runtime.dataSource.query('SELECT * FROM jobs WHERE id = $1 AND workspace_id = $2', [jobId, workspaceId]);
    if (!rows[0]) throw notFound('Job');
    return toJobView(rows[0]);
  }
}
