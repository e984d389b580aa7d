import picomatch from 'picomatch';
import { IngestionError, isMatchablePath } from '#domain';

export interface MatchBudget {
  /** Total time the matching of one tree may take (`INGESTION_GLOB_BUDGET_MS`). */
  readonly budgetMs: number;
  /** The event loop gets a turn at least this often. */
  readonly sliceMs?: number;
  readonly clock?: () => number;
}

export interface MatchedPaths<T> {
  readonly matched: T[];
  /** Paths `isMatchablePath` refuses (too long, or a segment too long): never matched, so never indexed. */
  readonly skippedLongPaths: number;
}

/**
 * The files an include glob set selects, without holding the event loop: matching yields every
 * `sliceMs` and fails the job with `invalid_config` once `budgetMs` is spent. The globs were
 * bounded by `INCLUDE_GLOB_LIMITS` already; the budget is the second wall, against a glob set that
 * is slow over a whole hostile tree though each path alone is cheap.
 */
export async function matchIncludedFiles<T extends { readonly path: string }>(
  files: readonly T[],
  include: readonly string[],
  { budgetMs, sliceMs = 20, clock = () => performance.now() }: MatchBudget,
): Promise<MatchedPaths<T>> {
  // Compiled once (minimatch's defaults: no dotfiles); extglobs are refused by validation and off here too.
  const matches = picomatch([...include], { noextglob: true });
  // The budget counts time spent matching, not the turns given to the event loop in between.
  let spentBefore = 0;
  let sliceStarted = clock();
  const matched: T[] = [];
  let skippedLongPaths = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    if (!isMatchablePath(file.path)) skippedLongPaths++;
    else if (matches(file.path)) matched.push(file);
    // Read after every path (about 50 ns): a few worst-case paths against 20 globs already take milliseconds.
    const inSlice = clock() - sliceStarted;
    if (spentBefore + inSlice > budgetMs) {
      throw new IngestionError(
        'invalid_config',
        `include globs ${JSON.stringify(include)} took more than ${budgetMs} ms to match ${i + 1} of ${files.length} paths (INGESTION_GLOB_BUDGET_MS): simplify them`,
      );
    }
    if (inSlice >= sliceMs) {
      spentBefore += inSlice;
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStarted = clock();
    }
  }
  return { matched, skippedLongPaths };
}
