import { OrganizationQueries, ProjectionCaches, type OrgMembershipRow, type ProjectionCache } from '#read-models';
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { metricsRegistry, type Principal } from '#adapters';
import { isApiKeyPrincipal } from '../api-keys/api-key.authenticator.js';
import { forbidden } from '../common/api-error.js';
import { memberRole } from '#domain';
import { MembershipResolver, type OrganizationRef } from '../organizations/membership-resolver.js';
import { OrganizationStreams } from '../organizations/organization-streams.js';

export interface OrgScope {
  readonly organizationId: string;
  readonly organizationSlug: string;
  readonly role: 'admin' | 'member';
  readonly userId: string;
}

export interface OrgAccessOptions {
  /** Members get 403 on admin-only routes. */
  readonly admin?: boolean;
}

/** The caller's membership as the read model holds it (null: not there), per user and organization reference. */
type CachedMembership = { readonly id: string; readonly slug: string; readonly role: OrgMembershipRow['role'] } | null;
const MAX_MEMBERSHIPS = 50_000;

export const orgAccessChecks = new Counter({
  name: 'org_access_checks_total',
  help: 'Organization authorization checks by how they were answered',
  labelNames: ['via'] as const,
  registers: [metricsRegistry],
});

/**
 * Who may act in an organization, with no Clerk call on the hot path:
 * 1. the token's active organization (its claims carry id, slug and role): no lookup at all;
 * 2. another organization: one indexed lookup in the `organizations`/`org_memberships` read model,
 *    cached in process and kept exact by the `organizations` projection's notifications (a removed
 *    member or a changed role is honoured once the projection applied it, and at once for a request
 *    with `?minPosition=`; see `ProjectionCaches`). An entry is the answer for one user and one
 *    organization reference, so it can never answer for another organization;
 * 3. a miss there: the organization's own stream, which the read model trails by the projector's
 *    lag, so a member added a moment ago (the creator of a new organization) is not refused;
 * 4. a miss there too: in Clerk mode, Clerk is asked once (single-flight, short cache; see
 *    `MembershipResolver`) and a membership found is recorded; without Clerk, a miss is a denial.
 * A non-member gets 403 whether or not the organization exists, so existence is not revealed to
 * outsiders; a member asking for an organization the read model does not have gets 404 from the route.
 */
@Injectable()
export class OrgAccess {
  private readonly readModel: ProjectionCache<CachedMembership>;

  constructor(
    private readonly organizations: OrganizationQueries,
    private readonly memberships: MembershipResolver,
    private readonly streams: OrganizationStreams,
    caches: ProjectionCaches,
  ) {
    this.readModel = caches.cache('membership', 'organizations', MAX_MEMBERSHIPS);
  }

  /** `{org}` routes: the organization by slug. */
  requireOrg(principal: Principal, organizationSlug: string, options: OrgAccessOptions = {}): Promise<OrgScope> {
    return this.require(principal, { by: 'slug', value: organizationSlug }, options);
  }

  /** `by-id/{clerkOrgId}` routes. */
  requireOrgById(principal: Principal, organizationId: string, options: OrgAccessOptions = {}): Promise<OrgScope> {
    return this.require(principal, { by: 'id', value: organizationId }, options);
  }

  private async require(principal: Principal, ref: OrganizationRef, options: OrgAccessOptions): Promise<OrgScope> {
    // A key belongs to a user, not to an organization; the **key** routes take X-Workspace-ID instead.
    if (isApiKeyPrincipal(principal)) throw forbidden('API keys cannot act in an organization; use a session token');
    const { userId } = principal;
    const scope =
      this.fromToken(principal, ref) ??
      (await this.fromReadModel(userId, ref)) ??
      (await this.fromStreams(userId, ref)) ??
      (await this.fromClerk(userId, ref));
    if (!scope) throw forbidden(`You are not a member of organization "${ref.value}"`);
    if (options.admin && scope.role !== 'admin') throw forbidden('This action requires the admin role');
    return scope;
  }

  private fromToken(principal: Principal, ref: OrganizationRef): OrgScope | null {
    const active = ref.by === 'slug' ? principal.organizationSlug : principal.organizationId;
    if (!principal.organizationId || !principal.organizationSlug || !principal.role || active !== ref.value) return null;
    orgAccessChecks.inc({ via: 'token' });
    return {
      organizationId: principal.organizationId,
      organizationSlug: principal.organizationSlug,
      role: principal.role,
      userId: principal.userId,
    };
  }

  private async fromReadModel(userId: string, ref: OrganizationRef): Promise<OrgScope | null> {
    const row = await this.readModel.get(JSON.stringify([userId, ref.by, ref.value]), () => this.organizations.membership(userId, ref));
    if (!row) return null;
    orgAccessChecks.inc({ via: 'read_model' });
    return { organizationId: row.id, organizationSlug: row.slug, role: row.role, userId };
  }

  private async fromStreams(userId: string, ref: OrganizationRef): Promise<OrgScope | null> {
    const organizationId = ref.by === 'id' ? ref.value : await this.streams.organizationIdForSlug(ref.value);
    if (!organizationId) return null;
    const { state } = await this.streams.state(organizationId);
    const role = memberRole(state, userId);
    if (!role || !state.organizationId) return null;
    orgAccessChecks.inc({ via: 'stream' });
    return { organizationId: state.organizationId, organizationSlug: state.slug, role, userId };
  }

  private async fromClerk(userId: string, ref: OrganizationRef): Promise<OrgScope | null> {
    const learned = await this.memberships.learn(userId, ref);
    orgAccessChecks.inc({ via: learned ? 'clerk' : 'denied' });
    return learned ? { ...learned, userId } : null;
  }
}
