import { describe, expect, it } from '@jest/globals';
import { fold } from '../core/decider.js';
import type { RecordedEvent } from '../core/event.js';
import { connectionPushJobIdFor, pushJobIdFor } from '../core/ids.js';
import { integrationDecider } from '../integration/integration.decider.js';
import type { IntegrationEvent } from '../integration/integration.events.js';
import { repositoryDecider } from '../repository/repository.decider.js';
import type { RepositoryEvent } from '../repository/repository.events.js';
import {
  allPushTargets,
  connectionPushJob,
  connectionPushTargets,
  pushJob,
  pushOutcome,
  pushRedetectsConfig,
  pushTargets,
  queuedByAnotherDelivery,
  routePush,
  type ConnectionPushTarget,
  type Push,
  type PushTarget,
} from './github-push.workflow.js';

const t0 = '2026-01-01T10:00:00.000Z';
const t1 = '2026-01-02T10:00:00.000Z';
const push = (overrides: Partial<Push> = {}): Push => ({
  githubRepoId: '42',
  fullName: 'acme/docs',
  defaultBranch: 'main',
  ref: 'refs/heads/main',
  after: 'b'.repeat(40),
  before: 'a'.repeat(40),
  files: [{ path: 'docs/a.md', status: 'modified' }],
  installationId: '7',
  ...overrides,
});
const connected = (
  organizationId: string,
  overrides: { githubInstallationId?: string; workspaceId?: string | null } = {},
): RepositoryEvent => ({
  type: 'RepositoryConnected',
  data: {
    repositoryId: `r-${organizationId}`,
    organizationId,
    githubRepoId: '42',
    githubInstallationId: overrides.githubInstallationId ?? '7',
    workspaceId: overrides.workspaceId === undefined ? 'ws_1' : overrides.workspaceId,
    metadata: { fullName: 'acme/docs' },
    connectedAt: t0,
  },
});
const deactivated = (organizationId: string): RepositoryEvent => ({
  type: 'RepositoryDeactivated',
  data: { repositoryId: `r-${organizationId}`, githubRepoId: '42', reason: 'removed', deactivatedAt: t0 },
});

/** given(each owning organization's repository events).when(push): step 2's routing. */
const given = (...streams: RepositoryEvent[][]) => ({
  when: (p: Push) =>
    pushTargets(
      p,
      '7',
      streams.map((history) => fold(repositoryDecider, history)),
    ),
});
const target = (organizationId: string): PushTarget => {
  const state = fold(repositoryDecider, [connected(organizationId)]);
  if (state.status !== 'active' || state.workspaceId === null) throw new Error('expected an active repository with a workspace');
  return { ...state, status: 'active', workspaceId: state.workspaceId };
};
const recorded = (commandId: string): RecordedEvent => ({
  type: 'JobQueued',
  data: {},
  id: 'e1',
  streamId: 'job-1',
  revision: 0n,
  position: '1',
  recordedAt: t0,
  metadata: { commandId },
});

