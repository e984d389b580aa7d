import type { RecordedEvent } from '#domain';
import { WORKSPACE_EVENT_TYPES, assertNever, type WorkspaceEvent } from '#domain';
import { defineProjection, type RowChangeOf } from '../core/projection.js';
import { workspacesTable } from './workspaces.table.js';

type WorkspaceChange = RowChangeOf<typeof workspacesTable>;

function apply(recorded: RecordedEvent): WorkspaceChange[] {
  const event = recorded as RecordedEvent & WorkspaceEvent;
  switch (event.type) {
    case 'WorkspaceCreated': {
      const d = event.data;
      return [
        {
          kind: 'upsert',
          table: 'workspaces',
          row: {
            id: d.workspaceId,
            organization_id: d.organizationId,
            name: d.name,
            slug: d.slug,
            is_default: d.isDefault,
            settings: {},
            created_at: d.createdAt,
            updated_at: d.createdAt,
          },
        },
      ];
    }
    case 'WorkspaceRenamed':
      return [
        {
          kind: 'patch',
          table: 'workspaces',
          key: { id: event.data.workspaceId },
          set: { name: event.data.name, updated_at: event.data.renamedAt },
        },
      ];
    case 'WorkspaceSettingsUpdated':
      return [
        {
          kind: 'patch',
          table: 'workspaces',
          key: { id: event.data.workspaceId },
          set: { settings: event.data.settings, updated_at: event.data.updatedAt },
        },
      ];
    default:
      return assertNever(event);
  }
}

export const workspacesProjection = defineProjection({
  name: 'workspaces',
  eventTypes: WORKSPACE_EVENT_TYPES,
  tables: [workspacesTable],
  apply,
});
