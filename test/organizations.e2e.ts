import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultWorkspaceName } from '#domain';
import { startFakeGitHub, type FakeGitHub } from '#testing';
import { startTestApp, type TestApp } from './support/app.js';
import { GITHUB_MEMBERS_ORG, addMemberFromGitHub, connectMembershipVerifier, githubLoginFor } from './support/github-membership.js';

/**
 * Organizations without Clerk (the local directory): creation with its default workspace,
 * slug uniqueness, renames, members from GitHub, and authorization by membership for
 * organizations other than the token's active one.
 */
let app: TestApp;
/** GitHub, asked for GitHub organization memberships when members are added from GitHub. */
let github: FakeGitHub;

beforeAll(async () => {
  github = await startFakeGitHub();
  app = await startTestApp({ config: { githubApiUrl: github.url } });
});

afterAll(async () => {
  await app?.close();
  await github?.close();
});

const membershipChecks = () => github.routes.get('GET /orgs/{org}/memberships/{username}') ?? 0;

const POSITION = expect.stringMatching(/^\d+\/\d+$/);
/** A token whose active organization is `home`: every other organization is reached through memberships. */
const tokenFor = (userId: string, org = 'home', role: 'admin' | 'member' = 'admin') => app.token({ userId, org, role });

async function createOrg(token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await app.request('POST', '/v1/orgs', { token, body, headers });
  expect({ status: response.status, body: response.body }).toEqual({ status: 201, body: expect.anything() });
  return response.body;
}

function expectInvalidField(response: { status: number; body: any }, field: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 400, code: 'invalid_request' });
  expect((response.body.error.details?.fields ?? []).map((f: { field: string }) => f.field)).toContain(field);
}

/** `ApiKeyUsed` is recorded off the request path, whatever the answer: not counted here. */
const withoutKeyUseAppending = <T>(send: () => Promise<T>) => app.withoutAppending(send, { ignoreKeyUse: true });

