import pLimit from 'p-limit';
import type { GitHubAppOctokit } from './github-app.client.js';

export interface RepositoryTreeRequest {
  readonly owner: string;
  readonly repo: string;
  /** Branch, tag or commit SHA; undefined = the default branch. */
  readonly ref?: string;
  /** Tree requests in flight at once when a truncated tree has to be walked (default 8). */
  readonly concurrency?: number;
  /** More files than this fail the read with `RepositoryTreeTooLarge` as soon as the walk sees one too many. */
  readonly maxEntries?: number;
}

export interface RepositoryTreeFile {
  readonly path: string;
  readonly sha: string;
  readonly size: number | null;
}

export interface RepositoryTree {
  readonly commitSha: string;
  /** Every regular file of the commit, sorted by path: never partial, even when `truncated`. */
  readonly files: RepositoryTreeFile[];
  /** GitHub truncated the recursive listing, so sub-trees were listed one by one. */
  readonly truncated: boolean;
  /** GitHub calls made (the commit and every tree listing). */
  readonly requests: number;
}

interface TreeEntry {
  path?: string;
  mode?: string;
  type?: string;
  sha?: string;
  size?: number;
}

interface Listing {
  tree: TreeEntry[];
  truncated: boolean;
}

const SYMLINK_MODE = '120000';

export class RepositoryTreeTooLarge extends Error {
  constructor(
    readonly repository: string,
    readonly maxEntries: number,
  ) {
    super(`The tree of ${repository} has more than ${maxEntries} files`);
    this.name = 'RepositoryTreeTooLarge';
  }
}

/**
 * The files of a commit in as few calls as the repository allows: the commit, then one recursive
 * listing. GitHub truncates a recursive listing past 100,000 entries (or 7 MB) and says to list
 * sub-trees one at a time then; so a truncated tree is listed without recursion, and each sub-tree
 * is either taken from what the truncated listing already held (when it is provably complete
 * there), continued from it, or asked for recursively. Any repository size is read completely; a
 * 120,000-file repository costs a handful of calls more than a small one, not one per directory.
 */
export async function readRepositoryTree(
  octokit: GitHubAppOctokit,
  { owner, repo, ref, concurrency = 8, maxEntries = Infinity }: RepositoryTreeRequest,
): Promise<RepositoryTree> {
  // GitHub resolves HEAD to the default branch, which saves asking for the repository first.
  const commit = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', { owner, repo, ref: ref ?? 'HEAD' });
  let requests = 1;
  let truncated = false;
  const limit = pLimit(concurrency);
  const files: RepositoryTreeFile[] = [];
  let tooLarge: RepositoryTreeTooLarge | null = null;

  const list = (treeSha: string, recursive: boolean) =>
    limit(async () => {
      // Past the cap, the listings still queued are not asked for.
      if (tooLarge) throw tooLarge;
      requests++;
      const response = await octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
        owner,
        repo,
        tree_sha: treeSha,
        ...(recursive ? { recursive: '1' } : {}),
      });
      return response.data as Listing;
    });

  const collect = (entry: TreeEntry, prefix: string) => {
    // Symlinks are blobs holding a path and submodules are commits: neither is a document.
    if (entry.type !== 'blob' || entry.mode === SYMLINK_MODE || !entry.path || !entry.sha) return;
    if (files.length >= maxEntries) throw (tooLarge ??= new RepositoryTreeTooLarge(`${owner}/${repo}`, maxEntries));
    files.push({ path: prefix + entry.path, sha: entry.sha, size: entry.size ?? null });
  };

  /** `known`: this tree's part of an ancestor's truncated listing (a prefix of its own listing), paths relative to it. */
  const read = async (treeSha: string, prefix: string, known?: TreeEntry[]): Promise<void> => {
    if (!known) {
      const whole = await list(treeSha, true);
      if (!whole.truncated) return whole.tree.forEach((entry) => collect(entry, prefix));
      truncated = true;
      known = whole.tree;
    }
    const partial = splitPrefixListing(known);
    const level = await list(treeSha, false);
    // Nothing narrower than one directory can be asked for: a partial directory would lose files silently.
    if (level.truncated)
      throw new Error(`GitHub truncated the listing of directory "${prefix || '/'}" in ${owner}/${repo}: too many entries to read`);
    const subtrees: Promise<void>[] = [];
    for (const entry of level.tree) {
      if (entry.type !== 'tree' || !entry.sha || !entry.path) {
        collect(entry, prefix);
        continue;
      }
      const below = `${prefix}${entry.path}/`;
      const listed = partial?.children.get(entry.path);
      if (listed && partial?.open.has(entry.path) === false) listed.forEach((child) => collect(child, below));
      else subtrees.push(read(entry.sha, below, listed));
    }
    await Promise.all(subtrees);
  };

  await read(commit.data.commit.tree.sha, '');
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { commitSha: commit.data.sha, files, truncated, requests };
}

/**
 * What a truncated recursive listing proves. GitHub lists depth-first (each tree followed by its
 * content) and truncates the tail, so every sub-tree closed before the last entry is complete and
 * only the trees enclosing the last entry are `open`. That order is not documented: a listing that
 * does not read as depth-first returns null and is not used (each sub-tree is then asked for).
 */
function splitPrefixListing(entries: readonly TreeEntry[]): { children: Map<string, TreeEntry[]>; open: Set<string> } | null {
  const children = new Map<string, TreeEntry[]>();
  const stack: string[] = [];
  for (const entry of entries) {
    if (!entry.path) return null;
    const slash = entry.path.lastIndexOf('/');
    const parent = slash < 0 ? '' : entry.path.slice(0, slash);
    while (stack.length > 0 && stack.at(-1) !== parent) stack.pop();
    if (parent !== '' && stack.length === 0) return null;
    if (entry.type === 'tree') stack.push(entry.path);
    const top = entry.path.indexOf('/');
    if (top < 0) {
      if (entry.type === 'tree') children.set(entry.path, []);
      continue;
    }
    const group = children.get(entry.path.slice(0, top));
    if (!group) return null;
    group.push({ ...entry, path: entry.path.slice(top + 1) });
  }
  return { children, open: new Set(stack.map((path) => path.split('/')[0]!)) };
}
