import { Module } from '@nestjs/common';
import { CreateWorkspaceHandler } from './create-workspace.handler.js';
import { RenameWorkspaceHandler } from './rename-workspace.handler.js';
import { UpdateWorkspaceHandler } from './update-workspace.handler.js';
import { WorkspacesController } from './workspaces.controller.js';

/** `workspace.*`: the organization's workspace directory. */
@Module({
  controllers: [WorkspacesController],
  providers: [CreateWorkspaceHandler, RenameWorkspaceHandler, UpdateWorkspaceHandler],
})
export class WorkspacesModule {}
