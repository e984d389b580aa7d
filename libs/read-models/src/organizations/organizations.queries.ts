import type { Sql } from '../core/sql.js';
import type { WorkspaceRow } from '../workspaces/workspaces.table.js';
import type { OrgMembershipRow } from './organizations.table.js';
import {
  toDefaultWorkspaceView,
  toOrganizationView,
  type DefaultWorkspaceView,
  type OrganizationView,
  type OrganizationViewRow,
} from './organizations.view.js';

/** Lookups on the `organizations`, `org_memberships` and `workspaces` read models; none of them writes. */
export class OrganizationQueries {
  constructor(private readonly sql: Sql) {}

  /** The organization a grant names, with the caller's role; null while the read model does not know it. */
  async get(scope: { readonly organizationId: string; readonly role: OrgMembershipRow['role'] }): Promise<OrganizationView | null> {
    const [row] = await this.sql<OrganizationViewRow>('SELECT id, slug, name, image_url, created_at FROM organizations WHERE id = $1', [
      scope.organizationId,
    ]);
    return row ? toOrganizationView(row, scope.role) : null;
  }

  /** `organization.listUserOrganizations`: one indexed query on the user's memberships. */
  async listForUser(userId: string): Promise<OrganizationView[]> {
    const rows = await this.sql<OrganizationViewRow & Pick<OrgMembershipRow, 'role'>>(
      `SELECT o.id, o.slug, o.name, o.image_url, o.created_at, m.role
         FROM org_memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.user_id = $1 ORDER BY lower(o.name), o.id`,
      [userId],
    );
    return rows.map((row) => toOrganizationView(row, row.role));
  }

  /**
   * The caller's membership in the organization a route names (by slug or id), or null. By slug: the
   * newest organization holding it (a slug Clerk moved may linger on the old row).
   */
  async membership(
    userId: string,
    ref: { readonly by: 'slug' | 'id'; readonly value: string },
  ): Promise<{ id: string; slug: string; role: OrgMembershipRow['role'] } | null> {
    const [row] =
      ref.by === 'slug'
        ? await this.sql<{ id: string; slug: string; role: OrgMembershipRow['role'] }>(
            `SELECT o.id, o.slug, m.role
               FROM (SELECT id, slug FROM organizations WHERE slug = $1 ORDER BY updated_at DESC LIMIT 1) o
               JOIN org_memberships m ON m.organization_id = o.id AND m.user_id = $2`,
            [ref.value, userId],
          )
        : await this.sql<{ id: string; slug: string; role: OrgMembershipRow['role'] }>(
            `SELECT o.id, o.slug, m.role FROM org_memberships m JOIN organizations o ON o.id = m.organization_id
              WHERE m.organization_id = $1 AND m.user_id = $2`,
            [ref.value, userId],
          );
    return row ?? null;
  }

  /**
   * Organizations `userId` created whose slug starts with `prefix` (an idempotent retry of a
   * creation that took a suffixed slug looks for it). Not indexed: only that rare retry asks.
   */
  async createdByWithSlugPrefix(userId: string, prefix: string): Promise<Array<{ id: string; slug: string }>> {
    return this.sql<{ id: string; slug: string }>(
      'SELECT id, slug FROM organizations WHERE created_by = $1 AND left(slug, length($2)) = $2 ORDER BY created_at DESC LIMIT 50',
      [userId, prefix],
    );
  }

  /** `workspace.resolveFromClerkOrgSlug/Id`: the default workspace, or null until it exists. Never creates it. */
  async defaultWorkspace(organizationId: string): Promise<DefaultWorkspaceView | null> {
    const [row] = await this.sql<Pick<WorkspaceRow, 'id' | 'name' | 'slug'>>(
      'SELECT id, name, slug FROM workspaces WHERE organization_id = $1 AND is_default ORDER BY created_at LIMIT 1',
      [organizationId],
    );
    return row ? toDefaultWorkspaceView(row, organizationId) : null;
  }
}
