import { Module } from '@nestjs/common';
import { ConnectResourceToWorkspaceHandler } from './connect-resource-to-workspace.handler.js';
import { DisconnectResourceFromWorkspaceHandler } from './disconnect-resource-from-workspace.handler.js';
import { WorkspaceSourcesController } from './workspace-sources.controller.js';

/** A workspace's sources (`…/{ws}/integrations` in the original's routes): the resources connected to it. */
@Module({
  controllers: [WorkspaceSourcesController],
  providers: [ConnectResourceToWorkspaceHandler, DisconnectResourceFromWorkspaceHandler],
})
export class SourcesModule {}
