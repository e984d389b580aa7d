import { READ_DATABASE } from '#runtime';
import type { DataSource } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import type { JobStatus } from '#domain';
import { badRequest, notFound } from '../common/api-error.js';
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
const BASE64URL = /^[A-Za-z0-9_-]{1,400}$/;
/** Job ids are ours (UUIDs, seed ids): printable ASCII, so no NUL or other byte PostgreSQL refuses in text reaches it. */
const JOB_ID = /^[\x21-\x7e]{1,191}$/;

/**
 * Only a cursor this endpoint could have emitted is accepted: the decoded pair must encode back to
 * the very same string, and its instant must be one PostgreSQL reads as JavaScript does (a real
 * calendar date in years 1–9999, in the exact form we write). Anything crafted is a 400, never a 500.
 */
function decodeCursor(cursor: string): [string, string] {
  const invalid = badRequest('cursor', 'is not a cursor returned by this endpoint');
  if (!BASE64URL.test(cursor)) throw invalid;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid;
  const [createdAt, id] = value as unknown[];
  if (typeof createdAt !== 'string' || typeof id !== 'string' || !ISO_INSTANT.test(createdAt) || !JOB_ID.test(id)) throw invalid;
  const instant = new Date(createdAt);
  if (Number.isNaN(instant.getTime()) || instant.toISOString() !== createdAt || instant.getUTCFullYear() < 1) throw invalid;
  if (encodeCursor(createdAt, id) !== cursor) throw invalid;
  return [createdAt, id];
}

/** Lookups on the `jobs` read model through its keyset indexes. */
@Injectable()
export class JobQueries {
  constructor(@Inject(READ_DATABASE) private readonly database: DataSource) {}

  async list(workspaceId: string, filter: { status?: JobStatus; repositoryId?: string; limit: number; cursor?: string }) {
    const params: unknown[] = [workspaceId];
    const where = ['workspace_id = $1'];
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.repositoryId) where.push(`repository_id = $${params.push(filter.repositoryId)}`);
    if (filter.cursor) {
      const [createdAt, id] = decodeCursor(filter.cursor);
      where.push(`(created_at, id) < ($${params.push(createdAt)}::timestamptz, $${params.push(id)})`);
    }
    const rows: JobRow[] = await this.database.query(
      `SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.push(filter.limit + 1)}`,
      params,
    );
    const hasMore = rows.length > filter.limit;
    const items = rows.slice(0, filter.limit).map(toJobView);
    const last = items.at(-1);
    return { items, nextCursor: hasMore && last ? encodeCursor(last.createdAt, last.id) : null, hasMore };
  }

  async get(workspaceId: string, jobId: string): Promise<JobView> {
    const rows: JobRow[] = await this.database.query('SELECT * FROM jobs WHERE id = $1 AND workspace_id = $2', [jobId, workspaceId]);
    if (!rows[0]) throw notFound('Job');
    return toJobView(rows[0]);
  }
}
