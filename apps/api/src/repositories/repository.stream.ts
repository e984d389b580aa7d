import { HttpStatus } from '@nestjs/common';
import { repositoryDecider, repositoryStreamId, type RepositoryState } from '#domain';
import { aggregateStream, type EventStore } from '#event-store';
import type { GitHubAppClients } from '#adapters';
import { ApiError, notFound } from '../common/api-error.js';
import type { RepositoryQueries } from '#read-models';

export type ConnectedRepository = Exclude<RepositoryState, { status: 'none' }>;

/**
 * The repository a route names by id. The read model only maps the id to its stream; the stream
 * (authoritative) says whose it is, so another organization's repository is a 404 like an unknown one.
 */
export async function loadOwnedRepository(
  store: EventStore,
  queries: RepositoryQueries,
  organizationId: string,
  id: string,
): Promise<ConnectedRepository> {
  const row = await queries.row(organizationId, id);
  const { state } = await aggregateStream(store, repositoryStreamId(organizationId, row.github_repo_id), repositoryDecider);
  if (state.status === 'none' || state.organizationId !== organizationId || state.repositoryId !== id) throw notFound('Repository');
  return state;
}

export function requireGitHub(github: GitHubAppClients | null): GitHubAppClients {
  if (!github)
    throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'github_not_configured', 'GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are not set');
  return github;
}
