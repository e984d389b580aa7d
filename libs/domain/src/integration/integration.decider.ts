import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type {
  ConnectGitHubIntegration,
  ConnectResourceToWorkspace,
  CreateResources,
  DisconnectIntegration,
  DisconnectResourceFromWorkspace,
  IntegrationCommand,
  RecordWorkspaceSync,
  ValidateGitHubInstallations,
} from './integration.commands.js';
import type {
  GitHubInstallation,
  GitHubRepositoryResource,
  IntegrationEvent,
  SyncConfig,
  WorkspaceSyncRecorded,
} from './integration.events.js';

export const MAX_RESOURCES_PER_REQUEST = 100;

/** GitHub's own limits: an owner login of 1–39 characters, a repository name of 1–100. */
export const REPO_FULL_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
export const GITHUB_ID_PATTERN = /^[1-9][0-9]{0,19}$/;

/**
 * The shape of a value sealed by the token cipher (`v1:<keyId>:<iv>:<tag>:<ciphertext>`). Checked so
 * that a caller that passed the token in clear by mistake is refused instead of writing it to the log.
 */
const SEALED = /^v[0-9]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*$/;

export interface IntegrationState {
  readonly provider: 'github';
  readonly status: 'active' | 'disconnected';
  readonly encryptedAccessToken: string;
  readonly installations: readonly GitHubInstallation[];
}

export type ResourceState = GitHubRepositoryResource & { readonly integrationId: string; readonly createdAt: string };

export interface ConnectionState {
  readonly status: 'active' | 'disconnected';
  /** The workspace's organization, as the connecting member's scope named it (never a webhook's payload). */
  readonly organizationId: string;
  readonly syncConfig: SyncConfig;
  /** Of the connection's latest initial sync: null until one is recorded. */
  readonly lastSyncStatus: WorkspaceSyncRecorded['data']['status'] | null;
}

/** Everything one user connected: integrations, resources registered from them, and their workspace connections. */
export interface UserIntegrations {
  readonly integrations: ReadonlyMap<string, IntegrationState>;
  readonly resources: ReadonlyMap<string, ResourceState>;
  /** `${integrationId}/${repoId}` → resourceId: the idempotency index of resource creation. */
  readonly resourceByRepo: ReadonlyMap<string, string>;
  /** `${workspaceId}/${resourceId}` → the connection. */
  readonly connections: ReadonlyMap<string, ConnectionState>;
}

const initialState = (): UserIntegrations => ({
  integrations: new Map(),
  resources: new Map(),
  resourceByRepo: new Map(),
  connections: new Map(),
});

const repoKey = (integrationId: string, repoId: string) => `${integrationId}/${repoId}`;
const connectionKey = (workspaceId: string, resourceId: string) => `${workspaceId}/${resourceId}`;

/** Whether a resource is connected to a workspace now (connected, and not disconnected since). */
export function isConnectedToWorkspace(state: UserIntegrations, workspaceId: string, resourceId: string): boolean {
  return state.connections.get(connectionKey(workspaceId, resourceId))?.status === 'active';
}

/** The resource's connection to a workspace, active or ended, if it was ever connected there. */
export function findConnection(state: UserIntegrations, workspaceId: string, resourceId: string): ConnectionState | undefined {
  return state.connections.get(connectionKey(workspaceId, resourceId));
}

/** The user's GitHub integration, if they ever connected one (a user has at most one). */
export function findGitHubIntegration(state: UserIntegrations): ({ integrationId: string } & IntegrationState) | undefined {
  for (const [integrationId, integration] of state.integrations)
    if (integration.provider === 'github') return { integrationId, ...integration };
  return undefined;
}

/** The resource this integration registered for `repoId`, if any. */
export function findResourceByRepo(state: UserIntegrations, integrationId: string, repoId: string): ResourceState | undefined {
  const resourceId = state.resourceByRepo.get(repoKey(integrationId, repoId));
  return resourceId === undefined ? undefined : state.resources.get(resourceId);
}

function decide(command: IntegrationCommand, state: UserIntegrations): IntegrationEvent[] {
  switch (command.type) {
    case 'ConnectGitHubIntegration':
      return connectGitHub(command, state);
    case 'ValidateGitHubInstallations':
      return validateInstallations(command, state);
    case 'DisconnectIntegration':
      return disconnectIntegration(command, state);
    case 'CreateResources':
      return createResources(command, state);
    case 'ConnectResourceToWorkspace':
      return connectResource(command, state);
    case 'DisconnectResourceFromWorkspace':
      return disconnectResource(command, state);
    case 'RecordWorkspaceSync':
      return recordWorkspaceSync(command, state);
    default:
      return assertNever(command);
  }
}

