import type { RecordedEvent } from '#domain';
import { WORKSPACE_EVENT_TYPES, assertNever, type WorkspaceEvent } from '#domain';
import type { ProjectionDefinition, RowChange, TableDefinition } from '../core/projection.js';

export const workspacesTable: TableDefinition = {
  name: 'workspaces',
  columns: {
    id: { type: 'text' },
    organization_id: { type: 'text' },
    name: { type: 'text' },
    slug: { type: 'text' },
    is_default: { type: 'boolean' },
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  // Not unique on purpose: uniqueness is the decider's invariant; a read model never refuses an event.
  indexes: ['(organization_id, lower(name))', '(organization_id) WHERE is_default'],
};

function apply(recorded: RecordedEvent): RowChange[] {
  const event = recorded as RecordedEvent & WorkspaceEvent;
  switch (event.type) {
    case 'WorkspaceCreated': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'workspaces',
          row: { id: d.workspaceId, organization_id: d.organizationId, name: d.name, slug: d.slug, is_default: d.isDefault, created_at: d.createdAt, updated_at: d.createdAt },
        },
      ];
    }
    case 'WorkspaceRenamed':
      return [{ kind: 'patch', table: 'workspaces', key: { id: event.data.workspaceId }, set: { name: event.data.name, updated_at: event.data.renamedAt } }];
    default:
      return assertNever(event);
  }
}

export const workspacesProjection: ProjectionDefinition = { name: 'workspaces', eventTypes: WORKSPACE_EVENT_TYPES, tables: [workspacesTable], apply };
