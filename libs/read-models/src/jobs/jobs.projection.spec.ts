import { beforeAll, describe, expect, it } from '@jest/globals';
import { jobDecider, jobStreamId, type JobCommand } from '#domain';
import { handleCommand, type Position, type SubscriptionBatch } from '#event-store';
import { useProjectionHarness } from '../../../../test/support/projection-harness.js';
import { createGeneration } from '../core/projection-catalog.js';
import { jobsProjection } from './jobs.projection.js';

const harness = useProjectionHarness(jobsProjection);
const { inTransaction, newRunner, runToHead, readAllBatches, rows, checkpointOf } = harness;

let commandCount = 0;
async function send(jobId: string, command: JobCommand): Promise<Position> {
  const result = await handleCommand(harness.store, jobStreamId(jobId), jobDecider, command, { commandId: `jobs-spec-${++commandCount}` });
  return harness.recordAppended(result.position!);
}

const queue = (jobId: string, at: string, extra: Partial<Extract<JobCommand, { type: 'QueueJob' }>['data']> = {}): JobCommand => ({
  type: 'QueueJob',
  data: { jobId, organizationId: 'org-1', workspaceId: 'ws-1', repositoryId: null, name: `job ${jobId}`, trigger: 'manual', triggeredBy: null, input: {}, at, ...extra },
});

/**
 * A history that touches every event type, interleaved across streams so one batch holds the
 * whole life of some jobs and only part of others.
 */
async function seedHistory(): Promise<void> {
  await send('job-1', queue('job-1', '2025-03-01T10:00:00.000Z', { input: { branch: 'main', depth: 1 } }));
  await send('job-2', queue('job-2', '2025-03-01T10:05:00.000Z'));
  await send('job-1', { type: 'StartJob', data: { at: '2025-03-01T10:01:00.000Z' } });
  await send('job-3', queue('job-3', '2025-03-01T11:00:00.000Z', { workspaceId: 'ws-2', repositoryId: 'repo-9', trigger: 'webhook', triggeredBy: 'user-1' }));
  await send('job-1', { type: 'ReportJobProgress', data: { at: '2025-03-01T10:02:00.000Z', processed: 5, total: 10, message: 'half way' } });
  await send('job-2', { type: 'FailJob', data: { at: '2025-03-01T10:06:00.000Z', error: { message: 'no runner available', code: 'E_NO_RUNNER' } } });
  await send('job-3', { type: 'StartJob', data: { at: '2025-03-01T11:00:30.000Z' } });
  await send('job-1', { type: 'CompleteJob', data: { at: '2025-03-01T10:03:00.000Z', output: { artifacts: 2 } } });
  await send('job-4', queue('job-4', '2025-03-01T12:00:00.000Z', { trigger: 'scheduled' }));
  await send('job-3', { type: 'CancelJob', data: { at: '2025-03-01T11:01:00.000Z', reason: 'superseded' } });
  await send('job-5', queue('job-5', '2025-03-01T13:00:00.000Z'));
  await send('job-5', { type: 'StartJob', data: { at: '2025-03-01T13:00:01.000Z' } });
  await send('job-5', { type: 'FailJob', data: { at: '2025-03-01T13:00:03.500Z', error: { message: 'exit code 1', code: null } } });
}
const SEEDED_EVENTS = 13;

const date = (iso: string) => new Date(iso);
const base = { organization_id: 'org-1', workspace_id: 'ws-1', repository_id: null, trigger: 'manual', triggered_by: null, input: {}, output: null, progress: null, error_message: null, error_code: null, started_at: null, completed_at: null, duration_ms: null };

const expectedRows = [
  {
    ...base,
    id: 'job-1',
    name: 'job job-1',
    status: 'completed',
    input: { branch: 'main', depth: 1 },
    output: { artifacts: 2 },
    progress: { processed: 5, total: 10, message: 'half way', at: '2025-03-01T10:02:00.000Z' },
    created_at: date('2025-03-01T10:00:00.000Z'),
    started_at: date('2025-03-01T10:01:00.000Z'),
    completed_at: date('2025-03-01T10:03:00.000Z'),
    duration_ms: '120000', // bigint comes back as a string
    updated_at: date('2025-03-01T10:03:00.000Z'),
  },
  {
    ...base,
    id: 'job-2',
    name: 'job job-2',
    status: 'failed',
    error_message: 'no runner available',
    error_code: 'E_NO_RUNNER',
    created_at: date('2025-03-01T10:05:00.000Z'),
    completed_at: date('2025-03-01T10:06:00.000Z'),
    updated_at: date('2025-03-01T10:06:00.000Z'),
  },
  {
    ...base,
    id: 'job-3',
    name: 'job job-3',
    workspace_id: 'ws-2',
    repository_id: 'repo-9',
    trigger: 'webhook',
    triggered_by: 'user-1',
    status: 'cancelled',
    output: { reason: 'superseded' },
    created_at: date('2025-03-01T11:00:00.000Z'),
    started_at: date('2025-03-01T11:00:30.000Z'),
    completed_at: date('2025-03-01T11:01:00.000Z'),
    updated_at: date('2025-03-01T11:01:00.000Z'),
  },
  { ...base, id: 'job-4', name: 'job job-4', status: 'queued', trigger: 'scheduled', created_at: date('2025-03-01T12:00:00.000Z'), updated_at: date('2025-03-01T12:00:00.000Z') },
  {
    ...base,
    id: 'job-5',
    name: 'job job-5',
    status: 'failed',
    error_message: 'exit code 1',
    created_at: date('2025-03-01T13:00:00.000Z'),
    started_at: date('2025-03-01T13:00:01.000Z'),
    completed_at: date('2025-03-01T13:00:03.500Z'),
    duration_ms: '2500',
    updated_at: date('2025-03-01T13:00:03.500Z'),
  },
];

