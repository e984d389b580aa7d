import type { RecordedEvent } from '#domain';
import { ORGANIZATION_EVENT_TYPES, assertNever, type OrganizationEvent } from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { orgMembershipsTable, organizationsTable } from './organizations.table.js';

type OrganizationChange = RowChangeOf<typeof organizationsTable | typeof orgMembershipsTable>;

function apply(recorded: RecordedEvent): OrganizationChange[] {
  const event = recorded as RecordedEvent & OrganizationEvent;
  switch (event.type) {
    case 'OrganizationCreated': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'organizations',
          row: {
            id: d.organizationId,
            slug: d.slug,
            name: d.name,
            created_by: d.createdBy,
            image_url: d.imageUrl ?? null,
            created_at: d.createdAt,
            updated_at: d.createdAt,
          },
        },
      ];
    }
    case 'OrganizationRenamed':
      return [
        {
          kind: 'patch',
          table: 'organizations',
          key: { id: event.data.organizationId },
          set: { name: event.data.name, updated_at: event.data.renamedAt },
        },
      ];
    case 'OrganizationSlugChanged':
      return [
        {
          kind: 'patch',
          table: 'organizations',
          key: { id: event.data.organizationId },
          set: { slug: event.data.slug, updated_at: event.data.changedAt },
        },
      ];
    case 'OrganizationImageChanged':
      return [
        {
          kind: 'patch',
          table: 'organizations',
          key: { id: event.data.organizationId },
          set: { image_url: event.data.imageUrl, updated_at: event.data.changedAt },
        },
      ];
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
      return [
        {
          kind: 'patch',
          table: 'org_memberships',
          key: { organization_id: d.organizationId, user_id: d.userId },
          set: { role: d.role, updated_at: d.changedAt },
        },
      ];
    }
    case 'MemberRemoved':
      return [
        { kind: 'delete', table: 'org_memberships', key: { organization_id: event.data.organizationId, user_id: event.data.userId } },
      ];
    default:
      return assertNever(event);
  }
}

export const organizationsProjection = defineProjection({
  name: 'organizations',
  eventTypes: ORGANIZATION_EVENT_TYPES,
  tables: [organizationsTable, orgMembershipsTable],
  apply,
});
