import { describe, expect, it } from '@jest/globals';
import { apiKeyStreamId, apiKeyUsageStreamId, type ApiKeyCreated, type ApiKeyEvent, type ApiKeyUsed } from '#domain';
import { EventLog, describeProjectionContract, useProjectionSpec } from '#testing/projection';
import { apiKeysProjection } from './api-keys.projection.js';

const spec = useProjectionSpec(apiKeysProjection);
const hash = (digit: string) => digit.repeat(64);

const created = (
  userId: string,
  keyId: string,
  name: string,
  digit: string,
  createdAt: string,
  expiresAt: string | null = null,
): ApiKeyCreated => ({
  type: 'ApiKeyCreated',
  data: { userId, keyId, name, keyHash: hash(digit), keyPreview: `…${keyId}`, expiresAt, createdAt },
});
const revoked = (userId: string, keyId: string, revokedAt: string): ApiKeyEvent => ({
  type: 'ApiKeyRevoked',
  data: { userId, keyId, revokedAt },
});
const used = (userId: string, keyId: string, usedAt: string): ApiKeyUsed => ({ type: 'ApiKeyUsed', data: { userId, keyId, usedAt } });

/** Two users; a key revoked, one used twice, one deleted and then reported used, one rotated. */
function history() {
  const log = new EventLog();
  log.append(apiKeyStreamId('user_1'), created('user_1', 'k1', 'first', '1', '2026-02-01T09:00:00.000Z', '2027-01-01T00:00:00.000Z'));
  log.append(apiKeyStreamId('user_1'), created('user_1', 'k2', 'second', '2', '2026-02-01T09:05:00.000Z'));
  log.append(apiKeyStreamId('user_1'), revoked('user_1', 'k1', '2026-02-02T09:00:00.000Z'));
  log.append(apiKeyUsageStreamId('k2'), used('user_1', 'k2', '2026-02-02T10:00:00.000Z'), used('user_1', 'k2', '2026-02-02T11:00:00.000Z'));
  log.append(apiKeyStreamId('user_1'), created('user_1', 'k3', 'temporary', '3', '2026-02-03T09:00:00.000Z'));
  log.append(apiKeyStreamId('user_1'), {
    type: 'ApiKeyDeleted',
    data: { userId: 'user_1', keyId: 'k3', deletedAt: '2026-02-03T10:00:00.000Z' },
  });
  log.append(apiKeyUsageStreamId('k3'), used('user_1', 'k3', '2026-02-03T10:00:01.000Z'));
  log.append(apiKeyStreamId('user_2'), created('user_2', 'k4', 'deploy', '4', '2026-02-04T09:00:00.000Z'));
  // A rotation: the new key keeps the old key's name (and its expiry: none), the old one is revoked.
  log.append(
    apiKeyStreamId('user_2'),
    created('user_2', 'k5', 'deploy', '5', '2026-02-05T09:00:00.000Z'),
    revoked('user_2', 'k4', '2026-02-05T09:00:00.000Z'),
  );
  log.append(apiKeyUsageStreamId('k5'), used('user_2', 'k5', '2026-02-05T09:30:00.000Z'));
  return log.events;
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

describe('api keys projection', () => {
  it('writes one row per live key: revocations and uses applied, the deleted key gone', () =>
    spec.given(history()).then([
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
      row('k5', 'user_2', 'deploy', '5', '2026-02-05T09:00:00.000Z', { last_used_at: date('2026-02-05T09:30:00.000Z') }),
    ]));

  it('indexes the table for the lookup by hash and the list by user', async () => {
    const { rows: indexes } = await spec.pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'api_keys_g1' ORDER BY indexname`);
    expect(indexes.map((i: { indexdef: string }) => i.indexdef)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/USING btree \(key_hash\)$/),
        expect.stringMatching(/USING btree \(user_id, is_active\)$/),
      ]),
    );
  });

  describeProjectionContract(spec, history);
});
