import { describe, expect, it } from '@jest/globals';
import { INGESTION_JOB_KIND, jobDecider, jobStreamId, type IngestionJobInput, type JobCommand } from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing';
import { ingestionQueueProjection } from './ingestion-queue.projection.js';
import { IngestionQueueQueries } from './ingestion-queue.queries.js';

const spec = useProjectionSpec(ingestionQueueProjection);
const log = new EventLog();
const send = (jobId: string, command: JobCommand) => log.decide(jobStreamId(jobId), jobDecider, command);
const project = () => spec.active.apply(log.events);
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
const queue = (jobId: string, jobInput: Record<string, unknown>, at: string, organizationId = 'org_1'): JobCommand => ({
  type: 'QueueJob',
  data: { jobId, organizationId, workspaceId: 'ws_1', repositoryId: null, name: 'Docs Ingestion', trigger: 'manual', triggeredBy: null, input: jobInput, at },
});
const queries = () => new IngestionQueueQueries(async (text, params) => (await spec.pool.query(text, params as unknown[])).rows);

describe('ingestion queue projection', () => {
  it('holds ingestion jobs until they end, and offers the oldest job of each repository first', async () => {
    send('a1', queue('a1', input('1'), '2026-03-01T10:00:00.000Z'));
    send('a2', queue('a2', input('1'), '2026-03-01T10:01:00.000Z'));
    send('b1', queue('b1', input('2'), '2026-03-01T10:02:00.000Z'));
    send('other', queue('other', { kind: 'report' }, '2026-03-01T10:03:00.000Z'));
    send('a1', { type: 'StartJob', data: { at: '2026-03-01T10:05:00.000Z' } });
    await project();

    expect((await queries().nextPerRepository(10)).map((j) => [j.jobId, j.status])).toEqual([
      ['a1', 'running'],
      ['b1', 'queued'],
    ]);
    expect(await queries().length()).toEqual({ jobs: 3, initialSyncs: 0 });

    send('a1', { type: 'CompleteJob', data: { at: '2026-03-01T10:06:00.000Z', output: {} } });
    send('b1', { type: 'CancelJob', data: { at: '2026-03-01T10:06:00.000Z', reason: null } });
    await project();
    expect((await queries().nextPerRepository(10)).map((j) => j.jobId)).toEqual(['a2']);

    // Fed again from the start, the same events leave the same queue.
    await spec.pool.query(`UPDATE projection_checkpoints SET position = 'start', events_processed = 0 WHERE name = 'ingestion_queue'`);
    await project();
    expect(await queries().length()).toEqual({ jobs: 1, initialSyncs: 0 });
  });

  it("takes organizations in turn: a backlog of one never starves another organization's only job", async () => {
    // Organization "busy" queues 100 jobs (on 100 repositories) before "quiet" queues its one.
    for (let i = 0; i < 100; i++) send(`busy-${i}`, queue(`busy-${i}`, input(`9${String(i).padStart(3, '0')}`), `2026-04-01T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`, 'org_busy'));
    send('quiet-0', queue('quiet-0', input('8000'), '2026-04-01T11:00:00.000Z', 'org_quiet'));
    send('busy-0', { type: 'StartJob', data: { at: '2026-04-01T11:01:00.000Z' } });
    await project();

    // "busy" has a job running: "quiet" is next, before any second job of "busy".
    // (The first spec left one job of org_1 queued: it takes its own turn.)
    const ours = async (limit: number) => (await queries().nextPerRepository(limit + 1)).filter((j) => j.organizationId !== 'org_1').slice(0, limit);
    expect((await ours(4)).map((j) => [j.jobId, j.organizationId, j.status])).toEqual([
      ['busy-0', 'org_busy', 'running'],
      ['quiet-0', 'org_quiet', 'queued'],
      ['busy-1', 'org_busy', 'queued'],
      ['busy-2', 'org_busy', 'queued'],
    ]);
    // With nothing running, the turns are the same: one job of each organization per round.
    send('busy-0', { type: 'CompleteJob', data: { at: '2026-04-01T11:02:00.000Z', output: {} } });
    await project();
    expect((await ours(3)).map((j) => j.jobId)).toEqual(['busy-1', 'quiet-0', 'busy-2']);
  });

  // The history the tests above built, in the order they built it.
  describeProjectionContract(spec, () => log.events);
});
