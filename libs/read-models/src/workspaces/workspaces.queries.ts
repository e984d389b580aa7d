import { DomainError } from '#domain';
import type { Sql } from '../core/sql.js';
import type { LatestJobRow } from '../job-stats/job-stats.table.js';
import type { RepositoryRow } from '../repositories/repositories.table.js';
import type { WorkspaceRow } from './workspaces.table.js';
import {
  toRepositorySummary,
  toWorkspaceView,
  type RepositorySummaryRow,
  type WorkspaceRepositorySummary,
  type WorkspaceSummary,
  type WorkspaceView,
} from './workspaces.view.js';

const TOP_REPOSITORIES = 3;

/** Lookups on the `workspaces` read model; none of them ever writes. */
export class WorkspaceQueries {
  constructor(private readonly sql: Sql) {}

  /** The organization that owns a workspace (API-key requests name a workspace, not an organization). */
  async organizationOf(workspaceId: string): Promise<string | null> {
    const [row] = await this.sql<{ organization_id: string }>('SELECT organization_id FROM workspaces WHERE id = $1', [workspaceId]);
    return row?.organization_id ?? null;
  }

  /** For the workspace quota. */
  async countIn(organizationId: string): Promise<number> {
    const [row] = await this.sql<{ n: number }>('SELECT count(*)::int AS n FROM workspaces WHERE organization_id = $1', [organizationId]);
    return row?.n ?? 0;
  }

  /**
   * `workspace.listByClerkOrgSlug`, in two statements for all the organization's workspaces: the
   * workspaces with their newest job (`latest_jobs`, what the original found with DISTINCT ON over
   * every job) and their document totals (the stores' counters); and their top active repositories.
   */
  async list(organizationId: string): Promise<WorkspaceSummary[]> {
    const [rows, repositories] = await Promise.all([
      this.sql<WorkspaceRow & { last_job_at: LatestJobRow['created_at'] | null; total_documents: string }>(
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
      ),
      this.topRepositories(organizationId),
    ]);
    return rows.map((row) => {
      const top = repositories.get(row.id);
      return {
        ...toWorkspaceView(row),
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
    const rows = await this.sql<RepositorySummaryRow & { workspace_id: NonNullable<RepositoryRow['workspace_id']>; total: string }>(
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
      entry.list.push(toRepositorySummary(row));
      byWorkspace.set(row.workspace_id, entry);
    }
    return byWorkspace;
  }

  /** The workspace an `{org}/{ws}` route names (in any case: names are unique ignoring case), or a 404. */
  async byName(organizationId: string, name: string): Promise<WorkspaceView> {
    const workspace = await this.findByName(organizationId, name);
    if (!workspace) throw workspaceNotFound(name);
    return workspace;
  }

  /** The same lookup, null when the organization has no such workspace. */
  async findByName(organizationId: string, name: string): Promise<WorkspaceView | null> {
    const [row] = await this.sql<WorkspaceRow>('SELECT * FROM workspaces WHERE organization_id = $1 AND lower(name) = lower($2)', [
      organizationId,
      name,
    ]);
    return row ? toWorkspaceView(row) : null;
  }
}

export const workspaceNotFound = (name: string) => new DomainError('not_found', `Workspace "${name}" not found`);
