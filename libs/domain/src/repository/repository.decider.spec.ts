import { describe, it } from '@jest/globals';
import { specFor } from '#domain/testing';
import type { RepositoryCommand } from './repository.commands.js';
import { repositoryDecider } from './repository.decider.js';
import type { RepositoryEvent } from './repository.events.js';

const spec = specFor(repositoryDecider);
const t0 = '2026-01-01T10:00:00.000Z';
const t1 = '2026-01-02T10:00:00.000Z';
const metadata = { fullName: 'acme/docs', defaultBranch: 'main', private: false };

const connect = (repositoryId = 'r1', organizationId = 'org_1', at = t0): RepositoryCommand => ({
  type: 'ConnectRepository',
  data: { repositoryId, organizationId, githubRepoId: '42', githubInstallationId: '7', workspaceId: 'ws_1', metadata, at },
});
const connected: RepositoryEvent = {
  type: 'RepositoryConnected',
  data: {
    repositoryId: 'r1',
    organizationId: 'org_1',
    githubRepoId: '42',
    githubInstallationId: '7',
    workspaceId: 'ws_1',
    metadata,
    connectedAt: t0,
  },
};
const deactivated: RepositoryEvent = {
  type: 'RepositoryDeactivated',
  data: { repositoryId: 'r1', githubRepoId: '42', reason: 'removed', deactivatedAt: t0 },
};
const reindex = (
  jobId: string,
  activeJob: { jobId: string; status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'none' } | null = null,
  organizationId = 'org_1',
): RepositoryCommand => ({
  type: 'RequestReindex',
  data: { organizationId, jobId, requestedBy: 'user_1', activeJob, at: t1 },
});
const requested = (jobId: string): RepositoryEvent => ({
  type: 'ReindexRequested',
  data: { repositoryId: 'r1', jobId, requestedBy: 'user_1', at: t1 },
});

