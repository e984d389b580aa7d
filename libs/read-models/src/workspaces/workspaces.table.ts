import type { WorkspaceSettings } from '#domain';
import { defineTable, typed, type RowOf } from '../core/table.js';

export const workspacesTable = defineTable({
  name: 'workspaces',
  columns: {
    id: { type: 'text' },
    organization_id: { type: 'text' },
    name: { type: 'text' },
    slug: { type: 'text' },
    is_default: { type: 'boolean' },
    settings: typed<WorkspaceSettings>()({ type: 'jsonb' }),
    created_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
  },
  primaryKey: ['id'],
  // Not unique on purpose: uniqueness is the decider's invariant; a read model never refuses an event.
  indexes: ['(organization_id, lower(name))', '(organization_id) WHERE is_default'],
});

export type WorkspaceRow = RowOf<typeof workspacesTable>;
