import { READ_DATABASE } from '#runtime';
import type { DataSource } from 'typeorm';
import { Inject, Injectable } from '@nestjs/common';
import type { OrgScope } from '../auth/org-access.js';
import type { DefaultWorkspaceView, OrganizationView } from './organizations.dto.js';

interface OrganizationRow {
  id: string;
  slug: string;
  name: string;
  created_at: Date;
}

/** Lookups on the `organizations`, `org_memberships` and `workspaces` read models; none of them writes. */
@Injectable()
export class OrganizationQueries {
  constructor(@Inject(READ_DATABASE) private readonly database: DataSource) {}

  /** The organization a scope grants, with the caller's role; null while the read model does not know it. */
  async get(scope: OrgScope): Promise<OrganizationView | null> {
    const rows: OrganizationRow[] = await this.database.query('SELECT id, slug, name, created_at FROM organizations WHERE id = $1', [scope.organizationId]);
    return rows[0] ? toView(rows[0], scope.role) : null;
  }

  /** `organization.listUserOrganizations`: one indexed query on the user's memberships. */
  async listForUser(userId: string): Promise<OrganizationView[]> {
    const rows: Array<OrganizationRow & { role: 'admin' | 'member' }> = await this.database.query(
      `SELECT o.id, o.slug, o.name, o.created_at, m.role
         FROM org_memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = $1 ORDER BY lower(o.name), o.id`,
      [userId],
    );
    return rows.map((row) => toView(row, row.role));
  }

  /** `workspace.resolveFromClerkOrgSlug/Id`: the default workspace, or null until it exists. Never creates it. */
  async defaultWorkspace(organizationId: string): Promise<DefaultWorkspaceView | null> {
    const rows: Array<{ id: string; name: string; slug: string }> = await this.database.query(
      'SELECT id, name, slug FROM workspaces WHERE organization_id = $1 AND is_default ORDER BY created_at LIMIT 1',
      [organizationId],
    );
    const row = rows[0];
    return row ? { workspaceId: row.id, workspaceName: row.name, workspaceSlug: row.slug, workspaceKey: `ws-${row.slug}`, clerkOrgId: organizationId } : null;
  }
}

const toView = (row: OrganizationRow, role: 'admin' | 'member'): OrganizationView => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  imageUrl: null,
  role,
  createdAt: row.created_at.toISOString(),
});
