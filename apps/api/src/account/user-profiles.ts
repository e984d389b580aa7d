import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import { metricsRegistry, type DirectoryUser, type OrganizationDirectory } from '#adapters';
import { ORGANIZATION_DIRECTORY, callDirectory } from '../organizations/organization-directory.js';

/** How long Clerk's answer about a user is reused: a name or e-mail changed in Clerk shows after at most this. */
export const PROFILE_CACHE_MS = 60_000;
const MAX_PROFILES = 10_000;

export const userProfileLookups = new Counter({
  name: 'user_profile_lookups_total',
  help: '`GET /v1/me` profiles by how they were answered: from the directory (Clerk), its cached answer, or the local identity',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

/**
 * `account.profile.get`. In Clerk mode, Clerk's user (one Backend API call), kept for
 * `PROFILE_CACHE_MS` and shared by concurrent requests of the same user (the cache's fetch is
 * single-flight), so a warm profile costs no Clerk call; a failed call is not kept. Without Clerk,
 * the local identity has no profile besides the token's subject: every other field is null.
 */
@Injectable()
export class UserProfiles {
  private readonly cache: LRUCache<string, DirectoryUser>;

  constructor(@Inject(ORGANIZATION_DIRECTORY) private readonly directory: OrganizationDirectory) {
    this.cache = new LRUCache<string, DirectoryUser>({
      max: MAX_PROFILES,
      ttl: PROFILE_CACHE_MS,
      fetchMethod: async (userId) => {
        const user = await callDirectory(() => this.directory.getUser(userId));
        userProfileLookups.inc({ outcome: user ? 'directory' : 'local' });
        return Object.freeze(user ?? localProfile(userId));
      },
    });
  }

  async get(userId: string): Promise<DirectoryUser> {
    const cached = this.cache.get(userId);
    if (cached) {
      userProfileLookups.inc({ outcome: 'cached' });
      return cached;
    }
    return (await this.cache.fetch(userId))!;
  }
}

const localProfile = (userId: string): DirectoryUser => ({
  id: userId,
  firstName: null,
  lastName: null,
  fullName: null,
  username: null,
  primaryEmailAddress: null,
  imageUrl: null,
  createdAt: null,
});
