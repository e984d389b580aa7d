import { beforeAll, describe, expect, it } from '@jest/globals';
import { integrationDecider, integrationStreamId, type GitHubInstallation, type GitHubRepositoryResource, type IntegrationCommand, type SyncConfig } from '#domain';
import { handleCommand } from '#event-store';
import { useProjectionHarness } from '../../../../test/support/projection-harness.js';
import { createGeneration } from '../core/projection-catalog.js';
import { integrationsProjection } from './integrations.projection.js';

const harness = useProjectionHarness(integrationsProjection);
const { inTransaction, newRunner, runToHead, readAllBatches, rows, checkpointOf } = harness;
const readAllEvents = async () => (await readAllBatches()).flatMap((b) => b.events);

const sum = (applied: number[]) => applied.reduce((a, b) => a + b, 0);
const snapshot = async (generation?: number) => {
  const suffix = generation === undefined ? '' : `_g${generation}`;
  return {
    integrations: await rows(`integrations${suffix}`, 'id'),
    resources: await rows(`integration_resources${suffix}`, 'id'),
    workspaces: await rows(`workspace_integrations${suffix}`, 'workspace_id, resource_id'),
  };
};

let commandCount = 0;
async function send(command: IntegrationCommand): Promise<number> {
  const result = await handleCommand(harness.store, integrationStreamId(command.data.userId), integrationDecider, command, { commandId: `integrations-spec-${++commandCount}` });
  if (result.events.length > 0) harness.recordAppended(result.position!);
  return result.events.length;
}

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
async function seedHistory(): Promise<number> {
  const counts = [
    await send(connect('user_1', 'int-1', '2026-03-01T09:00:00.000Z')),
    await send({ type: 'CreateResources', data: { userId: 'user_1', integrationId: 'int-1', resources: [repo('101'), repo('102'), repo('103')], at: '2026-03-01T09:05:00.000Z' } }),
    await send({ type: 'CreateResources', data: { userId: 'user_1', integrationId: 'int-1', resources: [{ ...repo('101'), resourceId: 'res-dup' }], at: '2026-03-01T09:06:00.000Z' } }),
    await send({
      type: 'ValidateGitHubInstallations',
      data: { userId: 'user_1', integrationId: 'int-1', installations: [installation('11', '2026-03-02T09:00:00.000Z'), installation('12', '2026-03-02T09:00:00.000Z')], at: '2026-03-02T09:00:00.000Z' },
    }),
  ];
  const workspace = (resourceId: string, at: string, syncConfig: SyncConfig = { autoSync: true }): IntegrationCommand => ({
    type: 'ConnectResourceToWorkspace',
    data: { userId: 'user_1', resourceId, workspaceId: 'ws-1', workspaceKey: 'ws-docs', organizationId: 'org-1', syncConfig, at },
  });
  counts.push(
    await send(workspace('res-101', '2026-03-03T09:00:00.000Z')),
    await send(workspace('res-102', '2026-03-03T09:01:00.000Z')),
    await send(workspace('res-101', '2026-03-03T10:00:00.000Z', { paths: ['docs/**'], autoSync: false })),
    await send({ type: 'DisconnectResourceFromWorkspace', data: { userId: 'user_1', resourceId: 'res-102', workspaceId: 'ws-1', by: 'user_admin', at: '2026-03-04T09:00:00.000Z' } }),
    await send(workspace('res-102', '2026-03-05T09:00:00.000Z')),
    await send({ type: 'DisconnectIntegration', data: { userId: 'user_1', integrationId: 'int-1', at: '2026-03-06T09:00:00.000Z' } }),
    await send(connect('user_1', 'int-ignored', '2026-03-07T09:00:00.000Z')),
    await send(connect('user_2', 'int-2', '2026-03-08T09:00:00.000Z')),
    await send({ type: 'DisconnectIntegration', data: { userId: 'user_2', integrationId: 'int-2', at: '2026-03-09T09:00:00.000Z' } }),
  );
  return sum(counts);
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
  let seeded: number;
  beforeAll(async () => {
    seeded = await seedHistory();
  });

  describe('when replayed from the start', () => {
    let applied: number[];
    beforeAll(async () => {
      applied = await runToHead({ mode: 'replay' });
    });

    it('writes the integrations (no token column), one resource per repository and the workspace connections', async () => {
      // The duplicate repository appended nothing.
      expect(seeded).toBe(12);
      expect(await snapshot()).toEqual(expected);
      const { rows: columns } = await harness.pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'integrations_g1'`);
      expect(columns.map((c: { column_name: string }) => c.column_name).filter((name: string) => /token/.test(name))).toEqual([]);
    });

    it('applies every event exactly once and checkpoints at or past the last event', async () => {
      expect(sum(applied)).toBe(seeded);
      const checkpoint = await checkpointOf();
      expect(checkpoint!.eventsProcessed).toBe(seeded);
      expect(harness.store.comparePositions(checkpoint!.position, harness.lastAppended)).toBeGreaterThanOrEqual(0);
    });

    it('indexes resources by integration and repository, and connections by workspace', async () => {
      const { rows: indexes } = await harness.pool.query(`SELECT tablename, indexdef FROM pg_indexes WHERE tablename IN ('integration_resources_g1', 'workspace_integrations_g1', 'integrations_g1')`);
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
  });

  describe('when the same events are applied twice', () => {
    it('skips them on a second run from the stored checkpoint and nothing doubles', async () => {
      expect(sum(await runToHead())).toBe(0);
      expect(await snapshot()).toEqual(expected);
    });
  });

  describe('when the history is applied in one batch or one event per batch', () => {
    it('writes identical rows', async () => {
      await inTransaction(async (client) => {
        await createGeneration(client, integrationsProjection, 2);
        await createGeneration(client, integrationsProjection, 3);
      });
      const history = await readAllEvents();
      expect(history).toHaveLength(seeded);
      const client = await harness.pool.connect();
      try {
        expect(await newRunner({ generation: 2 }).applyBatch(client, 2, { events: history, checkpoint: harness.lastAppended, caughtUp: true })).toBe(seeded);
      } finally {
        client.release();
      }
      const apart = await runToHead({ mode: 'replay', generation: 3, maxBatchSize: 1 });
      expect(apart.filter((n) => n > 0)).toEqual(Array.from({ length: seeded }, () => 1));
      expect(await snapshot(2)).toEqual(expected);
      expect(await snapshot(3)).toEqual(expected);
    });
  });
});
