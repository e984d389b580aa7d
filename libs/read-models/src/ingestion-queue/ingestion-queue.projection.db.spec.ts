import { describe, expect, it } from '@jest/globals';
import {
  INGESTION_JOB_KIND,
  jobStreamId,
  type IngestionJobInput,
  type JobCancelled,
  type JobCompleted,
  type JobEvent,
  type JobQueued,
  type JobStarted,
} from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing/projection';
import { ingestionQueueProjection } from './ingestion-queue.projection.js';
import { IngestionQueueQueries } from './ingestion-queue.queries.js';

const spec = useProjectionSpec(ingestionQueueProjection);
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
const queued = (jobId: string, jobInput: Record<string, unknown>, queuedAt: string, organizationId = 'org_1'): JobQueued => ({
  type: 'JobQueued',
  data: {
    jobId,
    organizationId,
    workspaceId: 'ws_1',
    repositoryId: null,
    name: 'Docs Ingestion',
    trigger: 'manual',
    triggeredBy: null,
    input: jobInput,
    queuedAt,
  },
});
// Every later event of a job repeats these fields of its JobQueued.
const refOf = ({ data: { jobId, workspaceId, queuedAt } }: JobQueued) => ({ jobId, workspaceId, queuedAt });
const started = (job: JobQueued, startedAt: string): JobStarted => ({ type: 'JobStarted', data: { ...refOf(job), startedAt } });
const completed = (job: JobQueued, completedAt: string, durationMs: number): JobCompleted => ({
  type: 'JobCompleted',
  data: { ...refOf(job), completedAt, durationMs, output: {} },
});
const cancelled = (job: JobQueued, from: JobCancelled['data']['from'], cancelledAt: string): JobCancelled => ({
  type: 'JobCancelled',
  data: { ...refOf(job), from, cancelledAt, reason: null },
});

// Each job event names its job, so its stream.
const append = (log: EventLog, ...events: JobEvent[]) => log.append(jobStreamId(events[0]!.data.jobId), ...events);

// The history in steps, each appending its part to the log it is given: the tests feed the live
// generation one step at a time, the contract the whole history at once.
type Step = (log: EventLog) => void;
const a1 = queued('a1', input('1'), '2026-03-01T10:00:00.000Z');
const b1 = queued('b1', input('2'), '2026-03-01T10:02:00.000Z');
const queueTwoRepositoriesAndStartOne: Step = (log) => {
  append(log, a1);
  append(log, queued('a2', input('1'), '2026-03-01T10:01:00.000Z'));
  append(log, b1);
  append(log, queued('other', { kind: 'report' }, '2026-03-01T10:03:00.000Z'));
  append(log, started(a1, '2026-03-01T10:05:00.000Z'));
};
const endTheFirstJobs: Step = (log) => {
  append(log, completed(a1, '2026-03-01T10:06:00.000Z', 60_000));
  append(log, cancelled(b1, 'queued', '2026-03-01T10:06:00.000Z'));
};
// Organization "busy" queues 100 jobs (on 100 repositories) before "quiet" queues its one.
const busy = Array.from({ length: 100 }, (_, i) =>
  queued(
    `busy-${i}`,
    input(`9${String(i).padStart(3, '0')}`),
    `2026-04-01T10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`,
    'org_busy',
  ),
);
const queueABacklogAndStartIt: Step = (log) => {
  for (const job of busy) append(log, job);
  append(log, queued('quiet-0', input('8000'), '2026-04-01T11:00:00.000Z', 'org_quiet'));
  append(log, started(busy[0]!, '2026-04-01T11:01:00.000Z'));
};
const endTheBacklogsFirstJob: Step = (log) => append(log, completed(busy[0]!, '2026-04-01T11:02:00.000Z', 60_000));

const queries = () => new IngestionQueueQueries(async (text, params) => (await spec.pool.query(text, params as unknown[])).rows);
// The queries read the live generation, so the tests feed it the steps in order.
const live = new EventLog();
const project = (step: Step) => {
  step(live);
  return spec.active.apply(live.events);
};

describe('ingestion queue projection', () => {
  it('holds ingestion jobs until they end, and offers the oldest job of each repository first', async () => {
    await project(queueTwoRepositoriesAndStartOne);

    expect((await queries().nextPerRepository(10)).map((j) => [j.jobId, j.status])).toEqual([
      ['a1', 'running'],
      ['b1', 'queued'],
    ]);
    expect(await queries().length()).toEqual({ jobs: 3, initialSyncs: 0 });

    await project(endTheFirstJobs);
    expect((await queries().nextPerRepository(10)).map((j) => j.jobId)).toEqual(['a2']);

    // Fed again from the start, the same events leave the same queue.
    await spec.pool.query(
      `UPDATE projection_checkpoints SET position = 'start', events_processed = 0 WHERE name = 'ingestion_queue' AND generation = $1`,
      [spec.active.generation],
    );
    await spec.active.apply(live.events);
    expect(await queries().length()).toEqual({ jobs: 1, initialSyncs: 0 });
  });

  it("takes organizations in turn: a backlog of one never starves another organization's only job", async () => {
    await project(queueABacklogAndStartIt);

    // "busy" has a job running: "quiet" is next, before any second job of "busy".
    // (The first spec left one job of org_1 queued: it takes its own turn.)
    const ours = async (limit: number) =>
      (await queries().nextPerRepository(limit + 1)).filter((j) => j.organizationId !== 'org_1').slice(0, limit);
    expect((await ours(4)).map((j) => [j.jobId, j.organizationId, j.status])).toEqual([
      ['busy-0', 'org_busy', 'running'],
      ['quiet-0', 'org_quiet', 'queued'],
      ['busy-1', 'org_busy', 'queued'],
      ['busy-2', 'org_busy', 'queued'],
    ]);
    // With nothing running, the turns are the same: one job of each organization per round.
    await project(endTheBacklogsFirstJob);
    expect((await ours(3)).map((j) => j.jobId)).toEqual(['busy-1', 'quiet-0', 'busy-2']);
  });

  describeProjectionContract(spec, () => {
    const log = new EventLog();
    for (const step of [queueTwoRepositoriesAndStartOne, endTheFirstJobs, queueABacklogAndStartIt, endTheBacklogsFirstJob]) step(log);
    return log.events;
  });
});
