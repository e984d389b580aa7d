import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { apiKeyDecider, apiKeyStreamId, apiKeyUsageStreamId, type ApiKeyCommand, type ApiKeyUsed } from '#domain';
import { handleCommand } from '#event-store';
import { useProjectionHarness } from '../../../../test/support/projection-harness.js';
import { createGeneration, readCheckpoint } from '../core/projection-catalog.js';
import { apiKeysProjection } from './api-keys.projection.js';

const harness = useProjectionHarness(apiKeysProjection);
const { inTransaction, newRunner, runToHead, readAllBatches, rows } = harness;
const readAllEvents = async () => (await readAllBatches()).flatMap((b) => b.events);
const sum = (applied: number[]) => applied.reduce((a, b) => a + b, 0);
const hash = (digit: string) => digit.repeat(64);

let commandCount = 0;
async function send(command: ApiKeyCommand): Promise<number> {
  const result = await handleCommand(harness.store, apiKeyStreamId(command.data.userId), apiKeyDecider, command, { commandId: `api-keys-spec-${++commandCount}` });
  if (result.events.length > 0) harness.recordAppended(result.position!);
  return result.events.length;
}

async function use(userId: string, keyId: string, usedAt: string): Promise<number> {
  const event: ApiKeyUsed = { type: 'ApiKeyUsed', data: { userId, keyId, usedAt } };
  const appended = await harness.store.append(apiKeyUsageStreamId(keyId), [{ id: randomUUID(), ...event }], 'any');
  harness.recordAppended(appended.position);
  return 1;
}

const create = (userId: string, keyId: string, name: string, keyHash: string, at: string, expiresAt: string | null = null): ApiKeyCommand => ({
  type: 'CreateApiKey',
  data: { userId, keyId, name, keyHash, keyPreview: `…${keyId}`, expiresAt, at },
});

/** Two users; a key revoked, one used twice, one deleted and then reported used, one rotated. */
async function seedHistory(): Promise<number> {
  const counts = [
    await send(create('user_1', 'k1', 'first', hash('1'), '2026-02-01T09:00:00.000Z', '2027-01-01T00:00:00.000Z')),
    await send(create('user_1', 'k2', 'second', hash('2'), '2026-02-01T09:05:00.000Z')),
    await send({ type: 'RevokeApiKey', data: { userId: 'user_1', keyId: 'k1', at: '2026-02-02T09:00:00.000Z' } }),
    await use('user_1', 'k2', '2026-02-02T10:00:00.000Z'),
    await use('user_1', 'k2', '2026-02-02T11:00:00.000Z'),
    await send(create('user_1', 'k3', 'temporary', hash('3'), '2026-02-03T09:00:00.000Z')),
    await send({ type: 'DeleteApiKey', data: { userId: 'user_1', keyId: 'k3', at: '2026-02-03T10:00:00.000Z' } }),
    await use('user_1', 'k3', '2026-02-03T10:00:01.000Z'),
    await send(create('user_2', 'k4', 'deploy', hash('4'), '2026-02-04T09:00:00.000Z')),
    await send({
      type: 'RotateApiKey',
      data: { userId: 'user_2', keyId: 'k4', newKeyId: 'k5', newKeyHash: hash('5'), newKeyPreview: '…k5', at: '2026-02-05T09:00:00.000Z' },
    }),
    await use('user_2', 'k5', '2026-02-05T09:30:00.000Z'),
  ];
  return sum(counts);
}

