import { SignJWT, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, type CryptoKey } from 'jose';
import { createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readOrCreateFile, writeFileAtomically } from '../crypto/key-file.js';
import type { OrgRole, Principal } from './principal.js';
import { SessionTokenVerifier, type SessionAuthenticator } from './session-token.verifier.js';

const ALGORITHM = 'RS256';
const ISSUER = 'console-local';

/**
 * The identity provider used when Clerk is not configured: RS256 session tokens shaped like
 * Clerk's (`sub`, `org_id`, `org_slug`, `org_role`), signed with a key pair kept in the data dir,
 * and verified exactly as Clerk tokens are: by `@clerk/backend` with the public key as `jwtKey`.
 */
export class LocalIdentityProvider implements SessionAuthenticator {
  private readonly verifier: SessionTokenVerifier;

  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicKeyPem: string,
  ) {
    this.verifier = new SessionTokenVerifier({ jwtKey: publicKeyPem });
  }

  /**
   * Loads the key pair from `dir`, creating it on first use. The private key is the only secret
   * and the only file trusted: it is created atomically and exclusively (mode 0600), and the public
   * key is derived from it, so two processes starting together cannot end up with halves of two pairs.
   * `identity-public.pem` is written beside it for other verifiers to read.
   */
  static async fromDirectory(dir: string): Promise<LocalIdentityProvider> {
    const privatePath = join(dir, 'identity-private.pem');
    const publicPath = join(dir, 'identity-public.pem');
    const generated = existsSync(privatePath)
      ? null
      : await exportPKCS8((await generateKeyPair(ALGORITHM, { extractable: true })).privateKey);
    const privatePem = readOrCreateFile(privatePath, () => generated!);
    const publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }).toString();
    if (!existsSync(publicPath)) writeFileAtomically(publicPath, publicPem, 0o644);
    return new LocalIdentityProvider(await importPKCS8(privatePem, ALGORITHM), publicPem);
  }

  /** A key pair that lives only in memory (tests). */
  static async ephemeral(): Promise<LocalIdentityProvider> {
    const pair = await generateKeyPair(ALGORITHM, { extractable: true });
    return new LocalIdentityProvider(pair.privateKey, await exportSPKI(pair.publicKey));
  }

  async mint(input: {
    userId: string;
    organizationSlug: string;
    organizationId?: string;
    role: OrgRole;
    expiresIn?: string;
  }): Promise<string> {
    return new SignJWT({
      org_id: input.organizationId ?? localOrganizationId(input.organizationSlug),
      org_slug: input.organizationSlug,
      org_role: `org:${input.role}`,
    })
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(input.userId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(input.expiresIn ?? '12h')
      .sign(this.privateKey);
  }

  verify(token: string): Promise<Principal> {
    return this.verifier.verify(token);
  }
}

/** Without Clerk, an organization's id is derived from its slug so tokens for one slug agree. */
export const localOrganizationId = (slug: string) => `org_local_${slug}`;
