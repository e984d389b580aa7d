import { Module } from '@nestjs/common';
import { ConnectRepositoryHandler } from './connect-repository.handler.js';
import { DetectRepositoryConfigHandler } from './detect-repository-config.handler.js';
import { RepositoriesController } from './repositories.controller.js';
import { RequestReindexHandler } from './request-reindex.handler.js';
import { UpdateRepositoryMetadataHandler } from './update-repository-metadata.handler.js';

/** `repository.*`: connect, list, get, metadata updates, config detection and reindex (which only queues the job). */
@Module({
  controllers: [RepositoriesController],
  providers: [ConnectRepositoryHandler, DetectRepositoryConfigHandler, RequestReindexHandler, UpdateRepositoryMetadataHandler],
})
export class RepositoriesModule {}
