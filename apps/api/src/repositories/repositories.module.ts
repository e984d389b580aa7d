import { Module } from '@nestjs/common';
import { RepositoriesController } from './repositories.controller.js';
import { RepositoryQueries } from './repository.queries.js';

/** `repository.*`: connect, list, get, config detection and reindex (which only queues the job). */
@Module({
  controllers: [RepositoriesController],
  providers: [RepositoryQueries],
})
export class RepositoriesModule {}
