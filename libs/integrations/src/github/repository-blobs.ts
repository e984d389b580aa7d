import pLimit from 'p-limit';
import type { GitHubAppOctokit } from './github-app.client.js';

export interface BlobRequest {
  readonly owner: string;
  readonly repo: string;
  readonly sha: string;
}

/** A blob's content as UTF-8 text (GitHub sends base64, wrapped in lines). */
export async function fetchBlobText(octokit: GitHubAppOctokit, { owner, repo, sha }: BlobRequest): Promise<string> {
  const { data } = await octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { owner, repo, file_sha: sha });
  return data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : data.content;
}

/**
 * Fetches blobs with at most `concurrency` requests in flight (default 8) and hands each text to
 * `onBlob` as it arrives, so a large batch is never held in memory at once. The first failure
 * rejects the whole call; blobs already handed over stay handed over.
 */
export async function fetchBlobs<T extends { readonly sha: string }>(
  octokit: GitHubAppOctokit,
  { owner, repo, files, concurrency = 8 }: { readonly owner: string; readonly repo: string; readonly files: readonly T[]; readonly concurrency?: number },
  onBlob: (file: T, text: string) => void | Promise<void>,
): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(files.map((file) => limit(async () => onBlob(file, await fetchBlobText(octokit, { owner, repo, sha: file.sha })))));
}
