import { createHash } from 'node:crypto';

export interface TreeEntry {
  readonly name: string;
  readonly mode: '100644' | '040000';
  readonly type: 'blob' | 'tree';
  readonly sha: string;
  /** Blobs only, as GitHub's tree entries carry it. */
  readonly size?: number;
}

export interface CommitObject {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly date: string;
}

export interface ListedEntry {
  readonly path: string;
  readonly entry: TreeEntry;
}

export interface FileChanges {
  readonly upsert?: Iterable<readonly [string, string]>;
  readonly remove?: Iterable<string>;
}

export type TreeOrder = 'depth-first' | 'breadth-first';

interface Change {
  readonly segments: readonly string[];
  readonly content: string | null;
}

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const EPOCH_SECONDS = 1_767_225_600;

/**
 * One repository's git objects, content-addressed as git stores them: blob, tree and commit SHAs
 * are the ones `git hash-object` would print, so a client that relies on "same SHA, same content"
 * behaves here as against GitHub. Trees are shared between commits: a commit that changes one file
 * rewrites only the trees on that file's path, so a 100,000-file repository stays cheap to update.
 */
export class GitRepository {
  private readonly blobs = new Map<string, string>();
  private readonly trees = new Map<string, readonly TreeEntry[]>([[EMPTY_TREE, []]]);
  private readonly commits = new Map<string, CommitObject>();
  private readonly branches = new Map<string, string>();
  private clock = 0;

  constructor(
    readonly id: number,
    readonly owner: string,
    readonly name: string,
    readonly defaultBranch = 'main',
  ) {}

  get head(): CommitObject | undefined {
    const sha = this.branches.get(this.defaultBranch);
    return sha === undefined ? undefined : this.commits.get(sha);
  }

