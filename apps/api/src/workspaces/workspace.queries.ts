import { READ_DATABASE } from '#runtime';
import type { DataSource } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '../common/api-error.js';
import type { WorkspaceListItem, WorkspaceView } from './workspaces.dto.js';

const TOP_REPOSITORIES = 3;

export interface WorkspaceRepositorySummary {
  readonly id: string;
  readonly configStatus: string;
  readonly metadata: Record<string, unknown>;
  readonly lastSyncedAt: string | null;
  readonly lastIngestedAt: string | null;
  readonly documentCount: number;
}

/** A workspace list item with the original's repository fields (the DTO names only their ids). */
export interface WorkspaceSummary extends WorkspaceListItem {
  readonly repositories: readonly WorkspaceRepositorySummary[];
  /** All its active repositories; `repositories` shows the first three. */
  readonly repositoryCount: number;
}

interface WorkspaceRow {
  id: string;
  organization_id: string;
  name: string;
  slug: string;
  is_default: boolean;
  created_at: Date;
  updated_at: Date;
}

const toView = (row: WorkspaceRow): WorkspaceView => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  isDefault: row.is_default,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  clerkOrgId: row.organization_id,
});

/** Lookups on the `workspaces` read model; none of them ever writes. */
@Injectable()
export class WorkspaceQueries {
  constructor(@Inject(READ_DATABASE) private readonly database: DataSource) {}

  /**
   * `workspace.listByClerkOrgSlug`, in two statements for all the organization's workspaces: the
   * workspaces with their newest job (`latest_jobs`, what the original found with DISTINCT ON over
   * every job) and their document totals (the stores' counters); and their top active repositories.
   */
  async list(organizationId: string): Promise<WorkspaceSummary[]> {
    const [rows, repositories] = await Promise.all([
      this.database.query(
        `WITH documents AS (
           SELECT s.workspace_id, sum(c.document_count) AS total
             FROM workspaces w JOIN stores s ON s.workspace_id = w.id JOIN store_counters c ON c.store_id = s.id
            WHERE w.organization_id = $1
            GROUP BY s.workspace_id
         )
         SELECT w.*, l.created_at AS last_job_at, coalesce(d.total, 0) AS total_documents FROM workspaces w
           LEFT JOIN latest_jobs l ON l.scope = 'workspace' AND l.scope_id = w.id
           LEFT JOIN documents d ON d.workspace_id = w.id
          WHERE w.organization_id = $1 ORDER BY w.is_default DESC, w.created_at, w.id`,
        [organizationId],
      ) as Promise<Array<WorkspaceRow & { last_job_at: Date | null; total_documents: string }>>,
      this.topRepositories(organizationId),
    ]);
    return rows.map((row) => {
      const top = repositories.get(row.id);
      return {
        ...toView(row),
        repositories: top?.list ?? [],
        repositoryCount: top?.count ?? 0,
        totalDocuments: Number(row.total_documents),
        lastActivity: (row.last_job_at ?? row.created_at).toISOString(),
      };
    });
  }

  /**
   * Up to three active repositories per workspace, the most recently ingested first (then the most
   * recently connected): the original kept the first three the database returned, in no order.
   * One read of the organization's active repositories on `(organization_id, is_active)`.
   */
  private async topRepositories(organizationId: string): Promise<Map<string, { list: WorkspaceRepositorySummary[]; count: number }>> {
    const rows: Array<{
      id: string;
      workspace_id: string;
      config_status: string;
      metadata: Record<string, unknown>;
      last_synced_at: Date | null;
      last_ingested_at: Date | null;
      document_count: number;
      total: string;
    }> = await this.database.query(
      `SELECT * FROM (
         SELECT id, workspace_id, config_status, metadata, last_synced_at, last_ingested_at, document_count,
                row_number() OVER (PARTITION BY workspace_id ORDER BY last_ingested_at DESC NULLS LAST, connected_at DESC, id) AS rank,
                count(*) OVER (PARTITION BY workspace_id) AS total
           FROM repositories WHERE organization_id = $1 AND is_active AND workspace_id IS NOT NULL
       ) ranked WHERE rank <= ${TOP_REPOSITORIES} ORDER BY workspace_id, rank`,
      [organizationId],
    );
    const byWorkspace = new Map<string, { list: WorkspaceRepositorySummary[]; count: number }>();
    for (const row of rows) {
      const entry = byWorkspace.get(row.workspace_id) ?? { list: [], count: Number(row.total) };
      entry.list.push({
        id: row.id,
        configStatus: row.config_status,
        metadata: row.metadata,
        lastSyncedAt: row.last_synced_at?.toISOString() ?? null,
        lastIngestedAt: row.last_ingested_at?.toISOString() ?? null,
        documentCount: row.document_count,
      });
      byWorkspace.set(row.workspace_id, entry);
    }
    return byWorkspace;
  }

  /** The workspace an `{org}/{ws}` route names (in any case: names are unique ignoring case), or a 404. */
  async byName(organizationId: string, name: string): Promise<WorkspaceView> {
    const rows: WorkspaceRow[] = await this.database.query('SELECT * FROM workspaces WHERE organization_id = $1 AND lower(name) = lower($2)', [
      organizationId,
      name,
    ]);
    if (!rows[0]) throw notFound(`Workspace "${name}"`);
    return toView(rows[0]);
  }
}
