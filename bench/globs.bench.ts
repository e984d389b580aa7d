import picomatch from 'picomatch';
import { DEFAULT_INGESTION_SETTINGS } from '../apps/projector/src/reactors/ingestion/ingestion.settings.js';
import { matchIncludedFiles } from '../apps/projector/src/reactors/ingestion/include-matcher.js';
import {
  INCLUDE_GLOB_LIMITS,
  MAX_MATCHED_PATH_LENGTH,
  MAX_MATCHED_SEGMENT_LENGTH,
  includeGlobError,
  validateLightfastConfig,
} from '#domain';

export interface GlobsBenchOptions {
  readonly paths: number;
  /** Past this projected time, the worst config is measured on a sample of the tree and extrapolated. */
  readonly maxMeasureMs: number;
  readonly log: (line: string) => void;
}

const ORDINARY = ['docs/**/*.md'];

/** Path shapes that make a backtracking glob work hardest: segments from 1 character to the longest one matched. */
function hostileShapes(length: number): string[] {
  return [1, 8, 64, MAX_MATCHED_SEGMENT_LENGTH].map((segment) =>
    Array.from({ length: Math.ceil(length / (segment + 1)) }, () => 'a'.repeat(segment))
      .join('/')
      .slice(0, length),
  );
}

/** Globs of up to four segments built from wildcard-heavy pieces, kept when validation accepts them. */
function acceptedCandidates(): string[] {
  const pieces = ['**', '*', '*a*', 'a*a', '*a', 'a*', 'a', '?*', '*?*'];
  const tails = ['x', '*x', '*a*x', 'a*x'];
  const globs = new Set<string>();
  for (const a of pieces)
    for (const tail of tails) {
      globs.add(`${a}/${tail}`);
      for (const b of pieces) {
        globs.add(`${a}/${b}/${tail}`);
        for (const c of pieces) globs.add(`${a}/${b}/${c}/${tail}`);
      }
    }
  return [...globs].filter((glob) => includeGlobError(glob) === null);
}

function timeOnce(test: (path: string) => boolean, path: string): number {
  const started = performance.now();
  test(path);
  return performance.now() - started;
}

/**
 * `BENCH_SECTIONS=globs`: the worst include config `INCLUDE_GLOB_LIMITS` still accepts, found by
 * search, over a tree of hostile paths built for it, next to an ordinary config on the same tree
 * and on an ordinary tree; and how fast a refused config is refused.
 */
