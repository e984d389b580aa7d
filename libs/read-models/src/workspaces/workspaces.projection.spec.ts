import { beforeAll, describe, expect, it } from '@jest/globals';
import { workspaceDecider, workspaceDirectoryStreamId, type WorkspaceCommand } from '#domain';
import { handleCommand, type Position, type SubscriptionBatch } from '#event-store';
import { useProjectionHarness } from '../../../../test/support/projection-harness.js';
import { createGeneration } from '../core/projection-catalog.js';
import { workspacesProjection } from './workspaces.projection.js';

const harness = useProjectionHarness(workspacesProjection);
const { inTransaction, newRunner, runToHead, readAllBatches, rows, checkpointOf } = harness;
const sum = (applied: number[]) => applied.reduce((a, b) => a + b, 0);

let commandCount = 0;
async function send(command: WorkspaceCommand): Promise<{ position: Position | null; events: number }> {
  const result = await handleCommand(harness.store, workspaceDirectoryStreamId(command.data.organizationId), workspaceDecider, command, {
    commandId: `workspaces-spec-${++commandCount}`,
  });
  if (result.events.length > 0) harness.recordAppended(result.position!);
  return { position: result.position, events: result.events.length };
}

const create = (organizationId: string, workspaceId: string, name: string, at: string, isDefault = false): WorkspaceCommand => ({
  type: 'CreateWorkspace',
  data: { organizationId, workspaceId, name, isDefault, at },
});
const rename = (organizationId: string, currentName: string, name: string, at: string): WorkspaceCommand => ({
  type: 'RenameWorkspace',
  data: { organizationId, currentName, name, at },
});

/** Two organizations interleaved, a workspace renamed twice, and a default resolved twice (a no-op). */
async function seedHistory(): Promise<number> {
  const results = [
    await send(create('org-1', 'ws-1', 'default', '2025-03-01T09:00:00.000Z', true)),
    await send(create('org-2', 'ws-2', 'default', '2025-03-01T09:30:00.000Z', true)),
    await send(create('org-1', 'ws-3', 'Docs', '2025-03-01T10:00:00.000Z')),
    await send(create('org-2', 'ws-4', 'Docs', '2025-03-01T10:15:00.000Z')),
    await send(rename('org-1', 'Docs', 'Handbook', '2025-03-02T08:00:00.000Z')),
    await send(create('org-1', 'ws-5', 'other-default', '2025-03-02T09:00:00.000Z', true)),
    await send(rename('org-1', 'Handbook', 'Manual', '2025-03-03T08:00:00.000Z')),
  ];
  return sum(results.map((r) => r.events));
}

const date = (iso: string) => new Date(iso);
const expectedRows = [
  { id: 'ws-1', organization_id: 'org-1', name: 'default', slug: 'default', is_default: true, created_at: date('2025-03-01T09:00:00.000Z'), updated_at: date('2025-03-01T09:00:00.000Z') },
  { id: 'ws-2', organization_id: 'org-2', name: 'default', slug: 'default', is_default: true, created_at: date('2025-03-01T09:30:00.000Z'), updated_at: date('2025-03-01T09:30:00.000Z') },
  // Renamed twice: the latest name, the creation slug, the time of the last rename.
  { id: 'ws-3', organization_id: 'org-1', name: 'Manual', slug: 'docs', is_default: false, created_at: date('2025-03-01T10:00:00.000Z'), updated_at: date('2025-03-03T08:00:00.000Z') },
  { id: 'ws-4', organization_id: 'org-2', name: 'Docs', slug: 'docs', is_default: false, created_at: date('2025-03-01T10:15:00.000Z'), updated_at: date('2025-03-01T10:15:00.000Z') },
];

