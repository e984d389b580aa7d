import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { WorkspaceCommand } from './workspace.commands.js';
import type { WorkspaceEvent } from './workspace.events.js';
import { canonicalWorkspaceSettings, workspaceSettingsProblems, type WorkspaceSettings } from './workspace-settings.js';

/** Names are 1–100 characters of [A-Za-z0-9_.-], as in the original; they appear in URLs, so `.` and `..` are refused too. */
export const WORKSPACE_NAME_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

export interface WorkspaceEntry {
  readonly name: string;
  readonly isDefault: boolean;
  /** Absent until settings are first changed (the read model shows `{}` then). */
  readonly settings?: WorkspaceSettings;
}

export interface WorkspaceDirectory {
  readonly workspaces: ReadonlyMap<string, WorkspaceEntry>;
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

function requireValidName(name: string): void {
  if (!WORKSPACE_NAME_PATTERN.test(name)) {
    throw new DomainError('invalid', 'Workspace name must be 1–100 characters of letters, digits, _ . -', { field: 'name' });
  }
}

function requireByName(state: WorkspaceDirectory, currentName: string): [string, WorkspaceEntry] {
  const workspaceId = findWorkspaceByName(state, currentName);
  const current = workspaceId === undefined ? undefined : state.workspaces.get(workspaceId);
  if (!workspaceId || !current) throw new DomainError('not_found', `Workspace "${currentName}" not found`);
  return [workspaceId, current];
}

function renamed(
  state: WorkspaceDirectory,
  organizationId: string,
  [workspaceId, current]: [string, WorkspaceEntry],
  name: string,
  at: string,
): WorkspaceEvent[] {
  requireValidName(name);
  if (current.name === name) return [];
  const holder = findWorkspaceByName(state, name);
  if (holder && holder !== workspaceId)
    throw new DomainError('conflict', `Workspace with name "${name}" already exists`, { field: 'name' });
  return [{ type: 'WorkspaceRenamed', data: { organizationId, workspaceId, name, previousName: current.name, renamedAt: at } }];
}

function settingsChanged(
  organizationId: string,
  [workspaceId, current]: [string, WorkspaceEntry],
  settings: WorkspaceSettings,
  at: string,
): WorkspaceEvent[] {
  const problems = workspaceSettingsProblems(settings);
  if (problems.length > 0) {
    throw new DomainError('invalid', `Invalid workspace settings: ${problems.map((p) => `${p.field} ${p.message}`).join(', ')}`, {
      fields: problems.map((p) => ({ field: p.field, messages: [p.message] })),
    });
  }
  const next = canonicalWorkspaceSettings(settings);
  if (JSON.stringify(next) === JSON.stringify(current.settings ?? {})) return [];
  return [{ type: 'WorkspaceSettingsUpdated', data: { organizationId, workspaceId, settings: next, updatedAt: at } }];
}

function decide(command: WorkspaceCommand, state: WorkspaceDirectory): WorkspaceEvent[] {
  const { organizationId, at } = command.data;
  switch (command.type) {
    case 'CreateWorkspace': {
      const { workspaceId, name } = command.data;
      requireValidName(name);
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
    case 'RenameWorkspace':
      // The new name is checked before the workspace is looked up, as it always was.
      requireValidName(command.data.name);
      return renamed(state, organizationId, requireByName(state, command.data.currentName), command.data.name, at);
    case 'UpdateWorkspaceSettings':
      return settingsChanged(organizationId, requireByName(state, command.data.currentName), command.data.settings, at);
    case 'UpdateWorkspace': {
      const { currentName, name, settings } = command.data;
      if (name !== undefined) requireValidName(name);
      const workspace = requireByName(state, currentName);
      return [
        ...(settings === undefined ? [] : settingsChanged(organizationId, workspace, settings, at)),
        ...(name === undefined ? [] : renamed(state, organizationId, workspace, name, at)),
      ];
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
    case 'WorkspaceSettingsUpdated': {
      const current = workspaces.get(event.data.workspaceId);
      if (current) workspaces.set(event.data.workspaceId, { ...current, settings: event.data.settings });
      return { ...state, workspaces };
    }
    default:
      return assertNever(event);
  }
}

export const workspaceDecider: Decider<WorkspaceCommand, WorkspaceEvent, WorkspaceDirectory> = { decide, evolve, initialState };
