import { describe, it } from '@jest/globals';
import { workspaceDirectoryStreamId, type WorkspaceEvent, type WorkspaceSettings } from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing/projection';
import { workspacesProjection } from './workspaces.projection.js';

const spec = useProjectionSpec(workspacesProjection);

const created = (organizationId: string, workspaceId: string, name: string, createdAt: string, isDefault = false): WorkspaceEvent => ({
  type: 'WorkspaceCreated',
  data: { organizationId, workspaceId, name, slug: name.toLowerCase(), isDefault, createdAt },
});
const renamed = (organizationId: string, workspaceId: string, previousName: string, name: string, renamedAt: string): WorkspaceEvent => ({
  type: 'WorkspaceRenamed',
  data: { organizationId, workspaceId, name, previousName, renamedAt },
});

const settingsUpdated = (organizationId: string, workspaceId: string, settings: WorkspaceSettings, updatedAt: string): WorkspaceEvent => ({
  type: 'WorkspaceSettingsUpdated',
  data: { organizationId, workspaceId, settings, updatedAt },
});

/** Two organizations interleaved, a workspace renamed twice and one whose settings changed twice (each replaces the last). */
function history() {
  const log = new EventLog();
  const org1 = workspaceDirectoryStreamId('org-1');
  const org2 = workspaceDirectoryStreamId('org-2');
  log.append(org1, created('org-1', 'ws-1', 'default', '2025-03-01T09:00:00.000Z', true));
  log.append(org2, created('org-2', 'ws-2', 'default', '2025-03-01T09:30:00.000Z', true));
  log.append(org1, created('org-1', 'ws-3', 'Docs', '2025-03-01T10:00:00.000Z'));
  log.append(org2, created('org-2', 'ws-4', 'Docs', '2025-03-01T10:15:00.000Z'));
  log.append(org1, renamed('org-1', 'ws-3', 'Docs', 'Handbook', '2025-03-02T08:00:00.000Z'));
  log.append(org1, renamed('org-1', 'ws-3', 'Handbook', 'Manual', '2025-03-03T08:00:00.000Z'));
  log.append(org2, settingsUpdated('org-2', 'ws-4', { features: { codeIndexing: true } }, '2025-03-02T12:00:00.000Z'));
  log.append(org2, settingsUpdated('org-2', 'ws-4', { repositories: { r1: { enabled: false } } }, '2025-03-04T12:00:00.000Z'));
  return log.events;
}

const date = (iso: string) => new Date(iso);

describe('workspaces projection', () => {
  it('writes one row per workspace, renames applied in order', () =>
    spec.given(history()).then([
      {
        id: 'ws-1',
        organization_id: 'org-1',
        name: 'default',
        slug: 'default',
        is_default: true,
        settings: {},
        created_at: date('2025-03-01T09:00:00.000Z'),
        updated_at: date('2025-03-01T09:00:00.000Z'),
      },
      {
        id: 'ws-2',
        organization_id: 'org-2',
        name: 'default',
        slug: 'default',
        is_default: true,
        settings: {},
        created_at: date('2025-03-01T09:30:00.000Z'),
        updated_at: date('2025-03-01T09:30:00.000Z'),
      },
      // Renamed twice: the latest name, the creation slug, the time of the last rename.
      {
        id: 'ws-3',
        organization_id: 'org-1',
        name: 'Manual',
        slug: 'docs',
        is_default: false,
        settings: {},
        created_at: date('2025-03-01T10:00:00.000Z'),
        updated_at: date('2025-03-03T08:00:00.000Z'),
      },
      {
        id: 'ws-4',
        organization_id: 'org-2',
        name: 'Docs',
        slug: 'docs',
        is_default: false,
        settings: { repositories: { r1: { enabled: false } } },
        created_at: date('2025-03-01T10:15:00.000Z'),
        updated_at: date('2025-03-04T12:00:00.000Z'),
      },
    ]));

  describeProjectionContract(spec, history);
});
