import { describe, expect, it } from '@jest/globals';
import { fold } from '../core/decider.js';
import { specFor } from '#domain/testing';
import type { ApiKeyCommand } from './api-key.commands.js';
import { apiKeyDecider } from './api-key.decider.js';
import type { ApiKeyCreated, ApiKeyDeleted, ApiKeyEvent, ApiKeyRevoked } from './api-key.events.js';

const spec = specFor(apiKeyDecider);

const userId = 'user_1';
const t0 = '2026-01-01T10:00:00.000Z';
const t1 = '2026-01-02T10:00:00.000Z';
const nextYear = '2027-01-01T00:00:00.000Z';
const hash = (digit: string) => digit.repeat(64);

const create = (keyId: string, name = 'CI', expiresAt: string | null = null, keyHash = hash('a'), at = t0): ApiKeyCommand => ({
  type: 'CreateApiKey',
  data: { userId, keyId, name, keyHash, keyPreview: '…abcd', expiresAt, at },
});
const revoke = (keyId: string, at = t1): ApiKeyCommand => ({ type: 'RevokeApiKey', data: { userId, keyId, at } });
const remove = (keyId: string, at = t1): ApiKeyCommand => ({ type: 'DeleteApiKey', data: { userId, keyId, at } });
const rotate = (keyId: string, newKeyId: string, extra: { name?: string; expiresAt?: string | null; at?: string } = {}): ApiKeyCommand => ({
  type: 'RotateApiKey',
  data: {
    userId,
    keyId,
    newKeyId,
    newKeyHash: hash('b'),
    newKeyPreview: '…wxyz',
    ...(extra.name === undefined ? {} : { name: extra.name }),
    ...('expiresAt' in extra ? { expiresAt: extra.expiresAt } : {}),
    at: extra.at ?? t1,
  },
});

// The helper compares JSON, so fixtures list keys in the order the decider writes them.
const created = (
  keyId: string,
  name = 'CI',
  expiresAt: string | null = null,
  keyHash = hash('a'),
  keyPreview = '…abcd',
  at = t0,
): ApiKeyCreated => ({
  type: 'ApiKeyCreated',
  data: { userId, keyId, name, keyHash, keyPreview, expiresAt, createdAt: at },
});
const revoked = (keyId: string, at = t1): ApiKeyRevoked => ({ type: 'ApiKeyRevoked', data: { userId, keyId, revokedAt: at } });
const deleted = (keyId: string, at = t1): ApiKeyDeleted => ({ type: 'ApiKeyDeleted', data: { userId, keyId, deletedAt: at } });

