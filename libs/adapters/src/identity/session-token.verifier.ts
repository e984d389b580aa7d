import { verifyToken } from '@clerk/backend';
import { principalFromClaims, type Principal } from './principal.js';

export interface SessionTokenVerifierOptions {
  /** PEM public key: verification without any network call (CLERK_JWT_KEY, or the local provider's key). */
  readonly jwtKey?: string;
  /** Without a jwtKey: the JWKS is fetched from Clerk once and cached by the SDK. */
  readonly secretKey?: string;
  readonly apiUrl?: string;
  /** Accepted `azp` values (origins of the frontends), when set. */
  readonly authorizedParties?: readonly string[];
  /** The accepted `iss` (the Clerk instance's frontend API URL), when set. */
  readonly issuer?: string;
}

/** Anything that turns a bearer session token into a verified principal. */
export interface SessionAuthenticator {
  verify(token: string): Promise<Principal>;
}

/**
 * Session tokens, Clerk's or the local provider's, are verified by `@clerk/backend` — one code
 * path — and the active organization (id, slug, role) is read from the token's claims, so a
 * request for it needs no lookup at all.
 */
export class SessionTokenVerifier implements SessionAuthenticator {
  constructor(private readonly options: SessionTokenVerifierOptions) {
    if (!options.jwtKey && !options.secretKey) throw new Error('A session token verifier needs CLERK_JWT_KEY or CLERK_SECRET_KEY');
  }

  async verify(token: string): Promise<Principal> {
    const payload = await verifyToken(token, {
      jwtKey: this.options.jwtKey,
      secretKey: this.options.secretKey,
      apiUrl: this.options.apiUrl,
      authorizedParties: this.options.authorizedParties ? [...this.options.authorizedParties] : undefined,
      issuer: this.options.issuer,
    });
    return principalFromClaims(payload as Record<string, unknown>);
  }
}
