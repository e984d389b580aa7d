import type { OrgRole } from '#adapters';
import { LocalOrganizations, type LocalOrganization } from '#application';
import type { Runtime } from '#runtime';

export interface TokenOptions {
  readonly user: string;
  readonly org: string;
  readonly role: OrgRole;
  readonly orgId?: string;
  readonly expires: string;
  /** Create the organization (with `user` as its admin) when it does not exist. */
  readonly create?: boolean;
}

export interface MintedToken {
  readonly token: string;
  readonly organization: LocalOrganization;
  /** Said on stderr: the token works, but not everything the user might expect will. */
  readonly warnings: readonly string[];
}

/** `console token` refuses to name an organization that was never created: exit code 1, this message. */
export class TokenRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenRefusedError';
  }
}

/**
 * `console token`: a local token naming an organization that exists (found by slug in the log), so
 * what the token creates belongs to a real organization with members, not to an id derived from
 * a typo. `--create` creates a missing one through the same commands as `POST /v1/orgs`.
 */
export async function mintLocalToken(runtime: Runtime, options: TokenOptions): Promise<MintedToken> {
  // The api verifies Clerk's tokens only, so a local one would be refused on every request.
  if (runtime.config.clerk)
    throw new TokenRefusedError(
      'Clerk is configured (CLERK_JWT_KEY or CLERK_SECRET_KEY): the api accepts Clerk session tokens only; sign in through Clerk',
    );
  const organizations = new LocalOrganizations(runtime.store);
  let organization = await organizations.find(options.org, options.user);
  if (!organization) {
    if (!options.create)
      throw new TokenRefusedError(
        `organization "${options.org}" does not exist; pass --create to create it with ${options.user} as its admin, or create it with POST /v1/orgs`,
      );
    organization = await organizations.ensure({ slug: options.org, userId: options.user });
  }
  if (options.orgId && options.orgId !== organization.organizationId) {
    throw new TokenRefusedError(`organization "${options.org}" has id ${organization.organizationId}, not ${options.orgId}`);
  }
  const warnings: string[] = [];
  if (!organization.role) {
    warnings.push(
      `${options.user} is not a member of "${options.org}": the token acts there as ${options.role} on {org} routes, but the user's API keys will not reach its workspaces (add the user with POST /v1/orgs/${options.org}/members/from-github)`,
    );
  }
  const token = await runtime.identity.mint({
    userId: options.user,
    organizationSlug: options.org,
    organizationId: organization.organizationId,
    role: options.role,
    expiresIn: options.expires,
  });
  return { token, organization, warnings };
}
