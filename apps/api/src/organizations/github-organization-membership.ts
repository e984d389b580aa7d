import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { GitHubInstallationsSource } from '#adapters';
import { ApiError } from '../common/api-error.js';
import { GITHUB_INSTALLATIONS, GitHubIntegrationService, asGitHubApiError } from '../integrations/github-integration.service.js';

/**
 * `clerk.addUserToOrganization`'s check: the original asked GitHub
 * (`GET /orgs/{org}/memberships/{username}`, with its user's token) and required `state: "active"`
 * before granting the GitHub role. Ours asks the same with the caller's stored GitHub token; the
 * role comes from GitHub's answer, never from the request.
 */
@Injectable()
export class GitHubOrganizationMembership {
  constructor(
    private readonly integrations: GitHubIntegrationService,
    @Inject(GITHUB_INSTALLATIONS) private readonly github: GitHubInstallationsSource,
  ) {}

  /** GitHub's role (`admin`, `member`, …) of an active member; 422 `github_membership_required` otherwise. */
  async activeRole(callerId: string, org: string, username: string): Promise<string> {
    const { token } = await this.integrations.openToken(callerId).catch((error: unknown) => {
      // "Not connected" is the caller's state, not a missing resource of this route.
      if (error instanceof ApiError && error.getStatus() === HttpStatus.NOT_FOUND)
        throw new ApiError(
          HttpStatus.UNPROCESSABLE_ENTITY,
          'github_not_connected',
          'Connect GitHub first: your GitHub token is used to verify the GitHub organization membership',
        );
      throw error;
    });
    let membership;
    try {
      membership = await this.github.getOrganizationMembership(token, org, username);
    } catch (error) {
      throw asGitHubApiError(error);
    }
    if (membership === null || membership.state !== 'active')
      throw new ApiError(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'github_membership_required',
        `GitHub does not show ${username} as an active member of the GitHub organization ${org}`,
        { field: 'githubUsername', state: membership?.state ?? null },
      );
    return membership.role;
  }
}
