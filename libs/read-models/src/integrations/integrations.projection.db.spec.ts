import { describe, expect, it } from '@jest/globals';
import {
  integrationStreamId,
  type GitHubInstallation,
  type GitHubIntegrationConnected,
  type GitHubRepositoryResource,
  type IntegrationDisconnected,
  type IntegrationEvent,
  type ResourceConnectedToWorkspace,
  type ResourcesCreated,
} from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing/projection';
import { integrationsProjection } from './integrations.projection.js';

const spec = useProjectionSpec(integrationsProjection);

const sealed = 'v1:kid12345:aXZpdml2aXZpdml2:dGFndGFndGFndGFndGFn:Y2lwaGVy';
const installation = (id: string, at: string): GitHubInstallation => ({
  id,
  accountId: `9${id}`,
  accountLogin: `acct-${id}`,
  accountType: 'Organization',
  avatarUrl: null,
  permissions: { contents: 'read' },
  installedAt: '2026-01-01T00:00:00.000Z',
  lastValidatedAt: at,
});
const repo = (repoId: string): GitHubRepositoryResource => ({
  resourceId: `res-${repoId}`,
  installationId: '11',
  repoId,
  repoName: `repo${repoId}`,
  repoFullName: `acme/repo${repoId}`,
  defaultBranch: 'main',
  isPrivate: repoId !== '103',
  isArchived: false,
});
const connected = (userId: string, integrationId: string, connectedAt: string, reconnected = false): GitHubIntegrationConnected => ({
  type: 'GitHubIntegrationConnected',
  data: {
    integrationId,
    userId,
    encryptedAccessToken: sealed,
    encryptedRefreshToken: null,
    tokenExpiresAt: null,
    scopes: ['repo'],
    installations: [installation('11', connectedAt)],
    reconnected,
    connectedAt,
  },
});
const disconnected = (userId: string, integrationId: string, disconnectedAt: string): IntegrationDisconnected => ({
  type: 'IntegrationDisconnected',
  data: { integrationId, userId, disconnectedAt },
});
const resourcesCreated = (createdAt: string, ...resources: GitHubRepositoryResource[]): ResourcesCreated => ({
  type: 'ResourcesCreated',
  data: { integrationId: 'int-1', userId: 'user_1', resources, createdAt },
});
const connectedToWorkspace = (resource: GitHubRepositoryResource, connectedAt: string): ResourceConnectedToWorkspace => ({
  type: 'ResourceConnectedToWorkspace',
  data: {
    resourceId: resource.resourceId,
    workspaceId: 'ws-1',
    workspaceKey: 'ws-docs',
    organizationId: 'org-1',
    integrationId: 'int-1',
    installationId: resource.installationId,
    repoId: resource.repoId,
    repoFullName: resource.repoFullName,
    defaultBranch: resource.defaultBranch,
    isPrivate: resource.isPrivate,
    syncConfig: { autoSync: true },
    connectedBy: 'user_1',
    connectedAt,
  },
});

/**
 * Two users. user_1 connects, registers three repositories in one batch, re-validates, connects two
 * repositories to a workspace, changes one's configuration, disconnects and reconnects the other,
 * disconnects GitHub and connects it again (under the same integration id). user_2 connects and leaves.
 */
function history() {
  const log = new EventLog();
  const user1 = (...events: IntegrationEvent[]) => log.append(integrationStreamId('user_1'), ...events);
  user1(connected('user_1', 'int-1', '2026-03-01T09:00:00.000Z'));
  user1(resourcesCreated('2026-03-01T09:05:00.000Z', repo('101'), repo('102'), repo('103')));
  user1({
    type: 'GitHubInstallationsValidated',
    data: {
      integrationId: 'int-1',
      userId: 'user_1',
      installations: [installation('11', '2026-03-02T09:00:00.000Z'), installation('12', '2026-03-02T09:00:00.000Z')],
      addedInstallationIds: ['12'],
      removedInstallationIds: [],
      validatedAt: '2026-03-02T09:00:00.000Z',
    },
  });
  user1(connectedToWorkspace(repo('101'), '2026-03-03T09:00:00.000Z'));
  user1(connectedToWorkspace(repo('102'), '2026-03-03T09:01:00.000Z'));
  user1({
    type: 'WorkspaceSyncConfigChanged',
    data: {
      resourceId: 'res-101',
      workspaceId: 'ws-1',
      integrationId: 'int-1',
      syncConfig: { paths: ['docs/**'], autoSync: false },
      changedBy: 'user_1',
      changedAt: '2026-03-03T10:00:00.000Z',
    },
  });
  user1({
    type: 'ResourceDisconnectedFromWorkspace',
    data: {
      resourceId: 'res-102',
      workspaceId: 'ws-1',
      integrationId: 'int-1',
      disconnectedBy: 'user_admin',
      disconnectedAt: '2026-03-04T09:00:00.000Z',
    },
  });
  user1(connectedToWorkspace(repo('102'), '2026-03-05T09:00:00.000Z'));
  user1(disconnected('user_1', 'int-1', '2026-03-06T09:00:00.000Z'));
  user1(connected('user_1', 'int-1', '2026-03-07T09:00:00.000Z', true));
  log.append(
    integrationStreamId('user_2'),
    connected('user_2', 'int-2', '2026-03-08T09:00:00.000Z'),
    disconnected('user_2', 'int-2', '2026-03-09T09:00:00.000Z'),
  );
  return log.events;
}

