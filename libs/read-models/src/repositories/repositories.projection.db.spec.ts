import { describe, expect, it } from '@jest/globals';
import {
  ingestionStreamId,
  repositoryStreamId,
  type DocumentsIndexed,
  type DocumentsRemoved,
  type RepositoryConnected,
  type RepositoryEvent,
  type RepositoryMetadata,
} from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing/projection';
import { repositoriesProjection } from './repositories.projection.js';

const spec = useProjectionSpec(repositoriesProjection);

const connected = (
  repositoryId: string,
  githubRepoId: string,
  connectedAt: string,
  metadata: RepositoryMetadata = { fullName: `acme/${githubRepoId}` },
): RepositoryConnected => ({
  type: 'RepositoryConnected',
  data: { repositoryId, organizationId: 'org_1', githubRepoId, githubInstallationId: '7', workspaceId: 'ws_1', metadata, connectedAt },
});
const batchRef = (jobId: string, batch: number, repositoryId: string | null) => ({
  storeId: 's1',
  organizationId: 'org_1',
  workspaceId: 'ws_1',
  repositoryId,
  githubRepoId: '9',
  repoFullName: 'acme/9',
  jobId,
  batch,
  commitSha: 'abc',
  at: '2026-03-05T10:00:00.000Z',
});
const doc = (path: string, isNew: boolean) => ({
  documentId: `doc-${path}`,
  path,
  title: path,
  description: null,
  frontmatter: {},
  content: 'text',
  contentHash: 'h',
  blobSha: 'b',
  previousChunkCount: isNew ? 0 : 1,
  isNew,
});
const indexed = (jobId: string, batch: number, repositoryId: string | null, documents: ReturnType<typeof doc>[]): DocumentsIndexed => ({
  type: 'DocumentsIndexed',
  data: { ...batchRef(jobId, batch, repositoryId), chunking: { chunkMaxTokens: 512, chunkOverlap: 50 }, documents },
});
const removed = (jobId: string, batch: number, repositoryId: string | null, paths: string[]): DocumentsRemoved => ({
  type: 'DocumentsRemoved',
  data: { ...batchRef(jobId, batch, repositoryId), documents: paths.map((path) => ({ documentId: `doc-${path}`, path, chunkCount: 1 })) },
});

// Each step appends its part of the history to the log it is given: a test projects its own step,
// the contract the whole history.
type Step = (log: EventLog) => void;
const onRepository = (log: EventLog, githubRepoId: string, ...events: RepositoryEvent[]) =>
  log.append(repositoryStreamId('org_1', githubRepoId), ...events);

const connectConfigureAndReindex: Step = (log) => {
  onRepository(log, '1', connected('r1', '1', '2026-03-01T10:00:00.000Z'));
  onRepository(log, '2', connected('r2', '2', '2026-03-01T11:00:00.000Z'));
  onRepository(log, '1', {
    type: 'RepositoryConfigDetected',
    data: {
      repositoryId: 'r1',
      status: 'configured',
      configPath: 'lightfast.yml',
      config: { version: 1, store: 'docs', include: ['docs/**'] },
      error: null,
      detectedAt: '2026-03-01T12:00:00.000Z',
    },
  });
  onRepository(log, '1', {
    type: 'ReindexRequested',
    data: { repositoryId: 'r1', jobId: 'j1', requestedBy: 'user_1', at: '2026-03-01T13:00:00.000Z' },
  });
  onRepository(log, '2', {
    type: 'RepositoryDeactivated',
    data: { repositoryId: 'r2', githubRepoId: '2', reason: 'removed', deactivatedAt: '2026-03-02T10:00:00.000Z' },
  });
  // Connected again (under whatever id the connect proposed): reactivated under its own id.
  onRepository(log, '2', {
    type: 'RepositoryReactivated',
    data: {
      repositoryId: 'r2',
      organizationId: 'org_1',
      githubRepoId: '2',
      githubInstallationId: '7',
      workspaceId: 'ws_1',
      metadata: { fullName: 'acme/renamed' },
      reactivatedAt: '2026-03-03T10:00:00.000Z',
    },
  });
  onRepository(log, '1', { type: 'ReindexFinished', data: { repositoryId: 'r1', jobId: 'j1', at: '2026-03-01T14:00:00.000Z' } });
};
const reindexInFlight: Step = (log) => {
  onRepository(log, '3', connected('r3', '3', '2026-03-04T10:00:00.000Z'));
  onRepository(log, '3', {
    type: 'ReindexRequested',
    data: { repositoryId: 'r3', jobId: 'j3', requestedBy: null, at: '2026-03-04T11:00:00.000Z' },
  });
};
const renameAndDelete: Step = (log) => {
  onRepository(log, '4', connected('r4', '4', '2026-03-04T10:00:00.000Z', { fullName: 'acme/4', defaultBranch: 'main' }));
  onRepository(log, '5', connected('r5', '5', '2026-03-04T10:00:00.000Z', { fullName: 'acme/5', defaultBranch: 'main' }));
  onRepository(log, '4', {
    type: 'RepositoryMetadataUpdated',
    data: {
      repositoryId: 'r4',
      githubRepoId: '4',
      changes: { fullName: 'acme/four' },
      metadata: { fullName: 'acme/four', defaultBranch: 'main' },
      updatedAt: '2026-03-04T11:00:00.000Z',
    },
  });
  onRepository(log, '5', {
    type: 'RepositoryDeleted',
    data: { repositoryId: 'r5', githubRepoId: '5', deletedAt: '2026-03-04T12:00:00.000Z' },
  });
};
const documentBatches: Step = (log) => {
  onRepository(log, '9', connected('r9', '9', '2026-03-05T09:00:00.000Z'));
  log.append(ingestionStreamId('job-a'), indexed('job-a', 0, 'r9', [doc('a.md', true), doc('b.md', true), doc('c.md', true)]));
  log.append(
    ingestionStreamId('job-b'),
    indexed('job-b', 0, 'r9', [doc('a.md', false), doc('d.md', true)]),
    removed('job-b', 0, 'r9', ['b.md', 'c.md']),
  );
  // A store fed without a repository (an API upload) counts against no repository.
  log.append(ingestionStreamId('job-c'), indexed('job-c', 0, null, [doc('x.md', true)]));
};

