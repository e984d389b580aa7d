import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Principal, SessionAuthenticator } from '#adapters';

/** Longest a verification is reused, whatever the token's own expiry: bounds how long a rotated-out signing key keeps working. */
export const VERIFIED_TOKEN_MAX_AGE_MS = 60_000;
const MAX_TOKENS = 10_000;

interface Verified {
  readonly principal: Principal;
  readonly expiresAt: number;
}

/**
 * Session tokens already verified, so a client's next request with the same token costs a hash
 * instead of an RS256 verification (about a tenth of a dashboard request's CPU). A hit needs the
 * identical token string (keyed by its SHA-256, the token itself is not kept) and ends at the
 * token's `exp`, as verification would, or `VERIFIED_TOKEN_MAX_AGE_MS` after it was verified.
 * A token that fails verification is never remembered: every attempt is verified and counted.
 */
export class VerifiedTokens {
  private readonly entries = new LRUCache<string, Verified>({ max: MAX_TOKENS });

  constructor(
    private readonly authenticator: SessionAuthenticator,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<Principal> {
    const key = createHash('sha256').update(token).digest('base64url');
    const known = this.entries.get(key);
    if (known && known.expiresAt > this.now()) return known.principal;
    const principal = Object.freeze(await this.authenticator.verify(token));
    const expiresAt = expiryOf(token);
    if (expiresAt !== null) this.entries.set(key, { principal, expiresAt: Math.min(expiresAt, this.now() + VERIFIED_TOKEN_MAX_AGE_MS) });
    else this.entries.delete(key);
    return principal;
  }
}

/** The `exp` (in ms) of a token that has just been verified; null when it states none (not cached then). */
function expiryOf(token: string): number | null {
  try {
    const exp = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}