function connectGitHub({ data: d }: ConnectGitHubIntegration, state: UserIntegrations): IntegrationEvent[] {
  requireSealed(d.encryptedAccessToken, 'encryptedAccessToken');
  if (d.encryptedRefreshToken !== null) requireSealed(d.encryptedRefreshToken, 'encryptedRefreshToken');
  if (d.tokenExpiresAt !== null && Number.isNaN(Date.parse(d.tokenExpiresAt)))
    throw new DomainError('invalid', 'tokenExpiresAt is not a date', { field: 'tokenExpiresAt' });
  requireInstallations(d.installations);
  // One GitHub integration per user, as in the original (an upsert on user and provider):
  // a new OAuth round replaces the token and installations under the same id.
  const existing = findGitHubIntegration(state);
  if (!existing && state.integrations.has(d.integrationId))
    throw new DomainError('conflict', `Integration ${d.integrationId} already exists`);
  return [
    {
      type: 'GitHubIntegrationConnected',
      data: {
        integrationId: existing?.integrationId ?? d.integrationId,
        userId: d.userId,
        encryptedAccessToken: d.encryptedAccessToken,
        encryptedRefreshToken: d.encryptedRefreshToken,
        tokenExpiresAt: d.tokenExpiresAt,
        scopes: d.scopes,
        installations: d.installations,
        reconnected: existing !== undefined,
        connectedAt: d.at,
      },
    },
  ];
}

function validateInstallations({ data: d }: ValidateGitHubInstallations, state: UserIntegrations): IntegrationEvent[] {
  const integration = requireActive(state, d.integrationId);
  requireInstallations(d.installations);
  const before = new Set(integration.installations.map((i) => i.id));
  const after = new Set(d.installations.map((i) => i.id));
  return [
    {
      type: 'GitHubInstallationsValidated',
      data: {
        integrationId: d.integrationId,
        userId: d.userId,
        installations: d.installations,
        addedInstallationIds: [...after].filter((id) => !before.has(id)),
        removedInstallationIds: [...before].filter((id) => !after.has(id)),
        validatedAt: d.at,
      },
    },
  ];
}

function disconnectIntegration({ data: d }: DisconnectIntegration, state: UserIntegrations): IntegrationEvent[] {
  const integration = requireIntegration(state, d.integrationId);
  // Disconnecting states an outcome; asking again is a no-op, not an error.
  if (integration.status === 'disconnected') return [];
  return [{ type: 'IntegrationDisconnected', data: { integrationId: d.integrationId, userId: d.userId, disconnectedAt: d.at } }];
}

function createResources({ data: d }: CreateResources, state: UserIntegrations): IntegrationEvent[] {
  const { integrationId, resources } = d;
  const integration = requireActive(state, integrationId);
  if (resources.length < 1 || resources.length > MAX_RESOURCES_PER_REQUEST) {
    throw new DomainError('invalid', `resources must hold 1–${MAX_RESOURCES_PER_REQUEST} entries, got ${resources.length}`, {
      field: 'resources',
    });
  }
  const installations = new Set(integration.installations.map((i) => i.id));
  const fresh: GitHubRepositoryResource[] = [];
  const seen = new Set<string>();
  resources.forEach((resource, index) => {
    requireWellFormedResource(resource, index);
    // Idempotent by repo id: a repository already registered (or earlier in this batch) is
    // skipped before anything else is checked, so a retry always succeeds the same way.
    if (seen.has(resource.repoId) || state.resourceByRepo.has(repoKey(integrationId, resource.repoId))) return;
    if (!installations.has(resource.installationId)) {
      throw new DomainError(
        'refused',
        `Installation ${resource.installationId} is not one of this integration's installations; validate the integration first`,
        {
          field: `resources.${index}.installationId`,
        },
      );
    }
    if (state.resources.has(resource.resourceId)) throw new DomainError('conflict', `Resource ${resource.resourceId} already exists`);
    seen.add(resource.repoId);
    fresh.push(resource);
  });
  if (fresh.length === 0) return [];
  return [{ type: 'ResourcesCreated', data: { integrationId, userId: d.userId, resources: fresh, createdAt: d.at } }];
}

