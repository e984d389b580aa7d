import { DomainError, type JobStatus } from '#domain';
import type { Sql } from '../core/sql.js';
import { decodeCursor, encodeCursor } from './job-cursor.js';
import type { JobRow } from './jobs.table.js';
import { toJobView, type JobView } from './jobs.view.js';

export interface JobPage {
  readonly items: JobView[];
  readonly nextCursor: string | null;
  readonly hasMore: boolean;
}

/** Source of a job's counts: the repository it names and the GitHub repository of its ingestion input. */
export interface SourceJobTotals {
  readonly repositoryId: string | null;
  readonly githubRepoId: string | null;
  readonly total: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
}

/** Every read of the `jobs` table by its keyset indexes; job analytics read `job_stats` instead. */
export class JobQueries {
  constructor(private readonly sql: Sql) {}

  async list(workspaceId: string, filter: { status?: JobStatus; repositoryId?: string; limit: number; cursor?: string }): Promise<JobPage> {
    const params: unknown[] = [workspaceId];
    const where = ['workspace_id = $1'];
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    if (filter.repositoryId) where.push(`repository_id = $${params.push(filter.repositoryId)}`);
    if (filter.cursor !== undefined) {
      // The DTO refuses a bad cursor with a 400 naming the field; this is the backstop for other callers.
      const after = decodeCursor(filter.cursor);
      if (!after) throw new DomainError('invalid', 'cursor is not a cursor returned by this endpoint');
      where.push(`(created_at, id) < ($${params.push(after.createdAt)}::timestamptz, $${params.push(after.id)})`);
    }
    const rows = await this.sql<JobRow>(
      `SELECT * FROM jobs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${params.push(filter.limit + 1)}`,
      params,
    );
    const hasMore = rows.length > filter.limit;
    const items = rows.slice(0, filter.limit).map(toJobView);
    const last = items.at(-1);
    return { items, nextCursor: hasMore && last ? encodeCursor(last.createdAt, last.id) : null, hasMore };
  }

  /** Another workspace's job is answered like a missing one. */
  async get(workspaceId: string, jobId: string): Promise<JobView> {
    const [row] = await this.sql<JobRow>('SELECT * FROM jobs WHERE id = $1 AND workspace_id = $2', [jobId, workspaceId]);
    if (!row) throw new DomainError('not_found', 'Job not found');
    return toJobView(row);
  }

  /** The most recent jobs created at or after `from` (all of them when `from` is null). */
  async recent(workspaceId: string, limit: number, from: Date | null): Promise<JobView[]> {
    const rows = await this.sql<JobRow>(
      `SELECT * FROM jobs WHERE workspace_id = $1 AND ($2::timestamptz IS NULL OR created_at >= $2) ORDER BY created_at DESC, id DESC LIMIT $3`,
      [workspaceId, from?.toISOString() ?? null, limit],
    );
    return rows.map(toJobView);
  }

  /**
   * Jobs of the workspace created at or after `from`, by the repository they name and the GitHub
   * repository of their ingestion input: one range of the `(workspace_id, created_at)` index.
   */
  async totalsBySource(workspaceId: string, from: Date): Promise<SourceJobTotals[]> {
    const rows = await this.sql<{
      repository_id: string | null;
      github_repo_id: string | null;
      total: string;
      completed: string;
      failed: string;
      cancelled: string;
    }>(
      `SELECT repository_id, input->>'githubRepoId' AS github_repo_id, count(*) AS total,
              count(*) FILTER (WHERE status = 'completed') AS completed,
              count(*) FILTER (WHERE status = 'failed') AS failed,
              count(*) FILTER (WHERE status = 'cancelled') AS cancelled
         FROM jobs
        WHERE workspace_id = $1 AND created_at >= $2 AND (repository_id IS NOT NULL OR input->>'githubRepoId' IS NOT NULL)
        GROUP BY 1, 2`,
      [workspaceId, from.toISOString()],
    );
    return rows.map((row) => ({
      repositoryId: row.repository_id,
      githubRepoId: row.github_repo_id,
      total: Number(row.total),
      completed: Number(row.completed),
      failed: Number(row.failed),
      cancelled: Number(row.cancelled),
    }));
  }
}
