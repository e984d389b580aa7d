import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GitRepository } from './git-repository.js';

const files: Record<string, string> = {
  'README.md': '# readme\n',
  'a.txt': 'a',
  'a/b.md': 'nested ü\n',
  'a/c/d.md': '',
  'a-b/e.md': 'sorted after a/ in git order',
  'z.md': 'z',
};

let dir: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fake-git-'));
  git('init', '-q');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeAll(entries: Record<string, string>): void {
  for (const [path, content] of Object.entries(entries)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

describe('the fake repository store', () => {
  it('computes the blob and tree SHAs git computes', () => {
    writeAll(files);
    git('add', '-A');
    const repository = new GitRepository(1, 'acme', 'docs');

    const commit = repository.commit({ upsert: Object.entries(files) });

    expect(commit.tree).toBe(git('write-tree'));
    expect(repository.entryAt(commit, 'a/b.md')?.sha).toBe(git('hash-object', 'a/b.md'));
    expect(repository.listTree(commit.tree, true, Infinity).entries.map((e) => e.path)).toEqual(
      git('ls-tree', '-r', '-t', '--name-only', commit.tree).split('\n'),
    );
  });

  it('matches git after an update that adds, changes and removes files (and drops emptied directories)', () => {
    const repository = new GitRepository(1, 'acme', 'docs');
    const first = repository.commit({ upsert: Object.entries(files) });

    const second = repository.commit({
      upsert: [
        ['a/b.md', 'changed'],
        ['new/deep/f.md', 'new'],
      ],
      remove: ['a/c/d.md', 'z.md'],
    });
    rmSync(join(dir, 'a/c'), { recursive: true });
    rmSync(join(dir, 'z.md'));
    writeAll({ 'a/b.md': 'changed', 'new/deep/f.md': 'new' });
    git('add', '-A');

    expect(second.tree).toBe(git('write-tree'));
    expect(second.parents).toEqual([first.sha]);
    expect(repository.resolveCommit('HEAD')).toBe(second);
    expect(repository.resolveCommit(first.sha)).toBe(first);
    expect(repository.resolveCommit(first.sha.slice(0, 7))).toBe(first);
    expect(repository.entryAt(second, 'a/c')).toBeUndefined();
  });

  it('lists breadth-first on request and truncates at the limit', () => {
    const repository = new GitRepository(1, 'acme', 'docs');
    const { tree } = repository.commit({ upsert: Object.entries(files) });

    expect(repository.listTree(tree, true, Infinity, 'breadth-first').entries.map((e) => e.path)).toEqual([
      'README.md',
      'a-b',
      'a.txt',
      'a',
      'z.md',
      'a-b/e.md',
      'a/b.md',
      'a/c',
      'a/c/d.md',
    ]);
    expect(repository.listTree(tree, true, 3)).toMatchObject({
      truncated: true,
      entries: [{ path: 'README.md' }, { path: 'a-b' }, { path: 'a-b/e.md' }],
    });
    expect(repository.listTree(tree, false, 5)).toMatchObject({ truncated: false });
  });

  it('names the newest commit, up to a given one, that changed a path, as `git log -1 -- path` does', () => {
    const repository = new GitRepository(1, 'acme', 'docs');
    const first = repository.commit({ upsert: Object.entries(files) });
    const second = repository.commit({ upsert: [['a/b.md', 'changed']] });
    const third = repository.commit({ upsert: [['a/b.md', 'nested ü\n']], remove: ['z.md'] });

    expect(repository.lastChange(third, 'README.md')).toBe(first);
    expect(repository.lastChange(second, 'a/b.md')).toBe(second);
    // Changed back to its first content: still a change.
    expect(repository.lastChange(third, 'a/b.md')).toBe(third);
    expect(repository.lastChange(third, 'z.md')).toBeUndefined();
    expect(repository.lastChange(second, 'z.md')).toBe(first);
    expect(first.date < second.date && second.date < third.date).toBe(true);
  });
});