function connectResource({ data: d }: ConnectResourceToWorkspace, state: UserIntegrations): IntegrationEvent[] {
  const resource = requireKnownResource(state, d.resourceId);
  requireActive(state, resource.integrationId);
  const connection = state.connections.get(connectionKey(d.workspaceId, d.resourceId));
  // As the original: connecting again a connection whose initial sync never reported or failed
  // starts it again (a new ResourceConnectedToWorkspace asks for a new sync, with the new config).
  const syncAgain = connection?.lastSyncStatus === null || connection?.lastSyncStatus === 'failed';
  if (connection?.status === 'active' && !syncAgain) {
    if (sameSyncConfig(connection.syncConfig, d.syncConfig)) return [];
    return [
      {
        type: 'WorkspaceSyncConfigChanged',
        data: {
          resourceId: d.resourceId,
          workspaceId: d.workspaceId,
          integrationId: resource.integrationId,
          syncConfig: d.syncConfig,
          changedBy: d.userId,
          changedAt: d.at,
        },
      },
    ];
  }
  return [
    {
      type: 'ResourceConnectedToWorkspace',
      data: {
        resourceId: d.resourceId,
        workspaceId: d.workspaceId,
        workspaceKey: d.workspaceKey,
        organizationId: d.organizationId,
        integrationId: resource.integrationId,
        installationId: resource.installationId,
        repoId: resource.repoId,
        repoFullName: resource.repoFullName,
        defaultBranch: resource.defaultBranch,
        isPrivate: resource.isPrivate,
        syncConfig: d.syncConfig,
        connectedBy: d.userId,
        connectedAt: d.at,
      },
    },
  ];
}

function disconnectResource({ data: d }: DisconnectResourceFromWorkspace, state: UserIntegrations): IntegrationEvent[] {
  const resource = requireKnownResource(state, d.resourceId);
  const connection = state.connections.get(connectionKey(d.workspaceId, d.resourceId));
  if (!connection) throw new DomainError('not_found', 'The resource is not connected to this workspace');
  if (connection.status === 'disconnected') return [];
  return [
    {
      type: 'ResourceDisconnectedFromWorkspace',
      data: {
        resourceId: d.resourceId,
        workspaceId: d.workspaceId,
        integrationId: resource.integrationId,
        disconnectedBy: d.by,
        disconnectedAt: d.at,
      },
    },
  ];
}

function recordWorkspaceSync({ data: d }: RecordWorkspaceSync, state: UserIntegrations): IntegrationEvent[] {
  const connection = state.connections.get(connectionKey(d.workspaceId, d.resourceId));
  // A sync reported for a connection ended since (or never made here) changes nothing.
  if (!connection || connection.status === 'disconnected') return [];
  return [
    {
      type: 'WorkspaceSyncRecorded',
      data: { resourceId: d.resourceId, workspaceId: d.workspaceId, jobId: d.jobId, status: d.status, error: d.error, recordedAt: d.at },
    },
  ];
}

function evolve(state: UserIntegrations, event: IntegrationEvent): UserIntegrations {
  switch (event.type) {
    case 'GitHubIntegrationConnected': {
      const integrations = new Map(state.integrations);
      integrations.set(event.data.integrationId, {
        provider: 'github',
        status: 'active',
        encryptedAccessToken: event.data.encryptedAccessToken,
        installations: event.data.installations,
      });
      return { ...state, integrations };
    }
    case 'GitHubInstallationsValidated':
    case 'IntegrationDisconnected': {
      const current = state.integrations.get(event.data.integrationId);
      if (!current) return state;
      const integrations = new Map(state.integrations);
      integrations.set(
        event.data.integrationId,
        event.type === 'IntegrationDisconnected'
          ? { ...current, status: 'disconnected' }
          : { ...current, installations: event.data.installations },
      );
      return { ...state, integrations };
    }
    case 'ResourcesCreated': {
      const resources = new Map(state.resources);
      const resourceByRepo = new Map(state.resourceByRepo);
      for (const resource of event.data.resources) {
        resources.set(resource.resourceId, { ...resource, integrationId: event.data.integrationId, createdAt: event.data.createdAt });
        resourceByRepo.set(repoKey(event.data.integrationId, resource.repoId), resource.resourceId);
      }
      return { ...state, resources, resourceByRepo };
    }
    case 'ResourceConnectedToWorkspace':
    case 'WorkspaceSyncConfigChanged': {
      const key = connectionKey(event.data.workspaceId, event.data.resourceId);
      const connections = new Map(state.connections);
      const current = state.connections.get(key);
      connections.set(key, {
        status: 'active',
        organizationId: event.type === 'ResourceConnectedToWorkspace' ? event.data.organizationId : (current?.organizationId ?? ''),
        syncConfig: event.data.syncConfig,
        // A (re)connection asks for a new initial sync; a configuration change keeps the last one's status.
        lastSyncStatus: event.type === 'ResourceConnectedToWorkspace' ? null : (current?.lastSyncStatus ?? null),
      });
      return { ...state, connections };
    }
    case 'ResourceDisconnectedFromWorkspace': {
      const key = connectionKey(event.data.workspaceId, event.data.resourceId);
      const current = state.connections.get(key);
      if (!current) return state;
      const connections = new Map(state.connections);
      connections.set(key, { ...current, status: 'disconnected' });
      return { ...state, connections };
    }
    case 'WorkspaceSyncRecorded': {
      const key = connectionKey(event.data.workspaceId, event.data.resourceId);
      const current = state.connections.get(key);
      if (!current) return state;
      const connections = new Map(state.connections);
      connections.set(key, { ...current, lastSyncStatus: event.data.status });
      return { ...state, connections };
    }
    default:
      return assertNever(event);
  }
}

