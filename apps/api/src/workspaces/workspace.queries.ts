import { Inject, Injectable } from '@nestjs/common';
import { notFound } from '../common/api-error.js';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import type { WorkspaceView } from './workspaces.dto.js';

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

  async list(organizationId: string): Promise<WorkspaceView[]> {
    const rows: WorkspaceRow[] = await this.runtime.dataSource.query(
      'SELECT * FROM workspaces WHERE organization_id = $1 ORDER BY is_default DESC, created_at, id',
      [organizationId],
    );
    return rows.map(toView);
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
