import { describe, expect, it } from '@jest/globals';
import { EventLog } from '#testing/projection';
import { apiKeysProjection } from './api-keys.projection.js';

const [used, deleted] = new EventLog().append(
  'api-keys-user_1',
  { type: 'ApiKeyUsed', data: { userId: 'user_1', keyId: 'k1', usedAt: '2026-02-02T10:00:00.000Z' } },
  { type: 'ApiKeyDeleted', data: { userId: 'user_1', keyId: 'k1', deletedAt: '2026-02-03T10:00:00.000Z' } },
);

describe('api keys projection apply', () => {
  it('moves only last_used_at on a use: a use is not a change of the key', () =>
    expect(apiKeysProjection.apply(used!)).toEqual([
      { kind: 'patch', table: 'api_keys', key: { id: 'k1' }, set: { last_used_at: '2026-02-02T10:00:00.000Z' } },
    ]));

  it('deletes the row of a deleted key', () =>
    expect(apiKeysProjection.apply(deleted!)).toEqual([{ kind: 'delete', table: 'api_keys', key: { id: 'k1' } }]));
});
