import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { organizationSlugDecider, organizationSlugStreamId, workspaceDirectoryStreamId } from '#domain';
import { handleCommand } from '#event-store';
import { localOrganizationId } from '#adapters';
import { LocalOrganizations } from '#application';
import { BANNER_ORGANIZATION_SLUG, BANNER_USER_ID, bannerSession } from '../apps/standalone/src/local-organization.js';
import { TokenRefusedError, mintLocalToken } from '../apps/projector/src/cli/token.js';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * Organizations without Clerk exist only once created: the `npm start` banner's organization (what
 * `main.ts` does before printing its token), `console token` (in process: `mintLocalToken` is the
 * whole command but for printing), and `POST /v1/orgs` refusing a slug with history.
 */
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.close();
});

const PROJECTIONS = ['organizations', 'workspaces', 'api_keys'];
const caughtUp = async (position: string) => {
  for (const name of PROJECTIONS) await app.runtime.checkpoints.waitFor(name, position, 10_000);
};

async function contentsWithNewKey(token: string, workspaceId: string) {
  const key = await app.request('POST', '/v1/me/api-keys', { token, body: { name: 'banner' } });
  expect(key.status).toBe(201);
  await caughtUp(key.body.position);
  return app.request('POST', '/v1/contents', {
    token: key.body.key,
    body: { ids: ['doc_none'] },
    headers: { 'x-workspace-id': workspaceId },
  });
}

describe('the npm start banner', () => {
  it('creates its organization with the banner user as admin, so an API key works on the default workspace', async () => {
    const { token, organization } = await bannerSession(app.runtime);

    expect(organization).toMatchObject({
      slug: BANNER_ORGANIZATION_SLUG,
      organizationId: localOrganizationId(BANNER_ORGANIZATION_SLUG),
      role: 'admin',
      created: true,
    });
    const principal = await app.runtime.authenticator.verify(token);
    expect(principal).toMatchObject({
      userId: BANNER_USER_ID,
      organizationSlug: BANNER_ORGANIZATION_SLUG,
      organizationId: organization!.organizationId,
      role: 'admin',
    });
    const search = await contentsWithNewKey(token, organization!.defaultWorkspace!.workspaceId);
    expect({ status: search.status, body: search.body }).toEqual({ status: 200, body: expect.anything() });
  });

  it('finds the organization on the next start and appends nothing', async () => {
    const again = await app.withoutAppending(() => bannerSession(app.runtime), { ignoreKeyUse: true });
    expect(again.organization).toMatchObject({
      created: false,
      role: 'admin',
      organizationId: localOrganizationId(BANNER_ORGANIZATION_SLUG),
    });
  });

  it('(what it fixes) a key of a user whose token names an organization never created gets 404 on its workspaces', async () => {
    const token = await app.token({ userId: 'user_claims_only', org: 'claims-only', role: 'admin' });
    const workspace = await app.request('POST', '/v1/orgs/claims-only/workspaces', { token, body: { name: 'docs' } });
    expect(workspace.status).toBe(201);
    const search = await contentsWithNewKey(token, workspace.body.workspaceId ?? workspace.body.id);
    expect([search.status, search.body.error.code]).toEqual([404, 'not_found']);
  });
});

