import { UNCONFIGURED, evaluateConfigFile, pickConfigFile, type ConfigDetection } from '#domain';
import type { GitHubAppOctokit } from './github-app.client.js';

export interface RepositoryRef {
  readonly owner: string;
  readonly repo: string;
  /** Branch, tag or commit SHA; undefined = the default branch. */
  readonly ref?: string;
}

/**
 * The repository's `lightfast.yml` from one listing of its root and one fetch of the chosen file
 * (the original probed four names in sequence). GitHub errors propagate: callers record them.
 */
export async function detectRepositoryConfig(octokit: GitHubAppOctokit, { owner, repo, ref }: RepositoryRef): Promise<ConfigDetection> {
  const at = ref ? { ref } : {};
  const listing = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path: '', ...at });
  const entries = Array.isArray(listing.data) ? listing.data.map((e: { name: string; type: string }) => ({ name: e.name, type: e.type })) : [];
  const path = pickConfigFile(entries);
  if (!path) return UNCONFIGURED;
  const file = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ...at });
  const data = file.data as { content?: string; encoding?: string };
  const text = data.encoding === 'base64' && data.content ? Buffer.from(data.content, 'base64').toString('utf8') : (data.content ?? '');
  return evaluateConfigFile(path, text);
}