function history(...steps: Step[]) {
  const log = new EventLog();
  for (const step of steps) step(log);
  return log.events;
}

/** The rows of a new generation the events were applied to, and that generation. */
async function projected(events: ReturnType<typeof history>) {
  const target = await spec.generation();
  await target.apply(events);
  return { target, rows: await target.rows() };
}

describe('repositories projection', () => {
  it('keeps one row per repository through connect, config, reindex, deactivation and reactivation', async () => {
    const { rows } = await projected(history(connectConfigureAndReindex));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      id: 'r1',
      is_active: true,
      config_status: 'configured',
      config_path: 'lightfast.yml',
      config: { store: 'docs' },
      active_job_id: null,
      document_count: 0,
    });
    expect((rows[0]!.last_ingested_at as Date).toISOString()).toBe('2026-03-01T14:00:00.000Z');
    expect(rows[1]).toMatchObject({
      id: 'r2',
      github_repo_id: '2',
      is_active: true,
      config_status: 'pending',
      metadata: { fullName: 'acme/renamed' },
    });
    expect((rows[1]!.last_synced_at as Date).toISOString()).toBe('2026-03-03T10:00:00.000Z');
  });

  it('shows the active reindex job until it is reported finished', async () => {
    const { rows } = await projected(history(reindexInFlight));
    expect(rows.find((r) => r.id === 'r3')).toMatchObject({ active_job_id: 'j3' });
  });

  it('marks a deleted repository inactive with its metadata replaced, and merges a rename into the metadata', async () => {
    const { rows } = await projected(history(renameAndDelete));
    expect(rows.find((r) => r.id === 'r4')).toMatchObject({ is_active: true, metadata: { fullName: 'acme/four', defaultBranch: 'main' } });
    const deleted = rows.find((r) => r.id === 'r5');
    expect(deleted).toMatchObject({ is_active: false });
    expect(deleted!.metadata).toEqual({ deleted: true, deletedAt: '2026-03-04T12:00:00.000Z' });
  });

  it('counts the documents of a repository: new ones in, removed ones out, others (and other repositories) untouched', async () => {
    const events = history(documentBatches);
    const { target, rows } = await projected(events);
    expect(rows.find((r) => r.id === 'r9')).toMatchObject({ document_count: 2 });
    // A resumed job's batch is not appended again (the ingestion decider's spec holds it to that),
    // and the same events delivered again are behind the checkpoint: nothing is counted twice.
    expect(await target.apply(events)).toBe(0);
    expect((await target.rows()).find((r) => r.id === 'r9')).toMatchObject({ document_count: 2 });
  });

  describeProjectionContract(spec, () => history(connectConfigureAndReindex, reindexInFlight, renameAndDelete, documentBatches));
});
