import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { organizationStreamId } from '#domain';
import {
  startFakeClerk,
  startFakeGitHub,
  type FakeClerk,
  type FakeGitHub,
  type FakeMembershipJson,
  type FakeOrganizationJson,
} from '#testing';
import { startTestApp, type TestApp } from './support/app.js';
import { addMemberFromGitHub, connectMembershipVerifier } from './support/github-membership.js';

/**
 * Console with Clerk configured, against a fake Clerk on loopback that the real `@clerk/backend`
 * client talks to, counting every request: zero Clerk calls on warm requests, one (single-flight,
 * cached) on a cold authorization miss, and webhooks verified, applied and de-duplicated.
 */
let clerk: FakeClerk;
/** Asked for GitHub organization memberships when members are added from GitHub. */
let github: FakeGitHub;
let app: TestApp;
const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

beforeAll(async () => {
  clerk = await startFakeClerk();
  github = await startFakeGitHub();
  app = await startTestApp({
    config: {
      clerk: { jwtKey: clerk.publicKeyPem, secretKey: clerk.secretKey, apiUrl: clerk.url },
      clerkWebhookSecret: WEBHOOK_SECRET,
      githubApiUrl: github.url,
    },
  });
});

afterAll(async () => {
  await app?.close();
  await clerk?.close();
  await github?.close();
});

const POSITION = expect.stringMatching(/^\d+\/\d+$/);

/** A Clerk session token; with `org`, that organization is the session's active one. */
function tokenFor(userId: string, org?: { id: string; slug: string; role?: 'admin' | 'member' }): Promise<string> {
  return clerk.sessionToken({
    sub: userId,
    ...(org ? { org_id: org.id, org_slug: org.slug, org_role: `org:${org.role ?? 'admin'}` } : {}),
  });
}

/** Clerk requests made while `work` runs (the fake counts them as they arrive). */
async function clerkCallsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = clerk.totalRequests();
  await work();
  return clerk.totalRequests() - before;
}

const membershipListCalls = (userId: string) => clerk.requests.get(`GET /v1/users/${userId}/organization_memberships`) ?? 0;
/** Where the organization's stream ends: what a read must wait for to see what was recorded there. */
const streamHead = async (organizationId: string) =>
  (await app.runtime.store.readStream(organizationStreamId(organizationId))).at(-1)!.position;
const membersInStream = async (organizationId: string) =>
  (await app.runtime.store.readStream(organizationStreamId(organizationId)))
    .filter((e) => e.type === 'MemberAdded')
    .map((e) => (e.data as { userId: string }).userId);

/** Signs like Svix: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body` with the secret's base64 key. */
function signature(id: string, timestamp: number, body: string, secret = WEBHOOK_SECRET): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function webhookBody(type: string, data: unknown, timestamp = Date.now()): string {
  return JSON.stringify({
    type,
    object: 'event',
    data,
    timestamp,
    instance_id: 'ins_test',
    event_attributes: { http_request: { client_ip: '127.0.0.1', user_agent: 'Svix' } },
  });
}

async function deliver(
  body: string,
  options: { id?: string; timestamp?: number; secret?: string; headers?: Record<string, string | undefined> } = {},
) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({
    'svix-id': id,
    'svix-timestamp': String(timestamp),
    'svix-signature': signature(id, timestamp, body, options.secret),
    ...options.headers,
  })) {
    if (value !== undefined) headers[name] = value;
  }
  return app.request('POST', '/v1/webhooks/clerk', { body, headers });
}

