import type { CommitObject } from './git-repository.js';

/** An installation as GitHub's REST API returns it (the fields we read, and a few we do not). */
export interface InstallationPayload {
  id: number;
  account: { id: number; login?: string; slug?: string; type?: string; avatar_url?: string | null };
  permissions: Record<string, string>;
  created_at: string;
  app_id?: number;
  target_type?: string;
}

/** A repository as `GET /installation/repositories` returns it (the fields we read, and a few more). */
export interface RepositoryPayload {
  id: number;
  name: string;
  full_name: string;
  owner: { login: string; id: number; type: string };
  private: boolean;
  default_branch: string;
  html_url: string;
  archived: boolean;
  visibility?: string;
}

export function repositoryPayload(id: number, owner: string, name: string): RepositoryPayload {
  return {
    id,
    name,
    full_name: `${owner}/${name}`,
    owner: { login: owner, id: 1, type: 'Organization' },
    private: id % 2 === 0,
    default_branch: 'main',
    html_url: `https://github.example.test/${owner}/${name}`,
    archived: false,
    visibility: id % 2 === 0 ? 'private' : 'public',
  };
}

export function installationPayload(id: number, login: string, type: 'User' | 'Organization' = 'Organization'): InstallationPayload {
  return {
    id,
    account: { id: id * 10, login, type, avatar_url: `https://avatars.example.test/${login}` },
    permissions: { contents: 'read', metadata: 'read' },
    created_at: '2026-01-15T08:30:00Z',
    app_id: 1,
    target_type: type,
  };
}

export function commitPayload(commit: CommitObject, apiUrl: string) {
  const person = { name: 'Fake GitHub', email: 'fake@github.example.test', date: commit.date };
  return {
    sha: commit.sha,
    node_id: `C_${commit.sha}`,
    url: `${apiUrl}/commits/${commit.sha}`,
    commit: {
      author: person,
      committer: person,
      message: commit.message,
      tree: { sha: commit.tree, url: `${apiUrl}/git/trees/${commit.tree}` },
      comment_count: 0,
    },
    parents: commit.parents.map((sha) => ({ sha, url: `${apiUrl}/commits/${sha}` })),
  };
}
