import type { WorkspaceRow } from '../workspaces/workspaces.table.js';
import type { OrganizationRow, OrgMembershipRow } from './organizations.table.js';

export interface OrganizationView {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  /** Clerk's organization logo as Clerk last reported it; always null without Clerk (local mode). */
  readonly imageUrl: string | null;
  readonly role: OrgMembershipRow['role'];
  readonly createdAt: string;
}

export interface DefaultWorkspaceView {
  readonly workspaceId: string;
  readonly workspaceName: string;
  readonly workspaceSlug: string;
  readonly workspaceKey: string;
  readonly clerkOrgId: string;
}

export type OrganizationViewRow = Pick<OrganizationRow, 'id' | 'slug' | 'name' | 'image_url' | 'created_at'>;

export const toOrganizationView = (row: OrganizationViewRow, role: OrgMembershipRow['role']): OrganizationView => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  imageUrl: row.image_url,
  role,
  createdAt: row.created_at.toISOString(),
});

export const toDefaultWorkspaceView = (row: Pick<WorkspaceRow, 'id' | 'name' | 'slug'>, organizationId: string): DefaultWorkspaceView => ({
  workspaceId: row.id,
  workspaceName: row.name,
  workspaceSlug: row.slug,
  workspaceKey: `ws-${row.slug}`,
  clerkOrgId: organizationId,
});