describe('workspaces projection', () => {
  let seeded: number;
  beforeAll(async () => {
    seeded = await seedHistory();
  });

  describe('when replayed from the start', () => {
    let applied: number[];
    beforeAll(async () => {
      applied = await runToHead({ mode: 'replay' });
    });

    it('writes one row per workspace, renames applied in order and the second default never created', async () => {
      expect(seeded).toBe(6);
      expect(await rows()).toEqual(expectedRows);
    });

    it('applies every event exactly once and checkpoints at or past the last event', async () => {
      expect(sum(applied)).toBe(seeded);
      const checkpoint = await checkpointOf();
      expect(checkpoint!.eventsProcessed).toBe(seeded);
      expect(harness.store.comparePositions(checkpoint!.position, harness.lastAppended)).toBeGreaterThanOrEqual(0);
    });
  });

  describe('when the same events are applied twice', () => {
    it('skips them on a second run from the stored checkpoint', async () => {
      expect(sum(await runToHead())).toBe(0);
      expect(await rows()).toEqual(expectedRows);
      expect((await checkpointOf())!.eventsProcessed).toBe(seeded);
    });

    it('changes nothing when an already applied batch is handed to applyBatch again', async () => {
      const batches = await readAllBatches();
      const before = await checkpointOf();
      expect(batches.flatMap((b) => b.events)).toHaveLength(seeded);
      const runner = newRunner();
      const client = await harness.pool.connect();
      try {
        for (const batch of batches) expect(await runner.applyBatch(client, 1, batch)).toBe(0);
        const everything: SubscriptionBatch = { events: batches.flatMap((b) => b.events), checkpoint: before!.position, caughtUp: true };
        expect(await runner.applyBatch(client, 1, everything)).toBe(0);
      } finally {
        client.release();
      }
      expect(await rows()).toEqual(expectedRows);
      expect(await checkpointOf()).toMatchObject({ position: before!.position, eventsProcessed: seeded });
    });

    it('applies only the events past the checkpoint of a batch that overlaps it', async () => {
      const old = (await readAllBatches()).flatMap((b) => b.events);
      const { position } = await send(rename('org-2', 'Docs', 'Guides', '2025-03-04T08:00:00.000Z'));
      const fresh = (await harness.store.readStream(workspaceDirectoryStreamId('org-2'))).at(-1)!;
      expect(fresh.position).toBe(position);
      const runner = newRunner();
      const client = await harness.pool.connect();
      try {
        const overlapping: SubscriptionBatch = { events: [...old, fresh], checkpoint: position!, caughtUp: true };
        expect(await runner.applyBatch(client, 1, overlapping)).toBe(1);
        expect(await runner.applyBatch(client, 1, overlapping)).toBe(0);
      } finally {
        client.release();
      }
      const renamed = { ...expectedRows[3], name: 'Guides', updated_at: date('2025-03-04T08:00:00.000Z') };
      expect(await rows()).toEqual([...expectedRows.slice(0, 3), renamed]);
      expect(await checkpointOf()).toMatchObject({ position, eventsProcessed: seeded + 1 });
      expect(sum(await runToHead())).toBe(0);
      expect(await rows()).toEqual([...expectedRows.slice(0, 3), renamed]);
    });
  });

  describe('when a workspace is created and renamed in one batch or in separate ones', () => {
    it('writes identical rows', async () => {
      await inTransaction(async (client) => {
        await createGeneration(client, workspacesProjection, 2);
        await createGeneration(client, workspacesProjection, 3);
      });
      const total = seeded + 1;
      // Generation 2 gets the whole history as one batch: one coalesced insert per workspace …
      const history = (await readAllBatches()).flatMap((b) => b.events);
      expect(history).toHaveLength(total);
      const client = await harness.pool.connect();
      try {
        expect(await newRunner({ generation: 2 }).applyBatch(client, 2, { events: history, checkpoint: harness.lastAppended, caughtUp: true })).toBe(total);
      } finally {
        client.release();
      }
      // … generation 3 one event per transaction: an insert, then one update per rename.
      const apart = await runToHead({ mode: 'replay', generation: 3, maxBatchSize: 1 });
      expect(apart.filter((n) => n > 0)).toEqual(Array.from({ length: total }, () => 1));
      const rowsTogether = await rows('workspaces_g2');
      expect(rowsTogether).toHaveLength(4);
      expect(await rows('workspaces_g3')).toEqual(rowsTogether);
      expect(await rows('workspaces_g1')).toEqual(rowsTogether);
      expect(await rows()).toEqual(rowsTogether);
    });
  });
});
