import { describe, expect, it } from '@jest/globals';
import { IngestionError, MAX_MATCHED_PATH_LENGTH, MAX_MATCHED_SEGMENT_LENGTH } from '#domain';
import { matchIncludedFiles } from './include-matcher.js';

const files = (paths: string[]) => paths.map((path) => ({ path }));

/** A clock that advances one millisecond each time it is read: the budget is reached after a known number of reads. */
function steppingClock(): { clock: () => number; reads: () => number } {
  let now = 0;
  return { clock: () => now++, reads: () => now };
}

describe('matching include globs over a tree', () => {
  it('selects what picomatch selects (no dotfiles), and never matches an over-long path or segment', async () => {
    const long = `docs/${'a/'.repeat(MAX_MATCHED_PATH_LENGTH / 2)}x.md`;
    const longSegment = `docs/${'a'.repeat(MAX_MATCHED_SEGMENT_LENGTH - 3)}.md`;
    const tree = files(['docs/a.md', 'docs/.hidden.md', 'docs/b/c.mdx', 'src/x.md', long, longSegment, longSegment.replace('.md', 'b.md')]);
    const result = await matchIncludedFiles(tree, ['docs/**/*.{md,mdx}'], { budgetMs: 10_000 });
    expect(result).toEqual({ matched: files(['docs/a.md', 'docs/b/c.mdx', longSegment]), skippedLongPaths: 2 });
  });

  it('fails with invalid_config naming the globs once the time budget is spent, not after the whole tree', async () => {
    const { clock, reads } = steppingClock();
    const tree = files(Array.from({ length: 10_000 }, (_, i) => `docs/page-${i}.md`));
    const matching = matchIncludedFiles(tree, ['docs/**/*.md'], { budgetMs: 5, sliceMs: 1_000, clock });
    await expect(matching).rejects.toThrow(IngestionError);
    await expect(matching).rejects.toMatchObject({
      code: 'invalid_config',
      message: expect.stringContaining('include globs ["docs/**/*.md"] took more than 5 ms to match 6 of 10000 paths'),
    });
    // The clock is read after every path: matching stopped at the sixth.
    expect(reads()).toBe(7);
  });

  it('gives the event loop a turn between slices', async () => {
    const { clock } = steppingClock();
    let done = false;
    let ranWhileMatching = false;
    // Queued before matching starts: it runs before matching ends only if matching yields.
    setImmediate(() => (ranWhileMatching = !done));
    const tree = files(Array.from({ length: 640 }, (_, i) => `docs/${i}.md`));
    const result = await matchIncludedFiles(tree, ['docs/*.md'], { budgetMs: 1_000, sliceMs: 1, clock });
    done = true;
    expect(result.matched).toHaveLength(640);
    expect(ranWhileMatching).toBe(true);
    // Without slices (one long slice), nothing else runs until the whole tree is matched.
    let ranDuringOneSlice = false;
    done = false;
    setImmediate(() => (ranDuringOneSlice = !done));
    await matchIncludedFiles(tree, ['docs/*.md'], { budgetMs: 1_000, sliceMs: 1_000, clock: steppingClock().clock });
    done = true;
    expect(ranDuringOneSlice).toBe(false);
  });
});
