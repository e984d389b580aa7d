import { createHash } from 'node:crypto';
import type { GitHubInstallationsSource } from './github-installations.source.js';
import type { InstallationRepository } from './installation-repositories.js';
import type { SingleFlightCache } from './single-flight-cache.js';

/**
 * The repositories of an installation that one user may see, read with that user's own token
 * (GitHub intersects the installation's repositories with the user's access), so a member is never
 * shown a repository GitHub would not show them. Cached briefly per token and installation: the key
 * holds a hash of the token, never the token, and no user's answer can reach another user.
 */
export class UserInstallationRepositories {
  constructor(
    private readonly source: GitHubInstallationsSource,
    private readonly cache: SingleFlightCache,
    private readonly ttlMs = 60_000,
  ) {}

  /** `fresh`: asks GitHub now (and refreshes the cache), for decisions that must see withdrawn access. */
  async list(accessToken: string, installationId: string, options: { fresh?: boolean } = {}): Promise<InstallationRepository[]> {
    const key = `user-repos:${createHash('sha256').update(accessToken).digest('base64url')}:${installationId}`;
    if (options.fresh) await this.cache.invalidate(key);
    return this.cache.getOrLoad(key, this.ttlMs, () => this.source.listUserInstallationRepositories(accessToken, installationId));
  }
}
