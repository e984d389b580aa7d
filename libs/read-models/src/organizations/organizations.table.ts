import type { OrganizationRole } from '#domain';
import { defineTable, typed, type RowOf } from '../core/table.js';

export const organizationsTable = defineTable({
  name: 'organizations',
  columns: {
    id: { type: 'text' },
    slug: { type: 'text' },
    name: { type: 'text' },
    created_by: { type: 'text', nullable: true },
    image_url: { type: 'text', nullable: true },
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  // Not unique: uniqueness is the slug stream's invariant, and when Clerk hands a slug to another
  // organization the old row may hold it until Clerk reports the change; lookups take the newest.
  indexes: ['(slug, updated_at DESC)'],
});

/** Every authorization check for an organization other than the token's active one is one lookup here. */
export const orgMembershipsTable = defineTable({
  name: 'org_memberships',
  columns: {
    organization_id: { type: 'text' },
    user_id: { type: 'text' },
    role: typed<OrganizationRole>()({ type: 'text' }),
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['organization_id', 'user_id'],
  // `(user_id)`: the organizations of a user (`GET /v1/me/organizations`).
  indexes: ['(user_id)'],
});

export type OrganizationRow = RowOf<typeof organizationsTable>;
export type OrgMembershipRow = RowOf<typeof orgMembershipsTable>;
