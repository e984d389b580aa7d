import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { memberRole } from '#domain';
import { metricsRegistry, type DirectoryMembership, type OrganizationDirectory, type OrgRole } from '#adapters';
import { Counter } from 'prom-client';
import { ORGANIZATION_DIRECTORY, callDirectory } from './organization-directory.js';
import { OrganizationStreams } from './organization-streams.js';
import { RecordClerkMembershipCommand } from './record-clerk-membership.handler.js';

/** An organization named by a route: by slug (`/orgs/{org}`) or by Clerk id (`/orgs/by-id/{id}`). */
export type OrganizationRef = { readonly by: 'slug' | 'id'; readonly value: string };

export interface LearnedMembership {
  readonly organizationId: string;
  readonly organizationSlug: string;
  readonly role: OrgRole;
}

interface UserMemberships {
  readonly memberships: readonly DirectoryMembership[];
  /** When Clerk was asked: the time of the facts recorded from this answer. */
  readonly fetchedAt: string;
  readonly expiresAt: number;
}

export const clerkMembershipLookups = new Counter({
  name: 'clerk_membership_lookups_total',
  help: 'Authorization misses answered from Clerk: a call, or the short cache of a previous answer',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

/** How long Clerk's answer about a user's memberships is reused, negative or not. */
export const MEMBERSHIP_CACHE_MS = 30_000;
const MAX_CACHED_USERS = 10_000;

/**
 * The cold path of authorization: a user asks for an organization the membership read model does
 * not list them in. In Clerk mode the answer is one Clerk call for all of the user's memberships
 * (it also resolves a slug the read model has never seen), shared by every concurrent miss of the
 * same user (single-flight) and reused for `MEMBERSHIP_CACHE_MS` (so a repeated denial, or a burst
 * from a non-member, costs no further call). A membership found is recorded as a `MemberAdded`
 * event, so the read model learns it and the next request is a plain lookup. Without Clerk the
 * read model is the whole truth and a miss is a miss.
 */
@Injectable()
export class MembershipResolver {
  private readonly cache = new Map<string, UserMemberships>();
  private readonly listing = new Map<string, Promise<UserMemberships>>();
  private readonly learning = new Map<string, Promise<LearnedMembership | null>>();

  constructor(
    @Inject(ORGANIZATION_DIRECTORY) private readonly directory: OrganizationDirectory,
    private readonly commands: CommandBus,
    private readonly streams: OrganizationStreams,
  ) {}

  async learn(userId: string, ref: OrganizationRef): Promise<LearnedMembership | null> {
    if (!this.directory.external) return null;
    return singleFlight(this.learning, `${userId}\n${ref.by}\n${ref.value}`, async () => {
      const answer = await this.memberships(userId);
      if (!answer) return null;
      const found = answer.memberships.find((m) => (ref.by === 'slug' ? m.organization.slug : m.organization.id) === ref.value);
      if (!found) return null;
      // The command id comes from the answer: recording it again (the read model has not caught up
      // yet, the same cached answer is used) replays instead of appending twice.
      await this.commands.execute(
        new RecordClerkMembershipCommand(found, {
          commandId: `clerk-membership:${userId}:${found.organization.id}:${answer.fetchedAt}`,
          source: 'clerk',
          at: answer.fetchedAt,
          userId,
        }),
      );
      // The stream decides: a removal newer than Clerk's answer wins over it.
      const { state } = await this.streams.state(found.organization.id);
      const role = memberRole(state, userId);
      return role && state.organizationId ? { organizationId: state.organizationId, organizationSlug: state.slug, role } : null;
    });
  }

  /** A webhook changed this user's memberships: the next miss asks Clerk again. */
  forget(userId: string): void {
    this.cache.delete(userId);
  }

  private async memberships(userId: string): Promise<UserMemberships | null> {
    const cached = this.cache.get(userId);
    if (cached && cached.expiresAt > Date.now()) {
      clerkMembershipLookups.inc({ outcome: 'cached' });
      return cached;
    }
    return singleFlight(this.listing, userId, async () => {
      const fetchedAt = new Date().toISOString();
      const memberships = await callDirectory(() => this.directory.listUserMemberships(userId));
      clerkMembershipLookups.inc({ outcome: memberships ? 'called' : 'no_directory' });
      // A failed call is not cached: the next miss tries again (and shares that call).
      const answer: UserMemberships = { memberships: memberships ?? [], fetchedAt, expiresAt: Date.now() + MEMBERSHIP_CACHE_MS };
      this.remember(userId, answer);
      return answer;
    });
  }

  private remember(userId: string, answer: UserMemberships): void {
    if (this.cache.size >= MAX_CACHED_USERS) {
      const now = Date.now();
      for (const [id, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(id);
      // Still full of live entries: drop the oldest (a Map iterates in insertion order).
      if (this.cache.size >= MAX_CACHED_USERS) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.delete(userId);
    this.cache.set(userId, answer);
  }
}

/** Concurrent calls with the same key share one execution and its outcome. */
function singleFlight<T>(inflight: Map<string, Promise<T>>, key: string, work: () => Promise<T>): Promise<T> {
  const running = inflight.get(key);
  if (running) return running;
  const started = (async () => work())().finally(() => inflight.delete(key));
  inflight.set(key, started);
  return started;
}
