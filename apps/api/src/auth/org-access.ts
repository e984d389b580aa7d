import type { Principal } from '#integrations';
import { ApiError } from '../common/api-error.js';

export interface OrgScope {
  readonly organizationId: string;
  readonly organizationSlug: string;
  readonly role: 'admin' | 'member';
  readonly userId: string;
}

/**
 * The caller may act in an organization only when it is the active organization of their token:
 * that needs no lookup at all. (Memberships of other organizations come with the identity issue.)
 */
export function requireOrg(principal: Principal, organizationSlug: string, options: { admin?: boolean } = {}): OrgScope {
  if (!principal.organizationId || !principal.role || principal.organizationSlug !== organizationSlug) {
    throw new ApiError(403, 'forbidden', `You are not a member of organization "${organizationSlug}" in this session`);
  }
  if (options.admin && principal.role !== 'admin') throw new ApiError(403, 'forbidden', 'This action requires the admin role');
  return { organizationId: principal.organizationId, organizationSlug, role: principal.role, userId: principal.userId };
}
