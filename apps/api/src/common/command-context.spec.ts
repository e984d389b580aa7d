import { describe, expect, it } from '@jest/globals';
import { requestHash } from './command-context.js';

describe('requestHash (what an Idempotency-Key is bound to)', () => {
  it('ignores the order of properties, at any depth', () => {
    expect(requestHash('POST', '/v1/me/api-keys', { name: 'ci', expiresAt: null, nested: { b: 1, a: [{ y: 1, x: 2 }] } })).toBe(
      requestHash('post', '/v1/me/api-keys', { nested: { a: [{ x: 2, y: 1 }], b: 1 }, expiresAt: null, name: 'ci' }),
    );
  });

  it('differs with the method, the route, the body, and between no body and an empty one', () => {
    const base = requestHash('POST', '/v1/me/api-keys/a/revoke', undefined);
    expect(
      new Set([
        base,
        requestHash('DELETE', '/v1/me/api-keys/a/revoke', undefined),
        requestHash('POST', '/v1/me/api-keys/b/revoke', undefined),
        requestHash('POST', '/v1/me/api-keys/a/revoke', {}),
      ]).size,
    ).toBe(4);
    expect(requestHash('POST', '/x', [1, 2])).not.toBe(requestHash('POST', '/x', [2, 1]));
  });
});