const date = (iso: string) => new Date(iso);
const row = (id: string, userId: string, name: string, digit: string, createdAt: string, extra: Record<string, unknown> = {}) => ({
  id,
  user_id: userId,
  name,
  key_hash: hash(digit),
  key_preview: `…${id}`,
  is_active: true,
  expires_at: null,
  last_used_at: null,
  created_at: date(createdAt),
  updated_at: date(createdAt),
  revoked_at: null,
  ...extra,
});
const expectedRows = [
  row('k1', 'user_1', 'first', '1', '2026-02-01T09:00:00.000Z', {
    is_active: false,
    expires_at: date('2027-01-01T00:00:00.000Z'),
    updated_at: date('2026-02-02T09:00:00.000Z'),
    revoked_at: date('2026-02-02T09:00:00.000Z'),
  }),
  // Usage moves last_used_at only: it is not a change of the key.
  row('k2', 'user_1', 'second', '2', '2026-02-01T09:05:00.000Z', { last_used_at: date('2026-02-02T11:00:00.000Z') }),
  row('k4', 'user_2', 'deploy', '4', '2026-02-04T09:00:00.000Z', {
    is_active: false,
    updated_at: date('2026-02-05T09:00:00.000Z'),
    revoked_at: date('2026-02-05T09:00:00.000Z'),
  }),
  // The rotated key keeps the old key's name (and its expiry: none).
  row('k5', 'user_2', 'deploy', '5', '2026-02-05T09:00:00.000Z', { last_used_at: date('2026-02-05T09:30:00.000Z') }),
];

describe('api keys projection', () => {
  let seeded: number;
  beforeAll(async () => {
    seeded = await seedHistory();
  });

  describe('when replayed from the start', () => {
    let applied: number[];
    beforeAll(async () => {
      applied = await runToHead({ mode: 'replay' });
    });

    it('writes one row per live key: revocations and uses applied, the deleted key gone', async () => {
      expect(seeded).toBe(12);
      expect(await rows()).toEqual(expectedRows);
    });

    it('applies every event exactly once and checkpoints at or past the last event', async () => {
      expect(sum(applied)).toBe(seeded);
      const checkpoint = await readCheckpoint(harness.pool, 'api_keys', 1);
      expect(checkpoint!.eventsProcessed).toBe(seeded);
      expect(harness.store.comparePositions(checkpoint!.position, harness.lastAppended)).toBeGreaterThanOrEqual(0);
    });

    it('indexes the table for the lookup by hash and the list by user', async () => {
      const { rows: indexes } = await harness.pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'api_keys_g1' ORDER BY indexname`);
      const definitions = indexes.map((i: { indexdef: string }) => i.indexdef);
      expect(definitions).toEqual(
        expect.arrayContaining([expect.stringMatching(/USING btree \(key_hash\)$/), expect.stringMatching(/USING btree \(user_id, is_active\)$/)]),
      );
    });
  });

  describe('when the same events are applied twice', () => {
    it('skips them on a second run from the stored checkpoint and nothing doubles', async () => {
      expect(sum(await runToHead())).toBe(0);
      expect(await rows()).toEqual(expectedRows);
      expect((await readCheckpoint(harness.pool, 'api_keys', 1))!.eventsProcessed).toBe(seeded);
    });
  });

  describe('when the history is applied in one batch or one event per batch', () => {
    it('writes identical rows', async () => {
      await inTransaction(async (client) => {
        await createGeneration(client, apiKeysProjection, 2);
        await createGeneration(client, apiKeysProjection, 3);
      });
      const history = await readAllEvents();
      expect(history).toHaveLength(seeded);
      const client = await harness.pool.connect();
      try {
        // One batch coalesces per key: k3's insert and deletion cancel out, its later use stays a no-op.
        expect(await newRunner({ generation: 2 }).applyBatch(client, 2, { events: history, checkpoint: harness.lastAppended, caughtUp: true })).toBe(seeded);
      } finally {
        client.release();
      }
      const apart = await runToHead({ mode: 'replay', generation: 3, maxBatchSize: 1 });
      expect(apart.filter((n) => n > 0)).toEqual(Array.from({ length: seeded }, () => 1));
      expect(await rows('api_keys_g2')).toEqual(expectedRows);
      expect(await rows('api_keys_g3')).toEqual(expectedRows);
    });
  });
});
