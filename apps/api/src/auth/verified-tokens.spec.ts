import { beforeAll, describe, expect, it } from '@jest/globals';
import { LocalIdentityProvider, type Principal, type SessionAuthenticator } from '#adapters';
import { VERIFIED_TOKEN_MAX_AGE_MS, VerifiedTokens } from './verified-tokens.js';

/** The real local provider (RS256, verified by @clerk/backend), with its verifications counted. */
class CountedVerifier implements SessionAuthenticator {
  calls = 0;
  constructor(private readonly provider: LocalIdentityProvider) {}
  verify(token: string): Promise<Principal> {
    this.calls++;
    return this.provider.verify(token);
  }
}

describe('VerifiedTokens', () => {
  let provider: LocalIdentityProvider;
  beforeAll(async () => {
    provider = await LocalIdentityProvider.ephemeral();
  });

  it('verifies a token once, then answers the same principal for it with no verification', async () => {
    const verifier = new CountedVerifier(provider);
    const tokens = new VerifiedTokens(verifier);
    const token = await provider.mint({ userId: 'user_1', organizationSlug: 'acme', role: 'admin' });
    const first = await tokens.verify(token);
    expect(await tokens.verify(token)).toBe(first);
    expect(first).toEqual({ userId: 'user_1', organizationId: 'org_local_acme', organizationSlug: 'acme', role: 'admin' });
    expect(verifier.calls).toBe(1);
    // Another token is verified on its own.
    expect((await tokens.verify(await provider.mint({ userId: 'user_2', organizationSlug: 'acme', role: 'member' }))).userId).toBe(
      'user_2',
    );
    expect(verifier.calls).toBe(2);
  });

  it('never remembers a token that failed: a forged or expired one is refused every time', async () => {
    const verifier = new CountedVerifier(provider);
    const tokens = new VerifiedTokens(verifier);
    const token = await provider.mint({ userId: 'user_1', organizationSlug: 'acme', role: 'admin' });
    await tokens.verify(token);
    const [header, payload] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forgedPayload = Buffer.from(JSON.stringify({ ...claims, sub: 'user_admin' })).toString('base64url');
    const forged = `${header}.${forgedPayload}.${token.split('.')[2]}`;
    const other = await LocalIdentityProvider.ephemeral();
    const foreign = await other.mint({ userId: 'user_1', organizationSlug: 'acme', role: 'admin' });
    const expired = await provider.mint({ userId: 'user_1', organizationSlug: 'acme', role: 'admin', expiresIn: '-1m' });
    for (const bad of [forged, foreign, expired]) {
      await expect(tokens.verify(bad)).rejects.toThrow();
      await expect(tokens.verify(bad)).rejects.toThrow();
    }
    expect(verifier.calls).toBe(1 + 6);
  });

  it("verifies again once the token's exp or the longest reuse has passed", async () => {
    let now = Date.now();
    const verifier = new CountedVerifier(provider);
    const tokens = new VerifiedTokens(verifier, () => now);
    const shortLived = await provider.mint({ userId: 'user_1', organizationSlug: 'acme', role: 'admin', expiresIn: '10s' });
    const longLived = await provider.mint({ userId: 'user_1', organizationSlug: 'acme', role: 'admin', expiresIn: '12h' });
    await tokens.verify(shortLived);
    await tokens.verify(longLived);
    now += 11_000; // past the short token's exp: verified again (by the real clock it is still valid, so it passes)
    await tokens.verify(shortLived);
    await tokens.verify(longLived);
    expect(verifier.calls).toBe(3);
    now += VERIFIED_TOKEN_MAX_AGE_MS;
    await tokens.verify(longLived);
    expect(verifier.calls).toBe(4);
  });
});