describe('api key decider', () => {
  describe('when the user has no keys', () => {
    it('creates a key that never expires', () => {
      spec
        .given([])
        .when(create('k1'))
        .then([created('k1')]);
    });

    it('creates a key with an expiry in the future', () => {
      spec
        .given([])
        .when(create('k1', 'CI', nextYear))
        .then([created('k1', 'CI', nextYear)]);
    });

    it('accepts a name of exactly 100 characters', () => {
      spec
        .given([])
        .when(create('k1', 'n'.repeat(100)))
        .then([created('k1', 'n'.repeat(100))]);
    });

    it.each([
      ['empty', ''],
      ['101 characters long', 'n'.repeat(101)],
      ['blank', '   '],
    ])('rejects a name that is %s', (_, name) => {
      spec.given([]).when(create('k1', name)).thenThrows('invalid', 'name');
    });

    it.each([
      ['in the past', '2025-12-31T10:00:00.000Z'],
      ['equal to the command time', t0],
      ['not a date', 'tomorrow'],
    ])('rejects an expiry %s', (_, expiresAt) => {
      spec
        .given([])
        .when(create('k1', 'CI', expiresAt))
        .thenThrows('invalid', 'expiresAt');
    });

    it('refuses anything but a SHA-256 hex digest as the hash, so a secret can never be recorded', () => {
      spec
        .given([])
        .when(create('k1', 'CI', null, 'lf_0123456789abcdefghijklmnopqrstuv'))
        .thenThrows('invalid', 'keyHash');
      spec
        .given([])
        .when(create('k1', 'CI', null, hash('A')))
        .thenThrows('invalid', 'keyHash');
    });

    it.each([
      ['revoke', revoke('k1')],
      ['delete', remove('k1')],
      ['rotate', rotate('k1', 'k2')],
    ])('cannot %s a key it does not have', (_, command) => {
      spec.given([]).when(command).thenThrows('not_found');
    });
  });

  describe('when a key is active', () => {
    const history: ApiKeyEvent[] = [created('k1', 'CI', nextYear)];

    it('revokes it', () => {
      spec
        .given(history)
        .when(revoke('k1'))
        .then([revoked('k1')]);
    });

    it('deletes it', () => {
      spec
        .given(history)
        .when(remove('k1'))
        .then([deleted('k1')]);
    });

    it('rotates it: revokes it and creates the new key with its name and expiry, in one decision', () => {
      spec
        .given(history)
        .when(rotate('k1', 'k2'))
        .then([revoked('k1'), created('k2', 'CI', nextYear, hash('b'), '…wxyz', t1)]);
    });

    it('rotates it under a new name and expiry', () => {
      spec
        .given(history)
        .when(rotate('k1', 'k2', { name: 'deploy', expiresAt: '2026-06-01T00:00:00.000Z' }))
        .then([revoked('k1'), created('k2', 'deploy', '2026-06-01T00:00:00.000Z', hash('b'), '…wxyz', t1)]);
    });

    it('rotates it into a key that never expires when given expiresAt null', () => {
      spec
        .given(history)
        .when(rotate('k1', 'k2', { expiresAt: null }))
        .then([revoked('k1'), created('k2', 'CI', null, hash('b'), '…wxyz', t1)]);
    });

    it('refuses a rotation with an explicit expiry in the past', () => {
      spec
        .given(history)
        .when(rotate('k1', 'k2', { expiresAt: t0 }))
        .thenThrows('invalid', 'expiresAt');
    });

    it('refuses a rotation under an invalid name', () => {
      spec
        .given(history)
        .when(rotate('k1', 'k2', { name: '' }))
        .thenThrows('invalid', 'name');
    });

    it('refuses a rotation onto an id already in use', () => {
      spec.given(history).when(rotate('k1', 'k1')).thenThrows('conflict');
    });

    it('refuses another key with the same id', () => {
      spec.given(history).when(create('k1')).thenThrows('conflict', 'k1');
    });

    it('creates a second key alongside it', () => {
      spec
        .given(history)
        .when(create('k2', 'other'))
        .then([created('k2', 'other')]);
    });
  });

  describe('when a key has expired but was never revoked', () => {
    const history: ApiKeyEvent[] = [created('k1', 'CI', '2026-01-01T12:00:00.000Z')];

    it('refuses to rotate it into an already expired key', () => {
      spec.given(history).when(rotate('k1', 'k2')).thenThrows('refused', 'expired');
    });

    it('rotates it when given a new expiry', () => {
      spec
        .given(history)
        .when(rotate('k1', 'k2', { expiresAt: nextYear }))
        .then([revoked('k1'), created('k2', 'CI', nextYear, hash('b'), '…wxyz', t1)]);
    });

    it('still revokes it', () => {
      spec
        .given(history)
        .when(revoke('k1'))
        .then([revoked('k1')]);
    });
  });

  describe('when a key is revoked', () => {
    const history: ApiKeyEvent[] = [created('k1'), revoked('k1')];

    it('does nothing when revoked again', () => {
      spec.given(history).when(revoke('k1')).then([]);
    });

    it('refuses to rotate it', () => {
      spec.given(history).when(rotate('k1', 'k2')).thenThrows('refused', 'revoked');
    });

    it('deletes it', () => {
      spec
        .given(history)
        .when(remove('k1'))
        .then([deleted('k1')]);
    });
  });

  describe('when a key is deleted', () => {
    const history: ApiKeyEvent[] = [created('k1'), deleted('k1')];

    it.each([
      ['revoke', revoke('k1')],
      ['delete', remove('k1')],
      ['rotate', rotate('k1', 'k2')],
    ])('cannot %s it: it is not found', (_, command) => {
      spec.given(history).when(command).thenThrows('not_found');
    });

    it('never lets its id be reused', () => {
      spec.given(history).when(create('k1')).thenThrows('conflict');
    });
  });

  describe('fold', () => {
    it('gives every key its status and hash after a rotation and a deletion', () => {
      const state = fold(apiKeyDecider, [
        created('k1'),
        revoked('k1'),
        created('k2', 'CI', null, hash('b'), '…wxyz', t1),
        created('k3', 'tmp'),
        deleted('k3'),
      ]);
      expect([...state.keys]).toEqual([
        ['k1', { status: 'revoked', name: 'CI', expiresAt: null, keyHash: hash('a') }],
        ['k2', { status: 'active', name: 'CI', expiresAt: null, keyHash: hash('b') }],
        ['k3', { status: 'deleted', name: 'tmp', expiresAt: null, keyHash: hash('a') }],
      ]);
    });

    it('does not mutate the state it was given', () => {
      const before = fold(apiKeyDecider, [created('k1')]);
      apiKeyDecider.evolve(before, revoked('k1'));
      expect(before.keys.get('k1')?.status).toBe('active');
    });
  });
});
