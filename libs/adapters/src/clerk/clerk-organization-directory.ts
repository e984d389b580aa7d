import { createClerkClient, type ClerkClient, type Organization, type OrganizationMembership, type User } from '@clerk/backend';
import { isClerkAPIResponseError } from '@clerk/backend/errors';
import { Histogram } from 'prom-client';
import type { OrgRole } from '../identity/principal.js';
import { metricsRegistry } from '../observability/metrics.js';
import {
  DirectoryConflictError,
  DirectoryNotFoundError,
  DirectoryRejectedError,
  DirectoryUnavailableError,
  clerkRoleFor,
  orgRoleFromClerk,
  type DirectoryMembership,
  type DirectoryOrganization,
  type DirectoryUser,
  type OrganizationDirectory,
} from './organization-directory.js';

export const clerkRequestDuration = new Histogram({
  name: 'clerk_request_duration_seconds',
  help: 'Clerk Backend API calls by operation and outcome',
  labelNames: ['operation', 'outcome'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export interface ClerkDirectoryOptions {
  readonly secretKey: string;
  /** Clerk's Backend API, or a fake on loopback in tests. */
  readonly apiUrl?: string;
  /** A call that takes longer is abandoned and reported unavailable (the SDK has no timeout). */
  readonly timeoutMs?: number;
}

/** The most memberships Clerk returns per page; a user in more organizations is looked up in the first page only. */
const MEMBERSHIP_PAGE = 500;
/** Clerk's "slug taken" codes (the original matched `duplicate_record`). */
const CONFLICT_CODES = new Set(['form_identifier_exists', 'duplicate_record']);

/** Organizations and memberships in Clerk, through the official `@clerk/backend` client. */
export class ClerkOrganizationDirectory implements OrganizationDirectory {
  readonly external = true;
  private readonly client: ClerkClient;
  private readonly timeoutMs: number;

  constructor(options: ClerkDirectoryOptions) {
    this.client = createClerkClient({ secretKey: options.secretKey, apiUrl: options.apiUrl });
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async createOrganization(input: { slug: string; name: string; createdBy: string }): Promise<DirectoryOrganization> {
    const organization = await this.call('create_organization', () => this.client.organizations.createOrganization(input));
    return fromOrganization(organization);
  }

  async renameOrganization(organizationId: string, name: string): Promise<DirectoryOrganization> {
    return fromOrganization(
      await this.call('update_organization', () => this.client.organizations.updateOrganization(organizationId, { name })),
    );
  }

  async setMembership(input: { organizationId: string; userId: string; role: OrgRole }): Promise<DirectoryMembership> {
    const params = { organizationId: input.organizationId, userId: input.userId, role: clerkRoleFor(input.role) };
    try {
      return fromMembership(await this.call('create_membership', () => this.client.organizations.createOrganizationMembership(params)));
    } catch (error) {
      if (!(error instanceof AlreadyMemberError)) throw error;
      return fromMembership(await this.call('update_membership', () => this.client.organizations.updateOrganizationMembership(params)));
    }
  }

  async listUserMemberships(userId: string): Promise<readonly DirectoryMembership[]> {
    try {
      const page = await this.call('list_user_memberships', () =>
        this.client.users.getOrganizationMembershipList({ userId, limit: MEMBERSHIP_PAGE }),
      );
      return page.data.map(fromMembership);
    } catch (error) {
      // A user Clerk does not know belongs to nothing.
      if (error instanceof DirectoryNotFoundError) return [];
      throw error;
    }
  }

  async getUser(userId: string): Promise<DirectoryUser> {
    return fromUser(await this.call('get_user', () => this.client.users.getUser(userId)));
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    const stop = clerkRequestDuration.startTimer({ operation });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DirectoryUnavailableError(`Clerk did not answer ${operation} within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
      });
      const result = await Promise.race([send(), timeout]);
      stop({ outcome: 'ok' });
      return result;
    } catch (error) {
      const mapped = mapError(operation, error);
      stop({ outcome: mapped.name });
      throw mapped;
    } finally {
      clearTimeout(timer);
    }
  }
}

class AlreadyMemberError extends Error {
  override name = 'AlreadyMemberError';
}

function mapError(operation: string, error: unknown): Error {
  if (error instanceof DirectoryUnavailableError) return error;
  if (!isClerkAPIResponseError(error))
    return new DirectoryUnavailableError(`Clerk ${operation} failed: ${String(error)}`, { cause: error });
  const first = error.errors[0];
  const message = first?.longMessage ?? first?.message ?? error.message;
  const status = error.status;
  // No status: the request never got an answer (connection refused, reset, DNS).
  if (!status || status >= 500 || status === 429)
    return new DirectoryUnavailableError(`Clerk ${operation} failed (${status ?? 'no response'}): ${message}`, { cause: error });
  if (error.errors.some((e) => e.code === 'already_a_member_in_organization')) return new AlreadyMemberError(message);
  if (error.errors.some((e) => CONFLICT_CODES.has(e.code))) return new DirectoryConflictError(message, first?.meta?.paramName ?? 'slug');
  if (status === 404) return new DirectoryNotFoundError(message);
  return new DirectoryRejectedError(message, status);
}

function fromOrganization(organization: Organization): DirectoryOrganization {
  return {
    id: organization.id,
    slug: organization.slug,
    name: organization.name,
    createdBy: organization.createdBy ?? null,
    createdAt: new Date(organization.createdAt).toISOString(),
    imageUrl: organization.imageUrl || null,
  };
}

function fromUser(user: User): DirectoryUser {
  return {
    id: user.id,
    firstName: user.firstName,
    lastName: user.lastName,
    fullName: user.fullName,
    username: user.username,
    primaryEmailAddress: user.primaryEmailAddress?.emailAddress ?? null,
    imageUrl: user.imageUrl || null,
    createdAt: new Date(user.createdAt).toISOString(),
  };
}

function fromMembership(membership: OrganizationMembership): DirectoryMembership {
  return {
    organization: fromOrganization(membership.organization),
    userId: membership.publicUserData!.userId,
    role: orgRoleFromClerk(membership.role),
  };
}
