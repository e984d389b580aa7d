import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { GitHubAppClients, cacheFromEnv, gitHubAppConfigFromEnv, type Cache } from '#integrations';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { GITHUB_APP_CLIENTS, RepositoriesController } from './repositories.controller.js';
import { RepositoryQueries } from './repository.queries.js';

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

/** `repository.*`: connect, list, get, config detection and reindex (which only queues the job). */
@Module({})
export class RepositoriesModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: RepositoriesModule,
      controllers: [RepositoriesController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        // Read when the app starts: without a GitHub App, config detection answers 503.
        { provide: GITHUB_CACHE, useFactory: () => (gitHubAppConfigured() ? cacheFromEnv() : null) },
        {
          provide: GITHUB_APP_CLIENTS,
          inject: [GITHUB_CACHE],
          useFactory: (cache: Cache | null) => (cache ? new GitHubAppClients({ ...gitHubAppConfigFromEnv(), baseUrl: runtime.config.githubApiUrl }, cache) : null),
        },
        GitHubCacheCloser,
        RepositoryQueries,
      ],
    };
  }
}
