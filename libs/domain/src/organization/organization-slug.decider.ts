import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { OrganizationSlugCommand } from './organization.commands.js';
import type { OrganizationSlugEvent } from './organization.events.js';

/** The original's `clerkOrgSlugSchema`: 3–39 characters of [a-z0-9-], alphanumeric at both ends, no `--`. */
export const ORGANIZATION_SLUG_PATTERN = /^(?=.{3,39}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Would shadow a route: `/v1/orgs/by-id/{clerkOrgId}`. */
export const RESERVED_ORGANIZATION_SLUGS: readonly string[] = ['by-id'];

export function organizationSlugProblem(slug: string): string | null {
  if (!ORGANIZATION_SLUG_PATTERN.test(slug))
    return 'slug must be 3–39 characters of a-z, 0-9 and -, start and end with a letter or digit, and contain no "--"';
  if (RESERVED_ORGANIZATION_SLUGS.includes(slug)) return `slug "${slug}" is reserved`;
  return null;
}

export interface OrganizationSlugState {
  readonly organizationId: string | null;
}

function decide(command: OrganizationSlugCommand, state: OrganizationSlugState): OrganizationSlugEvent[] {
  switch (command.type) {
    case 'ReserveOrganizationSlug': {
      const { slug, organizationId, authoritative, at } = command.data;
      // Slugs Clerk granted are taken as they are; ours must follow the original's rules.
      const problem = authoritative ? null : organizationSlugProblem(slug);
      if (problem) throw new DomainError('invalid', problem, { field: 'slug' });
      if (state.organizationId === organizationId && authoritative) return [];
      // A retry of the same creation is recognised by its command id before deciding; anything
      // else finding the slug held is a second creation of it, even with the same derived id.
      if (state.organizationId !== null && !authoritative)
        throw new DomainError('conflict', `Organization slug "${slug}" is already taken`, { field: 'slug' });
      return [{ type: 'OrganizationSlugReserved', data: { slug, organizationId, reservedAt: at } }];
    }
    default:
      return assertNever(command.type as never);
  }
}

function evolve(_state: OrganizationSlugState, event: OrganizationSlugEvent): OrganizationSlugState {
  switch (event.type) {
    case 'OrganizationSlugReserved':
      return { organizationId: event.data.organizationId };
    default:
      return assertNever(event.type as never);
  }
}

export const organizationSlugDecider: Decider<OrganizationSlugCommand, OrganizationSlugEvent, OrganizationSlugState> = {
  decide,
  evolve,
  initialState: () => ({ organizationId: null }),
};
