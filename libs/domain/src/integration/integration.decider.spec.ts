import { describe, expect, it } from '@jest/globals';
import { fold } from '../core/decider.js';
import { specFor } from '#domain/testing';
import type { IntegrationCommand } from './integration.commands.js';
import { findConnection, findGitHubIntegration, findResourceByRepo, integrationDecider } from './integration.decider.js';
import type {
  GitHubInstallation,
  GitHubIntegrationConnected,
  GitHubRepositoryResource,
  IntegrationEvent,
  ResourceConnectedToWorkspace,
  ResourcesCreated,
  SyncConfig,
} from './integration.events.js';

const spec = specFor(integrationDecider);

const userId = 'user_1';
const t0 = '2026-01-01T10:00:00.000Z';
const t1 = '2026-01-02T10:00:00.000Z';
const sealed = (n: number) => `v1:kid12345:aXZpdml2aXZpdml2:dGFndGFndGFndGFndGFn:Y2lwaGVy${n}`;

const installation = (id: string, login = `acct-${id}`): GitHubInstallation => ({
  id,
  accountId: `9${id}`,
  accountLogin: login,
  accountType: 'Organization',
  avatarUrl: null,
  permissions: { contents: 'read' },
  installedAt: t0,
  lastValidatedAt: t0,
});

const repo = (repoId: string, resourceId = `res-${repoId}`, installationId = '11'): GitHubRepositoryResource => ({
  resourceId,
  installationId,
  repoId,
  repoName: `repo${repoId}`,
  repoFullName: `acme/repo${repoId}`,
  defaultBranch: 'main',
  isPrivate: true,
  isArchived: false,
});

// Commands
const connect = (integrationId = 'int-1', extra: Partial<IntegrationCommand['data']> = {}): IntegrationCommand =>
  ({
    type: 'ConnectGitHubIntegration',
    data: {
      userId,
      integrationId,
      encryptedAccessToken: sealed(1),
      encryptedRefreshToken: null,
      tokenExpiresAt: null,
      scopes: ['repo'],
      installations: [installation('11')],
      at: t0,
      ...extra,
    },
  }) as IntegrationCommand;
const validate = (installations: GitHubInstallation[], integrationId = 'int-1'): IntegrationCommand => ({
  type: 'ValidateGitHubInstallations',
  data: { userId, integrationId, installations, at: t1 },
});
const disconnect = (integrationId = 'int-1'): IntegrationCommand => ({
  type: 'DisconnectIntegration',
  data: { userId, integrationId, at: t1 },
});
const createResources = (resources: GitHubRepositoryResource[], integrationId = 'int-1'): IntegrationCommand => ({
  type: 'CreateResources',
  data: { userId, integrationId, resources, at: t1 },
});
const connectToWorkspace = (resourceId: string, syncConfig: SyncConfig = { autoSync: true }, workspaceId = 'ws-1'): IntegrationCommand => ({
  type: 'ConnectResourceToWorkspace',
  data: { userId, resourceId, workspaceId, workspaceKey: 'ws-docs', organizationId: 'org-1', syncConfig, at: t1 },
});
const disconnectFromWorkspace = (resourceId: string, by = userId): IntegrationCommand => ({
  type: 'DisconnectResourceFromWorkspace',
  data: { userId, resourceId, workspaceId: 'ws-1', by, at: t1 },
});

