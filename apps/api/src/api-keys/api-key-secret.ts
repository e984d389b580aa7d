import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'lf_';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const RANDOM_LENGTH = 32;
/** The largest multiple of 62 that fits in a byte: bytes at or above it are discarded, so `% 62` is unbiased. */
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);
const API_KEY_FORMAT = new RegExp(`^${API_KEY_PREFIX}[A-Za-z0-9]{${RANDOM_LENGTH}}$`);

export interface ApiKeyMaterial {
  /** Shown to the caller once, never stored or logged. */
  readonly secret: string;
  readonly hash: string;
  readonly preview: string;
}

/** `lf_` + 32 characters of [A-Za-z0-9]: about 190 bits from the CSPRNG. */
export function generateApiKeySecret(): string {
  let out = '';
  while (out.length < RANDOM_LENGTH) {
    for (const byte of randomBytes(RANDOM_LENGTH)) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += ALPHABET[byte % ALPHABET.length];
      if (out.length === RANDOM_LENGTH) break;
    }
  }
  return API_KEY_PREFIX + out;
}

/**
 * SHA-256 hex. A plain hash (no salt, no slow KDF) is enough for 190-bit random secrets, and it
 * keeps authentication a single indexed lookup by hash.
 */
export const hashApiKey = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export const apiKeyPreview = (secret: string): string => `…${secret.slice(-4)}`;

/** Whether a bearer token is meant as an API key (as opposed to a session JWT). */
export const isApiKeyToken = (token: string): boolean => token.startsWith(API_KEY_PREFIX);

export const isWellFormedApiKey = (token: string): boolean => API_KEY_FORMAT.test(token);

export function newApiKeyMaterial(): ApiKeyMaterial {
  const secret = generateApiKeySecret();
  return { secret, hash: hashApiKey(secret), preview: apiKeyPreview(secret) };
}
