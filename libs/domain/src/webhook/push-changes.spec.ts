import { describe, expect, it } from '@jest/globals';
import { changedFilesOfPush, touchesLightfastConfig } from './push-changes.js';

describe('changed files of a push', () => {
  it('keeps one entry per path; a later commit’s status wins', () => {
    const files = changedFilesOfPush([
      { added: ['docs/a.md', 'docs/b.md'], modified: ['README.md'], removed: [] },
      { added: [], modified: ['docs/a.md'], removed: ['docs/b.md'] },
      { added: ['docs/b.md'] },
    ]);
    expect(files).toEqual([
      { path: 'docs/a.md', status: 'modified' },
      { path: 'docs/b.md', status: 'added' },
      { path: 'README.md', status: 'modified' },
    ]);
  });

  it('is empty for a push without commits (a branch deleted, a tag)', () => expect(changedFilesOfPush([])).toEqual([]));

  it('notices a config file at the root under any of its four names, not deeper', () => {
    for (const name of ['lightfast.yml', '.lightfast.yml', 'lightfast.yaml', '.lightfast.yaml'])
      expect(touchesLightfastConfig([{ path: name, status: 'removed' }])).toBe(true);
    expect(touchesLightfastConfig([{ path: 'docs/lightfast.yml', status: 'modified' }])).toBe(false);
  });
});
