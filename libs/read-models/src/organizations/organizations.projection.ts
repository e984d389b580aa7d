import type { RecordedEvent } from '#domain';
import { ORGANIZATION_EVENT_TYPES, assertNever, type OrganizationEvent } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

export const organizationsTable: TableDefinition = {
  name: 'organizations',
  columns: {
    id: { type: 'text' },
    slug: { type: 'text' },
    name: { type: 'text' },
    created_by: { type: 'text', nullable: true },
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  // Not unique: uniqueness is the slug stream's invariant, and when Clerk hands a slug to another
  // organization the old row may hold it until Clerk reports the change; lookups take the newest.
  indexes: ['(slug, updated_at DESC)'],
};

/** Every authorization check for an organization other than the token's active one is one lookup here. */
export const orgMembershipsTable: TableDefinition = {
  name: 'org_memberships',
  columns: {
    organization_id: { type: 'text' },
    user_id: { type: 'text' },
    role: { type: 'text' },
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['organization_id', 'user_id'],
  // `(user_id)`: the organizations of a user (`GET /v1/me/organizations`).
  indexes: ['(user_id)'],
};

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & OrganizationEvent;
  switch (event.type) {
    case 'OrganizationCreated': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'organizations',
          row: { id: d.organizationId, slug: d.slug, name: d.name, created_by: d.createdBy, created_at: d.createdAt, updated_at: d.createdAt },
        },
      ];
    }
    case 'OrganizationRenamed':
      return [{ kind: 'patch', table: 'organizations', key: { id: event.data.organizationId }, set: { name: event.data.name, updated_at: event.data.renamedAt } }];
    case 'OrganizationSlugChanged':
      return [{ kind: 'patch', table: 'organizations', key: { id: event.data.organizationId }, set: { slug: event.data.slug, updated_at: event.data.changedAt } }];
    case 'MemberAdded': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'org_memberships',
          row: { organization_id: d.organizationId, user_id: d.userId, role: d.role, created_at: d.addedAt, updated_at: d.addedAt },
        },
      ];
    }
    case 'MemberRoleChanged': {
      const d = event.data;
      return [{ kind: 'patch', table: 'org_memberships', key: { organization_id: d.organizationId, user_id: d.userId }, set: { role: d.role, updated_at: d.changedAt } }];
    }
    case 'MemberRemoved':
      return [{ kind: 'delete', table: 'org_memberships', key: { organization_id: event.data.organizationId, user_id: event.data.userId } }];
    default:
      return assertNever(event);
  }
}

export const organizationsProjection: ProjectionDefinition = {
  name: 'organizations',
  eventTypes: ORGANIZATION_EVENT_TYPES,
  tables: [organizationsTable, orgMembershipsTable],
  apply,
};
