import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { installationPayload, startFakeGitHub, type FakeGitHub } from '#testing';
import { GitHubTokenRejectedError, GitHubUnavailableError } from './github-installations.source.js';
import { OctokitInstallationsSource } from './octokit-installations.source.js';

let github: FakeGitHub;
let source: OctokitInstallationsSource;

beforeAll(async () => {
  github = await startFakeGitHub({ pageSize: 100 });
  source = new OctokitInstallationsSource({ baseUrl: github.url });
});

afterAll(async () => {
  await github?.close();
});

const calls = () => github.requests.get('GET /user/installations') ?? 0;

describe('Octokit installations source', () => {
  it('reads the installations a user token sees, in our shape', async () => {
    github.setInstallations('gho_user_one', [
      installationPayload(11, 'acme'),
      installationPayload(12, 'octocat', 'User'),
      {
        id: 13,
        account: { id: 130, slug: 'big-enterprise', avatar_url: null },
        permissions: { metadata: 'read' },
        created_at: '2026-02-01T00:00:00+01:00',
      },
    ]);

    const installations = await source.listUserInstallations('gho_user_one');

    expect(installations).toEqual([
      {
        id: '11',
        accountId: '110',
        accountLogin: 'acme',
        accountType: 'Organization',
        avatarUrl: 'https://avatars.example.test/acme',
        permissions: { contents: 'read', metadata: 'read' },
        installedAt: '2026-01-15T08:30:00.000Z',
      },
      expect.objectContaining({ id: '12', accountLogin: 'octocat', accountType: 'User' }),
      // An enterprise installation: its slug is the login, and it counts as an organization.
      expect.objectContaining({
        id: '13',
        accountLogin: 'big-enterprise',
        accountType: 'Organization',
        avatarUrl: null,
        installedAt: '2026-01-31T23:00:00.000Z',
      }),
    ]);
  });

  it('follows every page: 250 installations in 3 requests of 100', async () => {
    github.setInstallations(
      'gho_many',
      Array.from({ length: 250 }, (_, i) => installationPayload(1000 + i, `org-${i}`)),
    );
    const before = calls();

    const installations = await source.listUserInstallations('gho_many');

    expect(installations).toHaveLength(250);
    expect(new Set(installations.map((i) => i.id)).size).toBe(250);
    expect(calls() - before).toBe(3);
  });

  it('says the token was rejected when GitHub answers 401', async () => {
    await expect(source.listUserInstallations('gho_revoked')).rejects.toBeInstanceOf(GitHubTokenRejectedError);
  });

  it('says GitHub is unavailable when it fails', async () => {
    github.failNext(502);
    const error = await source.listUserInstallations('gho_user_one').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubUnavailableError);
    expect((error as GitHubUnavailableError).status).toBe(502);
  });

  describe('a GitHub organization membership (GET /orgs/{org}/memberships/{username})', () => {
    const route = () => github.routes.get('GET /orgs/{org}/memberships/{username}') ?? 0;

    it('answers GitHub’s state and role, or null for a non-member, one request each', async () => {
      github.setInstallations('gho_asker', []);
      github.setOrgMembership('Acme-Org', 'octo-dev', { state: 'active', role: 'admin' });
      github.setOrgMembership('acme-org', 'invited', { state: 'pending', role: 'member' });
      const before = route();

      expect(await source.getOrganizationMembership('gho_asker', 'acme-org', 'Octo-Dev')).toEqual({ state: 'active', role: 'admin' });
      expect(await source.getOrganizationMembership('gho_asker', 'acme-org', 'invited')).toEqual({ state: 'pending', role: 'member' });
      expect(await source.getOrganizationMembership('gho_asker', 'acme-org', 'stranger')).toBeNull();
      expect(await source.getOrganizationMembership('gho_asker', 'other-org', 'octo-dev')).toBeNull();
      expect(route() - before).toBe(4);
    });

    it('says the token was rejected on 401, and GitHub unavailable when it fails', async () => {
      await expect(source.getOrganizationMembership('gho_unknown_token', 'acme-org', 'octo-dev')).rejects.toBeInstanceOf(
        GitHubTokenRejectedError,
      );
      github.failNext(503);
      await expect(source.getOrganizationMembership('gho_asker', 'acme-org', 'octo-dev')).rejects.toBeInstanceOf(GitHubUnavailableError);
    });
  });

  it('says GitHub is unavailable when nothing listens at the address', async () => {
    const closed = await startFakeGitHub();
    await closed.close();
    await expect(
      new OctokitInstallationsSource({ baseUrl: closed.url, timeoutMs: 2_000 }).listUserInstallations('gho_user_one'),
    ).rejects.toBeInstanceOf(GitHubUnavailableError);
  });
});