describe('console token', () => {
  const options = { user: 'user_cli', role: 'admin' as const, expires: '1h' };

  it('says an organization that does not exist does not exist, and appends nothing', async () => {
    const refused = await app.withoutAppending(
      () => mintLocalToken(app.runtime, { ...options, org: 'nowhere' }).catch((error: unknown) => error),
      { ignoreKeyUse: true },
    );
    expect(refused).toBeInstanceOf(TokenRefusedError);
    expect((refused as Error).message).toMatch(/organization "nowhere" does not exist; pass --create/);
  });

  it('creates it with --create (the user its admin), then mints for it without', async () => {
    const created = await mintLocalToken(app.runtime, { ...options, org: 'cli-co', create: true });
    expect(created.organization).toMatchObject({ created: true, role: 'admin', organizationId: localOrganizationId('cli-co') });
    expect(created.warnings).toEqual([]);
    const later = await app.withoutAppending(() => mintLocalToken(app.runtime, { ...options, org: 'cli-co' }), { ignoreKeyUse: true });
    expect(later.organization.created).toBe(false);
    expect(await app.runtime.authenticator.verify(later.token)).toMatchObject({
      userId: 'user_cli',
      organizationId: localOrganizationId('cli-co'),
      role: 'admin',
    });
    const view = await app.request('GET', `/v1/orgs/cli-co?minPosition=${encodeURIComponent(await app.runtime.store.headPosition())}`, {
      token: later.token,
    });
    expect([view.status, view.body.slug]).toEqual([200, 'cli-co']);
  });

  it('warns when the user is not a member, and refuses an --org-id that is not the organization', async () => {
    await mintLocalToken(app.runtime, { ...options, org: 'cli-other', create: true });
    const outsider = await mintLocalToken(app.runtime, { ...options, user: 'user_outsider', role: 'member', org: 'cli-other' });
    expect(outsider.warnings).toEqual([expect.stringContaining('user_outsider is not a member of "cli-other"')]);
    await expect(mintLocalToken(app.runtime, { ...options, org: 'cli-other', orgId: 'org_local_cli-co' })).rejects.toThrow(
      /has id org_local_cli-other, not org_local_cli-co/,
    );
  });
});

describe('POST /v1/orgs and slugs with history', () => {
  it('refuses a slug whose organization id has history (workspaces made with local tokens before it existed), appending nothing', async () => {
    const owner = await app.token({ userId: 'user_legacy_owner', org: 'legacy-co', role: 'admin' });
    const workspace = await app.request('POST', '/v1/orgs/legacy-co/workspaces', { token: owner, body: { name: 'old-docs' } });
    expect(workspace.status).toBe(201);

    const intruder = await app.token({ userId: 'user_intruder', org: 'intruder-home' });
    const response = await app.withoutAppending(() => app.request('POST', '/v1/orgs', { token: intruder, body: { slug: 'legacy-co' } }));
    expect({ status: response.status, code: response.body.error.code, message: response.body.error.message }).toEqual({
      status: 409,
      code: 'conflict',
      message: 'Organization slug "legacy-co" is already taken or was used before; choose another',
    });
  });

  it('lets the operator adopt that history (npm start, console token --create): the old workspaces stay with the organization', async () => {
    const adopted = await new LocalOrganizations(app.runtime.store).ensure({ slug: 'legacy-co', userId: 'user_legacy_owner' });
    expect(adopted).toMatchObject({ created: true, role: 'admin' });
    const names = (await app.runtime.store.readStream(workspaceDirectoryStreamId(adopted.organizationId))).map(
      (e) => (e.data as { name?: string }).name,
    );
    expect(names).toContain('old-docs');
  });

  it('refuses a slug once reserved, even when the reservation has since moved to another organization', async () => {
    const at = new Date().toISOString();
    await handleCommand(
      app.runtime.store,
      organizationSlugStreamId('moved-co'),
      organizationSlugDecider,
      { type: 'ReserveOrganizationSlug', data: { slug: 'moved-co', organizationId: 'org_clerk_a', authoritative: true, at } },
      { commandId: 'moved-1' },
    );
    await handleCommand(
      app.runtime.store,
      organizationSlugStreamId('moved-co'),
      organizationSlugDecider,
      { type: 'ReserveOrganizationSlug', data: { slug: 'moved-co', organizationId: 'org_clerk_b', authoritative: true, at } },
      { commandId: 'moved-2' },
    );
    const token = await app.token({ userId: 'user_moved', org: 'moved-home' });
    const response = await app.withoutAppending(() => app.request('POST', '/v1/orgs', { token, body: { slug: 'moved-co' } }));
    expect([response.status, response.body.error.code]).toEqual([409, 'conflict']);
    expect(JSON.stringify(response.body)).not.toContain('org_clerk');
  });

  it('still creates a fresh slug, and answers a retry with the same Idempotency-Key from the stored events', async () => {
    const token = await app.token({ userId: 'user_fresh', org: 'fresh-home' });
    const send = () => app.request('POST', '/v1/orgs', { token, body: { slug: 'fresh-co' }, headers: { 'Idempotency-Key': 'fresh-co-1' } });
    const first = await send();
    expect(first.status).toBe(201);
    const retry = await app.withoutAppending(send);
    expect([retry.status, retry.body.organizationId]).toEqual([201, first.body.organizationId]);
  });
});
