import { assertNever, type Decider } from '../core/decider.js';
import { DomainError } from '../core/domain-error.js';
import type { JobStatus } from '../job/job.events.js';
import type { RepositoryCommand } from './repository.commands.js';
import { deletedRepositoryMetadata, type RepositoryEvent, type RepositoryMetadata } from './repository.events.js';

export type RepositoryState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'inactive';
      readonly repositoryId: string;
      readonly organizationId: string;
      readonly githubRepoId: string;
      readonly githubInstallationId: string;
      readonly workspaceId: string | null;
      readonly metadata: RepositoryMetadata;
      /** The reindex job queued last and not yet reported finished. */
      readonly activeJobId: string | null;
    };

const initialState = (): RepositoryState => ({ status: 'none' });

const ENDED: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

function decide(command: RepositoryCommand, state: RepositoryState): RepositoryEvent[] {
  if (command.type === 'ConnectRepository') {
    const { at, ...d } = command.data;
    if (state.status === 'none') return [{ type: 'RepositoryConnected', data: { ...d, connectedAt: at } }];
    // Streams are named by organization, so this holds by construction; checked all the same,
    // because a repository moving between organizations is exactly what must never happen.
    requireOwned(state, d.organizationId);
    // The original answers BAD_REQUEST for a repository already active in the organization.
    if (state.status === 'active')
      throw new DomainError('conflict', 'Repository is already connected', { repositoryId: state.repositoryId });
    return [
      {
        type: 'RepositoryReactivated',
        data: { ...d, repositoryId: state.repositoryId, reactivatedAt: at },
      },
    ];
  }
  if (state.status === 'none') throw new DomainError('not_found', 'Repository not found');

  switch (command.type) {
    case 'DeactivateRepository': {
      const { reason, githubInstallationId, at } = command.data;
      if (state.status === 'inactive') return [];
      if (githubInstallationId !== undefined && githubInstallationId !== state.githubInstallationId) return [];
      return [
        {
          type: 'RepositoryDeactivated',
          data: { repositoryId: state.repositoryId, githubRepoId: state.githubRepoId, reason, deactivatedAt: at },
        },
      ];
    }
    case 'MarkRepositoryDeleted':
      if (state.status === 'inactive' && state.metadata.deleted === true) return [];
      return [
        {
          type: 'RepositoryDeleted',
          data: { repositoryId: state.repositoryId, githubRepoId: state.githubRepoId, deletedAt: command.data.at },
        },
      ];
    case 'UpdateRepositoryMetadata': {
      const { changes, at } = command.data;
      // Values are JSON (they came from GitHub's payloads), so their JSON text compares them.
      if (Object.entries(changes).every(([key, value]) => JSON.stringify(state.metadata[key]) === JSON.stringify(value))) return [];
      return [
        {
          type: 'RepositoryMetadataUpdated',
          data: {
            repositoryId: state.repositoryId,
            githubRepoId: state.githubRepoId,
            changes,
            metadata: { ...state.metadata, ...changes },
            updatedAt: at,
          },
        },
      ];
    }
    case 'RecordRepositoryConfig': {
      const { organizationId, at, ...result } = command.data;
      requireOwned(state, organizationId);
      return [{ type: 'RepositoryConfigDetected', data: { repositoryId: state.repositoryId, ...result, detectedAt: at } }];
    }
    case 'RequestReindex': {
      const { organizationId, jobId, requestedBy, activeJob, at } = command.data;
      requireOwned(state, organizationId);
      if (state.activeJobId === jobId) return []; // this very request, retried
      if (state.status !== 'active') throw new DomainError('refused', 'Repository is not active');
      if (state.workspaceId === null) throw new DomainError('refused', 'Repository has no workspace');
      if (state.activeJobId !== null) {
        const ended = activeJob?.jobId === state.activeJobId && activeJob.status !== 'none' && ENDED.includes(activeJob.status);
        if (!ended) throw new DomainError('conflict', 'Reindex already in progress', { jobId: state.activeJobId });
      }
      return [{ type: 'ReindexRequested', data: { repositoryId: state.repositoryId, jobId, requestedBy, at } }];
    }
    case 'FinishReindex':
      if (state.activeJobId !== command.data.jobId) return [];
      return [{ type: 'ReindexFinished', data: { repositoryId: state.repositoryId, jobId: command.data.jobId, at: command.data.at } }];
    default:
      return assertNever(command);
  }
}

/** Another organization's repository is not there for the caller: a 404, revealing nothing. */
function requireOwned(state: Exclude<RepositoryState, { status: 'none' }>, organizationId: string): void {
  if (state.organizationId !== organizationId) throw new DomainError('not_found', 'Repository not found');
}

function evolve(state: RepositoryState, event: RepositoryEvent): RepositoryState {
  switch (event.type) {
    case 'RepositoryConnected':
    case 'RepositoryReactivated': {
      const d = event.data;
      return {
        status: 'active',
        repositoryId: d.repositoryId,
        organizationId: d.organizationId,
        githubRepoId: d.githubRepoId,
        githubInstallationId: d.githubInstallationId,
        workspaceId: d.workspaceId,
        metadata: d.metadata,
        activeJobId: state.status === 'none' ? null : state.activeJobId,
      };
    }
    case 'RepositoryDeactivated':
      return state.status === 'none' ? state : { ...state, status: 'inactive' };
    case 'RepositoryDeleted':
      return state.status === 'none' ? state : { ...state, status: 'inactive', metadata: deletedRepositoryMetadata(event.data.deletedAt) };
    case 'RepositoryMetadataUpdated':
      return state.status === 'none' ? state : { ...state, metadata: event.data.metadata };
    case 'RepositoryConfigDetected':
      return state;
    case 'ReindexRequested':
      return state.status === 'none' ? state : { ...state, activeJobId: event.data.jobId };
    case 'ReindexFinished':
      return state.status === 'none' || state.activeJobId !== event.data.jobId ? state : { ...state, activeJobId: null };
    default:
      return assertNever(event);
  }
}

export const repositoryDecider: Decider<RepositoryCommand, RepositoryEvent, RepositoryState> = { decide, evolve, initialState };
