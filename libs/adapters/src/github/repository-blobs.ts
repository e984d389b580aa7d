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
  {
    owner,
    repo,
    files,
    concurrency = 8,
  }: { readonly owner: string; readonly repo: string; readonly files: readonly T[]; readonly concurrency?: number },
  onBlob: (file: T, text: string) => void | Promise<void>,
): Promise<void> {
  const limit = pLimit(concurrency);
  await Promise.all(files.map((file) => limit(async () => onBlob(file, await fetchBlobText(octokit, { owner, repo, sha: file.sha })))));
}

/** Blobs per GraphQL query: one rate-limit point buys this many files instead of one. */
export const BLOBS_PER_QUERY = 50;
const OBJECT_ID = /^[0-9a-f]{40}$/;

interface GraphQLBlob {
  readonly text: string | null;
  readonly isBinary: boolean;
  readonly isTruncated: boolean;
}

/**
 * Many blobs in one GraphQL query (`object(oid:)` per blob, aliased), instead of one REST call per
 * file: a 100k-file repository costs 2,000 queries, not 100,000 requests of a 5,000-an-hour
 * budget. Returns text by SHA, null for a binary blob. A blob GitHub truncated in GraphQL is read
 * again over REST. Throws when the repository or a blob cannot be read.
 */
export async function fetchBlobTextsByQuery(
  octokit: GitHubAppOctokit,
  { owner, repo, shas }: { readonly owner: string; readonly repo: string; readonly shas: readonly string[] },
): Promise<Map<string, string | null>> {
  const texts = new Map<string, string | null>();
  const wanted = [...new Set(shas)];
  for (const sha of wanted) if (!OBJECT_ID.test(sha)) throw new Error(`Not a git object id: ${sha}`); // they are spliced into the query
  for (let start = 0; start < wanted.length; start += BLOBS_PER_QUERY) {
    const slice = wanted.slice(start, start + BLOBS_PER_QUERY);
    const fields = slice.map((sha, i) => `b${i}: object(oid: "${sha}") { ... on Blob { text isBinary isTruncated } }`).join('\n');
    const data = await octokit.graphql<{ repository: Record<string, GraphQLBlob | null> | null }>(
      `query ($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { ${fields} } }`,
      { owner, name: repo },
    );
    if (!data.repository) throw new Error(`Repository ${owner}/${repo} not found`);
    for (const [i, sha] of slice.entries()) {
      const blob = data.repository[`b${i}`];
      if (!blob) throw new Error(`Blob ${sha} not found in ${owner}/${repo}`);
      texts.set(
        sha,
        blob.isBinary ? null : blob.isTruncated || blob.text === null ? await fetchBlobText(octokit, { owner, repo, sha }) : blob.text,
      );
    }
  }
  return texts;
}