describe('Clerk mode', () => {
  describe('creating an organization', () => {
    let created: any;
    let organization: FakeOrganizationJson;

    it('creates it in Clerk with the caller as creator, then records it with its default workspace', async () => {
      const token = await tokenFor('user_creator');
      const calls = await clerkCallsDuring(async () => {
        const response = await app.request('POST', '/v1/orgs', { token, body: { slug: 'clerk-co', name: 'Clerk Co' } });
        expect(response.status).toBe(201);
        created = response.body;
      });
      organization = clerk.organization('clerk-co')!;
      expect(calls).toBe(1);
      expect(clerk.requests.get('POST /v1/organizations')).toBe(1);
      expect(organization).toMatchObject({ name: 'Clerk Co', created_by: 'user_creator' });
      expect(created).toEqual({
        organizationId: organization.id,
        slug: 'clerk-co',
        name: 'Clerk Co',
        defaultWorkspaceId: expect.any(String),
        defaultWorkspaceName: expect.stringMatching(/^[A-Z][a-z]+-[A-Z][a-z]+$/),
        created: true,
        position: POSITION,
      });
      // Clerk's image, recorded from Clerk's answer.
      const view = await app.request('GET', `/v1/orgs/clerk-co?minPosition=${created.position}`, { token });
      expect(view.body).toMatchObject({ id: organization.id, imageUrl: organization.image_url });
      expect(organization.image_url).toMatch(/^https:\/\//);
      const resolved = await app.request('GET', `/v1/orgs/by-id/${organization.id}/workspaces/default?minPosition=${created.position}`, {
        token,
      });
      expect(resolved).toMatchObject({ status: 200, body: { workspaceId: created.defaultWorkspaceId, clerkOrgId: organization.id } });
    });

    it('makes no Clerk request at all for warm requests to the active organization, or to one the read model lists', async () => {
      const active = await tokenFor('user_creator', { id: organization.id, slug: 'clerk-co' });
      const noActive = await tokenFor('user_creator');
      const at = `?minPosition=${created.position}`;
      const calls = await clerkCallsDuring(async () => {
        for (let round = 0; round < 3; round++) {
          const responses = await Promise.all([
            app.request('GET', `/v1/orgs/clerk-co${at}`, { token: active }),
            app.request('GET', `/v1/orgs/clerk-co/workspaces${at}`, { token: active }),
            app.request('GET', `/v1/orgs/clerk-co/workspaces/default${at}`, { token: active }),
            app.request('GET', `/v1/orgs/by-id/${organization.id}${at}`, { token: active }),
            app.request('POST', '/v1/orgs/clerk-co/workspaces', { token: active, body: { name: `docs-${round}` } }),
            // Not the active organization: one lookup in the membership read model.
            app.request('GET', `/v1/orgs/clerk-co${at}`, { token: noActive }),
            app.request('GET', `/v1/me/organizations${at}`, { token: noActive }),
          ]);
          expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 201, 200, 200]);
        }
      });
      expect(calls).toBe(0);
    });

    it('answers 409 when Clerk says the slug is taken, appending nothing', async () => {
      clerk.seedOrganization({ slug: 'taken-in-clerk' });
      const token = await tokenFor('user_creator');
      const response = await app.withoutAppending(() => app.request('POST', '/v1/orgs', { token, body: { slug: 'taken-in-clerk' } }));
      expect({ status: response.status, code: response.body.error.code, field: response.body.error.details?.field }).toEqual({
        status: 409,
        code: 'conflict',
        field: 'slug',
      });
    });

    it('renames in Clerk first (admin only), then records the name', async () => {
      const admin = await tokenFor('user_creator', { id: organization.id, slug: 'clerk-co' });
      const member = await tokenFor('user_creator', { id: organization.id, slug: 'clerk-co', role: 'member' });
      const refused = await app.withoutAppending(() =>
        app.request('PATCH', '/v1/orgs/clerk-co', { token: member, body: { name: 'Nope' } }),
      );
      expect(refused.status).toBe(403);
      expect(clerk.requests.get(`PATCH /v1/organizations/${organization.id}`)).toBeUndefined();

      const renamed = await app.request('PATCH', '/v1/orgs/clerk-co', { token: admin, body: { name: 'Clerk Company' } });

      expect(renamed).toMatchObject({ status: 200, body: { success: true, name: 'Clerk Company', position: POSITION } });
      expect(clerk.requests.get(`PATCH /v1/organizations/${organization.id}`)).toBe(1);
      expect(clerk.organization(organization.id)!.name).toBe('Clerk Company');
      expect((await app.request('GET', `/v1/orgs/clerk-co?minPosition=${renamed.body.position}`, { token: admin })).body.name).toBe(
        'Clerk Company',
      );
    });

    it('adds a member from GitHub in Clerk (creating the membership, or updating an existing one) and records it', async () => {
      const admin = await tokenFor('user_creator', { id: organization.id, slug: 'clerk-co' });
      await connectMembershipVerifier(app, github, 'user_creator');
      const added = await addMemberFromGitHub(app, github, { token: admin, org: 'clerk-co', userId: 'user_gh', githubRole: 'member' });
      expect(added).toMatchObject({ status: 200, body: { role: 'member', githubRole: 'member' } });
      expect(clerk.membership(organization.id, 'user_gh')!.role).toBe('org:member');

      const promoted = await addMemberFromGitHub(app, github, { token: admin, org: 'clerk-co', userId: 'user_gh', githubRole: 'admin' });

      expect(promoted).toMatchObject({ status: 200, body: { role: 'admin' } });
      expect(clerk.requests.get(`PATCH /v1/organizations/${organization.id}/memberships/user_gh`)).toBe(1);
      expect(clerk.membership(organization.id, 'user_gh')!.role).toBe('org:admin');
      const view = await app.request('GET', `/v1/orgs/clerk-co?minPosition=${promoted.body.position}`, {
        token: await tokenFor('user_gh'),
      });
      expect(view).toMatchObject({ status: 200, body: { role: 'admin' } });
    });

    it('does not call Clerk when GitHub does not show an active membership: 422, nothing appended', async () => {
      const admin = await tokenFor('user_creator', { id: organization.id, slug: 'clerk-co' });
      const calls = await clerkCallsDuring(async () => {
        const refused = await app.withoutAppending(() =>
          app.request('POST', '/v1/orgs/clerk-co/members/from-github', {
            token: admin,
            body: { userId: 'user_not_gh', githubOrgSlug: 'gh-members', githubUsername: 'gh-nobody' },
          }),
        );
        expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 422, code: 'github_membership_required' });
      });
      expect(calls).toBe(0);
      expect(clerk.membership(organization.id, 'user_not_gh')).toBeUndefined();
    });
  });

  describe('clerk.createOrGetOrganization against Clerk', () => {
    it('answers a member from our streams with no Clerk call (200, created false)', async () => {
      const token = await tokenFor('user_creator');
      const calls = await clerkCallsDuring(async () => {
        const got = await app.request('POST', '/v1/orgs', { token, body: { slug: 'clerk-co' } });
        expect({ status: got.status, slug: got.body.slug, created: got.body.created }).toEqual({
          status: 200,
          slug: 'clerk-co',
          created: false,
        });
      });
      expect(calls).toBe(0);
    });

    it('answers a member of an organization only Clerk knows yet: Clerk refuses the slug, its membership list finds it (2 calls), and it is recorded with its image', async () => {
      const known = clerk.seedOrganization({ slug: 'clerk-only-co', name: 'Clerk Only', imageUrl: 'https://img.clerk.test/logo-only.png' });
      clerk.setMembership(known.id, 'user_clerk_member', 'org:member');
      const token = await tokenFor('user_clerk_member');
      let got: any;
      const calls = await clerkCallsDuring(async () => {
        got = await app.request('POST', '/v1/orgs', { token, body: { slug: 'clerk-only-co' } });
      });
      expect({ status: got.status, id: got.body.organizationId, created: got.body.created }).toEqual({
        status: 200,
        id: known.id,
        created: false,
      });
      expect(calls).toBe(2);
      expect(membershipListCalls('user_clerk_member')).toBe(1);
      const view = await app.request('GET', `/v1/orgs/clerk-only-co?minPosition=${got.body.position}`, { token });
      expect(view.body).toMatchObject({ id: known.id, role: 'member', imageUrl: 'https://img.clerk.test/logo-only.png' });
    });

    it('refuses a non-member with 409 and nothing else (2 Clerk calls), and creates <slug>-<epoch ms> in Clerk when asked', async () => {
      const taken = clerk.seedOrganization({ slug: 'clerk-taken-co', name: 'Secret Name' });
      const token = await tokenFor('user_clerk_stranger');
      const calls = await clerkCallsDuring(async () => {
        const refused = await app.withoutAppending(() => app.request('POST', '/v1/orgs', { token, body: { slug: 'clerk-taken-co' } }));
        expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 409, code: 'conflict' });
        expect(JSON.stringify(refused.body)).not.toContain(taken.id);
        expect(JSON.stringify(refused.body)).not.toContain('Secret Name');
      });
      expect(calls).toBe(2);

      const suffixed = await app.request('POST', '/v1/orgs', { token, body: { slug: 'clerk-taken-co', suffixIfTaken: true } });
      expect(suffixed.status).toBe(201);
      expect(suffixed.body.slug).toMatch(/^clerk-taken-co-\d{13}$/);
      const inClerk = clerk.organization(suffixed.body.slug)!;
      expect({ id: inClerk.id, createdBy: inClerk.created_by }).toEqual({
        id: suffixed.body.organizationId,
        createdBy: 'user_clerk_stranger',
      });
      const view = await app.request('GET', `/v1/orgs/${suffixed.body.slug}?minPosition=${suffixed.body.position}`, { token });
      expect(view.body).toMatchObject({ role: 'admin', imageUrl: inClerk.image_url });
    });
  });

  describe('an organization the read model does not know (created in Clerk, no webhook yet)', () => {
    let partner: FakeOrganizationJson;
    beforeAll(() => {
      partner = clerk.seedOrganization({ slug: 'partner-co', name: 'Partner' });
      clerk.setMembership(partner.id, 'user_member', 'org:member');
    });

    it('asks Clerk once for N concurrent requests of a member (single-flight) and records the membership once', async () => {
      const token = await tokenFor('user_member', { id: 'org_home', slug: 'home' });
      clerk.delayMs = 150;
      let responses: Array<{ status: number }> = [];
      try {
        responses = await Promise.all(Array.from({ length: 10 }, () => app.request('GET', '/v1/orgs/partner-co/workspaces', { token })));
      } finally {
        clerk.delayMs = 0;
      }
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(membershipListCalls('user_member')).toBe(1);
      expect(await membersInStream(partner.id)).toEqual(['user_member']);

      // Once projected, the membership is a read-model lookup: no Clerk call, however many requests.
      const head = await streamHead(partner.id);
      expect(await app.request('GET', `/v1/orgs/partner-co?minPosition=${head}`, { token })).toMatchObject({
        status: 200,
        body: { id: partner.id, name: 'Partner', role: 'member' },
      });
      const calls = await clerkCallsDuring(() =>
        Promise.all(Array.from({ length: 10 }, () => app.request('GET', '/v1/orgs/partner-co/workspaces', { token }))),
      );
      expect(calls).toBe(0);
    });

    it('asks Clerk once for N concurrent requests of a non-member, answers 403 to all, appends nothing, and asks nothing again within the cache window', async () => {
      const token = await tokenFor('user_stranger', { id: 'org_home', slug: 'home' });
      clerk.delayMs = 150;
      let responses: Array<{ status: number }> = [];
      try {
        responses = await app.withoutAppending(() =>
          Promise.all(Array.from({ length: 10 }, () => app.request('GET', '/v1/orgs/partner-co', { token }))),
        );
      } finally {
        clerk.delayMs = 0;
      }
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(403));
      expect(membershipListCalls('user_stranger')).toBe(1);

      const repeats = await app.withoutAppending(() =>
        clerkCallsDuring(async () => {
          for (const path of [
            '/v1/orgs/partner-co',
            '/v1/orgs/partner-co/workspaces',
            `/v1/orgs/by-id/${partner.id}`,
            '/v1/orgs/no-such-org',
          ]) {
            expect((await app.request('GET', path, { token })).status).toBe(403);
          }
        }),
      );
      expect(repeats).toBe(0);
    });

    it('answers 503 when Clerk is down, appends nothing, and does not cache the failure', async () => {
      const token = await tokenFor('user_unlucky');
      clerk.failWith = 503;
      try {
        const response = await app.withoutAppending(() => app.request('GET', '/v1/orgs/partner-co', { token }));
        expect({ status: response.status, code: response.body.error.code }).toEqual({ status: 503, code: 'unavailable' });
      } finally {
        clerk.failWith = null;
      }
      expect((await app.request('GET', '/v1/orgs/partner-co', { token })).status).toBe(403);
      expect(membershipListCalls('user_unlucky')).toBe(2);
    });
  });

  describe('webhooks', () => {
    let org: FakeOrganizationJson;
    let membership: FakeMembershipJson;
    let body: string;
    let delivered: any;
    const svixId = `msg_${randomUUID()}`;

    beforeAll(() => {
      org = clerk.seedOrganization({ slug: 'hooked-co', name: 'Hooked' });
      membership = clerk.setMembership(org.id, 'user_hooked', 'org:member');
      body = webhookBody('organizationMembership.created', membership);
    });

    it('refuses unsigned, badly signed, stale and tampered deliveries with 401 and appends nothing', async () => {
      const before = await app.eventCount();
      const now = Math.floor(Date.now() / 1000);
      const refused = [
        await deliver(body, { headers: { 'svix-signature': undefined } }),
        await deliver(body, { headers: { 'svix-id': undefined } }),
        await deliver(body, { headers: { 'svix-timestamp': undefined } }),
        await deliver(body, { headers: { 'svix-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' } }),
        await deliver(body, { secret: `whsec_${randomBytes(24).toString('base64')}` }),
        // Signed correctly, but six minutes old or ahead: outside the five-minute tolerance.
        await deliver(body, { timestamp: now - 6 * 60 }),
        await deliver(body, { timestamp: now + 6 * 60 }),
        // Signed for another id than the one sent.
        await deliver(body, { headers: { 'svix-id': 'msg_other' } }),
      ];
      const tampered = body.replace('org:member', 'org:admin');
      const id = `msg_${randomUUID()}`;
      refused.push(
        await app.request('POST', '/v1/webhooks/clerk', {
          body: tampered,
          headers: { 'svix-id': id, 'svix-timestamp': String(now), 'svix-signature': signature(id, now, body) },
        }),
      );
      expect(refused.map((r) => [r.status, r.body.error.code])).toEqual(Array(refused.length).fill([401, 'unauthenticated']));
      expect(await app.eventCount()).toBe(before);
      expect(await membersInStream(org.id)).toEqual([]);
    });

    it('applies a verified membership: the organization, its default workspace and the member appear, with no Clerk call', async () => {
      const before = clerk.totalRequests();
      const response = await deliver(body, { id: svixId });
      expect(response).toMatchObject({
        status: 200,
        body: { received: true, type: 'organizationMembership.created', handled: true, position: POSITION },
      });
      delivered = response.body;
      const token = await tokenFor('user_hooked', { id: 'org_home', slug: 'home' });
      const view = await app.request('GET', `/v1/orgs/hooked-co?minPosition=${delivered.position}`, { token });
      expect(view).toMatchObject({ status: 200, body: { id: org.id, name: 'Hooked', role: 'member' } });
      expect((await app.request('GET', `/v1/orgs/hooked-co/workspaces/default?minPosition=${delivered.position}`, { token })).status).toBe(
        200,
      );
      expect(clerk.totalRequests()).toBe(before);
      expect(membershipListCalls('user_hooked')).toBe(0);
    });

    it('appends nothing for a redelivery of the same message (same svix-id, new timestamp and signature)', async () => {
      const again = await app.withoutAppending(() => deliver(body, { id: svixId, timestamp: Math.floor(Date.now() / 1000) - 30 }));
      expect(again).toMatchObject({ status: 200, body: { handled: true, position: delivered.position } });
    });

    it('applies role changes and organization updates, and ignores a late delivery older than what it knows', async () => {
      const promoted = clerk.setMembership(org.id, 'user_hooked', 'org:admin');
      const updated = await deliver(webhookBody('organizationMembership.updated', promoted));
      expect(updated.status).toBe(200);
      const renamedOrg = { ...clerk.organization(org.id)!, name: 'Hooked Renamed', updated_at: Date.now() };
      const renamed = await deliver(webhookBody('organization.updated', renamedOrg));
      expect(renamed.status).toBe(200);
      const token = await tokenFor('user_hooked', { id: 'org_home', slug: 'home' });
      expect((await app.request('GET', `/v1/orgs/hooked-co?minPosition=${renamed.body.position}`, { token })).body).toMatchObject({
        name: 'Hooked Renamed',
        role: 'admin',
      });
      // A new logo in Clerk reaches the organization routes through the same webhook.
      const newLogo = { ...renamedOrg, image_url: 'https://img.clerk.test/new-logo.png', updated_at: Date.now() + 1 };
      const relogo = await deliver(webhookBody('organization.updated', newLogo));
      expect(relogo.status).toBe(200);
      expect((await app.request('GET', `/v1/orgs/hooked-co?minPosition=${relogo.body.position}`, { token })).body).toMatchObject({
        name: 'Hooked Renamed',
        imageUrl: 'https://img.clerk.test/new-logo.png',
      });
      const listed = await app.request('GET', `/v1/me/organizations?minPosition=${relogo.body.position}`, { token });
      expect(listed.body.find((o: { slug: string }) => o.slug === 'hooked-co')).toMatchObject({
        imageUrl: 'https://img.clerk.test/new-logo.png',
      });
      // A "member" delivery from an hour ago changes nothing.
      const late = await app.withoutAppending(() =>
        deliver(webhookBody('organizationMembership.updated', membership, Date.now() - 3_600_000)),
      );
      expect(late.status).toBe(200);
    });

    it('removes a deleted membership: the user is refused (Clerk, asked again after the webhook, agrees)', async () => {
      const removed = clerk.removeMembership(org.id, 'user_hooked')!;
      const response = await deliver(webhookBody('organizationMembership.deleted', removed));
      expect(response.status).toBe(200);
      const token = await tokenFor('user_hooked', { id: 'org_home', slug: 'home' });
      const refused = await app.withoutAppending(() =>
        app.request('GET', `/v1/orgs/hooked-co?minPosition=${response.body.position}`, { token }),
      );
      expect(refused.status).toBe(403);
      expect(membershipListCalls('user_hooked')).toBe(1);
    });

    it('records an organization created in Clerk, with its default workspace', async () => {
      const created = clerk.seedOrganization({ slug: 'born-in-clerk', name: 'Born', createdBy: 'user_born' });
      const response = await deliver(webhookBody('organization.created', created));
      expect(response.status).toBe(200);
      const token = await tokenFor('user_born');
      expect(
        await app.request('GET', `/v1/orgs/born-in-clerk/workspaces/default?minPosition=${response.body.position}`, { token }),
      ).toMatchObject({
        status: 200,
        body: { clerkOrgId: created.id },
      });
    });

    it('acknowledges event types it does not handle, and refuses a signed but malformed payload with 400; neither appends', async () => {
      const ignored = await app.withoutAppending(() => deliver(webhookBody('user.created', { id: 'user_new' })));
      expect(ignored).toMatchObject({ status: 200, body: { received: true, type: 'user.created', handled: false } });
      const malformed = await app.withoutAppending(() =>
        deliver(webhookBody('organizationMembership.created', { role: 'org:member', organization: { id: 'org_x' } })),
      );
      expect({ status: malformed.status, code: malformed.body.error.code }).toEqual({ status: 400, code: 'invalid_request' });
    });
  });
});
