import type { DomainEvent } from '../core/event.js';

/** Only the SHA-256 hash of the secret is ever recorded: the event log must not be a key store. */
export type ApiKeyCreated = DomainEvent<
  'ApiKeyCreated',
  {
    readonly userId: string;
    readonly keyId: string;
    readonly name: string;
    readonly keyHash: string;
    readonly keyPreview: string;
    readonly expiresAt: string | null;
    readonly createdAt: string;
  }
>;
export type ApiKeyRevoked = DomainEvent<'ApiKeyRevoked', { readonly userId: string; readonly keyId: string; readonly revokedAt: string }>;
export type ApiKeyDeleted = DomainEvent<'ApiKeyDeleted', { readonly userId: string; readonly keyId: string; readonly deletedAt: string }>;

export type ApiKeyEvent = ApiKeyCreated | ApiKeyRevoked | ApiKeyDeleted;
export const API_KEY_EVENT_TYPES: readonly ApiKeyEvent['type'][] = ['ApiKeyCreated', 'ApiKeyRevoked', 'ApiKeyDeleted'];

/**
 * A key authenticated a request. Recorded at most once per key per throttle interval, on a stream of
 * its own (`apiKeyUsageStreamId`), never on the user's key stream: that stream is read and folded by
 * every key command, and usage would grow it without bound (a busy key: one event a minute) and
 * contend for its revision with revoke and rotate. No invariant governs usage, so it needs no decider.
 */
export type ApiKeyUsed = DomainEvent<'ApiKeyUsed', { readonly userId: string; readonly keyId: string; readonly usedAt: string }>;
export const API_KEY_USAGE_EVENT_TYPES: readonly ApiKeyUsed['type'][] = ['ApiKeyUsed'];

/**
 * All keys of one user live in one stream: ownership is "the key is in the caller's stream", and a
 * rotation (revoke the old key, create the new one) is a single append, atomic by construction.
 */
export const apiKeyStreamId = (userId: string) => `api-keys-${userId}`;
export const apiKeyUsageStreamId = (keyId: string) => `api-key-usage-${keyId}`;

/**
 * Whose key stream holds a key hash, on a stream named by the hash. Appended once the key is created
 * and before its secret is shown, so any API process can authenticate a key the read model has not
 * projected yet with two point reads of the log (this stream, then the owner's key stream). The
 * pointer grants nothing by itself: a key works only while the owner's stream holds it active.
 */
export type ApiKeyHashRegistered = DomainEvent<'ApiKeyHashRegistered', { readonly userId: string; readonly keyId: string }>;
export const apiKeyHashStreamId = (keyHash: string) => `api-key-hash-${keyHash}`;
