import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SignedState, SignedStateError } from './signed-state.js';

const reason = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof SignedStateError) return error.reason;
    throw error;
  }
  return 'accepted';
};

describe('signed OAuth state', () => {
  const state = new SignedState(randomBytes(32), 60_000);
  const now = Date.parse('2026-05-01T10:00:00Z');

  it('gives back the user it was signed for, with a nonce of its own each time', () => {
    const a = state.verify(state.sign('user_1', now), now + 59_000);
    const b = state.verify(state.sign('user_1', now), now);
    expect(a.userId).toBe('user_1');
    expect(a.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.nonce).not.toBe(b.nonce);
  });

  it('refuses an expired state', () => {
    expect(reason(() => state.verify(state.sign('user_1', now), now + 60_000))).toBe('state_expired');
  });

  it('refuses a state whose user was swapped, one signed with another key, and garbage', () => {
    const [, mac] = state.sign('user_1', now).split('.');
    const forgedBody = Buffer.from(JSON.stringify({ u: 'user_2', n: 'x', e: now + 60_000 })).toString('base64url');
    expect(reason(() => state.verify(`${forgedBody}.${mac}`, now))).toBe('invalid_state');
    expect(reason(() => state.verify(new SignedState(randomBytes(32)).sign('user_1', now), now))).toBe('invalid_state');
    for (const garbage of [undefined, '', 'abc', 'a.b.c', '.']) expect(reason(() => state.verify(garbage, now))).toBe('invalid_state');
  });
});
