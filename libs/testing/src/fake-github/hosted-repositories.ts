import { GitRepository } from './git-repository.js';

export interface RepositorySetup {
  readonly defaultBranch?: string;
  readonly files: Iterable<readonly [string, string]>;
  /** The repository's numeric id; by default the one an installation lists, else a fresh one. */
  readonly id?: number;
}

export interface FileUpdate {
  readonly upsert?: Record<string, string>;
  readonly remove?: readonly string[];
}

/** The repositories whose git data the fake serves, by `owner/name` in lower case (GitHub's names are case-insensitive). */
export class HostedRepositories {
  private readonly byName = new Map<string, GitRepository>();
  private nextId = 700_000;

  get(owner: string, name: string): GitRepository | undefined {
    return this.byName.get(`${owner}/${name}`.toLowerCase());
  }

  all(): GitRepository[] {
    return [...this.byName.values()];
  }

  /** A repository with one commit holding the files, replacing any earlier one; `listed` is how an installation lists it. */
  set(owner: string, name: string, setup: RepositorySetup, listed?: { readonly id: number; readonly default_branch: string }): string {
    const git = new GitRepository(
      setup.id ?? listed?.id ?? this.nextId++,
      owner,
      name,
      setup.defaultBranch ?? listed?.default_branch ?? 'main',
    );
    const commit = git.commit({ upsert: setup.files }, 'Initial commit');
    this.byName.set(`${owner}/${name}`.toLowerCase(), git);
    return commit.sha;
  }

  update(owner: string, name: string, update: FileUpdate): string {
    const git = this.get(owner, name);
    if (!git) throw new Error(`no repository ${owner}/${name}: call setRepository first`);
    return git.commit({ upsert: Object.entries(update.upsert ?? {}), remove: update.remove ?? [] }).sha;
  }
}
