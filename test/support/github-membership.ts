import type { FakeGitHub } from '#testing';
import type { TestApp } from './app.js';
import { connectGitHubIntegration } from './github-integration.js';

/** The GitHub organization whose memberships `addMemberFromGitHub` sets on the fake GitHub. */
export const GITHUB_MEMBERS_ORG = 'gh-members';

/** The caller's GitHub integration, whose token `POST /orgs/{org}/members/from-github` asks GitHub with. */
export async function connectMembershipVerifier(app: TestApp, github: FakeGitHub, userId: string, installationId = 9_900_001) {
  return connectGitHubIntegration(app, github, { userId, installationId, owner: GITHUB_MEMBERS_ORG });
}

/** A GitHub login for a test user id (`user_x` → `gh-user-x`). */
export const githubLoginFor = (userId: string) => `gh-${userId.replace(/_/g, '-')}`;

/**
 * Adds `userId` to `org` through the route, as GitHub shows them (an active member of
 * `GITHUB_MEMBERS_ORG` with `githubRole`); the caller must have run `connectMembershipVerifier`.
 */
export function addMemberFromGitHub(
  app: TestApp,
  github: FakeGitHub,
  { token, org, userId, githubRole }: { token: string; org: string; userId: string; githubRole: 'admin' | 'member' | 'billing_manager' },
) {
  const githubUsername = githubLoginFor(userId);
  github.setOrgMembership(GITHUB_MEMBERS_ORG, githubUsername, { state: 'active', role: githubRole });
  return app.request('POST', `/v1/orgs/${org}/members/from-github`, {
    token,
    body: { userId, githubOrgSlug: GITHUB_MEMBERS_ORG, githubUsername },
  });
}
