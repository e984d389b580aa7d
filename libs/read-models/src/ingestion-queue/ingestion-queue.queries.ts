import type { IngestionJobInput, InitialSync } from '#domain';
import type { Sql } from '../core/sql.js';
import type { IngestionQueueRow, InitialSyncRequestRow } from './ingestion-queue.table.js';

export interface PendingIngestionJob {
  readonly jobId: string;
  readonly organizationId: string;
  readonly workspaceId: string;
  readonly repositoryId: string | null;
  readonly githubRepoId: string;
  readonly status: 'queued' | 'running';
  readonly input: IngestionJobInput;
  readonly queuedAt: Date;
}

/** A connection's initial sync (the workflow's `InitialSync`) and when it was asked for. */
export interface InitialSyncRequest extends InitialSync {
  readonly requestedAt: Date;
}

export class IngestionQueueQueries {
  constructor(private readonly sql: Sql) {}

  /** For the queued-jobs quota: a row is a job queued or running; it leaves the table when the job ends. */
  async countIn(organizationId: string): Promise<number> {
    const [row] = await this.sql<{ n: number }>('SELECT count(*)::int AS n FROM ingestion_queue WHERE organization_id = $1', [
      organizationId,
    ]);
    return row?.n ?? 0;
  }

  /**
   * The oldest unfinished job of each repository (jobs of one repository run in order), taken round
   * robin across organizations: each organization's running jobs first, then one queued job per
   * organization per round, oldest first within a round. An organization with 100 queued jobs thus
   * gets no second job started while another organization's only job waits. Stateless and the same
   * in every process: the per-repository advisory lock still decides who runs a head.
   */
  async nextPerRepository(limit: number): Promise<PendingIngestionJob[]> {
    const rows = await this.sql<IngestionQueueRow>(
      `SELECT * FROM (
         SELECT heads.*, row_number() OVER (PARTITION BY organization_id ORDER BY status = 'running' DESC, queued_at, job_id) AS round
         FROM (SELECT DISTINCT ON (github_repo_id) * FROM ingestion_queue ORDER BY github_repo_id, queued_at, job_id) heads
       ) ranked
       ORDER BY round, queued_at, job_id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      jobId: r.job_id,
      organizationId: r.organization_id,
      workspaceId: r.workspace_id,
      repositoryId: r.repository_id,
      githubRepoId: r.github_repo_id,
      status: r.status,
      input: r.input,
      queuedAt: r.queued_at,
    }));
  }

  async initialSyncRequests(limit: number): Promise<InitialSyncRequest[]> {
    const rows = await this.sql<InitialSyncRequestRow>(`SELECT * FROM initial_sync_requests ORDER BY requested_at, resource_id LIMIT $1`, [
      limit,
    ]);
    return rows.map((r) => ({
      requestId: r.request_id,
      resourceId: r.resource_id,
      organizationId: r.organization_id,
      workspaceId: r.workspace_id,
      installationId: r.installation_id,
      repoId: r.repo_id,
      repoFullName: r.repo_full_name,
      defaultBranch: r.default_branch,
      connectedBy: r.connected_by,
      requestedAt: r.requested_at,
    }));
  }

  async length(): Promise<{ jobs: number; initialSyncs: number }> {
    const [row] = await this.sql<{ jobs: string; syncs: string }>(
      `SELECT (SELECT count(*) FROM ingestion_queue) AS jobs, (SELECT count(*) FROM initial_sync_requests) AS syncs`,
    );
    return { jobs: Number(row!.jobs), initialSyncs: Number(row!.syncs) };
  }

  /**
   * Seconds the oldest job still queued (not running) and the oldest initial sync not yet queued
   * have waited, on the database's clock; 0 when none. Work that waits long means no reactor runs it.
   */
  async waitingSeconds(): Promise<{ jobs: number; initialSyncs: number }> {
    const [row] = await this.sql<{ jobs: number; syncs: number }>(
      `SELECT coalesce(extract(epoch FROM now() - (SELECT min(queued_at) FROM ingestion_queue WHERE status = 'queued')), 0)::float8 AS jobs,
              coalesce(extract(epoch FROM now() - (SELECT min(requested_at) FROM initial_sync_requests)), 0)::float8 AS syncs`,
    );
    return { jobs: row!.jobs, initialSyncs: row!.syncs };
  }
}
