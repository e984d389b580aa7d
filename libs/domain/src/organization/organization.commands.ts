import type { Command } from '../core/event.js';
import type { OrganizationFactSource, OrganizationRole } from './organization.events.js';

/**
 * `authoritative`: the slug was already granted by the source of truth (Clerk accepted it, or
 * Clerk reports an organization holding it), so a stale holder in our store gives way. Console's
 * own reservation without Clerk is not authoritative: an existing holder means 409.
 */
export type ReserveOrganizationSlug = Command<
  'ReserveOrganizationSlug',
  { readonly slug: string; readonly organizationId: string; readonly authoritative: boolean; readonly at: string }
>;
export type OrganizationSlugCommand = ReserveOrganizationSlug;

/**
 * Creating an organization that exists is a no-op: its id (Clerk's, or derived from a reserved
 * slug) is its identity. From `console`, the creator becomes its admin; an organization reported
 * by `clerk` gets its members from Clerk's membership facts only.
 */
export type CreateOrganization = Command<
  'CreateOrganization',
  {
    readonly organizationId: string;
    readonly slug: string;
    readonly name: string;
    readonly createdBy: string | null;
    readonly source: OrganizationFactSource;
    readonly at: string;
    /** Clerk's logo URL, when the organization comes from Clerk (null or absent otherwise). */
    readonly imageUrl?: string | null;
  }
>;
export type RenameOrganization = Command<
  'RenameOrganization',
  { readonly organizationId: string; readonly name: string; readonly source: OrganizationFactSource; readonly at: string }
>;
export type ChangeOrganizationSlug = Command<
  'ChangeOrganizationSlug',
  { readonly organizationId: string; readonly slug: string; readonly at: string }
>;
/** Clerk's current logo of the organization (same staleness rule as a slug change). */
export type ChangeOrganizationImage = Command<
  'ChangeOrganizationImage',
  { readonly organizationId: string; readonly imageUrl: string | null; readonly at: string }
>;
/**
 * States an outcome, "the user is a member with this role": a new member is added, an existing
 * one with another role has it changed, the same role is a no-op. For a `clerk` fact, `at` is when
 * Clerk said so; a fact older than what the stream already knows about the user is ignored, so a
 * late or redelivered webhook cannot resurrect a removed member.
 */
export type AddMember = Command<
  'AddMember',
  {
    readonly organizationId: string;
    readonly userId: string;
    readonly role: OrganizationRole;
    readonly source: OrganizationFactSource;
    readonly at: string;
  }
>;
/** Removing a user who is not a member is a no-op (same staleness rule as `AddMember`). */
export type RemoveMember = Command<
  'RemoveMember',
  { readonly organizationId: string; readonly userId: string; readonly source: OrganizationFactSource; readonly at: string }
>;

export type OrganizationCommand =
  CreateOrganization | RenameOrganization | ChangeOrganizationSlug | ChangeOrganizationImage | AddMember | RemoveMember;