describe('repository decider', () => {
  it('connects a new repository', () => spec.given([]).when(connect()).then([connected]));

  it('refuses to connect an active repository again', () =>
    spec.given([connected]).when(connect('r2')).thenThrows('conflict', 'already connected'));

  it("never connects, reactivates or moves another organization's repository (as if it did not exist)", () => {
    spec.given([connected]).when(connect('r2', 'org_2')).thenThrows('not_found', 'Repository not found');
    spec.given([connected, deactivated]).when(connect('r2', 'org_2')).thenThrows('not_found', 'Repository not found');
  });

  it('reactivates an inactive repository under its stored id', () => {
    spec
      .given([connected, deactivated])
      .when(connect('r-new', 'org_1', t1))
      .then([
        {
          type: 'RepositoryReactivated',
          data: {
            repositoryId: 'r1',
            organizationId: 'org_1',
            githubRepoId: '42',
            githubInstallationId: '7',
            workspaceId: 'ws_1',
            metadata,
            reactivatedAt: t1,
          },
        },
      ]);
  });

  it('requests a reindex of an idle repository', () =>
    spec
      .given([connected])
      .when(reindex('j1'))
      .then([requested('j1')]));

  it('refuses a reindex while the active job is queued or running, or unknown', () => {
    spec
      .given([connected, requested('j1')])
      .when(reindex('j2'))
      .thenThrows('conflict', 'Reindex already in progress');
    spec
      .given([connected, requested('j1')])
      .when(reindex('j2', { jobId: 'j1', status: 'queued' }))
      .thenThrows('conflict');
    spec
      .given([connected, requested('j1')])
      .when(reindex('j2', { jobId: 'j1', status: 'running' }))
      .thenThrows('conflict');
    // What the caller read about another job says nothing about this one.
    spec
      .given([connected, requested('j1')])
      .when(reindex('j2', { jobId: 'j0', status: 'completed' }))
      .thenThrows('conflict');
  });

  it('allows a reindex once the active job ended (read from its stream, or reported finished)', () => {
    for (const status of ['completed', 'failed', 'cancelled'] as const)
      spec
        .given([connected, requested('j1')])
        .when(reindex('j2', { jobId: 'j1', status }))
        .then([requested('j2')]);
    spec
      .given([connected, requested('j1'), { type: 'ReindexFinished', data: { repositoryId: 'r1', jobId: 'j1', at: t1 } }])
      .when(reindex('j2'))
      .then([requested('j2')]);
  });

  it('treats the same job id as a retry of the same request', () =>
    spec
      .given([connected, requested('j1')])
      .when(reindex('j1'))
      .then([]));

  it('hides another organization’s repository and refuses inactive or unknown ones', () => {
    spec
      .given([connected])
      .when(reindex('j1', null, 'org_2'))
      .thenThrows('not_found');
    spec.given([connected, deactivated]).when(reindex('j1')).thenThrows('refused');
    spec.given([]).when(reindex('j1')).thenThrows('not_found');
  });

  describe('when GitHub reports changes (webhooks)', () => {
    const deactivate = (githubInstallationId?: string): RepositoryCommand => ({
      type: 'DeactivateRepository',
      data: { reason: 'installation_repository_removed', ...(githubInstallationId === undefined ? {} : { githubInstallationId }), at: t1 },
    });
    const removed: RepositoryEvent = {
      type: 'RepositoryDeactivated',
      data: { repositoryId: 'r1', githubRepoId: '42', reason: 'installation_repository_removed', deactivatedAt: t1 },
    };
    const deleted: RepositoryEvent = { type: 'RepositoryDeleted', data: { repositoryId: 'r1', githubRepoId: '42', deletedAt: t1 } };
    const rename = (fullName: string): RepositoryCommand => ({ type: 'UpdateRepositoryMetadata', data: { changes: { fullName }, at: t1 } });

    it('deactivates a repository still connected through the named installation, once', () => {
      spec.given([connected]).when(deactivate('7')).then([removed]);
      spec.given([connected, removed]).when(deactivate('7')).then([]);
    });

    it('ignores the removal from an installation the repository no longer belongs to', () =>
      spec.given([connected]).when(deactivate('8')).then([]));

    it('marks a repository deleted: inactive, metadata replaced; a second delete changes nothing', () => {
      spec
        .given([connected])
        .when({ type: 'MarkRepositoryDeleted', data: { at: t1 } })
        .then([deleted]);
      spec
        .given([connected, deactivated])
        .when({ type: 'MarkRepositoryDeleted', data: { at: t1 } })
        .then([deleted]);
      spec
        .given([connected, deleted])
        .when({ type: 'MarkRepositoryDeleted', data: { at: t1 } })
        .then([]);
    });

    it('refuses a deactivated repository a reindex once deleted', () =>
      spec.given([connected, deleted]).when(reindex('j1')).thenThrows('refused'));

    it('merges metadata changes into the stored metadata, and appends nothing when they are already there', () => {
      spec
        .given([connected])
        .when(rename('acme/handbook'))
        .then([
          {
            type: 'RepositoryMetadataUpdated',
            data: {
              repositoryId: 'r1',
              githubRepoId: '42',
              changes: { fullName: 'acme/handbook' },
              metadata: { ...metadata, fullName: 'acme/handbook' },
              updatedAt: t1,
            },
          },
        ]);
      spec.given([connected]).when(rename('acme/docs')).then([]);
    });

    it('knows nothing of a repository never connected', () => {
      spec.given([]).when(deactivate('7')).thenThrows('not_found');
      spec
        .given([])
        .when({ type: 'MarkRepositoryDeleted', data: { at: t1 } })
        .thenThrows('not_found');
      spec.given([]).when(rename('acme/x')).thenThrows('not_found');
    });
  });

  it('records a detected config', () => {
    spec
      .given([connected])
      .when({
        type: 'RecordRepositoryConfig',
        data: { organizationId: 'org_1', status: 'unconfigured', configPath: null, config: null, error: null, at: t1 },
      })
      .then([
        {
          type: 'RepositoryConfigDetected',
          data: { repositoryId: 'r1', status: 'unconfigured', configPath: null, config: null, error: null, detectedAt: t1 },
        },
      ]);
  });
});
