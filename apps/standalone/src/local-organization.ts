import { randomUUID } from 'node:crypto';
import { memberRole } from '#domain';
import { LocalOrganizationDirectory, type OrgRole } from '#adapters';
import { OrganizationWriter, type DefaultWorkspace } from '../../api/src/organizations/organization-writer.js';
import type { Runtime } from '#runtime';

export interface LocalOrganization {
  readonly organizationId: string;
  readonly slug: string;
  /** The user's role in the organization as its stream records it; null when not a member. */
  readonly role: OrgRole | null;
  /** False when the organization existed already. */
  readonly created: boolean;
  readonly defaultWorkspace: DefaultWorkspace | null;
}

/**
 * The operator's side of organizations without Clerk (`npm start`, `console token`): the same
 * write path as `POST /v1/orgs` (slug reservation, organization, default workspace), so an
 * organization named in a local token exists in the log like any other.
 */
export class LocalOrganizations {
  private readonly writer: OrganizationWriter;

  constructor(runtime: Runtime) {
    this.writer = new OrganizationWriter(runtime.store, new LocalOrganizationDirectory());
  }

  /** The organization holding `slug`, from its streams (never the read model); null when none was created. */
  async find(slug: string, userId?: string): Promise<LocalOrganization | null> {
    const organizationId = await this.writer.organizationIdForSlug(slug);
    if (!organizationId) return null;
    const { state } = await this.writer.state(organizationId);
    if (!state.organizationId) return null;
    return { organizationId, slug: state.slug, role: userId ? memberRole(state, userId) : null, created: false, defaultWorkspace: null };
  }

  /**
   * Creates the organization with `userId` as its admin, or, when it exists, makes `userId` its
   * admin if they are not a member (a member keeps the role an admin gave them). Command ids derive
   * from the slug, so a start interrupted half-way is completed by the next one. History recorded
   * under the slug's id before the organization existed (workspaces made with local tokens by
   * earlier versions) is adopted: it was the operator's all along.
   */
  async ensure(input: { slug: string; name?: string; userId: string }): Promise<LocalOrganization> {
    const existing = await this.find(input.slug, input.userId);
    if (existing) {
      const defaultWorkspace = (await this.writer.ensureDefaultWorkspace(existing.organizationId)).defaultWorkspace;
      if (existing.role) return { ...existing, defaultWorkspace };
      await this.writer.addMember(existing.organizationId, input.userId, 'admin', { commandId: randomUUID(), userId: input.userId });
      return { ...existing, role: 'admin', defaultWorkspace };
    }
    const created = await this.writer.create(
      { slug: input.slug, name: input.name ?? input.slug, userId: input.userId },
      { commandId: `local-organization:${input.slug}`, userId: input.userId },
      { adoptHistory: true },
    );
    return { organizationId: created.organizationId, slug: created.slug, role: 'admin', created: true, defaultWorkspace: created.defaultWorkspace };
  }
}

/** Who the `npm start` banner's token is for. */
export const BANNER_USER_ID = 'user_local';
export const BANNER_ORGANIZATION_SLUG = 'acme';

/**
 * The `npm start` banner's session: its organization is created (with the banner's user as admin)
 * before the token naming it is printed, so everything the token makes (workspaces, API keys) is
 * reachable through memberships too, as for an organization made with `POST /v1/orgs`. With Clerk
 * the local token is not accepted anyway and Clerk owns organizations: nothing is created.
 */
export async function bannerSession(runtime: Runtime): Promise<{ token: string; organization: LocalOrganization | null }> {
  const organization = runtime.config.clerk ? null : await new LocalOrganizations(runtime).ensure({ slug: BANNER_ORGANIZATION_SLUG, userId: BANNER_USER_ID });
  const token = await runtime.identity.mint({ userId: BANNER_USER_ID, organizationSlug: BANNER_ORGANIZATION_SLUG, organizationId: organization?.organizationId, role: 'admin' });
  return { token, organization };
}
