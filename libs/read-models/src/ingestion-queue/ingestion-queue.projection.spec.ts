import { describe, expect, it } from '@jest/globals';
import { INGESTION_JOB_KIND, type IngestionJobInput } from '#domain';
import { ingestionQueueProjection } from './ingestion-queue.projection.js';

const input = (githubRepoId: string, extra: Record<string, unknown> = {}): IngestionJobInput => ({
  kind: INGESTION_JOB_KIND,
  source: 'manual',
  repositoryId: `r${githubRepoId}`,
  githubRepoId,
  githubInstallationId: '7',
  repoFullName: `acme/${githubRepoId}`,
  ref: 'main',
  afterSha: null,
  deliveryId: null,
  changedFileCount: null,
  fallbackStore: null,
  ...extra,
});

describe('ingestion queue projection apply', () => {
  it('removes the initial-sync request of a resource once its job is queued', async () => {
    const rows = ingestionQueueProjection.apply({
      id: 'evt-1',
      type: 'ResourceConnectedToWorkspace',
      streamId: 'integration-x',
      revision: 0n,
      position: '1/0',
      recordedAt: '2026-03-01T10:00:00.000Z',
      metadata: {},
      data: {
        resourceId: 'res_1',
        workspaceId: 'ws_1',
        workspaceKey: 'k',
        organizationId: 'org_1',
        integrationId: 'i1',
        installationId: '7',
        repoId: '9',
        repoFullName: 'acme/x',
        defaultBranch: 'main',
        isPrivate: false,
        syncConfig: { autoSync: true },
        connectedBy: 'user_1',
        connectedAt: '2026-03-01T10:00:00.000Z',
      },
    });
    expect(rows).toEqual([
      expect.objectContaining({
        kind: 'upsert',
        table: 'initial_sync_requests',
        row: expect.objectContaining({ request_id: 'evt-1', resource_id: 'res_1', repo_id: '9' }),
      }),
    ]);
    const queued = ingestionQueueProjection.apply({
      id: 'evt-2',
      type: 'JobQueued',
      streamId: 'job-j',
      revision: 0n,
      position: '2/0',
      recordedAt: '2026-03-01T10:00:01.000Z',
      metadata: {},
      data: {
        jobId: 'j',
        organizationId: 'org_1',
        workspaceId: 'ws_1',
        queuedAt: '2026-03-01T10:00:01.000Z',
        repositoryId: null,
        name: 'n',
        trigger: 'automatic',
        triggeredBy: null,
        input: input('9', { source: 'initial-sync', initialSyncResourceId: 'res_1' }),
      },
    });
    expect(queued).toContainEqual({ kind: 'delete', table: 'initial_sync_requests', key: { resource_id: 'res_1' } });
  });
});
