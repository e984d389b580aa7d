import { Module } from '@nestjs/common';
import { WorkspaceQueries } from '../workspaces/workspace.queries.js';
import { ApiStoreQueries } from './document-store.queries.js';
import { StoresController } from './document-stores.controller.js';

/** `stores.*`: get-or-create, list and get, for members of the workspace's organization. */
@Module({
  controllers: [StoresController],
  providers: [WorkspaceQueries, ApiStoreQueries],
  exports: [ApiStoreQueries],
})
export class StoresModule {}
