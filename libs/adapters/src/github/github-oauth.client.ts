import { createHash } from 'node:crypto';

export interface GitHubOAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `GITHUB_WEB_URL`: where `/login/oauth/*` lives (https://github.com, a GitHub Enterprise host, a test server). */
  readonly webUrl: string;
}

export interface GitHubOAuthToken {
  readonly accessToken: string;
  readonly refreshToken: string | null;
  readonly tokenExpiresAt: string | null;
  readonly scopes: readonly string[];
}

/** GitHub refused the code (`bad_verification_code`, a reused or expired code, a wrong client). */
export class GitHubOAuthError extends Error {
  constructor(
    readonly reason: 'no_access_token' | 'unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GitHubOAuthError';
  }
}

/** The two ends of GitHub's web OAuth flow: where to send the user, and the code exchange. */
export class GitHubOAuthClient {
  constructor(
    private readonly config: GitHubOAuthConfig,
    private readonly timeoutMs = 10_000,
  ) {}

  /** `codeVerifier`: PKCE (RFC 7636, S256); its challenge goes on the URL, the verifier itself only on the exchange. */
  authorizeUrl(state: string, codeVerifier: string): string {
    const url = new URL('/login/oauth/authorize', this.config.webUrl);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', pkceChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  async exchangeCode(code: string, codeVerifier: string, now = Date.now()): Promise<GitHubOAuthToken> {
    let response: Response;
    try {
      response = await fetch(new URL('/login/oauth/access_token', this.config.webUrl), {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: this.config.clientId,
          client_secret: this.config.clientSecret,
          code,
          code_verifier: codeVerifier,
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new GitHubOAuthError('unavailable', 'GitHub could not be reached for the code exchange', { cause: error });
    }
    if (!response.ok) throw new GitHubOAuthError('unavailable', `GitHub answered the code exchange with HTTP ${response.status}`);
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    // GitHub reports a bad code with 200 and an `error` field.
    if (typeof body.access_token !== 'string' || body.access_token.length === 0) {
      throw new GitHubOAuthError(
        'no_access_token',
        `GitHub returned no access token${typeof body.error === 'string' ? ` (${body.error})` : ''}`,
      );
    }
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
      tokenExpiresAt: typeof body.expires_in === 'number' ? new Date(now + body.expires_in * 1000).toISOString() : null,
      scopes: typeof body.scope === 'string' && body.scope.length > 0 ? body.scope.split(',') : [],
    };
  }
}

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export const pkceChallenge = (codeVerifier: string): string => createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
