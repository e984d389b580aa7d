import { LocalOrganizations, type LocalOrganization } from '#application';
import { LOCAL_OPERATOR_USER_ID, type Runtime } from '#runtime';

/** Who the `npm start` banner's token is for. */
/** Also the operator by default without Clerk (`OPERATOR_USER_IDS` unset). */
export const BANNER_USER_ID = LOCAL_OPERATOR_USER_ID;
export const BANNER_ORGANIZATION_SLUG = 'acme';

/**
 * The `npm start` banner's session: its organization is created (with the banner's user as admin)
 * before the token naming it is printed, so everything the token makes (workspaces, API keys) is
 * reachable through memberships too, as for an organization made with `POST /v1/orgs`. With Clerk
 * the local token is not accepted anyway and Clerk owns organizations: nothing is created.
 */
export async function bannerSession(runtime: Runtime): Promise<{ token: string; organization: LocalOrganization | null }> {
  const organization = runtime.config.clerk
    ? null
    : await new LocalOrganizations(runtime.store).ensure({ slug: BANNER_ORGANIZATION_SLUG, userId: BANNER_USER_ID });
  const token = await runtime.identity.mint({
    userId: BANNER_USER_ID,
    organizationSlug: BANNER_ORGANIZATION_SLUG,
    organizationId: organization?.organizationId,
    role: 'admin',
  });
  return { token, organization };
}
