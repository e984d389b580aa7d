import type { InstallationRepository } from './installation-repositories.js';

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
  /**
   * The repositories of one installation that this user may see (`GET /user/installations/{id}/repositories`,
   * all pages): GitHub intersects the installation's repositories with the user's own access.
   * Throws `GitHubTokenRejectedError`, `GitHubInstallationNotVisibleError` (not the user's) or `GitHubUnavailableError`.
   */
  listUserInstallationRepositories(accessToken: string, installationId: string): Promise<InstallationRepository[]>;
  /**
   * `username`'s membership of GitHub organization `org` as this token's user may see it; null
   * when GitHub answers 404 (not a member, or not visible to this user) or 403.
   * Throws `GitHubTokenRejectedError` or `GitHubUnavailableError`.
   */
  getOrganizationMembership(accessToken: string, org: string, username: string): Promise<GitHubOrganizationMembership | null>;
}

/** A user's membership of a GitHub organization, as `GET /orgs/{org}/memberships/{username}` describes it. */
export interface GitHubOrganizationMembership {
  /** `active`, or `pending` for an invitation not yet accepted. */
  readonly state: string;
  /** `admin`, `member` or `billing_manager`. */
  readonly role: string;
}

/** GitHub answered 403/404 for an installation the user's token cannot see. */
export class GitHubInstallationNotVisibleError extends Error {
  constructor(readonly installationId: string) {
    super(`Installation ${installationId} is not visible to this GitHub user`);
    this.name = 'GitHubInstallationNotVisibleError';
  }
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