describe('jobs projection', () => {
  beforeAll(async () => {
    await seedHistory();
  });

  describe('when replayed from the start', () => {
    let applied: number[];
    beforeAll(async () => {
      applied = await runToHead({ mode: 'replay' });
    });

    it('writes one row per job with its latest status, times, progress, output and error', async () => {
      expect(await rows()).toEqual(expectedRows);
    });

    it('applies every event exactly once and checkpoints at or past the last event', async () => {
      expect(applied.reduce((a, b) => a + b, 0)).toBe(SEEDED_EVENTS);
      const checkpoint = await checkpointOf();
      expect(checkpoint!.eventsProcessed).toBe(SEEDED_EVENTS);
      expect(harness.store.comparePositions(checkpoint!.position, harness.lastAppended)).toBeGreaterThanOrEqual(0);
    });
  });

  describe('when the same events are applied twice', () => {
    it('skips them on a second run from the stored checkpoint', async () => {
      const before = await checkpointOf();
      const applied = await runToHead();
      expect(applied.reduce((a, b) => a + b, 0)).toBe(0);
      expect(await rows()).toEqual(expectedRows);
      expect((await checkpointOf())!.eventsProcessed).toBe(before!.eventsProcessed);
    });

    it('changes nothing when an already applied batch is handed to applyBatch again', async () => {
      const batches = await readAllBatches();
      const before = await checkpointOf();
      expect(batches.flatMap((b) => b.events)).toHaveLength(SEEDED_EVENTS);
      const runner = newRunner();
      const client = await harness.pool.connect();
      try {
        for (const batch of batches) expect(await runner.applyBatch(client, 1, batch)).toBe(0);
        // The same events squeezed into one batch with the stored checkpoint: still nothing to do.
        const everything: SubscriptionBatch = { events: batches.flatMap((b) => b.events), checkpoint: before!.position, caughtUp: true };
        expect(await runner.applyBatch(client, 1, everything)).toBe(0);
      } finally {
        client.release();
      }
      expect(await rows()).toEqual(expectedRows);
      expect(await checkpointOf()).toMatchObject({ position: before!.position, eventsProcessed: before!.eventsProcessed });
    });

    it('applies only the events past the checkpoint of a batch that overlaps it', async () => {
      const old = (await readAllBatches()).flatMap((b) => b.events);
      const position = await send('job-4', { type: 'StartJob', data: { at: '2025-03-01T12:00:10.000Z' } });
      const fresh = (await harness.store.readStream(jobStreamId('job-4'))).at(-1)!;
      expect(fresh.position).toBe(position);
      const runner = newRunner();
      const client = await harness.pool.connect();
      try {
        const overlapping: SubscriptionBatch = { events: [...old, fresh], checkpoint: position, caughtUp: true };
        expect(await runner.applyBatch(client, 1, overlapping)).toBe(1);
        expect(await runner.applyBatch(client, 1, overlapping)).toBe(0);
      } finally {
        client.release();
      }
      const started = { ...expectedRows[3], status: 'running', started_at: date('2025-03-01T12:00:10.000Z'), updated_at: date('2025-03-01T12:00:10.000Z') };
      expect(await rows()).toEqual([...expectedRows.slice(0, 3), started, expectedRows[4]]);
      expect(await checkpointOf()).toMatchObject({ position, eventsProcessed: SEEDED_EVENTS + 1 });
      // A later live run finds nothing left to do.
      expect((await runToHead()).reduce((a, b) => a + b, 0)).toBe(0);
      expect(await rows()).toEqual([...expectedRows.slice(0, 3), started, expectedRows[4]]);
    });
  });

  describe('when a job is queued and completed in one batch or in separate ones', () => {
    it('writes identical rows', async () => {
      await inTransaction(async (client) => {
        await createGeneration(client, jobsProjection, 2);
        await createGeneration(client, jobsProjection, 3);
      });
      const total = SEEDED_EVENTS + 1;
      // Generation 2 gets the whole history as one batch: one coalesced insert per job …
      const history = (await readAllBatches()).flatMap((b) => b.events);
      expect(history).toHaveLength(total);
      const client = await harness.pool.connect();
      try {
        expect(await newRunner({ generation: 2 }).applyBatch(client, 2, { events: history, checkpoint: harness.lastAppended, caughtUp: true })).toBe(total);
      } finally {
        client.release();
      }
      // … generation 3 one event per transaction: an insert, then one update per later event.
      const apart = await runToHead({ mode: 'replay', generation: 3, maxBatchSize: 1 });
      expect(apart.filter((n) => n > 0)).toEqual(Array.from({ length: total }, () => 1));
      const rowsTogether = await rows('jobs_g2');
      expect(rowsTogether).toHaveLength(5);
      expect(await rows('jobs_g3')).toEqual(rowsTogether);
      expect(await rows('jobs_g1')).toEqual(rowsTogether);
      expect(await rows()).toEqual(rowsTogether);
    });
  });
});
