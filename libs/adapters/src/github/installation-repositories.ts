import type { GitHubAppClients } from './github-app.client.js';
import type { SingleFlightCache } from './single-flight-cache.js';

/** The fields of a repository the console reads; GitHub's payload has many more. */
export interface InstallationRepository {
  readonly id: string;
  readonly name: string;
  readonly fullName: string;
  readonly ownerLogin: string;
  readonly private: boolean;
  readonly defaultBranch: string;
  readonly htmlUrl: string;
  readonly archived: boolean;
  readonly description: string | null;
  readonly language: string | null;
  readonly stargazersCount: number;
  readonly updatedAt: string | null;
}

export interface RepositoryPayload {
  id: number;
  name: string;
  full_name: string;
  owner: { login: string } | null;
  private: boolean;
  default_branch?: string;
  html_url: string;
  archived?: boolean;
  description?: string | null;
  language?: string | null;
  stargazers_count?: number;
  updated_at?: string | null;
}

/**
 * Every repository an installation can access, all pages. Within `ttlMs` the answer comes from
 * the cache with no request; after it, each page is revalidated with its ETag, so an unchanged
 * listing costs only 304s, which GitHub does not count against the rate limit.
 */
export class InstallationRepositories {
  constructor(
    private readonly clients: GitHubAppClients,
    private readonly cache: SingleFlightCache,
    private readonly ttlMs = 60_000,
  ) {}

  list(installationId: string): Promise<InstallationRepository[]> {
    return this.cache.getOrLoad(`repos:${installationId}`, this.ttlMs, async () => {
      const octokit = this.clients.forInstallation(installationId);
      const repositories = (await octokit.paginate('GET /installation/repositories', { per_page: 100 })) as RepositoryPayload[];
      return repositories.map(toRepository);
    });
  }

  /** After a webhook says the installation's repositories changed. */
  invalidate(installationId: string): Promise<void> {
    return this.cache.invalidate(`repos:${installationId}`);
  }
}

export function toRepository(payload: RepositoryPayload): InstallationRepository {
  return {
    id: String(payload.id),
    name: payload.name,
    fullName: payload.full_name,
    ownerLogin: payload.owner?.login ?? payload.full_name.split('/')[0] ?? '',
    private: payload.private,
    defaultBranch: payload.default_branch ?? 'main',
    htmlUrl: payload.html_url,
    archived: payload.archived ?? false,
    description: payload.description ?? null,
    language: payload.language ?? null,
    stargazersCount: payload.stargazers_count ?? 0,
    updatedAt: payload.updated_at ?? null,
  };
}
