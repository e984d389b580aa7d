import { LIGHTFAST_CONFIG_CANDIDATES } from '../repository/lightfast-config.js';

export type ChangedFileStatus = 'added' | 'modified' | 'removed';

export interface ChangedFile {
  readonly path: string;
  readonly status: ChangedFileStatus;
}

/** The lists of one commit of a `push` payload (GitHub omits none, but a hand-made payload may). */
export interface PushCommitFiles {
  readonly added?: readonly string[];
  readonly modified?: readonly string[];
  readonly removed?: readonly string[];
}

/**
 * The files a push changed, one entry per path, in the order first seen. Commits are in push order,
 * so a later commit's status wins (added then removed is removed), as in the original.
 */
export function changedFilesOfPush(commits: readonly PushCommitFiles[]): ChangedFile[] {
  const byPath = new Map<string, ChangedFileStatus>();
  for (const commit of commits) {
    for (const path of commit.added ?? []) byPath.set(path, 'added');
    for (const path of commit.modified ?? []) byPath.set(path, 'modified');
    for (const path of commit.removed ?? []) byPath.set(path, 'removed');
  }
  return [...byPath].map(([path, status]) => ({ path, status }));
}

/** Whether the push touched a root config file name, so the config must be detected again. */
export const touchesLightfastConfig = (files: readonly ChangedFile[]): boolean =>
  files.some((file) => (LIGHTFAST_CONFIG_CANDIDATES as readonly string[]).includes(file.path));
