import { Inject, Injectable } from '@nestjs/common';
import type { DefaultWorkspace, OrganizationState } from '#domain';
import type { EventStore, Position } from '#event-store';
import { ensureDefaultWorkspace, loadOrganization, organizationIdForSlug } from '#application';
import { EVENT_STORE } from '#runtime';

/**
 * What authorization and the routes that name an organization read from its streams (never the
 * read model), and the default workspace a route may need before the organization's first use.
 */
@Injectable()
export class OrganizationStreams {
  constructor(@Inject(EVENT_STORE) private readonly eventStore: EventStore) {}

  organizationIdForSlug(slug: string): Promise<string | null> {
    return organizationIdForSlug(this.eventStore, slug);
  }

  state(organizationId: string): Promise<{ state: OrganizationState; position: Position | null }> {
    return loadOrganization(this.eventStore, organizationId);
  }

  ensureDefaultWorkspace(organizationId: string): Promise<{ defaultWorkspace: DefaultWorkspace; position: Position | null }> {
    return ensureDefaultWorkspace(this.eventStore, organizationId);
  }
}