// Events, keys in the order the decider writes them (the helper compares JSON).
const connected = (extra: Partial<GitHubIntegrationConnected['data']> = {}): GitHubIntegrationConnected => ({
  type: 'GitHubIntegrationConnected',
  data: {
    integrationId: 'int-1',
    userId,
    encryptedAccessToken: sealed(1),
    encryptedRefreshToken: null,
    tokenExpiresAt: null,
    scopes: ['repo'],
    installations: [installation('11')],
    reconnected: false,
    connectedAt: t0,
    ...extra,
  },
});
const resourcesCreated = (resources: GitHubRepositoryResource[]): ResourcesCreated => ({
  type: 'ResourcesCreated',
  data: { integrationId: 'int-1', userId, resources, createdAt: t1 },
});
const connectedToWorkspace = (
  resource: GitHubRepositoryResource,
  syncConfig: SyncConfig = { autoSync: true },
): ResourceConnectedToWorkspace => ({
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
    syncConfig,
    connectedBy: userId,
    connectedAt: t1,
  },
});
const disconnectedFromWorkspace = (resourceId: string, by = userId): IntegrationEvent => ({
  type: 'ResourceDisconnectedFromWorkspace',
  data: { resourceId, workspaceId: 'ws-1', integrationId: 'int-1', disconnectedBy: by, disconnectedAt: t1 },
});
const recordSync = (
  resourceId: string,
  status: 'in_progress' | 'completed' | 'failed' | 'cancelled',
  error: string | null = null,
): IntegrationCommand => ({
  type: 'RecordWorkspaceSync',
  data: { userId, resourceId, workspaceId: 'ws-1', jobId: 'job-1', status, error, at: t1 },
});
const syncRecorded = (
  resourceId: string,
  status: 'in_progress' | 'completed' | 'failed' | 'cancelled',
  error: string | null = null,
): IntegrationEvent => ({
  type: 'WorkspaceSyncRecorded',
  data: { resourceId, workspaceId: 'ws-1', jobId: 'job-1', status, error, recordedAt: t1 },
});
const integrationDisconnected: IntegrationEvent = {
  type: 'IntegrationDisconnected',
  data: { integrationId: 'int-1', userId, disconnectedAt: t1 },
};

