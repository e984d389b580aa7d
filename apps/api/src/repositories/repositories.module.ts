import { Module, type DynamicModule } from '@nestjs/common';
import { GitHubAppClients, cacheFromEnv, gitHubAppConfigFromEnv } from '#integrations';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { GITHUB_APP_CLIENTS, RepositoriesController } from './repositories.controller.js';
import { RepositoryQueries } from './repository.queries.js';

/** `repository.*`: connect, list, get, config detection and reindex (which only queues the job). */
@Module({})
export class RepositoriesModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: RepositoriesModule,
      controllers: [RepositoriesController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        {
          // Read when the app starts: without a GitHub App, config detection answers 503.
          provide: GITHUB_APP_CLIENTS,
          useFactory: () =>
            process.env.GITHUB_APP_ID && process.env.GITHUB_APP_PRIVATE_KEY
              ? new GitHubAppClients({ ...gitHubAppConfigFromEnv(), baseUrl: runtime.config.githubApiUrl }, cacheFromEnv())
              : null,
        },
        RepositoryQueries,
      ],
    };
  }
}
