import type { DomainEvent } from '../core/event.js';

export type OrganizationRole = 'admin' | 'member';

/**
 * Where a fact came from: `console` for our own commands (including the Clerk call they made),
 * `clerk` for what Clerk told us unprompted (a webhook, or the membership lookup on an
 * authorization miss). Clerk facts can arrive late and out of order; see `AddMember`.
 */
export type OrganizationFactSource = 'console' | 'clerk';

/** Stream `org-slug-<slug>`: who holds a slug. Appended with `no-stream`, so one creator wins. */
export type OrganizationSlugReserved = DomainEvent<
  'OrganizationSlugReserved',
  { readonly slug: string; readonly organizationId: string; readonly reservedAt: string }
>;

export type OrganizationCreated = DomainEvent<
  'OrganizationCreated',
  {
    readonly organizationId: string;
    readonly slug: string;
    readonly name: string;
    /** Null when Clerk did not say (an organization created in Clerk without a creator). */
    readonly createdBy: string | null;
    readonly createdAt: string;
    /** Clerk's logo URL; null without Clerk or without a logo; absent in events recorded before it was kept. */
    readonly imageUrl?: string | null;
  }
>;
export type OrganizationRenamed = DomainEvent<
  'OrganizationRenamed',
  { readonly organizationId: string; readonly name: string; readonly previousName: string; readonly renamedAt: string }
>;
/** Only Clerk changes a slug (Console's API cannot): recorded so lookups by slug follow it. */
export type OrganizationSlugChanged = DomainEvent<
  'OrganizationSlugChanged',
  { readonly organizationId: string; readonly slug: string; readonly previousSlug: string; readonly changedAt: string }
>;
/** Only Clerk has organization images: recorded from its answers and webhooks, like its slug changes. */
export type OrganizationImageChanged = DomainEvent<
  'OrganizationImageChanged',
  {
    readonly organizationId: string;
    readonly imageUrl: string | null;
    readonly previousImageUrl: string | null;
    readonly changedAt: string;
  }
>;
export type MemberAdded = DomainEvent<
  'MemberAdded',
  {
    readonly organizationId: string;
    readonly userId: string;
    readonly role: OrganizationRole;
    readonly source: OrganizationFactSource;
    readonly addedAt: string;
  }
>;
export type MemberRoleChanged = DomainEvent<
  'MemberRoleChanged',
  {
    readonly organizationId: string;
    readonly userId: string;
    readonly role: OrganizationRole;
    readonly previousRole: OrganizationRole;
    readonly source: OrganizationFactSource;
    readonly changedAt: string;
  }
>;
/** `role` is the role the member had. */
export type MemberRemoved = DomainEvent<
  'MemberRemoved',
  {
    readonly organizationId: string;
    readonly userId: string;
    readonly role: OrganizationRole;
    readonly source: OrganizationFactSource;
    readonly removedAt: string;
  }
>;

export type OrganizationEvent =
  | OrganizationCreated
  | OrganizationRenamed
  | OrganizationSlugChanged
  | OrganizationImageChanged
  | MemberAdded
  | MemberRoleChanged
  | MemberRemoved;
export const ORGANIZATION_EVENT_TYPES: readonly OrganizationEvent['type'][] = [
  'OrganizationCreated',
  'OrganizationRenamed',
  'OrganizationSlugChanged',
  'OrganizationImageChanged',
  'MemberAdded',
  'MemberRoleChanged',
  'MemberRemoved',
];
export type OrganizationSlugEvent = OrganizationSlugReserved;

/** One stream per organization: its name, slug and members. */
export const organizationStreamId = (organizationId: string) => `organization-${organizationId}`;

/**
 * Slug uniqueness without a read-model race: the reservation is its own tiny stream, created with
 * `no-stream`, so of two concurrent creations of one slug exactly one append succeeds and the other
 * re-decides on the reserved state (409). The organization stream is written only after it.
 */
export const organizationSlugStreamId = (slug: string) => `org-slug-${slug}`;
