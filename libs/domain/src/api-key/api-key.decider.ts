import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { ApiKeyCommand } from './api-key.commands.js';
import type { ApiKeyCreated, ApiKeyEvent, ApiKeyRevoked } from './api-key.events.js';

export const API_KEY_NAME_MAX_LENGTH = 100;

export type ApiKeyStatus = 'active' | 'revoked' | 'deleted';

export interface ApiKeyState {
  readonly status: ApiKeyStatus;
  readonly name: string;
  readonly expiresAt: string | null;
  /** Lets the authenticator decide from the stream alone when the read model lags. */
  readonly keyHash: string;
}

/** The keys of one user. Deleted keys stay (as `deleted`) so their ids are never reused. */
export interface ApiKeyRing {
  readonly keys: ReadonlyMap<string, ApiKeyState>;
}

const initialState = (): ApiKeyRing => ({ keys: new Map() });

/**
 * A hash is 64 lower-case hex digits. Checked so that a caller that passed the secret by mistake is
 * refused instead of writing it to the event log in clear.
 */
const SHA256_HEX = /^[0-9a-f]{64}$/;
const PREVIEW_MAX_LENGTH = 8;

function decide(command: ApiKeyCommand, state: ApiKeyRing): ApiKeyEvent[] {
  const { userId, at } = command.data;
  switch (command.type) {
    case 'CreateApiKey': {
      const { keyId, name, keyHash, keyPreview, expiresAt } = command.data;
      requireNewId(state, keyId);
      requireName(name);
      requireKeyMaterial(keyHash, keyPreview);
      if (expiresAt !== null) requireFuture(expiresAt, at);
      return [created(userId, keyId, name, keyHash, keyPreview, expiresAt, at)];
    }
    case 'RevokeApiKey': {
      const key = requireKey(state, command.data.keyId);
      // Revocation states an outcome ("this key no longer works"); asking again is a no-op, not an error.
      if (key.status === 'revoked') return [];
      return [revoked(userId, command.data.keyId, at)];
    }
    case 'DeleteApiKey':
      requireKey(state, command.data.keyId);
      return [{ type: 'ApiKeyDeleted', data: { userId, keyId: command.data.keyId, deletedAt: at } }];
    case 'RotateApiKey': {
      const { keyId, newKeyId, newKeyHash, newKeyPreview } = command.data;
      const key = requireKey(state, keyId);
      if (key.status === 'revoked')
        throw new DomainError('refused', `API key ${keyId} is revoked and cannot be rotated`, { status: key.status });
      requireNewId(state, newKeyId);
      requireKeyMaterial(newKeyHash, newKeyPreview);
      const name = command.data.name ?? key.name;
      requireName(name);
      const inherited = command.data.expiresAt === undefined;
      const expiresAt = inherited ? key.expiresAt : (command.data.expiresAt ?? null);
      if (expiresAt !== null) {
        // The old key's expiry carries over; once it has passed, the state (not the request) is at fault.
        if (inherited && !(Date.parse(expiresAt) > Date.parse(at))) {
          throw new DomainError('refused', `API key ${keyId} expired at ${expiresAt}; pass a new expiresAt (or null) to rotate it`, {
            field: 'expiresAt',
          });
        }
        requireFuture(expiresAt, at);
      }
      // Both events in one decision, hence one append: there is no moment with both keys active or neither.
      return [revoked(userId, keyId, at), created(userId, newKeyId, name, newKeyHash, newKeyPreview, expiresAt, at)];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: ApiKeyRing, event: ApiKeyEvent): ApiKeyRing {
  const keys = new Map(state.keys);
  switch (event.type) {
    case 'ApiKeyCreated':
      keys.set(event.data.keyId, { status: 'active', name: event.data.name, expiresAt: event.data.expiresAt, keyHash: event.data.keyHash });
      return { keys };
    case 'ApiKeyRevoked':
    case 'ApiKeyDeleted': {
      const key = keys.get(event.data.keyId);
      if (key) keys.set(event.data.keyId, { ...key, status: event.type === 'ApiKeyRevoked' ? 'revoked' : 'deleted' });
      return { keys };
    }
    default:
      return assertNever(event);
  }
}

const created = (
  userId: string,
  keyId: string,
  name: string,
  keyHash: string,
  keyPreview: string,
  expiresAt: string | null,
  at: string,
): ApiKeyCreated => ({
  type: 'ApiKeyCreated',
  data: { userId, keyId, name, keyHash, keyPreview, expiresAt, createdAt: at },
});
const revoked = (userId: string, keyId: string, at: string): ApiKeyRevoked => ({
  type: 'ApiKeyRevoked',
  data: { userId, keyId, revokedAt: at },
});

/** Unknown and deleted keys look alike, and so do another user's keys: they are not in this stream. */
function requireKey(state: ApiKeyRing, keyId: string): ApiKeyState & { status: 'active' | 'revoked' } {
  const key = state.keys.get(keyId);
  if (!key || key.status === 'deleted') throw new DomainError('not_found', 'API key not found');
  return key as ApiKeyState & { status: 'active' | 'revoked' };
}

function requireNewId(state: ApiKeyRing, keyId: string): void {
  if (state.keys.has(keyId)) throw new DomainError('conflict', `API key ${keyId} already exists`);
}

function requireName(name: string): void {
  if (name.length < 1 || name.length > API_KEY_NAME_MAX_LENGTH || name.trim().length === 0) {
    throw new DomainError('invalid', `API key name must be 1–${API_KEY_NAME_MAX_LENGTH} characters and not blank`, { field: 'name' });
  }
}

function requireKeyMaterial(keyHash: string, keyPreview: string): void {
  if (!SHA256_HEX.test(keyHash)) throw new DomainError('invalid', 'keyHash must be a SHA-256 hex digest', { field: 'keyHash' });
  if (keyPreview.length < 1 || keyPreview.length > PREVIEW_MAX_LENGTH)
    throw new DomainError('invalid', `keyPreview must be 1–${PREVIEW_MAX_LENGTH} characters`, { field: 'keyPreview' });
}

function requireFuture(expiresAt: string, at: string): void {
  const expires = Date.parse(expiresAt);
  if (Number.isNaN(expires)) throw new DomainError('invalid', `expiresAt is not a date: ${expiresAt}`, { field: 'expiresAt' });
  if (!(expires > Date.parse(at)))
    throw new DomainError('invalid', `expiresAt must be in the future (after ${at})`, { field: 'expiresAt' });
}

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyRing> = { decide, evolve, initialState };