describe('integration decider', () => {
  describe('when the user has connected nothing', () => {
    it('connects GitHub with the sealed token and the installations', () => {
      spec.given([]).when(connect()).then([connected()]);
    });

    it('keeps a sealed refresh token and the token expiry', () => {
      spec
        .given([])
        .when(connect('int-1', { encryptedRefreshToken: sealed(2), tokenExpiresAt: t1 }))
        .then([connected({ encryptedRefreshToken: sealed(2), tokenExpiresAt: t1 })]);
    });

    it.each([
      ['a GitHub token', 'gho_16C7e42F292c6912E7710c838347Ae178B4a'],
      ['an empty string', ''],
      ['a value with a space', 'v1:a:b:c: d'],
    ])('refuses %s as the access token: tokens are only ever recorded sealed', (_, token) => {
      spec
        .given([])
        .when(connect('int-1', { encryptedAccessToken: token }))
        .thenThrows('invalid', 'encryptedAccessToken');
    });

    it('refuses a refresh token in clear', () => {
      spec
        .given([])
        .when(connect('int-1', { encryptedRefreshToken: 'ghr_1B4a2e77838347a7E420ce178F2E7c6912E169246' }))
        .thenThrows('invalid', 'encryptedRefreshToken');
    });

    it('refuses an installation listed twice', () => {
      spec
        .given([])
        .when(connect('int-1', { installations: [installation('11'), installation('11')] }))
        .thenThrows('invalid', 'listed twice');
    });

    it.each([
      ['validate', validate([installation('11')])],
      ['disconnect', disconnect()],
      ['create resources for', createResources([repo('101')])],
    ])('cannot %s an integration it does not have', (_, command) => {
      spec.given([]).when(command).thenThrows('not_found');
    });

    it('cannot connect a resource it does not have', () => {
      spec.given([]).when(connectToWorkspace('res-101')).thenThrows('not_found', 'Resource');
    });
  });

  describe('when GitHub is connected', () => {
    const history: IntegrationEvent[] = [connected()];

    it('reconnects under the same id with the new token, whatever id the command proposed', () => {
      spec
        .given(history)
        .when(connect('int-2', { encryptedAccessToken: sealed(3), installations: [installation('11'), installation('12')], at: t1 }))
        .then([
          connected({
            encryptedAccessToken: sealed(3),
            installations: [installation('11'), installation('12')],
            reconnected: true,
            connectedAt: t1,
          }),
        ]);
    });

    it('validates the installations, recording which were added and which removed', () => {
      spec
        .given(history)
        .when(validate([installation('12'), installation('13')]))
        .then([
          {
            type: 'GitHubInstallationsValidated',
            data: {
              integrationId: 'int-1',
              userId,
              installations: [installation('12'), installation('13')],
              addedInstallationIds: ['12', '13'],
              removedInstallationIds: ['11'],
              validatedAt: t1,
            },
          },
        ]);
    });

    it('disconnects it', () => {
      spec.given(history).when(disconnect()).then([integrationDisconnected]);
    });

    it('cannot touch an integration id that is not in this user’s stream', () => {
      spec.given(history).when(disconnect('int-other')).thenThrows('not_found');
      spec
        .given(history)
        .when(createResources([repo('101')], 'int-other'))
        .thenThrows('not_found');
    });

    it('creates one resource', () => {
      spec
        .given(history)
        .when(createResources([repo('101')]))
        .then([resourcesCreated([repo('101')])]);
    });

    it('creates 100 resources in one event', () => {
      const hundred = Array.from({ length: 100 }, (_, i) => repo(String(1000 + i)));
      spec
        .given(history)
        .when(createResources(hundred))
        .then([resourcesCreated(hundred)]);
    });

    it.each([
      ['none', 0],
      ['101', 101],
    ])('refuses %s resources at once, naming the field', (_, count) => {
      const resources = Array.from({ length: count }, (__, i) => repo(String(1000 + i)));
      spec.given(history).when(createResources(resources)).thenThrows('invalid', 'resources must hold 1–100');
    });

    it('creates a repository listed twice in one batch once, under the first resource id', () => {
      spec
        .given(history)
        .when(createResources([repo('101', 'res-a'), repo('102'), repo('101', 'res-b')]))
        .then([resourcesCreated([repo('101', 'res-a'), repo('102')])]);
    });

    it('refuses a repository from an installation the integration does not have', () => {
      spec
        .given(history)
        .when(createResources([repo('101'), repo('102', 'res-102', '99')]))
        .thenThrows('refused', 'Installation 99');
    });

    it.each([
      ['repoId', { repoId: 'abc' }],
      ['repoFullName', { repoFullName: 'no-slash' }],
      ['repoName', { repoName: 'other' }],
      ['defaultBranch', { defaultBranch: '' }],
      ['installationId', { installationId: '0' }],
    ])('refuses a resource with a bad %s, naming it', (field, patch) => {
      const error = (() => {
        try {
          integrationDecider.decide(createResources([repo('101'), { ...repo('102'), ...patch }]), fold(integrationDecider, history));
        } catch (e) {
          return e as { code: string; details: { field: string } };
        }
        throw new Error('accepted');
      })();
      expect([error.code, error.details.field]).toEqual(['invalid', `resources.1.${field}`]);
    });
  });

  describe('when resources exist', () => {
    const history: IntegrationEvent[] = [connected(), resourcesCreated([repo('101'), repo('102')])];

    it('skips repositories it already has: the same repository twice is one resource', () => {
      spec
        .given(history)
        .when(createResources([repo('101', 'res-new')]))
        .then([]);
    });

    it('creates only the new repositories of a mixed batch', () => {
      spec
        .given(history)
        .when(createResources([repo('101', 'res-x'), repo('103')]))
        .then([resourcesCreated([repo('103')])]);
    });

    it('skips a known repository even after its installation went away', () => {
      const revalidated: IntegrationEvent = {
        type: 'GitHubInstallationsValidated',
        data: {
          integrationId: 'int-1',
          userId,
          installations: [],
          addedInstallationIds: [],
          removedInstallationIds: ['11'],
          validatedAt: t1,
        },
      };
      spec
        .given([...history, revalidated])
        .when(createResources([repo('101', 'res-x')]))
        .then([]);
    });

    it('refuses a new repository under a resource id already in use', () => {
      spec
        .given(history)
        .when(createResources([repo('103', 'res-101')]))
        .thenThrows('conflict');
    });

    it('connects a resource to a workspace with what the initial sync needs', () => {
      spec
        .given(history)
        .when(connectToWorkspace('res-101'))
        .then([connectedToWorkspace(repo('101'))]);
    });

    it('cannot disconnect a resource that is not connected', () => {
      spec.given(history).when(disconnectFromWorkspace('res-101')).thenThrows('not_found', 'not connected');
    });
  });

  describe('when a resource is connected to a workspace', () => {
    const history: IntegrationEvent[] = [
      connected(),
      resourcesCreated([repo('101')]),
      connectedToWorkspace(repo('101')),
      syncRecorded('res-101', 'in_progress'),
    ];

    it('does nothing when connected again with the same configuration, in any key order', () => {
      spec
        .given(history)
        .when(connectToWorkspace('res-101', { autoSync: true }))
        .then([]);
      const withPaths: IntegrationEvent[] = [
        connected(),
        resourcesCreated([repo('101')]),
        connectedToWorkspace(repo('101'), { paths: ['docs/**'], autoSync: false }),
        syncRecorded('res-101', 'completed'),
      ];
      spec
        .given(withPaths)
        .when(connectToWorkspace('res-101', { autoSync: false, paths: ['docs/**'] }))
        .then([]);
    });

    it('changes the configuration without starting another initial sync', () => {
      spec
        .given(history)
        .when(connectToWorkspace('res-101', { branches: ['main'], autoSync: false }))
        .then([
          {
            type: 'WorkspaceSyncConfigChanged',
            data: {
              resourceId: 'res-101',
              workspaceId: 'ws-1',
              integrationId: 'int-1',
              syncConfig: { branches: ['main'], autoSync: false },
              changedBy: userId,
              changedAt: t1,
            },
          },
        ]);
    });

    it('connects it to a second workspace as well', () => {
      const event = connectedToWorkspace(repo('101'));
      spec
        .given(history)
        .when(connectToWorkspace('res-101', { autoSync: true }, 'ws-2'))
        .then([{ ...event, data: { ...event.data, workspaceId: 'ws-2' } }]);
    });

    it("starts the initial sync again when connected again after it failed or before any was recorded (the original's rule)", () => {
      const connectedOnly: IntegrationEvent[] = [connected(), resourcesCreated([repo('101')]), connectedToWorkspace(repo('101'))];
      spec
        .given(connectedOnly)
        .when(connectToWorkspace('res-101', { autoSync: true }))
        .then([connectedToWorkspace(repo('101'))]);
      spec
        .given([...history, syncRecorded('res-101', 'failed')])
        .when(connectToWorkspace('res-101', { autoSync: true }))
        .then([connectedToWorkspace(repo('101'))]);
      // Neither while one runs nor after one completed, a configuration change aside.
      for (const status of ['in_progress', 'completed'] as const)
        spec
          .given([...connectedOnly, syncRecorded('res-101', status)])
          .when(connectToWorkspace('res-101', { autoSync: true }))
          .then([]);
    });

    it('disconnects it, recording who asked', () => {
      spec
        .given(history)
        .when(disconnectFromWorkspace('res-101', 'user_admin'))
        .then([disconnectedFromWorkspace('res-101', 'user_admin')]);
    });
  });

  describe('when its initial sync runs', () => {
    const history: IntegrationEvent[] = [connected(), resourcesCreated([repo('101')]), connectedToWorkspace(repo('101'))];

    it('records the sync starting and ending, with the error of a failure', () => {
      spec
        .given(history)
        .when(recordSync('res-101', 'in_progress'))
        .then([syncRecorded('res-101', 'in_progress')]);
      spec
        .given([...history, syncRecorded('res-101', 'in_progress')])
        .when(recordSync('res-101', 'failed', 'GitHub said 502'))
        .then([syncRecorded('res-101', 'failed', 'GitHub said 502')]);
    });

    it('records nothing for a connection that does not exist or has ended', () => {
      spec.given(history).when(recordSync('res-999', 'completed')).then([]);
      spec
        .given([...history, disconnectedFromWorkspace('res-101')])
        .when(recordSync('res-101', 'completed'))
        .then([]);
    });
  });

  describe('when a resource was disconnected from its workspace', () => {
    const history: IntegrationEvent[] = [
      connected(),
      resourcesCreated([repo('101')]),
      connectedToWorkspace(repo('101')),
      disconnectedFromWorkspace('res-101'),
    ];

    it('does nothing when disconnected again', () => {
      spec.given(history).when(disconnectFromWorkspace('res-101')).then([]);
    });

    it('connects it again, which starts a new initial sync', () => {
      spec
        .given(history)
        .when(connectToWorkspace('res-101'))
        .then([connectedToWorkspace(repo('101'))]);
    });
  });

  describe('when the integration is disconnected', () => {
    const history: IntegrationEvent[] = [connected(), resourcesCreated([repo('101')]), integrationDisconnected];

    it('does nothing when disconnected again', () => {
      spec.given(history).when(disconnect()).then([]);
    });

    it.each([
      ['validate', validate([installation('11')])],
      ['create resources', createResources([repo('102')])],
      ['connect a resource', connectToWorkspace('res-101')],
    ])('refuses to %s until GitHub is connected again', (_, command) => {
      spec.given(history).when(command).thenThrows('refused', 'disconnected');
    });

    it('is connected again under its id', () => {
      spec
        .given(history)
        .when(connect('int-9', { at: t1 }))
        .then([connected({ reconnected: true, connectedAt: t1 })]);
    });
  });

  describe('fold', () => {
    it('gives the integration, its resources by repo id and the connections', () => {
      const state = fold(integrationDecider, [
        connected(),
        resourcesCreated([repo('101'), repo('102')]),
        connectedToWorkspace(repo('102')),
        integrationDisconnected,
      ]);
      expect(findGitHubIntegration(state)).toEqual({
        integrationId: 'int-1',
        provider: 'github',
        status: 'disconnected',
        encryptedAccessToken: sealed(1),
        installations: [installation('11')],
      });
      expect(findResourceByRepo(state, 'int-1', '102')?.resourceId).toBe('res-102');
      expect(findResourceByRepo(state, 'int-1', '103')).toBeUndefined();
      expect([...state.connections]).toEqual([
        ['ws-1/res-102', { status: 'active', organizationId: 'org-1', syncConfig: { autoSync: true }, lastSyncStatus: null }],
      ]);
    });

    it('keeps the organization a connection was made in through a configuration change', () => {
      const state = fold(integrationDecider, [
        connected(),
        resourcesCreated([repo('102')]),
        connectedToWorkspace(repo('102')),
        {
          type: 'WorkspaceSyncConfigChanged',
          data: {
            resourceId: 'res-102',
            workspaceId: 'ws-1',
            integrationId: 'int-1',
            syncConfig: { autoSync: false },
            changedBy: userId,
            changedAt: t1,
          },
        },
      ]);
      expect(findConnection(state, 'ws-1', 'res-102')).toEqual({
        status: 'active',
        organizationId: 'org-1',
        syncConfig: { autoSync: false },
        lastSyncStatus: null,
      });
      expect(findConnection(state, 'ws-2', 'res-102')).toBeUndefined();
    });

    it('does not mutate the state it was given', () => {
      const before = fold(integrationDecider, [connected()]);
      integrationDecider.evolve(before, resourcesCreated([repo('101')]));
      integrationDecider.evolve(before, integrationDisconnected);
      expect(before.resources.size).toBe(0);
      expect(findGitHubIntegration(before)?.status).toBe('active');
    });
  });
});
