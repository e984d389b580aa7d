import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '../common/api-error.js';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import type { WorkspaceListItem, WorkspaceView } from './workspaces.dto.js';

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
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  /**
   * `workspace.listByClerkOrgSlug`: one indexed query, the latest job of each workspace joined from
   * `latest_jobs` (what the original found with DISTINCT ON over every job).
   */
  async list(organizationId: string): Promise<WorkspaceListItem[]> {
    const rows: Array<WorkspaceRow & { last_job_at: Date | null }> = await this.runtime.dataSource.query(
      `SELECT w.*, l.created_at AS last_job_at FROM workspaces w
         LEFT JOIN latest_jobs l ON l.scope = 'workspace' AND l.scope_id = w.id
        WHERE w.organization_id = $1 ORDER BY w.is_default DESC, w.created_at, w.id`,
      [organizationId],
    );
    return rows.map((row) => ({
      ...toView(row),
      // Repositories and documents join here once the ingestion read models exist.
      repositories: [],
      totalDocuments: 0,
      lastActivity: (row.last_job_at ?? row.created_at).toISOString(),
    }));
  }

  /** The workspace an `{org}/{ws}` route names (in any case: names are unique ignoring case), or a 404. */
  async byName(organizationId: string, name: string): Promise<WorkspaceView> {
    const rows: WorkspaceRow[] = await this.runtime.dataSource.query('SELECT * FROM workspaces WHERE organization_id = $1 AND lower(name) = lower($2)', [
      organizationId,
      name,
    ]);
    if (!rows[0]) throw notFound(`Workspace "${name}"`);
    return toView(rows[0]);
  }
}
