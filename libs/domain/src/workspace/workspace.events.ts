import type { DomainEvent } from '../core/event.js';

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

export type WorkspaceEvent = WorkspaceCreated | WorkspaceRenamed;
export const WORKSPACE_EVENT_TYPES: readonly WorkspaceEvent['type'][] = ['WorkspaceCreated', 'WorkspaceRenamed'];

/**
 * All workspaces of one organization live in one stream. Name uniqueness is then an invariant of
 * a single aggregate, checked by the pure decider and protected by the stream's expected revision:
 * two concurrent creates with the same name cannot both append.
 */
export const workspaceDirectoryStreamId = (organizationId: string) => `workspaces-${organizationId}`;
