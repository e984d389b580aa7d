import { describe, expect, it } from '@jest/globals';
import { integrationDecider, integrationStreamId, type GitHubInstallation, type GitHubRepositoryResource, type IntegrationCommand, type SyncConfig } from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing';
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
const connect = (userId: string, integrationId: string, at: string, installations = [installation('11', at)]): IntegrationCommand => ({
  type: 'ConnectGitHubIntegration',
  data: { userId, integrationId, encryptedAccessToken: sealed, encryptedRefreshToken: null, tokenExpiresAt: null, scopes: ['repo'], installations, at },
});

/**
 * Two users. user_1 connects, registers three repositories in one batch (and one of them again),
 * re-validates, connects two repositories to a workspace, changes one's configuration, disconnects
 * and reconnects the other, disconnects GitHub and connects it again. user_2 connects and leaves.
 */
function history() {
  const log = new EventLog();
  const send = (command: IntegrationCommand) => log.decide(integrationStreamId(command.data.userId), integrationDecider, command).length;
  const counts = [
    send(connect('user_1', 'int-1', '2026-03-01T09:00:00.000Z')),
    send({ type: 'CreateResources', data: { userId: 'user_1', integrationId: 'int-1', resources: [repo('101'), repo('102'), repo('103')], at: '2026-03-01T09:05:00.000Z' } }),
    send({ type: 'CreateResources', data: { userId: 'user_1', integrationId: 'int-1', resources: [{ ...repo('101'), resourceId: 'res-dup' }], at: '2026-03-01T09:06:00.000Z' } }),
    send({
      type: 'ValidateGitHubInstallations',
      data: { userId: 'user_1', integrationId: 'int-1', installations: [installation('11', '2026-03-02T09:00:00.000Z'), installation('12', '2026-03-02T09:00:00.000Z')], at: '2026-03-02T09:00:00.000Z' },
    }),
  ];
  const workspace = (resourceId: string, at: string, syncConfig: SyncConfig = { autoSync: true }): IntegrationCommand => ({
    type: 'ConnectResourceToWorkspace',
    data: { userId: 'user_1', resourceId, workspaceId: 'ws-1', workspaceKey: 'ws-docs', organizationId: 'org-1', syncConfig, at },
  });
  counts.push(
    send(workspace('res-101', '2026-03-03T09:00:00.000Z')),
    send(workspace('res-102', '2026-03-03T09:01:00.000Z')),
    send(workspace('res-101', '2026-03-03T10:00:00.000Z', { paths: ['docs/**'], autoSync: false })),
    send({ type: 'DisconnectResourceFromWorkspace', data: { userId: 'user_1', resourceId: 'res-102', workspaceId: 'ws-1', by: 'user_admin', at: '2026-03-04T09:00:00.000Z' } }),
    send(workspace('res-102', '2026-03-05T09:00:00.000Z')),
    send({ type: 'DisconnectIntegration', data: { userId: 'user_1', integrationId: 'int-1', at: '2026-03-06T09:00:00.000Z' } }),
    send(connect('user_1', 'int-ignored', '2026-03-07T09:00:00.000Z')),
    send(connect('user_2', 'int-2', '2026-03-08T09:00:00.000Z')),
    send({ type: 'DisconnectIntegration', data: { userId: 'user_2', integrationId: 'int-2', at: '2026-03-09T09:00:00.000Z' } }),
  );
  // The duplicate repository appended nothing.
  expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
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
    const { rows: columns } = await spec.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'integrations_g1'`);
    expect(columns.map((c: { column_name: string }) => c.column_name).filter((name: string) => /token/.test(name))).toEqual([]);
  });

  it('indexes resources by integration and repository, and connections by workspace', async () => {
    const { rows: indexes } = await spec.pool.query(`SELECT tablename, indexdef FROM pg_indexes WHERE tablename IN ('integration_resources_g1', 'workspace_integrations_g1', 'integrations_g1')`);
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
