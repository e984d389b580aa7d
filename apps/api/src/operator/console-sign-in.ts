import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { LocalIdentityProvider, OrgRole } from '#adapters';
import { LOCAL_IDENTITY } from '#runtime';
import { ApiError } from '../common/api-error.js';

export interface SignInClaims {
  readonly userId: string;
  readonly organizationSlug: string;
  readonly organizationId?: string;
  readonly role: OrgRole;
}

/** An unused code expires after this long; the session it is exchanged for lasts `SESSION_HOURS`. */
const CODE_TTL_MS = 24 * 3600_000;
const SESSION_HOURS = 12;

/**
 * One-time sign-in codes for the console in local mode: the start banner prints a link with one,
 * the browser exchanges it once for a local session token. Kept in this process's memory (hashed):
 * `npm start` runs the api in the process that prints the banner; a code never reaches another api
 * process and does not survive a restart (the next start prints a new one).
 */
@Injectable()
export class ConsoleSignIn {
  private readonly codes = new Map<string, { claims: SignInClaims; expiresAt: number }>();

  constructor(@Inject(LOCAL_IDENTITY) private readonly identity: LocalIdentityProvider) {}

  issue(claims: SignInClaims, now = Date.now()): string {
    for (const [hash, entry] of this.codes) if (entry.expiresAt <= now) this.codes.delete(hash);
    const code = randomBytes(24).toString('base64url');
    this.codes.set(digest(code), { claims, expiresAt: now + CODE_TTL_MS });
    return code;
  }

  /** Deleted before the token is minted: two requests racing with one code get one session. */
  async exchange(code: string): Promise<{ token: string; expiresAt: string }> {
    const hash = digest(code);
    const entry = this.codes.get(hash);
    this.codes.delete(hash);
    if (!entry || entry.expiresAt <= Date.now())
      throw new ApiError(
        HttpStatus.UNAUTHORIZED,
        'invalid_sign_in_code',
        'The sign-in code is unknown, used or expired; restart Console for a new link',
      );
    const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000).toISOString();
    const token = await this.identity.mint({ ...entry.claims, expiresIn: `${SESSION_HOURS}h` });
    return { token, expiresAt };
  }
}

const digest = (code: string) => createHash('sha256').update(code).digest('hex');
