import type { Command } from '../core/event.js';

export type CreateWorkspace = Command<
  'CreateWorkspace',
  { readonly organizationId: string; readonly workspaceId: string; readonly name: string; readonly isDefault: boolean; readonly at: string }
>;
/** Names the workspace by its current name, resolved on the directory's own state, never a read model. */
export type RenameWorkspace = Command<
  'RenameWorkspace',
  { readonly organizationId: string; readonly currentName: string; readonly name: string; readonly at: string }
>;

export type WorkspaceCommand = CreateWorkspace | RenameWorkspace;