  /** Applies the changes to the default branch's head and moves the branch to the new commit. */
  commit(changes: FileChanges, message = 'Update files'): CommitObject {
    const list: Change[] = [];
    for (const path of changes.remove ?? []) list.push({ segments: segmentsOf(path), content: null });
    for (const [path, content] of changes.upsert ?? []) list.push({ segments: segmentsOf(path), content });
    const parent = this.head;
    const tree = this.apply(parent?.tree, list, 0) ?? EMPTY_TREE;
    // A clock per repository keeps commit SHAs deterministic and distinct even for an unchanged tree.
    const date = new Date((EPOCH_SECONDS + ++this.clock) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const parents = parent ? [parent.sha] : [];
    const signature = `Fake GitHub <fake@github.example.test> ${EPOCH_SECONDS + this.clock} +0000`;
    const body = `tree ${tree}\n${parents.map((p) => `parent ${p}\n`).join('')}author ${signature}\ncommitter ${signature}\n\n${message}\n`;
    const commit: CommitObject = { sha: gitHash('commit', Buffer.from(body)), tree, parents, message, date };
    this.commits.set(commit.sha, commit);
    this.branches.set(this.defaultBranch, commit.sha);
    return commit;
  }

  /** `HEAD` (the default branch), a branch name (`main`, `heads/main`, `refs/heads/main`), a commit SHA or an abbreviation of one. */
  resolveCommit(ref: string): CommitObject | undefined {
    if (ref === 'HEAD') return this.head;
    const branch = this.branches.get(ref.replace(/^(refs\/)?heads\//, ''));
    if (branch !== undefined) return this.commits.get(branch);
    const exact = this.commits.get(ref);
    if (exact || !/^[0-9a-f]{7,39}$/.test(ref)) return exact;
    const matches = [...this.commits.values()].filter((commit) => commit.sha.startsWith(ref));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** `git/trees/{tree_sha}` takes a tree SHA, or a commit SHA or branch name whose tree it lists. */
  resolveTree(ref: string): string | undefined {
    return this.trees.has(ref) ? ref : this.resolveCommit(ref)?.tree;
  }

  /**
   * The newest commit, from `commit` back along first parents, that changed `path` (its entry differs
   * from the parent's, or the commit has no parent), as `git log -1 --first-parent -- path` names it;
   * undefined when the path is in no commit of that line.
   */
  lastChange(commit: CommitObject, path: string): CommitObject | undefined {
    for (let current: CommitObject | undefined = commit; current;) {
      const parent: CommitObject | undefined = current.parents[0] === undefined ? undefined : this.commits.get(current.parents[0]);
      const here = this.entryAt(current, path)?.sha;
      if (here !== (parent ? this.entryAt(parent, path)?.sha : undefined)) return here === undefined ? undefined : current;
      current = parent;
    }
    return undefined;
  }

  blob(sha: string): string | undefined {
    return this.blobs.get(sha);
  }

  /**
   * Entries in git order, a recursive listing depth-first (a tree, then what it holds) as GitHub
   * lists them, or breadth-first to exercise clients that must not rely on the order; at most
   * `limit` entries, `truncated` when more were left out.
   */
  listTree(
    sha: string,
    recursive: boolean,
    limit: number,
    order: TreeOrder = 'depth-first',
  ): { entries: ListedEntry[]; truncated: boolean } {
    const entries: ListedEntry[] = [];
    let truncated = false;
    const queue: Array<[string, string]> = [];
    const walk = (treeSha: string, prefix: string): void => {
      for (const entry of this.trees.get(treeSha) ?? []) {
        if (entries.length >= limit) return void (truncated = true);
        entries.push({ path: prefix + entry.name, entry });
        if (!recursive || entry.type !== 'tree') continue;
        if (order === 'breadth-first') queue.push([entry.sha, `${prefix}${entry.name}/`]);
        else walk(entry.sha, `${prefix}${entry.name}/`);
        if (truncated) return;
      }
    };
    walk(sha, '');
    for (let next = queue.shift(); next && !truncated; next = queue.shift()) walk(...next);
    return { entries, truncated };
  }

  /** The entry at `path` in a commit's tree; the empty path is the root tree. */
  entryAt(commit: CommitObject, path: string): TreeEntry | undefined {
    let entry: TreeEntry = { name: '', mode: '040000', type: 'tree', sha: commit.tree };
    for (const segment of path.split('/').filter((part) => part !== '')) {
      if (entry.type !== 'tree') return undefined;
      const next = this.trees.get(entry.sha)?.find((candidate) => candidate.name === segment);
      if (!next) return undefined;
      entry = next;
    }
    return entry;
  }

  treeEntries(sha: string): readonly TreeEntry[] {
    return this.trees.get(sha) ?? [];
  }

  /** The new tree SHA for `treeSha` with the changes below `depth` applied; undefined when it ends up empty (git stores no empty trees). */
  private apply(treeSha: string | undefined, changes: readonly Change[], depth: number): string | undefined {
    const entries = new Map((treeSha === undefined ? [] : (this.trees.get(treeSha) ?? [])).map((entry) => [entry.name, entry]));
    const below = new Map<string, Change[]>();
    for (const change of changes) {
      const name = change.segments[depth]!;
      if (change.segments.length > depth + 1) {
        const group = below.get(name);
        if (group) group.push(change);
        else below.set(name, [change]);
      } else if (change.content === null) {
        entries.delete(name);
      } else {
        entries.set(name, this.putBlob(name, change.content));
      }
    }
    for (const [name, group] of below) {
      const current = entries.get(name);
      const sub = this.apply(current?.type === 'tree' ? current.sha : undefined, group, depth + 1);
      if (sub === undefined) entries.delete(name);
      else entries.set(name, { name, mode: '040000', type: 'tree', sha: sub });
    }
    return entries.size === 0 ? undefined : this.putTree([...entries.values()]);
  }

  private putBlob(name: string, content: string): TreeEntry {
    const bytes = Buffer.from(content, 'utf8');
    const sha = gitHash('blob', bytes);
    this.blobs.set(sha, content);
    return { name, mode: '100644', type: 'blob', sha, size: bytes.length };
  }

  private putTree(entries: TreeEntry[]): string {
    // Git sorts a tree's entries by name, comparing a sub-tree's name as if it ended in '/'.
    const key = (entry: TreeEntry) => (entry.type === 'tree' ? `${entry.name}/` : entry.name);
    entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const parts: Buffer[] = [];
    for (const entry of entries)
      parts.push(Buffer.from(`${entry.type === 'tree' ? '40000' : entry.mode} ${entry.name}\0`), Buffer.from(entry.sha, 'hex'));
    const sha = gitHash('tree', Buffer.concat(parts));
    this.trees.set(sha, entries);
    return sha;
  }
}

export function gitHash(kind: 'blob' | 'tree' | 'commit', content: Buffer): string {
  return createHash('sha1').update(`${kind} ${content.length}\0`).update(content).digest('hex');
}

function segmentsOf(path: string): string[] {
  const segments = path.split('/').filter((segment) => segment !== '');
  if (segments.length === 0 || segments.some((segment) => segment === '.' || segment === '..'))
    throw new Error(`not a file path: "${path}"`);
  return segments;
}
