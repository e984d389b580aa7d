import { describe, expect, it } from '@jest/globals';
import { fold } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import { INGESTION_JOB_KIND } from '../ingestion/ingestion-job.js';
import { repositoryDecider } from './repository.decider.js';
import type { RepositoryEvent } from './repository.events.js';
import { compensateRefusedReindex, reindexCommandIds, reindexJob, type ReindexRequest } from './reindex.workflow.js';

const t0 = '2026-01-01T10:00:00.000Z';
const t1 = '2026-01-02T10:00:00.000Z';
const connected = (
  workspaceId: string | null = 'ws_1',
  metadata: Record<string, unknown> = { fullName: 'acme/docs', defaultBranch: 'main' },
): RepositoryEvent => ({
  type: 'RepositoryConnected',
  data: {
    repositoryId: 'r1',
    organizationId: 'org_1',
    githubRepoId: '42',
    githubInstallationId: '7',
    workspaceId,
    metadata,
    connectedAt: t0,
  },
});
const requested = (jobId: string): RepositoryEvent => ({
  type: 'ReindexRequested',
  data: { repositoryId: 'r1', jobId, requestedBy: 'user_1', at: t0 },
});
const deactivated: RepositoryEvent = {
  type: 'RepositoryDeactivated',
  data: { repositoryId: 'r1', githubRepoId: '42', reason: 'removed', deactivatedAt: t0 },
};
const request = (overrides: Partial<ReindexRequest> = {}): ReindexRequest => ({
  organizationId: 'org_1',
  jobId: 'j1',
  requestedBy: 'user_1',
  activeJob: null,
  at: t1,
  ...overrides,
});

/** given(repository events).when(request): the job step 1 queues. */
const given = (history: RepositoryEvent[]) => ({ when: (r: ReindexRequest) => () => reindexJob(fold(repositoryDecider, history), r) });

function refusal(step: () => unknown): string {
  try {
    step();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error('expected the step to be refused');
}

describe('reindex workflow', () => {
  it('names one command per stream from the request, so a retry replays each', () => {
    expect(reindexCommandIds('c1')).toEqual({ job: 'c1:job', repository: 'c1:repository', cancel: 'c1:cancel' });
  });

  describe('step 1: given an idle active repository', () => {
    it('when a reindex is requested, then a manual ingestion job of its default branch is queued in its workspace', () => {
      expect(given([connected()]).when(request())()).toEqual({
        type: 'QueueJob',
        data: {
          jobId: 'j1',
          organizationId: 'org_1',
          workspaceId: 'ws_1',
          repositoryId: 'r1',
          name: 'Docs Ingestion: acme/docs',
          trigger: 'manual',
          triggeredBy: 'user_1',
          input: {
            kind: INGESTION_JOB_KIND,
            source: 'manual',
            repositoryId: 'r1',
            githubRepoId: '42',
            githubInstallationId: '7',
            repoFullName: 'acme/docs',
            ref: 'main',
            afterSha: null,
            deliveryId: null,
            changedFileCount: null,
            fallbackStore: null,
          },
          at: t1,
        },
      });
    });

    it('when its metadata has no name or branch, then the job names the GitHub id and reads the default branch', () => {
      const job = given([connected('ws_1', {})]).when(request())();
      expect(job.data.name).toBe('Docs Ingestion: 42');
      expect(job.data.input).toMatchObject({ repoFullName: '42', ref: null });
    });
  });

  describe('step 1: given a repository that cannot be reindexed, nothing is queued', () => {
    it('when another reindex is queued or running, then it is a conflict', () => {
      expect(refusal(given([connected(), requested('j0')]).when(request({ activeJob: { jobId: 'j0', status: 'running' } })))).toBe(
        'conflict',
      );
    });

    it('when the previous reindex ended, then the new job is queued', () => {
      expect(given([connected(), requested('j0')]).when(request({ activeJob: { jobId: 'j0', status: 'completed' } }))().data.jobId).toBe(
        'j1',
      );
    });

    it('when it is inactive, has no workspace, or is unknown, then it is refused or not found', () => {
      expect(refusal(given([connected(), deactivated]).when(request()))).toBe('refused');
      expect(refusal(given([connected(null)]).when(request()))).toBe('refused');
      expect(refusal(given([]).when(request()))).toBe('not_found');
    });

    it('when another organization asks, then it is not found (as if it did not exist)', () => {
      expect(refusal(given([connected()]).when(request({ organizationId: 'org_2' })))).toBe('not_found');
    });
  });

  describe('step 1: given the repository already holds this job (a retry after step 2)', () => {
    it('when the request is retried, then the same job is named again (its append replays)', () => {
      expect(given([connected(), requested('j1')]).when(request())().data.jobId).toBe('j1');
    });
  });

  describe('step 3: given the repository refused step 2', () => {
    it('when another reindex won the race (a conflict), then the queued job is cancelled', () => {
      expect(compensateRefusedReindex(new DomainError('conflict', 'Reindex already in progress'), t1)).toEqual({
        type: 'CancelJob',
        data: { at: t1, reason: 'reindex_conflict' },
      });
    });

    it('when it was refused for another reason or failed, then nothing is cancelled', () => {
      expect(compensateRefusedReindex(new DomainError('refused', 'Repository is not active'), t1)).toBeNull();
      expect(compensateRefusedReindex(new Error('connection lost'), t1)).toBeNull();
    });
  });
});
