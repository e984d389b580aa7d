import { describe, expect, it } from '@jest/globals';
import { fold } from '../core/decider.js';
import type { RecordedEvent } from '../core/event.js';
import { pushJobIdFor } from '../core/ids.js';
import { repositoryDecider } from '../repository/repository.decider.js';
import type { RepositoryEvent } from '../repository/repository.events.js';
import {
  pushJob,
  pushOutcome,
  pushRedetectsConfig,
  pushTargets,
  queuedByAnotherDelivery,
  routePush,
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
