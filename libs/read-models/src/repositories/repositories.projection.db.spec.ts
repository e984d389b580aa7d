import { describe, expect, it } from '@jest/globals';
import { ingestionDecider, ingestionStreamId, repositoryDecider, repositoryStreamId, type DocumentsIndexed, type DocumentsRemoved, type RepositoryCommand } from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing';
import { repositoriesProjection } from './repositories.projection.js';

const spec = useProjectionSpec(repositoriesProjection);
const log = new EventLog();
const send = (githubRepoId: string, command: RepositoryCommand) => log.decide(repositoryStreamId('org_1', githubRepoId), repositoryDecider, command);
const recordBatch = (jobId: string, batch: number, indexed: DocumentsIndexed['data'] | null, removed: DocumentsRemoved['data'] | null) =>
  log.decide(ingestionStreamId(jobId), ingestionDecider, { type: 'RecordDocumentBatch', data: { indexed, removed } });
const project = () => spec.active.apply(log.events);
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
const indexed = (jobId: string, batch: number, repositoryId: string | null, documents: ReturnType<typeof doc>[]): DocumentsIndexed['data'] => ({
  ...batchRef(jobId, batch, repositoryId),
  chunking: { chunkMaxTokens: 512, chunkOverlap: 50 },
  documents,
});
const removed = (jobId: string, batch: number, repositoryId: string | null, paths: string[]): DocumentsRemoved['data'] => ({
  ...batchRef(jobId, batch, repositoryId),
  documents: paths.map((path) => ({ documentId: `doc-${path}`, path, chunkCount: 1 })),
});
const connect = (repositoryId: string, githubRepoId: string, at: string, metadata: Record<string, unknown> = { fullName: `acme/${githubRepoId}` }): RepositoryCommand => ({
  type: 'ConnectRepository',
  data: { repositoryId, organizationId: 'org_1', githubRepoId, githubInstallationId: '7', workspaceId: 'ws_1', metadata, at },
});

describe('repositories projection', () => {
  it('keeps one row per repository through connect, config, reindex, deactivation and reactivation', async () => {
    send('1', connect('r1', '1', '2026-03-01T10:00:00.000Z'));
    send('2', connect('r2', '2', '2026-03-01T11:00:00.000Z'));
    send('1', { type: 'RecordRepositoryConfig', data: { organizationId: 'org_1', status: 'configured', configPath: 'lightfast.yml', config: { version: 1, store: 'docs', include: ['docs/**'] }, error: null, at: '2026-03-01T12:00:00.000Z' } });
    send('1', { type: 'RequestReindex', data: { organizationId: 'org_1', jobId: 'j1', requestedBy: 'user_1', activeJob: null, at: '2026-03-01T13:00:00.000Z' } });
    send('2', { type: 'DeactivateRepository', data: { reason: 'removed', at: '2026-03-02T10:00:00.000Z' } });
    send('2', connect('ignored', '2', '2026-03-03T10:00:00.000Z', { fullName: 'acme/renamed' }));
    send('1', { type: 'FinishReindex', data: { jobId: 'j1', at: '2026-03-01T14:00:00.000Z' } });
    await project();

    const rows: any[] = await spec.active.rows();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ id: 'r1', is_active: true, config_status: 'configured', config_path: 'lightfast.yml', config: { store: 'docs' }, active_job_id: null, document_count: 0 });
    expect(rows[0].last_ingested_at.toISOString()).toBe('2026-03-01T14:00:00.000Z');
    expect(rows[1]).toMatchObject({ id: 'r2', github_repo_id: '2', is_active: true, config_status: 'pending', metadata: { fullName: 'acme/renamed' } });
    expect(rows[1].last_synced_at.toISOString()).toBe('2026-03-03T10:00:00.000Z');
  });

  it('shows the active reindex job until it is reported finished', async () => {
    send('3', connect('r3', '3', '2026-03-04T10:00:00.000Z'));
    send('3', { type: 'RequestReindex', data: { organizationId: 'org_1', jobId: 'j3', requestedBy: null, activeJob: null, at: '2026-03-04T11:00:00.000Z' } });
    await project();
    expect((await spec.active.rows()).find((r) => r.id === 'r3')).toMatchObject({ active_job_id: 'j3' });
  });

  it('marks a deleted repository inactive with its metadata replaced, and merges a rename into the metadata', async () => {
    send('4', connect('r4', '4', '2026-03-04T10:00:00.000Z', { fullName: 'acme/4', defaultBranch: 'main' }));
    send('5', connect('r5', '5', '2026-03-04T10:00:00.000Z', { fullName: 'acme/5', defaultBranch: 'main' }));
    send('4', { type: 'UpdateRepositoryMetadata', data: { changes: { fullName: 'acme/four' }, at: '2026-03-04T11:00:00.000Z' } });
    send('5', { type: 'MarkRepositoryDeleted', data: { at: '2026-03-04T12:00:00.000Z' } });
    await project();
    const rows: any[] = await spec.active.rows();
    expect(rows.find((r) => r.id === 'r4')).toMatchObject({ is_active: true, metadata: { fullName: 'acme/four', defaultBranch: 'main' } });
    const deleted = rows.find((r) => r.id === 'r5');
    expect(deleted).toMatchObject({ is_active: false });
    expect(deleted.metadata).toEqual({ deleted: true, deletedAt: '2026-03-04T12:00:00.000Z' });
  });

  it('counts the documents of a repository: new ones in, removed ones out, others (and other repositories) untouched', async () => {
    send('9', connect('r9', '9', '2026-03-05T09:00:00.000Z'));
    recordBatch('job-a', 0, indexed('job-a', 0, 'r9', [doc('a.md', true), doc('b.md', true), doc('c.md', true)]), null);
    recordBatch('job-b', 0, indexed('job-b', 0, 'r9', [doc('a.md', false), doc('d.md', true)]), removed('job-b', 0, 'r9', ['b.md', 'c.md']));
    // A store fed without a repository (an API upload) counts against no repository.
    recordBatch('job-c', 0, indexed('job-c', 0, null, [doc('x.md', true)]), null);
    // A batch recorded again (a resumed job) is not appended again, so nothing is counted twice.
    recordBatch('job-a', 0, indexed('job-a', 0, 'r9', [doc('a.md', true), doc('b.md', true), doc('c.md', true)]), null);
    await project();
    expect((await spec.active.rows()).find((r) => r.id === 'r9')).toMatchObject({ document_count: 2 });
  });

  // The history the tests above built, in the order they built it.
  describeProjectionContract(spec, () => log.events);
});
