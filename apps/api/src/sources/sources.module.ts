import { Module } from '@nestjs/common';
import { ConnectResourceToWorkspaceHandler } from './connect-resource-to-workspace.handler.js';
import { DisconnectResourceFromWorkspaceHandler } from './disconnect-resource-from-workspace.handler.js';
import { DeactivateWorkspaceRepositoryHandler } from './deactivate-workspace-repository.handler.js';
import { WorkspaceSourceListController } from './workspace-source-list.controller.js';
import { WorkspaceSourcesController } from './workspace-sources.controller.js';

/** A workspace's sources: the resources connected to it (`…/{ws}/integrations`) and every source it reads from (`…/{ws}/sources`). */
@Module({
  controllers: [WorkspaceSourcesController, WorkspaceSourceListController],
  providers: [ConnectResourceToWorkspaceHandler, DisconnectResourceFromWorkspaceHandler, DeactivateWorkspaceRepositoryHandler],
})
export class SourcesModule {}
