import { randomUUID } from 'node:crypto';
import { memberRole, type DefaultWorkspace } from '#domain';
import type { EventStore } from '#event-store';
import { LocalOrganizationDirectory, type OrgRole } from '#adapters';
import { createOrganization, ensureDefaultWorkspace } from './organization-creation.js';
import { loadOrganization, organizationIdForSlug, sendToOrganization } from './organization-streams.js';

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
 * workflow as `POST /v1/orgs` (slug reservation, organization, default workspace), so an
 * organization named in a local token exists in the log like any other.
 */
export class LocalOrganizations {
  private readonly directory = new LocalOrganizationDirectory();

  constructor(private readonly store: EventStore) {}

  /** The organization holding `slug`, from its streams (never the read model); null when none was created. */
  async find(slug: string, userId?: string): Promise<LocalOrganization | null> {
    const organizationId = await organizationIdForSlug(this.store, slug);
    if (!organizationId) return null;
    const { state } = await loadOrganization(this.store, organizationId);
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
      const { defaultWorkspace } = await ensureDefaultWorkspace(this.store, existing.organizationId);
      if (existing.role) return { ...existing, defaultWorkspace };
      const { organizationId } = existing;
      await sendToOrganization(
        this.store,
        organizationId,
        {
          type: 'AddMember',
          data: { organizationId, userId: input.userId, role: 'admin', source: 'console', at: new Date().toISOString() },
        },
        { commandId: randomUUID(), userId: input.userId },
      );
      return { ...existing, role: 'admin', defaultWorkspace };
    }
    const created = await createOrganization(
      this.store,
      this.directory,
      { slug: input.slug, name: input.name ?? input.slug, userId: input.userId },
      { commandId: `local-organization:${input.slug}`, userId: input.userId },
      { adoptHistory: true },
    );
    return {
      organizationId: created.organizationId,
      slug: created.slug,
      role: 'admin',
      created: true,
      defaultWorkspace: created.defaultWorkspace,
    };
  }
}