/** Unknown ids and another user's ids look alike: they are not in this stream. */
function requireIntegration(state: UserIntegrations, integrationId: string): IntegrationState {
  const integration = state.integrations.get(integrationId);
  if (!integration) throw new DomainError('not_found', 'Integration not found');
  return integration;
}

function requireActive(state: UserIntegrations, integrationId: string): IntegrationState {
  const integration = requireIntegration(state, integrationId);
  if (integration.status !== 'active')
    throw new DomainError('refused', 'The integration is disconnected; connect GitHub again first', { status: integration.status });
  return integration;
}

function requireKnownResource(state: UserIntegrations, resourceId: string): ResourceState {
  const resource = state.resources.get(resourceId);
  if (!resource) throw new DomainError('not_found', 'Resource not found');
  return resource;
}

function requireSealed(value: string, field: string): void {
  if (!SEALED.test(value))
    throw new DomainError('invalid', `${field} must be a sealed value (v1:…); tokens are never recorded in clear`, { field });
}

function requireInstallations(installations: readonly GitHubInstallation[]): void {
  const ids = new Set<string>();
  installations.forEach((installation, index) => {
    if (!GITHUB_ID_PATTERN.test(installation.id))
      throw new DomainError('invalid', `Installation id must be a GitHub id, got "${installation.id}"`, {
        field: `installations.${index}.id`,
      });
    if (ids.has(installation.id))
      throw new DomainError('invalid', `Installation ${installation.id} is listed twice`, { field: `installations.${index}.id` });
    ids.add(installation.id);
  });
}

function requireWellFormedResource(resource: GitHubRepositoryResource, index: number): void {
  const invalid = (field: keyof GitHubRepositoryResource, message: string) =>
    new DomainError('invalid', message, { field: `resources.${index}.${field}` });
  if (resource.resourceId.length === 0) throw invalid('resourceId', 'resourceId must not be empty');
  if (!GITHUB_ID_PATTERN.test(resource.repoId)) throw invalid('repoId', `repoId must be a GitHub repository id, got "${resource.repoId}"`);
  if (!GITHUB_ID_PATTERN.test(resource.installationId))
    throw invalid('installationId', `installationId must be a GitHub installation id, got "${resource.installationId}"`);
  if (!REPO_FULL_NAME_PATTERN.test(resource.repoFullName))
    throw invalid('repoFullName', `repoFullName must be owner/name, got "${resource.repoFullName}"`);
  if (resource.repoFullName.split('/')[1] !== resource.repoName)
    throw invalid('repoName', 'repoName must be the name part of repoFullName');
  if (resource.defaultBranch.length < 1 || resource.defaultBranch.length > 255)
    throw invalid('defaultBranch', 'defaultBranch must be 1–255 characters');
}

/** Compared field by field, so the order of keys in a request never makes a configuration "change". */
function sameSyncConfig(a: SyncConfig, b: SyncConfig): boolean {
  const canonical = (c: SyncConfig) => JSON.stringify([c.autoSync, c.branches ?? null, c.paths ?? null, c.events ?? null]);
  return canonical(a) === canonical(b);
}

export const integrationDecider: Decider<IntegrationCommand, IntegrationEvent, UserIntegrations> = { decide, evolve, initialState };
