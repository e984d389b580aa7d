import type { Command } from '../core/event.js';

/**
 * Ids, times and the key material come in on the command; the decider sees only the hash and the
 * preview of a secret, never the secret itself.
 */
export type CreateApiKey = Command<
  'CreateApiKey',
  {
    readonly userId: string;
    readonly keyId: string;
    readonly name: string;
    readonly keyHash: string;
    readonly keyPreview: string;
    readonly expiresAt: string | null;
    readonly at: string;
  }
>;
export type RevokeApiKey = Command<'RevokeApiKey', { readonly userId: string; readonly keyId: string; readonly at: string }>;
export type DeleteApiKey = Command<'DeleteApiKey', { readonly userId: string; readonly keyId: string; readonly at: string }>;
/** `name` and `expiresAt` default to the old key's; `expiresAt: null` makes the new key never expire. */
export type RotateApiKey = Command<
  'RotateApiKey',
  {
    readonly userId: string;
    readonly keyId: string;
    readonly newKeyId: string;
    readonly newKeyHash: string;
    readonly newKeyPreview: string;
    readonly name?: string;
    readonly expiresAt?: string | null;
    readonly at: string;
  }
>;

export type ApiKeyCommand = CreateApiKey | RevokeApiKey | DeleteApiKey | RotateApiKey;
