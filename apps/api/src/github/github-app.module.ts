import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { GitHubAppClients, InstallationRepositories, SingleFlightCache, cacheFromEnv, gitHubAppConfigFromEnv, type Cache } from '#integrations';
import type { Runtime } from '../../../console/src/runtime.js';

/** The GitHub App's installation clients, or null without GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY. */
export const GITHUB_APP_CLIENTS = Symbol('GITHUB_APP_CLIENTS');
/** Every repository of an installation (all pages), cached a minute and revalidated with ETags; null without a GitHub App. */
export const INSTALLATION_REPOSITORIES = Symbol('INSTALLATION_REPOSITORIES');
const GITHUB_CACHE = Symbol('GITHUB_CACHE');

/** Closes the GitHub response cache with the app: a Redis connection left open keeps the process alive. */
@Injectable()
class GitHubCacheCloser implements OnModuleDestroy {
  constructor(@Inject(GITHUB_CACHE) private readonly cache: Cache | null) {}

  async onModuleDestroy(): Promise<void> {
    await this.cache?.close();
  }
}

const gitHubAppConfigured = () => Boolean(process.env.GITHUB_APP_ID && process.env.GITHUB_APP_PRIVATE_KEY);

/**
 * One set of GitHub App clients (and one response cache, one Redis connection) for the whole api:
 * repositories and webhooks share installation tokens and ETags. Read when the app starts.
 */
@Module({})
export class GitHubAppModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: GitHubAppModule,
      global: true,
      providers: [
        { provide: GITHUB_CACHE, useFactory: () => (gitHubAppConfigured() ? cacheFromEnv() : null) },
        {
          provide: GITHUB_APP_CLIENTS,
          inject: [GITHUB_CACHE],
          useFactory: (cache: Cache | null) => (cache ? new GitHubAppClients({ ...gitHubAppConfigFromEnv(), baseUrl: runtime.config.githubApiUrl }, cache) : null),
        },
        {
          provide: INSTALLATION_REPOSITORIES,
          inject: [GITHUB_APP_CLIENTS, GITHUB_CACHE],
          useFactory: (clients: GitHubAppClients | null, cache: Cache | null) => (clients && cache ? new InstallationRepositories(clients, new SingleFlightCache(cache)) : null),
        },
        GitHubCacheCloser,
      ],
      exports: [GITHUB_APP_CLIENTS, INSTALLATION_REPOSITORIES],
    };
  }
}
