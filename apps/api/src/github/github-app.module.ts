import { Global, Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { gitHubAppFromEnv, type GitHubApp } from '#adapters';
import { CONFIG, type ConsoleConfig } from '#runtime';

/** The GitHub App's installation clients, or null without GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY. */
export const GITHUB_APP_CLIENTS = Symbol('GITHUB_APP_CLIENTS');
const GITHUB_APP = Symbol('GITHUB_APP');

/** Closes the GitHub response cache with the app: a Redis connection left open keeps the process alive. */
@Injectable()
class GitHubCacheCloser implements OnModuleDestroy {
  constructor(@Inject(GITHUB_APP) private readonly github: GitHubApp | null) {}

  async onModuleDestroy(): Promise<void> {
    await this.github?.cache.close();
  }
}

/**
 * One set of GitHub App clients (and one response cache, one Redis connection) for the whole api:
 * repositories and webhooks share installation tokens and ETags. Read when the app starts.
 */
@Global()
@Module({
  providers: [
    { provide: GITHUB_APP, inject: [CONFIG], useFactory: (config: ConsoleConfig) => gitHubAppFromEnv(config.githubApiUrl) },
    { provide: GITHUB_APP_CLIENTS, inject: [GITHUB_APP], useFactory: (github: GitHubApp | null) => github?.clients ?? null },
    GitHubCacheCloser,
  ],
  exports: [GITHUB_APP_CLIENTS],
})
export class GitHubAppModule {}
