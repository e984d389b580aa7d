import { describe, expect, it } from '@jest/globals';
import { EventLog } from '#testing/projection';
import { workspacesProjection } from './workspaces.projection.js';

describe('workspaces projection apply', () => {
  it('patches only the name and update time on a rename: the slug keeps its creation value', () => {
    const [renamed] = new EventLog().append('workspaces-org-1', {
      type: 'WorkspaceRenamed',
      data: { organizationId: 'org-1', workspaceId: 'ws-3', name: 'Manual', previousName: 'Docs', renamedAt: '2025-03-03T08:00:00.000Z' },
    });
    expect(workspacesProjection.apply(renamed!)).toEqual([
      { kind: 'patch', table: 'workspaces', key: { id: 'ws-3' }, set: { name: 'Manual', updated_at: '2025-03-03T08:00:00.000Z' } },
    ]);
  });
});
