import { Octokit } from '@octokit/rest';
import {
  GitHubInstallationNotVisibleError,
  GitHubTokenRejectedError,
  GitHubUnavailableError,
  type GitHubInstallationsSource,
  type GitHubOrganizationMembership,
  type GitHubUserInstallation,
} from './github-installations.source.js';
import { toRepository, type InstallationRepository, type RepositoryPayload } from './installation-repositories.js';

export interface OctokitInstallationsSourceOptions {
  /** `GITHUB_API_URL`: https://api.github.com, a GitHub Enterprise `…/api/v3`, or a test server. */
  readonly baseUrl: string;
  /** Per request; the whole listing of a user with many pages may take several. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
}

interface InstallationPayload {
  id: number;
  account: { id: number; login?: string; slug?: string; type?: string; avatar_url?: string | null } | null;
  permissions?: Record<string, string | undefined>;
  created_at: string;
}

export class OctokitInstallationsSource implements GitHubInstallationsSource {
  constructor(private readonly options: OctokitInstallationsSourceOptions) {}

  async listUserInstallations(accessToken: string): Promise<GitHubUserInstallation[]> {
    const octokit = this.client(accessToken);
    try {
      const installations = (await octokit.paginate(octokit.rest.apps.listInstallationsForAuthenticatedUser, {
        per_page: 100,
        request: { signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) },
      })) as InstallationPayload[];
      return installations.map(toInstallation);
    } catch (error) {
      throw translate(error);
    }
  }

  async listUserInstallationRepositories(accessToken: string, installationId: string): Promise<InstallationRepository[]> {
    const octokit = this.client(accessToken);
    try {
      const repositories = (await octokit.paginate(octokit.rest.apps.listInstallationReposForAuthenticatedUser, {
        installation_id: Number(installationId),
        per_page: 100,
        request: { signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) },
      })) as RepositoryPayload[];
      return repositories.map(toRepository);
    } catch (error) {
      const status = (error as { status?: unknown })?.status;
      if (status === 403 || status === 404) throw new GitHubInstallationNotVisibleError(installationId);
      throw translate(error);
    }
  }

  async getOrganizationMembership(accessToken: string, org: string, username: string): Promise<GitHubOrganizationMembership | null> {
    const octokit = this.client(accessToken);
    try {
      const { data } = await octokit.rest.orgs.getMembershipForUser({
        org,
        username,
        request: { signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) },
      });
      return { state: data.state, role: data.role };
    } catch (error) {
      const status = (error as { status?: unknown })?.status;
      if (status === 403 || status === 404) return null;
      throw translate(error);
    }
  }

  /** One client per call: the token is the user's, and nothing of it may outlive the request. */
  private client(accessToken: string): Octokit {
    return new Octokit({
      auth: accessToken,
      baseUrl: this.options.baseUrl,
      userAgent: this.options.userAgent ?? 'console',
      log: silentLog,
    });
  }
}

function toInstallation(payload: InstallationPayload): GitHubUserInstallation {
  const account = payload.account;
  const permissions = Object.fromEntries(
    Object.entries(payload.permissions ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  return {
    id: String(payload.id),
    accountId: String(account?.id ?? ''),
    // Organizations and users have a login; an enterprise installation has a slug instead.
    accountLogin: account?.login ?? account?.slug ?? '',
    accountType: account?.type === 'User' ? 'User' : 'Organization',
    avatarUrl: account?.avatar_url ?? null,
    permissions,
    installedAt: new Date(payload.created_at).toISOString(),
  };
}

function translate(error: unknown): Error {
  const status = typeof (error as { status?: unknown })?.status === 'number' ? (error as { status: number }).status : undefined;
  if (status === 401) return new GitHubTokenRejectedError();
  const message = error instanceof Error ? error.message : String(error);
  return new GitHubUnavailableError(`GitHub installations could not be read${status ? ` (HTTP ${status})` : ''}: ${message}`, status, {
    cause: error,
  });
}

const silentLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
