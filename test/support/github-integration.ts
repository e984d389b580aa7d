import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { OctokitInstallationsSource } from '#adapters';
import {
  StoreGitHubOAuthResultCommand,
  StoreGitHubOAuthResultHandler,
} from '../../apps/api/src/integrations/store-github-oauth-result.handler.js';
import type { TestApp } from './app.js';
import { installationPayload, type FakeGitHub } from '#testing';

/**
 * A user's GitHub integration seeing one installation of `owner`, stored through the service the
 * OAuth callback calls (the callback itself needs a browser round trip), as in integrations.e2e.ts.
 */
export async function connectGitHubIntegration(
  app: TestApp,
  github: FakeGitHub,
  { userId, installationId, owner }: { userId: string; installationId: number; owner: string },
) {
  const userToken = `gho_${randomUUID().replaceAll('-', '')}`;
  github.setInstallations(userToken, [installationPayload(installationId, owner)]);
  const source = new OctokitInstallationsSource({ baseUrl: github.url });
  return new StoreGitHubOAuthResultHandler(app.runtime.cipher, app.runtime.store).execute(
    new StoreGitHubOAuthResultCommand(
      userId,
      { accessToken: userToken, scopes: [], installations: await source.listUserInstallations(userToken) },
      { commandId: randomUUID(), userId },
    ),
  );
}

/** One public repository registered as a resource of the integration, over HTTP; returns its resource id. */
export async function registerRepositoryResource(
  app: TestApp,
  token: string,
  integrationId: string,
  { installationId, repoId, fullName }: { installationId: number; repoId: number; fullName: string },
): Promise<string> {
  const repoName = fullName.split('/')[1]!;
  const response = await app.request('POST', `/v1/me/integrations/${integrationId}/resources`, {
    token,
    body: {
      resources: [{ installationId, repoId, repoName, repoFullName: fullName, defaultBranch: 'main', isPrivate: false, isArchived: false }],
    },
  });
  expect(response.status).toBe(201);
  return response.body.resources[0].id;
}

/**
 * Makes `installationId` (an installation of `owner` on the fake GitHub) one that organization
 * `org` owns, as a member does in production: their GitHub integration lists it, and they bind it
 * (`POST /v1/orgs/{org}/github/installations`, GitHub's listing read fresh). Returns the integration.
 */
export async function ownInstallation(
  app: TestApp,
  github: FakeGitHub,
  { token, userId, org, installationId, owner }: { token: string; userId: string; org: string; installationId: number; owner: string },
) {
  const integration = await connectGitHubIntegration(app, github, { userId, installationId, owner });
  const bound = await app.request('POST', `/v1/orgs/${org}/github/installations`, {
    token,
    body: { installationId: String(installationId) },
  });
  expect([200, 201]).toContain(bound.status);
  // The bind's own position: what a read must wait for to see the binding.
  return { ...integration, boundPosition: bound.body.position as string };
}
