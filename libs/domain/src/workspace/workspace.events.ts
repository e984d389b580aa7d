import type { DomainEvent } from '../core/event.js';
import type { WorkspaceSettings } from './workspace-settings.js';

export type WorkspaceCreated = DomainEvent<
  'WorkspaceCreated',
  {
    readonly organizationId: string;
    readonly workspaceId: string;
    readonly name: string;
    /** Internal, never changes after creation (the original used it for index names). */
    readonly slug: string;
    readonly isDefault: boolean;
    readonly createdAt: string;
  }
>;
export type WorkspaceRenamed = DomainEvent<
  'WorkspaceRenamed',
  {
    readonly organizationId: string;
    readonly workspaceId: string;
    readonly name: string;
    readonly previousName: string;
    readonly renamedAt: string;
  }
>;

/**
 * The whole settings object after the change (keys sorted), so readers need no history. A
 * workspace created before this event existed has `{}`, as the original's default workspaces had.
 */
export type WorkspaceSettingsUpdated = DomainEvent<
  'WorkspaceSettingsUpdated',
  { readonly organizationId: string; readonly workspaceId: string; readonly settings: WorkspaceSettings; readonly updatedAt: string }
>;

export type WorkspaceEvent = WorkspaceCreated | WorkspaceRenamed | WorkspaceSettingsUpdated;
export const WORKSPACE_EVENT_TYPES: readonly WorkspaceEvent['type'][] = [
  'WorkspaceCreated',
  'WorkspaceRenamed',
  'WorkspaceSettingsUpdated',
];

/**
 * All workspaces of one organization live in one stream. Name uniqueness is then an invariant of
 * a single aggregate, checked by the pure decider and protected by the stream's expected revision:
 * two concurrent creates with the same name cannot both append.
 */
export const workspaceDirectoryStreamId = (organizationId: string) => `workspaces-${organizationId}`;
