/** An installation of the GitHub App that a user's token can see (`GET /user/installations`). */
export interface GitHubUserInstallation {
  readonly id: string;
  readonly accountId: string;
  /** An organization's or user's login; an enterprise's slug. */
  readonly accountLogin: string;
  readonly accountType: 'User' | 'Organization';
  readonly avatarUrl: string | null;
  readonly permissions: Readonly<Record<string, string>>;
  readonly installedAt: string;
}

/**
 * Reads, with a user's OAuth token, the installations of the GitHub App that user can access.
 * A port so the API depends on this question and not on Octokit; the adapter is
 * `OctokitInstallationsSource`, tested against a fake GitHub on loopback.
 */
export interface GitHubInstallationsSource {
  /** Every installation, all pages. Throws `GitHubTokenRejectedError` or `GitHubUnavailableError`. */
  listUserInstallations(accessToken: string): Promise<GitHubUserInstallation[]>;
}

/** GitHub answered 401: the token was revoked or has expired; the user must connect again. */
export class GitHubTokenRejectedError extends Error {
  constructor(message = 'GitHub rejected the access token') {
    super(message);
    this.name = 'GitHubTokenRejectedError';
  }
}

/** GitHub could not be reached, failed, timed out or rate-limited us: worth retrying later. */
export class GitHubUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GitHubUnavailableError';
  }
}