export async function benchGlobs({ paths, maxMeasureMs, log }: GlobsBenchOptions) {
  const shapes = hostileShapes(MAX_MATCHED_PATH_LENGTH);
  const candidates = acceptedCandidates();
  let worst = { glob: '', shape: '', ms: -1 };
  for (const glob of candidates) {
    const test = picomatch(glob);
    for (const shape of shapes) {
      const ms = timeOnce(test, shape);
      if (ms > worst.ms) worst = { glob, shape, ms };
    }
  }
  // Confirm on a few runs (a single one may have paid for a GC).
  const worstTest = picomatch(worst.glob);
  const worstPerPathMs = Math.min(...Array.from({ length: 5 }, () => timeOnce(worstTest, worst.shape)));
  log(
    `  ${candidates.length} accepted candidate globs searched; worst: ${JSON.stringify(worst.glob)} at ${worstPerPathMs.toFixed(3)} ms on a ${worst.shape.length}-character path`,
  );

  // The worst config: as many globs as allowed, each the worst one (a different final literal, so none is a duplicate).
  const worstConfig = Array.from({ length: INCLUDE_GLOB_LIMITS.globs }, (_, i) => `${worst.glob}${i}`);
  if (!validateLightfastConfig({ version: 1, store: 'docs', include: worstConfig }).ok) throw new Error('the worst config is not accepted');
  // Hostile tree: distinct paths of the worst shape (the last characters vary); ordinary tree: docs and sources.
  const hostileTree = Array.from({ length: paths }, (_, i) => ({
    path: `${worst.shape.slice(0, worst.shape.length - 6)}${String(i).padStart(6, '0')}`.replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!),
  }));
  const ordinaryTree = Array.from({ length: paths }, (_, i) => ({
    path: i % 4 === 0 ? `docs/section-${i % 97}/page-${i}.md` : `src/module-${i % 301}/file-${i}.ts`,
  }));

  const timeMatch = async (tree: ReadonlyArray<{ path: string }>, include: readonly string[]) => {
    const started = performance.now();
    const result = await matchIncludedFiles(tree, include, { budgetMs: Number.POSITIVE_INFINITY });
    return { ms: performance.now() - started, matched: result.matched.length, skipped: result.skippedLongPaths };
  };

  const ordinaryOnOrdinary = await timeMatch(ordinaryTree, ORDINARY);
  const ordinaryOnHostile = await timeMatch(hostileTree, ORDINARY);
  const sample = Math.max(100, Math.min(paths, Math.floor(maxMeasureMs / Math.max(worstPerPathMs * worstConfig.length, 1e-6))));
  const worstOnSample = await timeMatch(hostileTree.slice(0, sample), worstConfig);
  const worstOnHostileMs = (worstOnSample.ms * paths) / sample;
  const measured = sample >= paths ? 'measured' : `projected from ${sample} paths`;
  log(
    `  ordinary ${JSON.stringify(ORDINARY)}: ${ordinaryOnOrdinary.ms.toFixed(0)} ms over ${paths} ordinary paths (${ordinaryOnOrdinary.matched} matched), ${ordinaryOnHostile.ms.toFixed(0)} ms over ${paths} hostile paths`,
  );
  log(
    `  worst accepted (${worstConfig.length} × ${JSON.stringify(worst.glob)}…): ${worstOnHostileMs.toFixed(0)} ms over ${paths} hostile paths (${measured}; ${worstOnSample.skipped} skipped as too long), ${(worstOnHostileMs / ordinaryOnHostile.ms).toFixed(0)}× the ordinary config on the same tree`,
  );

  // What the job does with it: the time budget ends the matching, yielding all the while.
  const budgetMs = DEFAULT_INGESTION_SETTINGS.globBudgetMs;
  let budgetOutcome = 'completed within the budget';
  const budgetStarted = performance.now();
  let longestBlockMs = 0;
  let last = performance.now();
  const watcher = setInterval(() => {
    longestBlockMs = Math.max(longestBlockMs, performance.now() - last);
    last = performance.now();
  }, 1);
  try {
    if (worstOnHostileMs > budgetMs) await matchIncludedFiles(hostileTree, worstConfig, { budgetMs });
  } catch (error) {
    budgetOutcome = `${(error as { code?: string }).code}: ${(error as Error).message.slice(-120)}`;
  } finally {
    clearInterval(watcher);
  }
  const budgetElapsedMs = performance.now() - budgetStarted;
  log(
    `  with the job's ${budgetMs} ms budget: ${budgetOutcome} after ${budgetElapsedMs.toFixed(0)} ms; longest event-loop block ${longestBlockMs.toFixed(1)} ms`,
  );

  // Refused configs: validation alone, before any compilation.
  const refused = ['*a*a*a*a*a*a*a*b', '**/a/**/a/**/a/**/x', '+(a|aa)+(a|aa)b', `docs/${'*'.repeat(40)}`, '{a,b}/{a,b}/{a,b}/{a,b}/{a,b}'];
  const refusal: Record<string, number> = {};
  for (const glob of refused) {
    const config = { version: 1, store: 'docs', include: ['docs/**/*.md', glob] };
    if (validateLightfastConfig(config).ok) throw new Error(`${glob} is accepted`);
    const runs = 10_000;
    const started = performance.now();
    for (let i = 0; i < runs; i++) validateLightfastConfig(config);
    refusal[glob] = ((performance.now() - started) * 1000) / runs;
  }
  log(
    `  refused configs, validation time per config: ${Object.entries(refusal)
      .map(([glob, us]) => `${JSON.stringify(glob)} ${us.toFixed(1)} µs`)
      .join(', ')}`,
  );

  return {
    paths,
    pathLength: worst.shape.length,
    candidates: candidates.length,
    worstGlob: worst.glob,
    worstPerPathMs,
    worstConfigGlobs: worstConfig.length,
    ordinaryOnOrdinaryMs: ordinaryOnOrdinary.ms,
    ordinaryOnHostileMs: ordinaryOnHostile.ms,
    worstOnHostileMs,
    worstMeasuredOnPaths: sample,
    ratio: worstOnHostileMs / ordinaryOnHostile.ms,
    budgetMs,
    budgetOutcome,
    budgetElapsedMs,
    longestBlockMs,
    refusalMicroseconds: refusal,
  };
}
