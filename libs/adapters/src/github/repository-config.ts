import { UNCONFIGURED, evaluateConfigFile, pickConfigFile, type ConfigDetection } from '#domain';
import type { GitHubAppOctokit } from './github-app.client.js';

export interface RepositoryRef {
  readonly owner: string;
  readonly repo: string;
  /** Branch, tag or commit SHA; undefined = the default branch. */
  readonly ref?: string;
}

export interface ConfigFile {
  readonly path: string;
  readonly text: string;
  readonly sha: string;
  readonly size: number;
}

/**
 * The repository's config file from one listing of its root and one fetch of the chosen file (the
 * original probed four names in sequence); null when the root has none. GitHub errors propagate.
 */
export async function readRepositoryConfigFile(octokit: GitHubAppOctokit, { owner, repo, ref }: RepositoryRef): Promise<ConfigFile | null> {
  const at = ref ? { ref } : {};
  const listing = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path: '', ...at });
  const entries = Array.isArray(listing.data)
    ? listing.data.map((e: { name: string; type: string }) => ({ name: e.name, type: e.type }))
    : [];
  const path = pickConfigFile(entries);
  if (!path) return null;
  const file = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ...at });
  const data = file.data as { content?: string; encoding?: string; sha?: string; size?: number };
  const text = data.encoding === 'base64' && data.content ? Buffer.from(data.content, 'base64').toString('utf8') : (data.content ?? '');
  return { path, text, sha: data.sha ?? '', size: data.size ?? Buffer.byteLength(text) };
}

/** The config file, parsed and validated as the original's `lightfast.yml` schema. */
export async function detectRepositoryConfig(octokit: GitHubAppOctokit, ref: RepositoryRef): Promise<ConfigDetection> {
  const file = await readRepositoryConfigFile(octokit, ref);
  return file ? evaluateConfigFile(file.path, file.text) : UNCONFIGURED;
}