// A user's integration stream: their integration (listing installation 7), one resource of repo 42
// from installation 7, connected to a workspace of an organization.
const integrationConnected = (userId: string, installations = ['7']): IntegrationEvent => ({
  type: 'GitHubIntegrationConnected',
  data: {
    integrationId: `int-${userId}`,
    userId,
    encryptedAccessToken: 'v1:k:iv:tag:ct',
    encryptedRefreshToken: null,
    tokenExpiresAt: null,
    scopes: [],
    installations: installations.map((id) => ({
      id,
      accountId: '1',
      accountLogin: 'acme',
      accountType: 'Organization' as const,
      avatarUrl: null,
      permissions: {},
      installedAt: t0,
      lastValidatedAt: t0,
    })),
    reconnected: false,
    connectedAt: t0,
  },
});
const resourceCreated = (userId: string, overrides: { repoId?: string; installationId?: string } = {}): IntegrationEvent => ({
  type: 'ResourcesCreated',
  data: {
    integrationId: `int-${userId}`,
    userId,
    resources: [
      {
        resourceId: `res-${userId}`,
        installationId: overrides.installationId ?? '7',
        repoId: overrides.repoId ?? '42',
        repoName: 'docs',
        repoFullName: 'acme/docs',
        defaultBranch: 'main',
        isPrivate: false,
        isArchived: false,
      },
    ],
    createdAt: t0,
  },
});
const resourceConnected = (userId: string, organizationId: string, workspaceId: string, autoSync = true): IntegrationEvent => ({
  type: 'ResourceConnectedToWorkspace',
  data: {
    resourceId: `res-${userId}`,
    workspaceId,
    workspaceKey: `ws-${workspaceId}`,
    organizationId,
    integrationId: `int-${userId}`,
    installationId: '7',
    repoId: '42',
    repoFullName: 'acme/docs',
    defaultBranch: 'main',
    isPrivate: false,
    syncConfig: { autoSync },
    connectedBy: userId,
    connectedAt: t0,
  },
});
const ownedBy = (userId: string, workspaceId: string, ...history: IntegrationEvent[]) => ({
  candidate: { userId, workspaceId, resourceId: `res-${userId}` },
  owner: fold(integrationDecider, history),
});
const connectionTarget = (userId: string, organizationId: string, workspaceId: string): ConnectionPushTarget => ({
  organizationId,
  workspaceId,
  resourceId: `res-${userId}`,
  userId,
  githubRepoId: '42',
});
/** given(the connections the read model named, each with its owner's stream).when(push): step 2b's routing. */
const givenConnections = (...candidates: ReturnType<typeof ownedBy>[]) => ({
  when: (p: Push, repositoryTargets: PushTarget[] = []) => connectionPushTargets(p, '7', candidates, repositoryTargets),
});
const connectedAs = (userId: string, organizationId: string, workspaceId: string) => [
  integrationConnected(userId),
  resourceCreated(userId),
  resourceConnected(userId, organizationId, workspaceId),
];

