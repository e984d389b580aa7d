import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeClerk, type FakeClerk } from '#testing';
import { LocalIdentityProvider } from './local-identity-provider.js';
import { SessionTokenVerifier } from './session-token.verifier.js';

describe('session token verification (@clerk/backend against a fake Clerk)', () => {
  let clerk: FakeClerk;

  beforeAll(async () => {
    clerk = await startFakeClerk();
  });
  afterAll(async () => clerk.close());

  it('verifies offline with the JWT key and reads the active organization from the claims', async () => {
    const verifier = new SessionTokenVerifier({ jwtKey: clerk.publicKeyPem });
    const before = [...clerk.requests.values()].reduce((a, b) => a + b, 0);
    const principal = await verifier.verify(
      await clerk.sessionToken({ sub: 'user_1', org_id: 'org_1', org_slug: 'acme', org_role: 'org:admin' }),
    );
    expect(principal).toEqual({ userId: 'user_1', organizationId: 'org_1', organizationSlug: 'acme', role: 'admin' });
    expect([...clerk.requests.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });

  it('reads the compact `o` organization claim of newer tokens', async () => {
    const verifier = new SessionTokenVerifier({ jwtKey: clerk.publicKeyPem });
    const principal = await verifier.verify(await clerk.sessionToken({ sub: 'user_2', o: { id: 'org_2', slg: 'beta', rol: 'member' } }));
    expect(principal).toEqual({ userId: 'user_2', organizationId: 'org_2', organizationSlug: 'beta', role: 'member' });
  });

  it('refuses a tampered, an expired, and a foreign-signed token', async () => {
    const verifier = new SessionTokenVerifier({ jwtKey: clerk.publicKeyPem });
    const token = await clerk.sessionToken({ sub: 'user_1' });
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'user_admin' }),
    ).toString('base64url');
    await expect(verifier.verify(`${header}.${forged}.${signature}`)).rejects.toThrow();
    await expect(verifier.verify(await clerk.sessionToken({ sub: 'user_1' }, { expiresIn: '-1m' }))).rejects.toThrow();
    const local = await LocalIdentityProvider.ephemeral();
    await expect(verifier.verify(await local.mint({ userId: 'u', organizationSlug: 'acme', role: 'admin' }))).rejects.toThrow();
  });

  it('checks the issuer when one is configured', async () => {
    const token = await clerk.sessionToken({ sub: 'user_1' });
    expect((await new SessionTokenVerifier({ jwtKey: clerk.publicKeyPem, issuer: 'https://clerk.fake.test' }).verify(token)).userId).toBe(
      'user_1',
    );
    await expect(
      new SessionTokenVerifier({ jwtKey: clerk.publicKeyPem, issuer: 'https://clerk.other.test' }).verify(token),
    ).rejects.toThrow(/issuer/);
  });

  it('checks the authorized party when an allowlist is configured', async () => {
    const verifier = new SessionTokenVerifier({ jwtKey: clerk.publicKeyPem, authorizedParties: ['https://app.example.com'] });
    expect((await verifier.verify(await clerk.sessionToken({ sub: 'user_1', azp: 'https://app.example.com' }))).userId).toBe('user_1');
    await expect(verifier.verify(await clerk.sessionToken({ sub: 'user_1', azp: 'https://evil.example.com' }))).rejects.toThrow(
      /azp|authorized part/i,
    );
  });

  it('fetches the JWKS from Clerk once and verifies later tokens from its cache', async () => {
    const verifier = new SessionTokenVerifier({ secretKey: clerk.secretKey, apiUrl: clerk.url });
    for (let i = 0; i < 5; i++) {
      const principal = await verifier.verify(
        await clerk.sessionToken({ sub: `user_${i}`, org_id: 'org_1', org_slug: 'acme', org_role: 'org:member' }),
      );
      expect(principal.userId).toBe(`user_${i}`);
    }
    expect(clerk.requests.get('GET /v1/jwks')).toBe(1);
  });

  it('verifies local provider tokens through the same verifier', async () => {
    const local = await LocalIdentityProvider.ephemeral();
    const token = await local.mint({ userId: 'user_9', organizationSlug: 'acme', role: 'member' });
    expect(await local.verify(token)).toEqual({
      userId: 'user_9',
      organizationId: 'org_local_acme',
      organizationSlug: 'acme',
      role: 'member',
    });
    expect(await new SessionTokenVerifier({ jwtKey: local.publicKeyPem }).verify(token)).toEqual(await local.verify(token));
  });
});
