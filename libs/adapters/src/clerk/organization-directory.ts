import type { OrgRole } from '../identity/principal.js';
import { localOrganizationId } from '../identity/local-identity-provider.js';

/** An organization as the directory (Clerk) describes it. */
export interface DirectoryOrganization {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly imageUrl: string | null;
}

/** A user as the directory (Clerk) describes them: the original's `account.profile.get` answer. */
export interface DirectoryUser {
  readonly id: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly fullName: string | null;
  readonly username: string | null;
  readonly primaryEmailAddress: string | null;
  readonly imageUrl: string | null;
  /** Null where no directory knows when the user was created (the local identity provider). */
  readonly createdAt: string | null;
}

export interface DirectoryMembership {
  readonly organization: DirectoryOrganization;
  readonly userId: string;
  readonly role: OrgRole;
}

/**
 * Where organizations and memberships live besides our event store. With Clerk configured that is
 * Clerk (`ClerkOrganizationDirectory`): commands call it and record what it answered. Without
 * Clerk (`LocalOrganizationDirectory`) nothing is external and the event store is the only truth.
 * The API calls the same methods in both modes; a null answer means "nothing external to ask".
 */
export interface OrganizationDirectory {
  /** True when an external directory is the source of truth (Clerk mode). */
  readonly external: boolean;
  /** Throws `DirectoryConflictError` when the slug is taken there. */
  createOrganization(input: { readonly slug: string; readonly name: string; readonly createdBy: string }): Promise<DirectoryOrganization>;
  renameOrganization(organizationId: string, name: string): Promise<DirectoryOrganization | null>;
  /** Adds the user, or changes the role of a user who is already a member. */
  setMembership(input: {
    readonly organizationId: string;
    readonly userId: string;
    readonly role: OrgRole;
  }): Promise<DirectoryMembership | null>;
  /** Every organization the user belongs to, in one call; null when there is no external directory. */
  listUserMemberships(userId: string): Promise<readonly DirectoryMembership[] | null>;
  /** The user's profile; null when there is no external directory. Throws `DirectoryNotFoundError` for an unknown user. */
  getUser(userId: string): Promise<DirectoryUser | null>;
}

/** The directory refused because a unique value (the slug) is taken. */
export class DirectoryConflictError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'DirectoryConflictError';
  }
}

/** The directory does not know the organization (or user) a command names. */
export class DirectoryNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectoryNotFoundError';
  }
}

/** The directory refused the request as invalid (a 4xx other than a conflict or a miss). */
export class DirectoryRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'DirectoryRejectedError';
  }
}

/** The directory could not be reached, failed, timed out or rate-limited us: worth retrying later. */
export class DirectoryUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DirectoryUnavailableError';
  }
}

/**
 * No Clerk: an organization's id is derived from its slug, as in the local identity provider's
 * tokens, so a token minted for a slug names the organization created with it.
 */
export class LocalOrganizationDirectory implements OrganizationDirectory {
  readonly external = false;

  async createOrganization(input: { slug: string; name: string; createdBy: string }): Promise<DirectoryOrganization> {
    return {
      id: localOrganizationId(input.slug),
      slug: input.slug,
      name: input.name,
      createdBy: input.createdBy,
      createdAt: new Date().toISOString(),
      imageUrl: null,
    };
  }

  async renameOrganization(): Promise<null> {
    return null;
  }

  async setMembership(): Promise<null> {
    return null;
  }

  async listUserMemberships(): Promise<null> {
    return null;
  }

  async getUser(): Promise<null> {
    return null;
  }
}

/** Clerk's role keys (`org:admin`, `org:member`, custom ones) to ours: admin, or member for anything else. */
export const orgRoleFromClerk = (role: string): OrgRole => (role.replace(/^org:/, '') === 'admin' ? 'admin' : 'member');
export const clerkRoleFor = (role: OrgRole): string => `org:${role}`;

/** Clerk's JSON (webhook payloads, Backend API bodies) is snake_case with millisecond timestamps. */
export interface ClerkOrganizationJson {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly image_url?: string | null;
  readonly created_by?: string | null;
  readonly created_at: number;
}

export interface ClerkMembershipJson {
  readonly role: string;
  readonly organization: ClerkOrganizationJson;
  readonly public_user_data: { readonly user_id: string };
}

export function organizationFromClerkJson(json: ClerkOrganizationJson): DirectoryOrganization {
  return {
    id: json.id,
    slug: json.slug,
    name: json.name,
    createdBy: json.created_by || null,
    createdAt: new Date(json.created_at).toISOString(),
    imageUrl: json.image_url || null,
  };
}

export function membershipFromClerkJson(json: ClerkMembershipJson): DirectoryMembership {
  return {
    organization: organizationFromClerkJson(json.organization),
    userId: json.public_user_data.user_id,
    role: orgRoleFromClerk(json.role),
  };
}
