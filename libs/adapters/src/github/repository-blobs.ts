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

/** A file of one commit: its blob's text (null: binary) and when the last commit that changed it was committed. */
export interface FileAtCommit {
  readonly text: string | null;
  /** GitHub's `committedDate` of the newest commit, up to the one read, that changed the path; null when GitHub names none. */
  readonly committedAt: string | null;
}

interface GraphQLHistory {
  readonly nodes: readonly { readonly committedDate: string }[];
}

/**
 * As `fetchBlobTextsByQuery`, for files of one commit, and in the same queries (50 files each, still
 * one rate-limit point) each file's last change: `history(first: 1, path:)` on the commit object,
 * one aliased connection per path. Paths travel as variables, never spliced into the query.
 * Returns the files by path and the number of queries sent.
 */
export async function fetchFilesByQuery(
  octokit: GitHubAppOctokit,
  {
    owner,
    repo,
    commitSha,
    files,
  }: {
    readonly owner: string;
    readonly repo: string;
    readonly commitSha: string;
    readonly files: readonly { readonly path: string; readonly sha: string }[];
  },
): Promise<{ readonly files: Map<string, FileAtCommit>; readonly queries: number }> {
  if (!OBJECT_ID.test(commitSha)) throw new Error(`Not a git object id: ${commitSha}`);
  for (const file of files) if (!OBJECT_ID.test(file.sha)) throw new Error(`Not a git object id: ${file.sha}`); // spliced into the query
  const read = new Map<string, FileAtCommit>();
  let queries = 0;
  for (let start = 0; start < files.length; start += BLOBS_PER_QUERY) {
    const slice = files.slice(start, start + BLOBS_PER_QUERY);
    const shas = [...new Set(slice.map((file) => file.sha))];
    const blobs = shas.map((sha, i) => `b${i}: object(oid: "${sha}") { ... on Blob { text isBinary isTruncated } }`).join('\n');
    const histories = slice.map((_, i) => `h${i}: history(first: 1, path: $p${i}) { nodes { committedDate } }`).join('\n');
    const variables: Record<string, string> = { owner, name: repo, commit: commitSha };
    slice.forEach((file, i) => (variables[`p${i}`] = file.path));
    const declared = slice.map((_, i) => `, $p${i}: String!`).join('');
    const data = await octokit.graphql<{
      repository: (Record<string, GraphQLBlob | null> & { commit?: Record<string, GraphQLHistory | null> | null }) | null;
    }>(
      `query ($owner: String!, $name: String!, $commit: GitObjectID!${declared}) { repository(owner: $owner, name: $name) { ${blobs}
       commit: object(oid: $commit) { ... on Commit { ${histories} } } } }`,
      variables,
    );
    queries++;
    const repository = data.repository;
    if (!repository) throw new Error(`Repository ${owner}/${repo} not found`);
    if (!repository.commit) throw new Error(`Commit ${commitSha} not found in ${owner}/${repo}`);
    const texts = new Map<string, string | null>();
    for (const [i, sha] of shas.entries()) {
      const blob = repository[`b${i}`] as GraphQLBlob | null | undefined;
      if (!blob) throw new Error(`Blob ${sha} not found in ${owner}/${repo}`);
      texts.set(
        sha,
        blob.isBinary ? null : blob.isTruncated || blob.text === null ? await fetchBlobText(octokit, { owner, repo, sha }) : blob.text,
      );
    }
    for (const [i, file] of slice.entries())
      read.set(file.path, { text: texts.get(file.sha) ?? null, committedAt: repository.commit[`h${i}`]?.nodes[0]?.committedDate ?? null });
  }
  return { files: read, queries };
}