const date = (iso: string) => new Date(iso);
const resourceRow = (repoId: string) => ({
  id: `res-${repoId}`,
  integration_id: 'int-1',
  user_id: 'user_1',
  provider: 'github',
  resource_type: 'repository',
  installation_id: '11',
  repo_id: repoId,
  repo_name: `repo${repoId}`,
  repo_full_name: `acme/repo${repoId}`,
  default_branch: 'main',
  is_private: repoId !== '103',
  is_archived: false,
  created_at: date('2026-03-01T09:05:00.000Z'),
});
const expected = {
  integrations: [
    {
      id: 'int-1',
      user_id: 'user_1',
      provider: 'github',
      scopes: ['repo'],
      // The reconnection's installations replace the validated ones; the first connection's dates stay.
      installations: [installation('11', '2026-03-07T09:00:00.000Z')],
      is_active: true,
      connected_at: date('2026-03-01T09:00:00.000Z'),
      last_sync_at: date('2026-03-07T09:00:00.000Z'),
      disconnected_at: null,
      created_at: date('2026-03-01T09:00:00.000Z'),
      updated_at: date('2026-03-07T09:00:00.000Z'),
    },
    {
      id: 'int-2',
      user_id: 'user_2',
      provider: 'github',
      scopes: ['repo'],
      installations: [installation('11', '2026-03-08T09:00:00.000Z')],
      is_active: false,
      connected_at: date('2026-03-08T09:00:00.000Z'),
      last_sync_at: date('2026-03-08T09:00:00.000Z'),
      disconnected_at: date('2026-03-09T09:00:00.000Z'),
      created_at: date('2026-03-08T09:00:00.000Z'),
      updated_at: date('2026-03-09T09:00:00.000Z'),
    },
  ],
  resources: [resourceRow('101'), resourceRow('102'), resourceRow('103')],
  workspaces: [
    {
      workspace_id: 'ws-1',
      resource_id: 'res-101',
      organization_id: 'org-1',
      integration_id: 'int-1',
      user_id: 'user_1',
      sync_config: { paths: ['docs/**'], autoSync: false },
      is_active: true,
      connected_at: date('2026-03-03T09:00:00.000Z'),
      disconnected_at: null,
      last_sync_status: 'pending',
      last_synced_at: null,
      last_sync_error: null,
      updated_at: date('2026-03-03T10:00:00.000Z'),
    },
    {
      workspace_id: 'ws-1',
      resource_id: 'res-102',
      organization_id: 'org-1',
      integration_id: 'int-1',
      user_id: 'user_1',
      sync_config: { autoSync: true },
      is_active: true,
      connected_at: date('2026-03-05T09:00:00.000Z'),
      disconnected_at: null,
      last_sync_status: 'pending',
      last_synced_at: null,
      last_sync_error: null,
      updated_at: date('2026-03-05T09:00:00.000Z'),
    },
  ],
};

describe('integrations projection', () => {
  it('writes the integrations (no token column), one resource per repository and the workspace connections', async () => {
    const given = spec.given(history());
    await given.then(expected.integrations, 'integrations');
    await given.then(expected.resources, 'integration_resources');
    await given.then(expected.workspaces, 'workspace_integrations');
    const { rows: columns } = await spec.pool.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'integrations_g1'`,
    );
    expect(columns.map((c: { column_name: string }) => c.column_name).filter((name: string) => /token/.test(name))).toEqual([]);
  });

  it('indexes resources by integration and repository, and connections by workspace', async () => {
    const { rows: indexes } = await spec.pool.query(
      `SELECT tablename, indexdef FROM pg_indexes WHERE tablename IN ('integration_resources_g1', 'workspace_integrations_g1', 'integrations_g1')`,
    );
    const definitions = indexes.map((i: { indexdef: string }) => i.indexdef);
    expect(definitions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/integrations_g1 USING btree \(user_id, provider\)$/),
        expect.stringMatching(/USING btree \(integration_id, repo_id\)$/),
        expect.stringMatching(/USING btree \(integration_id, created_at, id\)$/),
        expect.stringMatching(/USING btree \(user_id, lower\(repo_full_name\)\)$/),
        expect.stringMatching(/USING btree \(workspace_id, is_active, connected_at\)$/),
      ]),
    );
  });

  describeProjectionContract(spec, history);
});
