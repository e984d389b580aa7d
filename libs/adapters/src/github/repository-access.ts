import type { Octokit } from '@octokit/rest';
import { toRepository, type InstallationRepository, type RepositoryPayload } from './installation-repositories.js';

/**
 * GitHub's own word that an installation can read a repository: `GET /repositories/{id}` with the
 * installation's token. Null when GitHub answers 404 (or 403): the repository does not exist or
 * the installation cannot see it, which callers must not tell apart. Other failures are thrown.
 */
export async function readRepositoryById(octokit: Pick<Octokit, 'request'>, githubRepoId: string): Promise<InstallationRepository | null> {
  try {
    const { data } = await octokit.request('GET /repositories/{repository_id}', { repository_id: Number(githubRepoId) });
    const repository = toRepository(data as RepositoryPayload);
    // An id GitHub resolved to another repository (a redirect after a transfer) is not the one asked for.
    return repository.id === githubRepoId ? repository : null;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 404 || status === 403) return null;
    throw error;
  }
}