describe('organizations', () => {
  it('creates an organization: its creator is its admin and its default workspace exists, with a friendly name', async () => {
    const token = await tokenFor('user_owner');
    const before = await app.eventCount({ ignoreKeyUse: true });

    const created = await createOrg(token, { slug: 'acme-co', name: 'Acme Co' });

    const organizationId = 'org_local_acme-co';
    expect(created).toEqual({
      organizationId,
      slug: 'acme-co',
      name: 'Acme Co',
      defaultWorkspaceId: expect.any(String),
      defaultWorkspaceName: defaultWorkspaceName(organizationId),
      created: true,
      position: POSITION,
    });
    expect(created.defaultWorkspaceName).toMatch(/^[A-Z][a-z]+-[A-Z][a-z]+$/);
    // The slug reservation, the organization, its creator's membership, the default workspace.
    const types: Array<{ type: string }> = await app.runtime.dataSource.query(
      'SELECT type FROM es_events ORDER BY global_position OFFSET $1',
      [before],
    );
    expect(types.map((t) => t.type)).toEqual(['OrganizationSlugReserved', 'OrganizationCreated', 'MemberAdded', 'WorkspaceCreated']);

    const at = `?minPosition=${created.position}`;
    const organization = {
      id: organizationId,
      slug: 'acme-co',
      name: 'Acme Co',
      imageUrl: null,
      role: 'admin',
      createdAt: expect.any(String),
    };
    expect(await app.request('GET', `/v1/orgs/acme-co${at}`, { token })).toMatchObject({ status: 200, body: organization });
    expect(await app.request('GET', `/v1/orgs/by-id/${organizationId}${at}`, { token })).toMatchObject({ status: 200, body: organization });
    expect(await app.request('GET', `/v1/me/organizations${at}`, { token })).toMatchObject({ status: 200, body: [organization] });

    const slug = created.defaultWorkspaceName.toLowerCase();
    const defaultWorkspace = {
      workspaceId: created.defaultWorkspaceId,
      workspaceName: created.defaultWorkspaceName,
      workspaceSlug: slug,
      workspaceKey: `ws-${slug}`,
      clerkOrgId: organizationId,
    };
    expect(await app.request('GET', `/v1/orgs/acme-co/workspaces/default${at}`, { token })).toMatchObject({
      status: 200,
      body: defaultWorkspace,
    });
    expect(await app.request('GET', `/v1/orgs/by-id/${organizationId}/workspaces/default${at}`, { token })).toMatchObject({
      status: 200,
      body: defaultWorkspace,
    });
    // The workspace routes authorize through the same membership.
    const list = await app.request('GET', `/v1/orgs/acme-co/workspaces${at}`, { token });
    expect({ status: list.status, names: list.body.map((w: { name: string }) => w.name) }).toEqual({
      status: 200,
      names: [created.defaultWorkspaceName],
    });
    // A token whose active organization it is needs no lookup and sees the same.
    const activeToken = await app.token({ userId: 'user_owner', org: 'acme-co', role: 'admin' });
    expect(await app.request('GET', `/v1/orgs/acme-co/workspaces/default${at}`, { token: activeToken })).toMatchObject({
      status: 200,
      body: defaultWorkspace,
    });
  });

  it('answers a retry with the same Idempotency-Key from the stored events and appends nothing', async () => {
    const token = await tokenFor('user_retry');
    const headers = { 'idempotency-key': 'create-retry-1' };
    const first = await createOrg(token, { slug: 'retry-co' }, headers);
    expect(first).toMatchObject({ organizationId: 'org_local_retry-co', slug: 'retry-co', name: 'retry-co' });

    const again = await withoutKeyUseAppending(() => createOrg(token, { slug: 'retry-co' }, headers));

    expect(again).toEqual(first);
  });

  it('refuses a taken slug with 409 and appends nothing', async () => {
    const token = await tokenFor('user_first');
    await createOrg(token, { slug: 'taken-co' });

    const second = await withoutKeyUseAppending(async () =>
      app.request('POST', '/v1/orgs', { token: await tokenFor('user_second'), body: { slug: 'taken-co', name: 'Other' } }),
    );

    expect({ status: second.status, code: second.body.error.code }).toEqual({ status: 409, code: 'conflict' });
  });

  describe('clerk.createOrGetOrganization: a slug that is taken', () => {
    let first: any;
    let ownerToken: string;
    beforeAll(async () => {
      ownerToken = await tokenFor('user_got_owner');
      first = await createOrg(ownerToken, { slug: 'got-co', name: 'Got' });
    });

    it('answers a member with the organization holding it (200, created false), appending nothing', async () => {
      const again = await withoutKeyUseAppending(() =>
        app.request('POST', '/v1/orgs', { token: ownerToken, body: { slug: 'got-co', name: 'Other name' } }),
      );
      expect({ status: again.status, body: again.body }).toEqual({
        status: 200,
        body: {
          organizationId: first.organizationId,
          slug: 'got-co',
          name: 'Got',
          defaultWorkspaceId: first.defaultWorkspaceId,
          defaultWorkspaceName: first.defaultWorkspaceName,
          created: false,
          position: POSITION,
        },
      });
      // A plain member is answered the same way, and so is a member asking for the suffix retry.
      await connectMembershipVerifier(app, github, 'user_got_owner');
      const added = await addMemberFromGitHub(app, github, {
        token: ownerToken,
        org: 'got-co',
        userId: 'user_got_member',
        githubRole: 'member',
      });
      expect(added.status).toBe(200);
      const memberToken = await tokenFor('user_got_member');
      for (const body of [{ slug: 'got-co' }, { slug: 'got-co', suffixIfTaken: true }]) {
        const got = await withoutKeyUseAppending(() => app.request('POST', '/v1/orgs', { token: memberToken, body }));
        expect({ status: got.status, id: got.body.organizationId, created: got.body.created }).toEqual({
          status: 200,
          id: first.organizationId,
          created: false,
        });
      }
    });

    it('refuses a non-member with 409 that names the slug only, appending nothing', async () => {
      const response = await withoutKeyUseAppending(async () =>
        app.request('POST', '/v1/orgs', { token: await tokenFor('user_got_stranger'), body: { slug: 'got-co' } }),
      );
      expect({ status: response.status, code: response.body.error.code, details: response.body.error.details }).toEqual({
        status: 409,
        code: 'conflict',
        details: { field: 'slug' },
      });
      expect(JSON.stringify(response.body)).not.toMatch(/org_local|Got\b|user_got_owner/);
    });

    it('creates a non-member’s organization under <slug>-<epoch ms> when asked, as the original’s retry; its retry by Idempotency-Key answers the same', async () => {
      const token = await tokenFor('user_got_suffix');
      const headers = { 'idempotency-key': 'suffix-retry-1' };
      const before = Date.now();
      const created = await app.request('POST', '/v1/orgs', {
        token,
        body: { slug: 'got-co', name: 'Mine', suffixIfTaken: true },
        headers,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ slug: expect.stringMatching(/^got-co-\d{13}$/), name: 'Mine', created: true });
      const suffix = Number(created.body.slug.slice('got-co-'.length));
      expect(suffix).toBeGreaterThanOrEqual(before);
      expect(suffix).toBeLessThanOrEqual(Date.now());
      expect(created.body.organizationId).not.toBe(first.organizationId);
      const view = await app.request('GET', `/v1/orgs/${created.body.slug}?minPosition=${created.body.position}`, { token });
      expect(view.body).toMatchObject({ name: 'Mine', role: 'admin', imageUrl: null });

      const again = await withoutKeyUseAppending(() =>
        app.request('POST', '/v1/orgs', { token, body: { slug: 'got-co', name: 'Mine', suffixIfTaken: true }, headers }),
      );
      expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: created.body });
    });

    it('keeps a suffixed long slug within 39 characters', async () => {
      const long = `${'l'.repeat(30)}-long-co`;
      await createOrg(await tokenFor('user_long_owner'), { slug: long });
      const created = await app.request('POST', '/v1/orgs', {
        token: await tokenFor('user_long_other'),
        body: { slug: long, suffixIfTaken: true },
      });
      expect(created.status).toBe(201);
      expect(created.body.slug).toMatch(new RegExp(`^${'l'.repeat(25)}-\\d{13}$`));
    });

    it('refuses a suffixIfTaken that is not a boolean with 400 naming it', async () => {
      expectInvalidField(
        await withoutKeyUseAppending(async () =>
          app.request('POST', '/v1/orgs', { token: await tokenFor('user_got_bad'), body: { slug: 'got-co', suffixIfTaken: 'yes' } }),
        ),
        'suffixIfTaken',
      );
    });
  });

  it('lets exactly one of many concurrent creations of one slug win; the others get 409', async () => {
    const before = await app.eventCount({ ignoreKeyUse: true });
    const tokens = await Promise.all(Array.from({ length: 8 }, (_, i) => tokenFor(`user_racer_${i}`)));

    const responses = await Promise.all(
      tokens.map((token, i) => app.request('POST', '/v1/orgs', { token, body: { slug: 'race-co', name: `Racer ${i}` } })),
    );

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const winner = responses.find((r) => r.status === 201)!.body;
    // One organization, one admin (the winner), one default workspace: nothing from the losers.
    expect(await app.eventCount({ ignoreKeyUse: true })).toBe(before + 4);
    const members: Array<{ user_id: string }> = await app.runtime.dataSource.query(
      `SELECT data->>'userId' AS user_id FROM es_events WHERE type = 'MemberAdded' AND stream_id = 'organization-org_local_race-co'`,
    );
    expect(members).toHaveLength(1);
    const view = await app.request('GET', `/v1/orgs/race-co?minPosition=${winner.position}`, {
      token: tokens[Number(members[0]!.user_id.split('_').at(-1))]!,
    });
    expect(view.body).toMatchObject({ name: winner.name, role: 'admin' });
  });

  it('rejects invalid input with a 400 naming the field, calling nothing and appending nothing', async () => {
    const token = await tokenFor('user_invalid');
    const cases: Array<[unknown, string]> = [
      [{ slug: 'ab' }, 'slug'],
      [{ slug: 'Acme' }, 'slug'],
      [{ slug: 'ac--me' }, 'slug'],
      [{ slug: '-acme' }, 'slug'],
      [{ slug: 'by-id' }, 'slug'],
      [{ slug: 'a'.repeat(40) }, 'slug'],
      [{ slug: 42 }, 'slug'],
      [{}, 'slug'],
      [{ slug: 'valid-slug', name: '' }, 'name'],
      [{ slug: 'valid-slug', name: '   ' }, 'name'],
      [{ slug: 'valid-slug', name: 'n'.repeat(101) }, 'name'],
      [{ slug: 'valid-slug', extra: true }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const response = await withoutKeyUseAppending(() => app.request('POST', '/v1/orgs', { token, body }));
      expectInvalidField(response, field);
    }
  });

  describe('an organization with an admin and members added from GitHub', () => {
    let adminToken: string;
    let created: any;
    beforeAll(async () => {
      adminToken = await tokenFor('user_admin');
      created = await createOrg(adminToken, { slug: 'team-co', name: 'Team' });
      await connectMembershipVerifier(app, github, 'user_admin');
    });
    const addFromGitHub = (userId: string, githubRole: 'admin' | 'member' | 'billing_manager') =>
      addMemberFromGitHub(app, github, { token: adminToken, org: 'team-co', userId, githubRole });

    it('adds users as GitHub shows them: a GitHub admin becomes an admin, any other GitHub role a member', async () => {
      const cases: Array<[string, 'admin' | 'member' | 'billing_manager', string]> = [
        ['user_gh_admin', 'admin', 'admin'],
        ['user_gh_member', 'member', 'member'],
        ['user_gh_billing', 'billing_manager', 'member'],
      ];
      let position = created.position;
      const checksBefore = membershipChecks();
      for (const [userId, githubRole, role] of cases) {
        const response = await addFromGitHub(userId, githubRole);
        expect(response).toEqual({
          status: 200,
          body: {
            userId,
            githubOrgSlug: GITHUB_MEMBERS_ORG,
            githubUsername: githubLoginFor(userId),
            githubRole,
            role,
            position: POSITION,
          },
          headers: expect.anything(),
        });
        position = response.body.position;
      }
      // One GitHub question per addition.
      expect(membershipChecks() - checksBefore).toBe(3);
      const memberToken = await tokenFor('user_gh_member');
      const view = await app.request('GET', `/v1/orgs/team-co?minPosition=${position}`, { token: memberToken });
      expect(view).toMatchObject({ status: 200, body: { id: 'org_local_team-co', role: 'member' } });
      const theirs = await app.request('GET', `/v1/me/organizations?minPosition=${position}`, { token: memberToken });
      expect(theirs.body.map((o: { slug: string; role: string }) => [o.slug, o.role])).toEqual([['team-co', 'member']]);
      // A member reaches the organization's workspaces too; the second admin can act as admin.
      expect((await app.request('GET', '/v1/orgs/team-co/workspaces/default', { token: memberToken })).status).toBe(200);
      const rename = await app.request('PATCH', '/v1/orgs/team-co', {
        token: await tokenFor('user_gh_admin'),
        body: { name: 'Team (GitHub admin)' },
      });
      expect(rename).toMatchObject({ status: 200, body: { success: true, name: 'Team (GitHub admin)' } });
    });

    it('changes the role of an existing member when GitHub’s role changed, and re-adding with the same role appends nothing', async () => {
      const promote = await addFromGitHub('user_gh_billing', 'admin');
      expect(promote.body.role).toBe('admin');
      const changed: Array<{ type: string }> = await app.runtime.dataSource.query(
        `SELECT type FROM es_events WHERE stream_id = 'organization-org_local_team-co' ORDER BY stream_revision DESC LIMIT 1`,
      );
      expect(changed).toEqual([{ type: 'MemberRoleChanged' }]);
      await withoutKeyUseAppending(() => addFromGitHub('user_gh_billing', 'admin'));
    });

    it('grants nothing GitHub does not confirm: no membership, a pending invitation, or GitHub down; the request’s role is not accepted', async () => {
      const login = githubLoginFor('user_gh_stranger');
      const add = (body: Record<string, unknown> = {}) =>
        withoutKeyUseAppending(() =>
          app.request('POST', '/v1/orgs/team-co/members/from-github', {
            token: adminToken,
            body: { userId: 'user_gh_stranger', githubOrgSlug: GITHUB_MEMBERS_ORG, githubUsername: login, ...body },
          }),
        );
      const notMember = await add();
      expect({ status: notMember.status, code: notMember.body.error.code, field: notMember.body.error.details.field }).toEqual({
        status: 422,
        code: 'github_membership_required',
        field: 'githubUsername',
      });
      github.setOrgMembership(GITHUB_MEMBERS_ORG, login, { state: 'pending', role: 'admin' });
      const pending = await add();
      expect({ status: pending.status, code: pending.body.error.code, state: pending.body.error.details.state }).toEqual({
        status: 422,
        code: 'github_membership_required',
        state: 'pending',
      });
      // Another GitHub organization than the one the user is in: not a member there.
      github.setOrgMembership(GITHUB_MEMBERS_ORG, login, { state: 'active', role: 'admin' });
      expect((await add({ githubOrgSlug: 'another-gh-org' })).status).toBe(422);
      // The caller cannot state the role: the field is refused, whatever GitHub says.
      expectInvalidField(await add({ githubRole: 'admin' }), 'githubRole');
      github.failNext(503);
      const down = await add();
      expect({ status: down.status, code: down.body.error.code }).toEqual({ status: 503, code: 'github_unavailable' });
      github.setOrgMembership(GITHUB_MEMBERS_ORG, login, null);
      const view = await app.request('GET', '/v1/orgs/team-co', { token: await tokenFor('user_gh_stranger') });
      expect(view.status).toBe(403);
    });

    it('needs the caller’s own GitHub connection to ask GitHub: an admin without one gets 422 and nothing is appended', async () => {
      const secondAdmin = await tokenFor('user_gh_admin');
      const response = await withoutKeyUseAppending(() =>
        app.request('POST', '/v1/orgs/team-co/members/from-github', {
          token: secondAdmin,
          body: { userId: 'user_x', githubOrgSlug: GITHUB_MEMBERS_ORG, githubUsername: 'gh-user-x' },
        }),
      );
      expect({ status: response.status, code: response.body.error.code }).toEqual({ status: 422, code: 'github_not_connected' });
    });

    it('lets only admins rename the organization or add members: members get 403 and nothing is appended', async () => {
      const memberToken = await tokenFor('user_gh_member');
      await app.request('GET', `/v1/orgs/team-co?minPosition=${created.position}`, { token: memberToken });
      const rename = await withoutKeyUseAppending(() =>
        app.request('PATCH', '/v1/orgs/team-co', { token: memberToken, body: { name: 'Hijacked' } }),
      );
      expect({ status: rename.status, code: rename.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
      github.setOrgMembership(GITHUB_MEMBERS_ORG, 'gh-user-x', { state: 'active', role: 'admin' });
      const checksBefore = membershipChecks();
      const add = await withoutKeyUseAppending(() =>
        app.request('POST', '/v1/orgs/team-co/members/from-github', {
          token: memberToken,
          body: { userId: 'user_x', githubOrgSlug: GITHUB_MEMBERS_ORG, githubUsername: 'gh-user-x' },
        }),
      );
      expect(add.status).toBe(403);
      // Refused before GitHub is asked.
      expect(membershipChecks()).toBe(checksBefore);
      github.setOrgMembership(GITHUB_MEMBERS_ORG, 'gh-user-x', null);
      // A member whose token has the organization active, but as a member, is refused the same way.
      const activeMember = await app.token({ userId: 'user_gh_member', org: 'team-co', role: 'member' });
      expect(
        (await withoutKeyUseAppending(() => app.request('PATCH', '/v1/orgs/team-co', { token: activeMember, body: { name: 'Hijacked' } })))
          .status,
      ).toBe(403);
    });

    it('renames for an admin; renaming to the current name appends nothing', async () => {
      const renamed = await app.request('PATCH', '/v1/orgs/team-co', { token: adminToken, body: { name: 'Team Renamed' } });
      expect(renamed).toMatchObject({ status: 200, body: { success: true, name: 'Team Renamed', position: POSITION } });
      const view = await app.request('GET', `/v1/orgs/team-co?minPosition=${renamed.body.position}`, { token: adminToken });
      expect(view.body).toMatchObject({ slug: 'team-co', name: 'Team Renamed' });
      const again = await withoutKeyUseAppending(() =>
        app.request('PATCH', '/v1/orgs/team-co', { token: adminToken, body: { name: 'Team Renamed' } }),
      );
      expect(again.status).toBe(200);
      expectInvalidField(
        await withoutKeyUseAppending(() => app.request('PATCH', '/v1/orgs/team-co', { token: adminToken, body: { name: ' ' } })),
        'name',
      );
      const valid = { userId: 'user_valid', githubOrgSlug: GITHUB_MEMBERS_ORG, githubUsername: 'gh-valid' };
      const checksBefore = membershipChecks();
      for (const [body, field] of [
        [{ ...valid, userId: 'a b' }, 'userId'],
        [{ ...valid, githubOrgSlug: '-bad' }, 'githubOrgSlug'],
        [{ ...valid, githubOrgSlug: 'a/b' }, 'githubOrgSlug'],
        [{ ...valid, githubUsername: 'x'.repeat(40) }, 'githubUsername'],
        [{ ...valid, githubUsername: 'bad--login' }, 'githubUsername'],
        [{ userId: 'user_valid', githubOrgSlug: GITHUB_MEMBERS_ORG }, 'githubUsername'],
        [{ userId: 'user_valid', githubUsername: 'gh-valid' }, 'githubOrgSlug'],
      ] as const) {
        expectInvalidField(
          await withoutKeyUseAppending(() => app.request('POST', '/v1/orgs/team-co/members/from-github', { token: adminToken, body })),
          field,
        );
      }
      expect(membershipChecks()).toBe(checksBefore);
    });

    it('refuses a non-member with 403 on every route, whether or not the organization exists, and appends nothing', async () => {
      const outsider = await tokenFor('user_outsider');
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/v1/orgs/team-co'],
        ['GET', '/v1/orgs/by-id/org_local_team-co'],
        ['GET', '/v1/orgs/team-co/workspaces/default'],
        ['GET', '/v1/orgs/by-id/org_local_team-co/workspaces/default'],
        ['GET', '/v1/orgs/team-co/workspaces'],
        ['PATCH', '/v1/orgs/team-co', { name: 'Mine' }],
        [
          'POST',
          '/v1/orgs/team-co/members/from-github',
          { userId: 'user_outsider', githubOrgSlug: GITHUB_MEMBERS_ORG, githubUsername: 'gh-user-outsider' },
        ],
        ['POST', '/v1/orgs/team-co/workspaces', { name: 'sneaky' }],
        ['GET', '/v1/orgs/no-such-org'],
        ['GET', '/v1/orgs/by-id/org_local_no-such-org/workspaces/default'],
      ];
      for (const [method, path, body] of routes) {
        const response = await withoutKeyUseAppending(() => app.request(method, path, { token: outsider, body }));
        expect({ method, path, status: response.status, code: response.body?.error?.code }).toEqual({
          method,
          path,
          status: 403,
          code: 'forbidden',
        });
      }
      expect((await app.request('GET', '/v1/me/organizations', { token: outsider })).body).toEqual([]);
    });

    it('refuses a request without a token with 401', async () => {
      for (const [method, path] of [
        ['GET', '/v1/orgs/team-co'],
        ['POST', '/v1/orgs'],
        ['GET', '/v1/me/organizations'],
      ] as const) {
        expect(
          (await withoutKeyUseAppending(() => app.request(method, path, { body: method === 'POST' ? { slug: 'no-token' } : undefined })))
            .status,
        ).toBe(401);
      }
    });
  });

  it('refuses API keys on organization routes with 403: organizations are a matter of sessions', async () => {
    const token = await tokenFor('user_keyholder');
    await createOrg(token, { slug: 'keyed-co' });
    const key = await app.request('POST', '/v1/me/api-keys', { token, body: { name: 'ci' } });
    await app.request('GET', `/v1/me/api-keys?minPosition=${key.body.position}`, { token });
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/v1/me/organizations'],
      ['POST', '/v1/orgs', { slug: 'by-key' }],
      ['GET', '/v1/orgs/keyed-co'],
      ['PATCH', '/v1/orgs/keyed-co', { name: 'Keyed' }],
    ];
    for (const [method, path, body] of routes) {
      const response = await withoutKeyUseAppending(() => app.request(method, path, { token: key.body.key, body }));
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
    }
  });

  it('answers 404 to a member of an organization the read model does not know, and never creates a default workspace on a read', async () => {
    // The token says the caller is an admin of `ghost`, which was never created here.
    const token = await app.token({ userId: 'user_ghost', org: 'ghost', role: 'admin' });
    for (const path of [
      '/v1/orgs/ghost',
      '/v1/orgs/ghost/workspaces/default',
      '/v1/orgs/by-id/org_local_ghost',
      '/v1/orgs/by-id/org_local_ghost/workspaces/default',
    ]) {
      const response = await withoutKeyUseAppending(() => app.request('GET', path, { token }));
      expect({ path, status: response.status, code: response.body.error.code }).toEqual({ path, status: 404, code: 'not_found' });
    }
    // Renaming or adding members needs the organization to exist too (without Clerk there is nowhere else to find it).
    expect((await withoutKeyUseAppending(() => app.request('PATCH', '/v1/orgs/ghost', { token, body: { name: 'Ghost' } }))).status).toBe(
      404,
    );
    await connectMembershipVerifier(app, github, 'user_ghost');
    expect(
      (await withoutKeyUseAppending(() => addMemberFromGitHub(app, github, { token, org: 'ghost', userId: 'u', githubRole: 'member' })))
        .status,
    ).toBe(404);
  });

  it('keeps a workspace literally named "default" reachable only by the default-workspace route', async () => {
    const token = await app.token({ userId: 'user_named', org: 'named-co', role: 'admin' });
    const created = await createOrg(token, { slug: 'named-co' });
    const workspace = await app.request('POST', '/v1/orgs/named-co/workspaces', { token, body: { name: 'default' } });
    expect(workspace.status).toBe(201);
    const resolved = await app.request('GET', `/v1/orgs/named-co/workspaces/default?minPosition=${workspace.body.position}`, { token });
    expect(resolved.body).toMatchObject({ workspaceId: created.defaultWorkspaceId, workspaceName: created.defaultWorkspaceName });
  });
});
