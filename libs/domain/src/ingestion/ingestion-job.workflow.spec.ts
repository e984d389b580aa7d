import { describe, expect, it } from '@jest/globals';
import { fold } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import { ingestionJobIdFor } from '../core/ids.js';
import { storeDecider } from '../document-store/document-store.decider.js';
import { DEFAULT_STORE_SETTINGS, type StoreEvent } from '../document-store/document-store.events.js';
import { integrationDecider } from '../integration/integration.decider.js';
import type { IntegrationEvent } from '../integration/integration.events.js';
import { jobDecider } from '../job/job.decider.js';
import type { JobEvent } from '../job/job.events.js';
import { UNCONFIGURED, type ConfigDetection } from '../repository/lightfast-config.js';
import { IngestionError } from './ingestion-error.js';
import { INGESTION_JOB_KIND, type IngestionJobInput } from './ingestion-job.js';
import {
  cancelDisconnectedSync,
  completeJob,
  documentBatchRef,
  endedMeanwhile,
  ensureStore,
  failJob,
  filesToRead,
  finishReindex,
  inBatches,
  indexedBatch,
  ingestionCommandIds,
  ingestionTarget,
  initialSyncJob,
  isDocumentText,
  notThisOrganizations,
  recordConfig,
  recordInitialSync,
  removedBatch,
  reportProgress,
  repositoryToRead,
  startJob,
  stopsBeforeBatch,
  storeSettingsOf,
  type IngestionJob,
  type IngestionReport,
} from './ingestion-job.workflow.js';

const t0 = '2026-01-01T10:00:00.000Z';
const t1 = '2026-01-01T10:05:00.000Z';

const input = (overrides: Partial<IngestionJobInput> = {}): IngestionJobInput => ({
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
  ...overrides,
});
const job = (overrides: Partial<IngestionJobInput> = {}, repositoryId: string | null = 'r1'): IngestionJob => ({
  jobId: 'job-1',
  organizationId: 'org_1',
  workspaceId: 'ws_1',
  repositoryId,
  input: input({ repositoryId, ...overrides }),
});
const initialSync = job({ source: 'initial-sync', initialSyncResourceId: 'res-1', initialSyncUserId: 'user_1' }, null);

const ref = { jobId: 'job-1', workspaceId: 'ws_1', queuedAt: t1 };
const queued: JobEvent = {
  type: 'JobQueued',
  data: {
    jobId: 'job-1',
    organizationId: 'org_1',
    workspaceId: 'ws_1',
    repositoryId: 'r1',
    name: 'Docs Ingestion: acme/docs',
    trigger: 'manual',
    triggeredBy: 'user_1',
    input: input(),
    queuedAt: t1,
  },
};
const started: JobEvent = { type: 'JobStarted', data: { ...ref, startedAt: t1 } };
const cancelled: JobEvent = { type: 'JobCancelled', data: { ...ref, from: 'running', cancelledAt: t1, reason: null } };
const completed: JobEvent = { type: 'JobCompleted', data: { ...ref, completedAt: t1, durationMs: 0, output: {} } };
const jobStream = (...history: JobEvent[]) => fold(jobDecider, history);

const connection = (type: 'ResourceConnectedToWorkspace' | 'ResourceDisconnectedFromWorkspace'): IntegrationEvent =>
  type === 'ResourceConnectedToWorkspace'
    ? {
        type,
        data: {
          resourceId: 'res-1',
          workspaceId: 'ws_1',
          workspaceKey: 'docs',
          organizationId: 'org_1',
          integrationId: 'int-1',
          installationId: '7',
          repoId: '42',
          repoFullName: 'acme/docs',
          defaultBranch: 'main',
          isPrivate: true,
          syncConfig: { autoSync: true },
          connectedBy: 'user_1',
          connectedAt: t0,
        },
      }
    : { type, data: { resourceId: 'res-1', workspaceId: 'ws_1', integrationId: 'int-1', disconnectedBy: 'user_1', disconnectedAt: t0 } };

const configured: ConfigDetection = {
  status: 'configured',
  configPath: 'lightfast.yml',
  config: { version: 1, store: 'guides', include: ['guides/**/*.md'] },
  error: null,
};
const broken: ConfigDetection = { status: 'error', configPath: 'lightfast.yml', config: null, error: 'version: must be 1' };

