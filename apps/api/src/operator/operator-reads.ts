import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { RecordedEvent } from '#domain';
import type { EventStore } from '#event-store';
import { EVENT_STORE, PROJECTOR_POOL } from '#runtime';

export interface BrowsedEvent {
  readonly id: string;
  readonly position: string;
  readonly streamId: string;
  readonly revision: string;
  readonly type: string;
  readonly recordedAt: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

const toBrowsed = (e: RecordedEvent): BrowsedEvent => ({
  id: e.id,
  position: e.position,
  streamId: e.streamId,
  revision: e.revision.toString(),
  type: e.type,
  recordedAt: e.recordedAt,
  data: e.data,
  metadata: e.metadata,
});

const RECENT_FAILURES = 20;
const QUEUE_PAGE = 200;

/** What the operator console reads besides projections: the log (every organization's) and the ingestion queue. */
@Injectable()
export class OperatorReads {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTOR_POOL) private readonly pool: pg.Pool,
  ) {}

  /** Newest first; `next` (the last event's position) pages on while a page comes back full. */
  async tail(query: {
    before?: string;
    limit: number;
    types?: readonly string[];
  }): Promise<{ events: BrowsedEvent[]; next: string | null }> {
    const events = await this.store.readBackward({ before: query.before, eventTypes: query.types, limit: query.limit });
    return { events: events.map(toBrowsed), next: events.length === query.limit ? events.at(-1)!.position : null };
  }

  /** Revision order; `next` is the last revision while a page comes back full. */
  async stream(streamId: string, query: { after?: string; limit: number }): Promise<{ events: BrowsedEvent[]; next: string | null }> {
    const events = await this.store.readStreamPage(streamId, {
      afterRevision: query.after === undefined ? undefined : BigInt(query.after),
      limit: query.limit,
    });
    return { events: events.map(toBrowsed), next: events.length === query.limit ? events.at(-1)!.revision.toString() : null };
  }

  /**
   * The reactor's queue (`ingestion_queue`: jobs queued or running), the running jobs' progress from
   * `jobs`, and the most recent failed jobs (a partial index of the failed jobs, newest first, so
   * the console's refresh reads a few index entries whatever the number of jobs).
   */
  async ingestion() {
    const [queue, failures, pending] = await Promise.all([
      this.pool.query<{
        job_id: string;
        organization_id: string;
        workspace_id: string;
        repository_id: string | null;
        github_repo_id: string;
        status: 'queued' | 'running';
        queued_at: Date;
        name: string | null;
        started_at: Date | null;
        progress: unknown;
      }>(
        `SELECT q.job_id, q.organization_id, q.workspace_id, q.repository_id, q.github_repo_id, q.status, q.queued_at,
                j.name, j.started_at, j.progress
           FROM ingestion_queue q LEFT JOIN jobs j ON j.id = q.job_id
          ORDER BY q.status = 'running' DESC, q.queued_at, q.job_id LIMIT $1`,
        [QUEUE_PAGE],
      ),
      this.pool.query<{
        id: string;
        organization_id: string;
        workspace_id: string;
        name: string;
        error_code: string | null;
        error_message: string | null;
        failed_at: Date;
      }>(
        `SELECT id, organization_id, workspace_id, name, error_code, error_message, COALESCE(completed_at, updated_at) AS failed_at
           FROM jobs WHERE status = 'failed' ORDER BY COALESCE(completed_at, updated_at) DESC, id DESC LIMIT $1`,
        [RECENT_FAILURES],
      ),
      this.pool.query<{ jobs: number; syncs: number; oldest: Date | null }>(
        `SELECT (SELECT count(*)::int FROM ingestion_queue WHERE status = 'queued') AS jobs,
                (SELECT count(*)::int FROM initial_sync_requests) AS syncs,
                (SELECT min(queued_at) FROM ingestion_queue WHERE status = 'queued') AS oldest`,
      ),
    ]);
    const job = (row: (typeof queue.rows)[number]) => ({
      jobId: row.job_id,
      organizationId: row.organization_id,
      workspaceId: row.workspace_id,
      repositoryId: row.repository_id,
      githubRepoId: row.github_repo_id,
      name: row.name,
      queuedAt: row.queued_at.toISOString(),
    });
    const totals = pending.rows[0]!;
    return {
      queued: queue.rows.filter((r) => r.status === 'queued').map(job),
      running: queue.rows
        .filter((r) => r.status === 'running')
        .map((r) => ({ ...job(r), startedAt: r.started_at?.toISOString() ?? null, progress: r.progress ?? null })),
      recentFailures: failures.rows.map((r) => ({
        jobId: r.id,
        organizationId: r.organization_id,
        workspaceId: r.workspace_id,
        name: r.name,
        code: r.error_code,
        message: r.error_message,
        failedAt: r.failed_at.toISOString(),
      })),
      totals: {
        queuedJobs: totals.jobs,
        initialSyncsWaiting: totals.syncs,
        oldestQueuedAt: totals.oldest?.toISOString() ?? null,
      },
    };
  }
}
