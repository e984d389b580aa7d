import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultWorkspaceName } from '#domain';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * Organizations without Clerk (the local directory): creation with its default workspace,
 * slug uniqueness, renames, members from GitHub, and authorization by membership for
 * organizations other than the token's active one.
 */
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.close();
});

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
    });

    it('adds users: a GitHub admin becomes an admin, any other GitHub role a member', async () => {
      const cases: Array<[string, string, string]> = [
        ['user_gh_admin', 'admin', 'admin'],
        ['user_gh_member', 'member', 'member'],
        ['user_gh_billing', 'billing_manager', 'member'],
      ];
      let position = created.position;
      for (const [userId, githubRole, role] of cases) {
        const response = await app.request('POST', '/v1/orgs/team-co/members/from-github', {
          token: adminToken,
          body: { userId, githubRole },
        });
        expect(response).toMatchObject({ status: 200, body: { userId, githubRole, role, position: POSITION } });
        position = response.body.position;
      }
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

    it('changes the role of an existing member, and re-adding with the same role appends nothing', async () => {
      const promote = await app.request('POST', '/v1/orgs/team-co/members/from-github', {
        token: adminToken,
        body: { userId: 'user_gh_billing', githubRole: 'admin' },
      });
      expect(promote.body.role).toBe('admin');
      const changed: Array<{ type: string }> = await app.runtime.dataSource.query(
        `SELECT type FROM es_events WHERE stream_id = 'organization-org_local_team-co' ORDER BY stream_revision DESC LIMIT 1`,
      );
      expect(changed).toEqual([{ type: 'MemberRoleChanged' }]);
      await withoutKeyUseAppending(() =>
        app.request('POST', '/v1/orgs/team-co/members/from-github', {
          token: adminToken,
          body: { userId: 'user_gh_billing', githubRole: 'admin' },
        }),
      );
    });

    it('lets only admins rename the organization or add members: members get 403 and nothing is appended', async () => {
      const memberToken = await tokenFor('user_gh_member');
      await app.request('GET', `/v1/orgs/team-co?minPosition=${created.position}`, { token: memberToken });
      const rename = await withoutKeyUseAppending(() =>
        app.request('PATCH', '/v1/orgs/team-co', { token: memberToken, body: { name: 'Hijacked' } }),
      );
      expect({ status: rename.status, code: rename.body.error.code }).toEqual({ status: 403, code: 'forbidden' });
      const add = await withoutKeyUseAppending(() =>
        app.request('POST', '/v1/orgs/team-co/members/from-github', {
          token: memberToken,
          body: { userId: 'user_x', githubRole: 'admin' },
        }),
      );
      expect(add.status).toBe(403);
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
      expectInvalidField(
        await withoutKeyUseAppending(() =>
          app.request('POST', '/v1/orgs/team-co/members/from-github', { token: adminToken, body: { userId: 'a b', githubRole: 'admin' } }),
        ),
        'userId',
      );
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
        ['POST', '/v1/orgs/team-co/members/from-github', { userId: 'user_outsider', githubRole: 'admin' }],
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
    expect(
      (
        await withoutKeyUseAppending(() =>
          app.request('POST', '/v1/orgs/ghost/members/from-github', { token, body: { userId: 'u', githubRole: 'member' } }),
        )
      ).status,
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
