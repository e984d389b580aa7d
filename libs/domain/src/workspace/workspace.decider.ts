import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { WorkspaceCommand } from './workspace.commands.js';
import type { WorkspaceEvent } from './workspace.events.js';

/** Names are 1–100 characters of [A-Za-z0-9_.-], as in the original; they appear in URLs, so `.` and `..` are refused too. */
export const WORKSPACE_NAME_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

export interface WorkspaceDirectory {
  readonly workspaces: ReadonlyMap<string, { readonly name: string; readonly isDefault: boolean }>;
  readonly defaultWorkspaceId: string | null;
}

const initialState = (): WorkspaceDirectory => ({ workspaces: new Map(), defaultWorkspaceId: null });

/** Uniqueness and lookup ignore case, so `Docs` and `docs` cannot both exist and confuse a URL. */
const nameKey = (name: string) => name.toLowerCase();

/** The id of the workspace with this name (in any case), if there is one. */
export function findWorkspaceByName(state: WorkspaceDirectory, name: string): string | undefined {
  for (const [id, workspace] of state.workspaces) if (nameKey(workspace.name) === nameKey(name)) return id;
  return undefined;
}

function decide(command: WorkspaceCommand, state: WorkspaceDirectory): WorkspaceEvent[] {
  const { organizationId, name, at } = command.data;
  if (!WORKSPACE_NAME_PATTERN.test(name)) {
    throw new DomainError('invalid', 'Workspace name must be 1–100 characters of letters, digits, _ . -', { field: 'name' });
  }
  switch (command.type) {
    case 'CreateWorkspace': {
      const { workspaceId } = command.data;
      // Resolving the default workspace twice must not create a second one.
      if (command.data.isDefault && state.defaultWorkspaceId) return [];
      if (state.workspaces.has(workspaceId)) throw new DomainError('conflict', `Workspace ${workspaceId} already exists`);
      if (findWorkspaceByName(state, name))
        throw new DomainError('conflict', `Workspace with name "${name}" already exists`, { field: 'name' });
      return [
        {
          type: 'WorkspaceCreated',
          data: { organizationId, workspaceId, name, slug: name.toLowerCase(), isDefault: command.data.isDefault, createdAt: at },
        },
      ];
    }
    case 'RenameWorkspace': {
      const workspaceId = findWorkspaceByName(state, command.data.currentName);
      const current = workspaceId === undefined ? undefined : state.workspaces.get(workspaceId);
      if (!workspaceId || !current) throw new DomainError('not_found', `Workspace "${command.data.currentName}" not found`);
      if (current.name === name) return [];
      const holder = findWorkspaceByName(state, name);
      if (holder && holder !== workspaceId)
        throw new DomainError('conflict', `Workspace with name "${name}" already exists`, { field: 'name' });
      return [{ type: 'WorkspaceRenamed', data: { organizationId, workspaceId, name, previousName: current.name, renamedAt: at } }];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: WorkspaceDirectory, event: WorkspaceEvent): WorkspaceDirectory {
  const workspaces = new Map(state.workspaces);
  switch (event.type) {
    case 'WorkspaceCreated':
      workspaces.set(event.data.workspaceId, { name: event.data.name, isDefault: event.data.isDefault });
      return { workspaces, defaultWorkspaceId: event.data.isDefault ? event.data.workspaceId : state.defaultWorkspaceId };
    case 'WorkspaceRenamed': {
      const current = workspaces.get(event.data.workspaceId);
      if (current) workspaces.set(event.data.workspaceId, { ...current, name: event.data.name });
      return { ...state, workspaces };
    }
    default:
      return assertNever(event);
  }
}

export const workspaceDecider: Decider<WorkspaceCommand, WorkspaceEvent, WorkspaceDirectory> = { decide, evolve, initialState };