function failure(step: () => unknown): { code: string; message: string } {
  try {
    step();
  } catch (error) {
    if (error instanceof IngestionError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the step to fail the job');
}

describe('ingestion job workflow', () => {
  it('names one command per step from the job id, progress and batches by number', () => {
    const ids = ingestionCommandIds('job-1');
    expect([
      ids.start,
      ids.config,
      ids.store,
      ids.disconnected,
      ids.complete,
      ids.fail,
      ids.finish,
      ids.syncStarted,
      ids.syncEnded,
      ids.progress(50),
      ids.batch(3),
    ]).toEqual([
      'ingestion:job-1:start',
      'ingestion:job-1:config',
      'ingestion:job-1:store',
      'ingestion:job-1:disconnected',
      'ingestion:job-1:complete',
      'ingestion:job-1:fail',
      'ingestion:job-1:finish',
      'ingestion:job-1:sync:started',
      'ingestion:job-1:sync:ended',
      'ingestion:job-1:progress:50',
      'ingestion:job-1:batch:3',
    ]);
  });

  describe('step 0: given a connection’s initial sync request', () => {
    it('when it is turned into a job, then an automatic job of the default branch is queued, its id derived from the request', () => {
      const request = {
        requestId: 'req-1',
        resourceId: 'res-1',
        organizationId: 'org_1',
        workspaceId: 'ws_1',
        installationId: '7',
        repoId: '42',
        repoFullName: 'acme/docs',
        defaultBranch: 'main',
        connectedBy: 'user_1',
      };
      expect(initialSyncJob(request, 'r1', t0)).toEqual({
        type: 'QueueJob',
        data: {
          jobId: ingestionJobIdFor('initial-sync:req-1'),
          organizationId: 'org_1',
          workspaceId: 'ws_1',
          repositoryId: 'r1',
          name: 'Repository Initial Sync: acme/docs',
          trigger: 'automatic',
          triggeredBy: 'user_1',
          input: {
            ...input({ source: 'initial-sync', deliveryId: 'initial-sync-res-1' }),
            initialSyncResourceId: 'res-1',
            initialSyncUserId: 'user_1',
          },
          at: t0,
        },
      });
    });
  });

  describe('step 1: given the job’s stream', () => {
    it('when the job is queued, then it is started, never before its queueing', () => {
      expect(startJob(jobStream(queued), '2026-01-01T10:06:00.000Z')).toEqual({
        type: 'StartJob',
        data: { at: '2026-01-01T10:06:00.000Z' },
      });
      expect(startJob(jobStream(queued), t0)).toEqual({ type: 'StartJob', data: { at: t1 } });
    });

    it('when it is running (a crashed reactor left it), then it is resumed', () => {
      expect(startJob(jobStream(queued, started), t1)).toBe('resume');
    });

    it('when it ended or does not exist, then it is skipped', () => {
      expect(startJob(jobStream(queued, started, completed), t1)).toBe('skip');
      expect(startJob(jobStream(queued, started, cancelled), t1)).toBe('skip');
      expect(startJob(jobStream(), t1)).toBe('skip');
    });

    it('when it is an initial sync, then its connection records it in progress; other jobs record nothing', () => {
      expect(recordInitialSync(initialSync, 'in_progress', null, t1)).toEqual({
        type: 'RecordWorkspaceSync',
        data: { userId: 'user_1', resourceId: 'res-1', workspaceId: 'ws_1', jobId: 'job-1', status: 'in_progress', error: null, at: t1 },
      });
      expect(recordInitialSync(job(), 'in_progress', null, t1)).toBeNull();
    });
  });

  describe('step 2: given the job’s input', () => {
    it('when it names a pushed commit, then that commit is read; else the head of its branch', () => {
      expect(repositoryToRead(input({ afterSha: 'c0ffee' }))).toEqual({ owner: 'acme', repo: 'docs', ref: 'c0ffee' });
      expect(repositoryToRead(input())).toEqual({ owner: 'acme', repo: 'docs', ref: 'main' });
      expect(repositoryToRead(input({ ref: null }))).toEqual({ owner: 'acme', repo: 'docs', ref: undefined });
    });

    it('when the repository name is not owner/name, then the job fails with invalid_repository', () => {
      expect(failure(() => repositoryToRead(input({ repoFullName: 'docs' }))).code).toBe('invalid_repository');
    });
  });

  describe('step 3: given the config found at the tree’s root', () => {
    it('when the job has a repository, then the detection is recorded on it; else nothing is', () => {
      expect(recordConfig(job(), configured, t1)).toEqual({
        type: 'RecordRepositoryConfig',
        data: {
          organizationId: 'org_1',
          status: 'configured',
          configPath: 'lightfast.yml',
          config: { version: 1, store: 'guides', include: ['guides/**/*.md'] },
          error: null,
          at: t1,
        },
      });
      expect(recordConfig(job({}, null), configured, t1)).toBeNull();
    });

    it('when it is configured, then its store and globs are used', () => {
      expect(ingestionTarget(job(), configured)).toEqual({ storeSlug: 'guides', include: ['guides/**/*.md'] });
    });

    it('when there is none, then the job’s fallback store (else docs) and the default globs are used', () => {
      expect(ingestionTarget(job({ fallbackStore: 'default' }), UNCONFIGURED)).toEqual({
        storeSlug: 'default',
        include: ['docs/**/*.md', 'docs/**/*.mdx', 'README.md'],
      });
      expect(ingestionTarget(job(), UNCONFIGURED).storeSlug).toBe('docs');
    });

    it('when it is broken, then the job fails with invalid_config naming the file', () => {
      expect(failure(() => ingestionTarget(job(), broken))).toEqual({
        code: 'invalid_config',
        message: 'lightfast.yml: version: must be 1',
      });
    });

    it('then the store of that slug is ensured in the job’s workspace, with the default settings', () => {
      expect(ensureStore(job(), 'guides', t1)).toEqual({
        storeId: 'ws_1_guides',
        command: {
          type: 'EnsureStore',
          data: { organizationId: 'org_1', workspaceId: 'ws_1', slug: 'guides', settings: DEFAULT_STORE_SETTINGS, at: t1 },
        },
      });
    });

    it('when the store’s stream holds it, then its settings chunk the documents; when not, the job fails with store_unavailable', () => {
      const created: StoreEvent = {
        type: 'StoreCreated',
        data: {
          storeId: 'ws_1_guides',
          organizationId: 'org_1',
          workspaceId: 'ws_1',
          slug: 'guides',
          indexName: 'ws-1-guides',
          settings: { ...DEFAULT_STORE_SETTINGS, chunkMaxTokens: 256 },
          createdAt: t0,
        },
      };
      expect(storeSettingsOf(fold(storeDecider, [created]), 'guides').chunkMaxTokens).toBe(256);
      expect(failure(() => storeSettingsOf(fold(storeDecider, []), 'guides')).code).toBe('store_unavailable');
    });
  });

  describe('step 4: given the files the globs matched', () => {
    it('when some are too large or binary by their extension, then they are counted and not read', () => {
      const file = (path: string, size: number | null = 10) => ({ path, sha: path, size });
      expect(
        filesToRead(
          [file('docs/a.md'), file('docs/big.md', 2048), file('docs/logo.png'), file('docs/huge.zip', 4096), file('docs/b.md', null)],
          1024,
        ),
      ).toEqual({
        candidates: [file('docs/a.md'), file('docs/b.md', null)],
        skippedTooLarge: 2,
        skippedBinary: 2,
      });
    });
  });

  describe('step 5: given the plan’s changed and removed files', () => {
    const batchRef = documentBatchRef(job(), 'ws_1_docs', 'c0ffee');
    const document = {
      documentId: 'd1',
      path: 'docs/a.md',
      title: 'a',
      description: null,
      frontmatter: {},
      content: '# a',
      contentHash: 'h',
      blobSha: 's',
      previousChunkCount: 0,
      isNew: true,
    };

    it('when they are cut into batches, then every batch but the last is full', () => {
      expect(inBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
      expect(inBatches([], 2)).toEqual([]);
    });

    it('when a blob is binary (GitHub says so, or its text holds NUL), then it is no document', () => {
      expect([isDocumentText('# a'), isDocumentText(null), isDocumentText('PNG\u0000')]).toEqual([true, false, false]);
    });

    it('then a batch of documents read is recorded as indexed, under the job, repository and commit', () => {
      expect(indexedBatch(batchRef, 2, t1, { chunkMaxTokens: 512, chunkOverlap: 50 }, [document])).toEqual({
        indexed: {
          storeId: 'ws_1_docs',
          organizationId: 'org_1',
          workspaceId: 'ws_1',
          repositoryId: 'r1',
          githubRepoId: '42',
          repoFullName: 'acme/docs',
          jobId: 'job-1',
          commitSha: 'c0ffee',
          batch: 2,
          at: t1,
          chunking: { chunkMaxTokens: 512, chunkOverlap: 50 },
          documents: [document],
        },
        removed: null,
      });
    });

    it('then a batch of files no longer matched is recorded as removed, with their chunk counts', () => {
      expect(removedBatch(batchRef, 3, t1, [{ path: 'docs/old.md', documentId: 'd9', blobSha: 's', chunkCount: 4 }])).toEqual({
        indexed: null,
        removed: { ...batchRef, batch: 3, at: t1, documents: [{ documentId: 'd9', path: 'docs/old.md', chunkCount: 4 }] },
      });
    });

    it('then progress counts the changed files handled', () => {
      expect(reportProgress(50, 120, t1)).toEqual({
        type: 'ReportJobProgress',
        data: { at: t1, processed: 50, total: 120, message: '50 of 120 changed files' },
      });
    });
  });

  describe('step 6: before each batch', () => {
    it('when the job is still running, then it goes on; when it was cancelled, it stops', () => {
      expect(stopsBeforeBatch(jobStream(queued, started))).toBe(false);
      expect(stopsBeforeBatch(jobStream(queued, started, cancelled))).toBe(true);
    });

    it('when an initial sync’s resource was disconnected from the workspace, then the job is cancelled', () => {
      const integrations = (...history: IntegrationEvent[]) => fold(integrationDecider, history);
      expect(cancelDisconnectedSync(initialSync, integrations(connection('ResourceConnectedToWorkspace')), t1)).toBeNull();
      expect(
        cancelDisconnectedSync(
          initialSync,
          integrations(connection('ResourceConnectedToWorkspace'), connection('ResourceDisconnectedFromWorkspace')),
          t1,
        ),
      ).toEqual({
        type: 'CancelJob',
        data: { at: t1, reason: 'resource_disconnected' },
      });
      expect(cancelDisconnectedSync(job(), integrations(), t1)).toBeNull();
    });
  });

  describe('step 7: given how the job ran', () => {
    const report: IngestionReport = {
      commitSha: 'c0ffee',
      storeSlug: 'docs',
      configStatus: 'unconfigured',
      treeFiles: 10,
      treeTruncated: false,
      filesMatched: 4,
      skippedLongPaths: 0,
      documentsIndexed: 2,
      documentsRemoved: 1,
      unchanged: 1,
      skippedTooLarge: 0,
      skippedBinary: 1,
      githubCalls: 3,
      ingestionMs: 120,
    };

    it('when it read everything, then it completes with what it read and wrote (and the delivery, and long paths, when there are)', () => {
      const { skippedLongPaths: _, ...counts } = report;
      expect(completeJob(job(), report, t1)).toEqual({
        type: 'CompleteJob',
        data: { at: t1, output: { repoFullName: 'acme/docs', ...counts } },
      });
      expect(completeJob(job({ deliveryId: 'd1' }), { ...report, skippedLongPaths: 2 }, t1).data.output).toEqual({
        repoFullName: 'acme/docs',
        ...counts,
        skippedLongPaths: 2,
        deliveryId: 'd1',
      });
    });

    it('when it failed, then it fails with the message and code', () => {
      expect(failJob({ message: 'boom', code: 'github_404' }, t1)).toEqual({
        type: 'FailJob',
        data: { at: t1, error: { message: 'boom', code: 'github_404' } },
      });
    });

    it('when the job stream refuses the ending, then the job ended meanwhile (cancelled)', () => {
      expect(endedMeanwhile(new DomainError('refused', 'Cannot complete job with status: cancelled'))).toBe(true);
      expect(endedMeanwhile(new DomainError('not_found', 'Job not found'))).toBe(false);
    });

    it('then the repository’s reindex is finished, when the job has a repository; one not this organization’s is left alone', () => {
      expect(finishReindex(job(), t1)).toEqual({ type: 'FinishReindex', data: { jobId: 'job-1', at: t1 } });
      expect(finishReindex(job({}, null), t1)).toBeNull();
      expect(notThisOrganizations(new DomainError('not_found', 'Repository not found'))).toBe(true);
    });

    it('then an initial sync’s connection records how it ended', () => {
      expect(recordInitialSync(initialSync, 'failed', 'boom', t1)?.data).toMatchObject({ status: 'failed', error: 'boom' });
    });
  });
});
