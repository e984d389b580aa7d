import { describe, expect, it } from '@jest/globals';
import { repositoryDecider, repositoryStreamId, type RepositoryCommand } from '#domain';
import { handleCommand } from '#event-store';
import { useProjectionHarness } from '../../../../test/support/projection-harness.js';
import { repositoriesProjection } from './repositories.projection.js';

const harness = useProjectionHarness(repositoriesProjection);
let commandCount = 0;
async function send(githubRepoId: string, command: RepositoryCommand): Promise<void> {
  const result = await handleCommand(harness.store, repositoryStreamId(githubRepoId), repositoryDecider, command, { commandId: `repositories-spec-${++commandCount}` });
  if (result.events.length > 0) harness.recordAppended(result.position!);
}
const connect = (repositoryId: string, githubRepoId: string, at: string, metadata: Record<string, unknown> = { fullName: `acme/${githubRepoId}` }): RepositoryCommand => ({
  type: 'ConnectRepository',
  data: { repositoryId, organizationId: 'org_1', githubRepoId, githubInstallationId: '7', workspaceId: 'ws_1', metadata, at },
});

describe('repositories projection', () => {
  it('keeps one row per repository through connect, config, reindex, deactivation and reactivation', async () => {
    await send('1', connect('r1', '1', '2026-03-01T10:00:00.000Z'));
    await send('2', connect('r2', '2', '2026-03-01T11:00:00.000Z'));
    await send('1', { type: 'RecordRepositoryConfig', data: { organizationId: 'org_1', status: 'configured', configPath: 'lightfast.yml', config: { version: 1, store: 'docs', include: ['docs/**'] }, error: null, at: '2026-03-01T12:00:00.000Z' } });
    await send('1', { type: 'RequestReindex', data: { organizationId: 'org_1', jobId: 'j1', requestedBy: 'user_1', activeJob: null, at: '2026-03-01T13:00:00.000Z' } });
    await send('2', { type: 'DeactivateRepository', data: { reason: 'removed', at: '2026-03-02T10:00:00.000Z' } });
    await send('2', connect('ignored', '2', '2026-03-03T10:00:00.000Z', { fullName: 'acme/renamed' }));
    await send('1', { type: 'FinishReindex', data: { jobId: 'j1', at: '2026-03-01T14:00:00.000Z' } });
    await harness.runToHead();

    const rows = await harness.rows();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ id: 'r1', is_active: true, config_status: 'configured', config_path: 'lightfast.yml', config: { store: 'docs' }, active_job_id: null, document_count: 0 });
    expect(rows[0].last_ingested_at.toISOString()).toBe('2026-03-01T14:00:00.000Z');
    expect(rows[1]).toMatchObject({ id: 'r2', github_repo_id: '2', is_active: true, config_status: 'pending', metadata: { fullName: 'acme/renamed' } });
    expect(rows[1].last_synced_at.toISOString()).toBe('2026-03-03T10:00:00.000Z');
  });

  it('shows the active reindex job until it is reported finished', async () => {
    await send('3', connect('r3', '3', '2026-03-04T10:00:00.000Z'));
    await send('3', { type: 'RequestReindex', data: { organizationId: 'org_1', jobId: 'j3', requestedBy: null, activeJob: null, at: '2026-03-04T11:00:00.000Z' } });
    await harness.runToHead();
    expect((await harness.rows()).find((r) => r.id === 'r3')).toMatchObject({ active_job_id: 'j3' });
  });
});
