import { Module, type DynamicModule } from '@nestjs/common';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';
import { RepositoriesController } from './repositories.controller.js';
import { RepositoryQueries } from './repository.queries.js';

/** `repository.*`: connect, list, get, config detection and reindex (which only queues the job). */
@Module({})
export class RepositoriesModule {
  static forRuntime(runtime: Runtime): DynamicModule {
    return {
      module: RepositoriesModule,
      controllers: [RepositoriesController],
      providers: [{ provide: RUNTIME, useValue: runtime }, RepositoryQueries],
    };
  }
}