describe('push workflow', () => {
  describe('step 1: given a verified push', () => {
    it('when it is to the default branch through an installation, then it is routed by that installation', () => {
      expect(routePush(push())).toEqual({ installationId: '7' });
    });

    it('when it is to another branch, or names no installation, then it is ignored', () => {
      expect(routePush(push({ ref: 'refs/heads/feature' }))).toEqual({ ignored: 'not_default_branch' });
      expect(routePush(push({ installationId: null }))).toEqual({ ignored: 'no_installation' });
    });
  });

  describe('step 2: given the owning organizations’ repository streams', () => {
    it('when one connected the repository through the installation, then it is the target', () => {
      expect(given([connected('org_1')], []).when(push())).toEqual({ targets: [target('org_1')] });
    });

    it('when one connected it through another installation only, then the push is for an unknown repository', () => {
      expect(given([connected('org_1', { githubInstallationId: '8' })]).when(push())).toEqual({ ignored: 'unknown_repository' });
      expect(given([]).when(push())).toEqual({ ignored: 'unknown_repository' });
    });

    it('when every reached repository is inactive, or has no workspace, then it is ignored with that reason', () => {
      expect(given([connected('org_1'), deactivated('org_1')]).when(push())).toEqual({ ignored: 'inactive_repository' });
      expect(given([connected('org_1', { workspaceId: null })]).when(push())).toEqual({ ignored: 'no_workspace' });
    });

    it('when the push changed no file, then it is ignored after the routing checks', () => {
      expect(given([connected('org_1')]).when(push({ files: [] }))).toEqual({ ignored: 'no_changed_files' });
      expect(given([]).when(push({ files: [] }))).toEqual({ ignored: 'unknown_repository' });
    });

    it('when two organizations connected it through the installation, then both are targets', () => {
      expect(given([connected('org_1')], [connected('org_2')]).when(push())).toEqual({ targets: [target('org_1'), target('org_2')] });
    });
  });

  describe('step 2b: given the connections the read model named and their owners’ integration streams', () => {
    it('when a resource of the repository, from the installation, is connected with autoSync, then its workspace is a target of the organization recorded with it', () => {
      expect(givenConnections(ownedBy('u1', 'ws_a', ...connectedAs('u1', 'org_a', 'ws_a'))).when(push())).toEqual([
        connectionTarget('u1', 'org_a', 'ws_a'),
      ]);
    });

    it('when each of two organizations connected it, then each one’s workspace is a target of that organization only', () => {
      expect(
        givenConnections(
          ownedBy('u2', 'ws_b', ...connectedAs('u2', 'org_b', 'ws_b')),
          ownedBy('u1', 'ws_a', ...connectedAs('u1', 'org_a', 'ws_a')),
        ).when(push()),
      ).toEqual([connectionTarget('u1', 'org_a', 'ws_a'), connectionTarget('u2', 'org_b', 'ws_b')]);
    });

    it('when the owner’s stream does not confirm what the read model named, then nothing is a target', () => {
      const stale = [
        // another repository id, or the same repository registered from another installation
        ownedBy(
          'u1',
          'ws_a',
          integrationConnected('u1'),
          resourceCreated('u1', { repoId: '43' }),
          resourceConnected('u1', 'org_a', 'ws_a'),
        ),
        ownedBy(
          'u2',
          'ws_a',
          integrationConnected('u2', ['7', '8']),
          resourceCreated('u2', { installationId: '8' }),
          resourceConnected('u2', 'org_a', 'ws_a'),
        ),
        // disconnected since, or never connected to that workspace
        ownedBy('u3', 'ws_a', ...connectedAs('u3', 'org_a', 'ws_a'), {
          type: 'ResourceDisconnectedFromWorkspace',
          data: { resourceId: 'res-u3', workspaceId: 'ws_a', integrationId: 'int-u3', disconnectedBy: 'u3', disconnectedAt: t1 },
        }),
        ownedBy('u4', 'ws_other', ...connectedAs('u4', 'org_a', 'ws_a')),
        // the integration disconnected, or no longer listing the installation
        ownedBy('u5', 'ws_a', ...connectedAs('u5', 'org_a', 'ws_a'), {
          type: 'IntegrationDisconnected',
          data: { integrationId: 'int-u5', userId: 'u5', disconnectedAt: t1 },
        }),
        ownedBy('u6', 'ws_a', ...connectedAs('u6', 'org_a', 'ws_a'), {
          type: 'GitHubInstallationsValidated',
          data: {
            integrationId: 'int-u6',
            userId: 'u6',
            installations: [],
            addedInstallationIds: [],
            removedInstallationIds: ['7'],
            validatedAt: t1,
          },
        }),
        // connected with autoSync off
        ownedBy('u7', 'ws_a', integrationConnected('u7'), resourceCreated('u7'), resourceConnected('u7', 'org_a', 'ws_a', false)),
        // the read model's owner has no such resource at all
        ownedBy('u8', 'ws_a'),
      ];
      expect(givenConnections(...stale).when(push())).toEqual([]);
    });

    it('when the workspace is reached already (through `repositories`, or another member’s connection), then it gets no second target', () => {
      expect(givenConnections(ownedBy('u1', 'ws_1', ...connectedAs('u1', 'org_1', 'ws_1'))).when(push(), [target('org_1')])).toEqual([]);
      expect(
        givenConnections(
          ownedBy('u2', 'ws_a', ...connectedAs('u2', 'org_a', 'ws_a')),
          ownedBy('u1', 'ws_a', ...connectedAs('u1', 'org_a', 'ws_a')),
        ).when(push()),
      ).toEqual([connectionTarget('u1', 'org_a', 'ws_a')]);
    });
  });

  describe('step 2c: given step 2’s routing and step 2b’s targets', () => {
    const viaConnection = [connectionTarget('u1', 'org_a', 'ws_a')];

    it('when no connection is reached, then step 2’s answer stands', () => {
      expect(allPushTargets(push(), { ignored: 'unknown_repository' }, [])).toEqual({ ignored: 'unknown_repository' });
      expect(allPushTargets(push(), { targets: [target('org_1')] }, [])).toEqual({ targets: [target('org_1')], connectionTargets: [] });
    });

    it('when one is, then it is a target whatever step 2 said, unless the push changed no file', () => {
      expect(allPushTargets(push(), { ignored: 'unknown_repository' }, viaConnection)).toEqual({
        targets: [],
        connectionTargets: viaConnection,
      });
      expect(allPushTargets(push(), { targets: [target('org_1')] }, viaConnection)).toEqual({
        targets: [target('org_1')],
        connectionTargets: viaConnection,
      });
      expect(allPushTargets(push({ files: [] }), { ignored: 'no_changed_files' }, viaConnection)).toEqual({ ignored: 'no_changed_files' });
    });
  });

  describe('step 3: given a target', () => {
    it('when the push touched a root config file, then the config is detected again', () => {
      expect(pushRedetectsConfig(push({ files: [{ path: 'lightfast.yml', status: 'modified' }] }))).toBe(true);
      expect(pushRedetectsConfig(push())).toBe(false);
    });

    it('when its job was appended by another delivery of the same push, then it is queued already; by this command, it is replayed', () => {
      expect(queuedByAnotherDelivery([], 'github-delivery:d2:job:org_1')).toBe(false);
      expect(queuedByAnotherDelivery([recorded('github-delivery:d1:job:org_1')], 'github-delivery:d2:job:org_1')).toBe(true);
      expect(queuedByAnotherDelivery([recorded('github-delivery:d2:job:org_1')], 'github-delivery:d2:job:org_1')).toBe(false);
    });

    it('then one webhook ingestion job of the pushed commit is queued, named by repository and commit', () => {
      expect(pushJob(push(), '7', target('org_1'), { deliveryId: 'd1', at: t1 })).toEqual({
        type: 'QueueJob',
        data: {
          jobId: pushJobIdFor('r-org_1', 'b'.repeat(40)),
          organizationId: 'org_1',
          workspaceId: 'ws_1',
          repositoryId: 'r-org_1',
          name: 'Docs Ingestion: acme/docs',
          trigger: 'webhook',
          triggeredBy: null,
          input: {
            kind: 'docs-ingestion',
            source: 'github-webhook',
            repositoryId: 'r-org_1',
            githubRepoId: '42',
            githubInstallationId: '7',
            repoFullName: 'acme/docs',
            ref: 'main',
            afterSha: 'b'.repeat(40),
            beforeSha: 'a'.repeat(40),
            deliveryId: 'd1',
            changedFileCount: 1,
            fallbackStore: null,
          },
          at: t1,
        },
      });
    });
  });

  describe('step 3c’: given a connection target', () => {
    it('then one webhook ingestion job of the pushed commit is queued in its workspace, without a repository, named by workspace, repository and commit', () => {
      expect(connectionPushJob(push(), '7', connectionTarget('u1', 'org_a', 'ws_a'), { deliveryId: 'd1', at: t1 })).toEqual({
        type: 'QueueJob',
        data: {
          jobId: connectionPushJobIdFor('ws_a', '42', 'b'.repeat(40)),
          organizationId: 'org_a',
          workspaceId: 'ws_a',
          repositoryId: null,
          name: 'Docs Ingestion: acme/docs',
          trigger: 'webhook',
          triggeredBy: null,
          input: {
            kind: 'docs-ingestion',
            source: 'github-webhook',
            repositoryId: null,
            githubRepoId: '42',
            githubInstallationId: '7',
            repoFullName: 'acme/docs',
            ref: 'main',
            afterSha: 'b'.repeat(40),
            beforeSha: 'a'.repeat(40),
            deliveryId: 'd1',
            changedFileCount: 1,
            fallbackStore: null,
            resourceId: 'res-u1',
          },
          at: t1,
        },
      });
    });
  });

  describe('step 4: given the jobs of the targets', () => {
    it('when one was queued, then the answer names it', () => {
      expect(pushOutcome(push(), [{ jobId: 'j1', queued: true, configStatus: null }])).toEqual({
        handled: { jobId: 'j1', alreadyQueued: false, changedFileCount: 1, configStatus: null },
      });
    });

    it('when several were, then the answer names the first and lists all', () => {
      expect(
        pushOutcome(push(), [
          { jobId: 'j1', queued: false, configStatus: 'configured' },
          { jobId: 'j2', queued: true, configStatus: null },
        ]),
      ).toEqual({
        handled: { jobId: 'j1', alreadyQueued: true, changedFileCount: 1, configStatus: 'configured', jobIds: ['j1', 'j2'] },
      });
    });

    it('when none was (every queue full), then the push is ignored', () => {
      expect(pushOutcome(push(), [])).toEqual({ ignored: 'quota_exceeded' });
    });
  });
});
