import type { Command } from '../core/event.js';
import type { WorkspaceSettings } from './workspace-settings.js';

export type CreateWorkspace = Command<
  'CreateWorkspace',
  { readonly organizationId: string; readonly workspaceId: string; readonly name: string; readonly isDefault: boolean; readonly at: string }
>;
/** Names the workspace by its current name, resolved on the directory's own state, never a read model. */
export type RenameWorkspace = Command<
  'RenameWorkspace',
  { readonly organizationId: string; readonly currentName: string; readonly name: string; readonly at: string }
>;

/** Replaces the workspace's whole `settings` object; resolved by current name like a rename. */
export type UpdateWorkspaceSettings = Command<
  'UpdateWorkspaceSettings',
  { readonly organizationId: string; readonly currentName: string; readonly settings: WorkspaceSettings; readonly at: string }
>;
/**
 * A rename and a settings change in one decision (`PATCH` with both), so they are appended
 * together or not at all; either part may be absent.
 */
export type UpdateWorkspace = Command<
  'UpdateWorkspace',
  {
    readonly organizationId: string;
    readonly currentName: string;
    readonly name?: string;
    readonly settings?: WorkspaceSettings;
    readonly at: string;
  }
>;

export type WorkspaceCommand = CreateWorkspace | RenameWorkspace | UpdateWorkspaceSettings | UpdateWorkspace;
