// Bounds on the `include` globs of a `lightfast.yml`, checked before picomatch compiles them. A glob
// becomes a backtracking regex: every `*` is `[^/]*?` and every `**` a lazy `.*?` over segments, so
// a glob with k wildcards that can overlap costs O(n^k) on a path of n characters that almost
// matches, and the repository's author chooses both the globs and the paths. Measured on picomatch
// 4 against 1,024-character paths: `*a*a*x` (3 stars in a segment) 63 ms a path, `**/a/**/a/**/x`
// (3 globstars) 45 ms, `**/*a*/*a*/*a*x` (7 wildcards) 2.5 s, `*a*/*a*/x` (4 wildcards, 255-character
// segments) 6.5 ms. Within these limits the worst glob found is `**/a/**/*x` at 0.54 ms a path
// (`npm run bench`, section `globs`). The job adds a time budget on top, and never matches paths
// that `isMatchablePath` refuses.
export const INCLUDE_GLOB_LIMITS = {
  globs: 20,
  length: 256,
  /** `*` and `**` of one glob, braces' alternatives all counted. */
  wildcards: 3,
  globstars: 2,
  /** `*` within one path segment. */
  starsPerSegment: 2,
  braceGroups: 4,
  alternativesPerGroup: 16,
  /** Paths one glob's braces can spell (the product of their alternatives). */
  braceExpansions: 64,
} as const;

/**
 * Paths longer than this, or with a segment longer than `MAX_MATCHED_SEGMENT_LENGTH` (no common file
 * system stores such a name, so no checkout holds it), are never matched and are counted as
 * skipped: length is the n of O(n^k), and the repository's author chooses it.
 */
export const MAX_MATCHED_PATH_LENGTH = 1024;
export const MAX_MATCHED_SEGMENT_LENGTH = 255;

/** Whether a tree path is short enough to be matched against include globs at all. */
export function isMatchablePath(path: string): boolean {
  if (path.length > MAX_MATCHED_PATH_LENGTH) return false;
  let segmentStart = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47 /* '/' */) continue;
    if (i - segmentStart > MAX_MATCHED_SEGMENT_LENGTH) return false;
    segmentStart = i + 1;
  }
  return true;
}

const EXTGLOB_OPENERS = new Set(['+', '*', '?', '@', '!']);

/** Why picomatch must not compile this glob, or null when it may. */
export function includeGlobError(glob: string): string | null {
  const L = INCLUDE_GLOB_LIMITS;
  if (glob.length > L.length) return `longer than ${L.length} characters`;
  let wildcards = 0;
  let globstars = 0;
  let segmentStars = 0;
  let groups = 0;
  let expansions = 1;
  let group: { start: number; alternatives: number } | null = null;
  let previousSegmentGlobstar = false;
  // Leading `!` negates the whole glob (picomatch's negation), it is not an extglob.
  let i = glob.startsWith('!') && glob[1] !== '(' ? 1 : 0;
  let segmentStart = i;
  for (; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (glob[i + 1] === '(' && EXTGLOB_OPENERS.has(c)) return `extglob "${c}(" is not supported`;
    if (c === '(' || c === ')' || c === '|')
      return `"${c}" is regular-expression syntax in a glob: escape it as "\\${c}" to match it literally`;
    if (c === '[') {
      // A character class matches one character: skip it (a `*` inside it is literal).
      const close = glob.indexOf(']', glob[i + 1] === ']' ? i + 2 : i + 1);
      if (close > 0) i = close;
      continue;
    }
    if (c === '{') {
      if (group) return 'nested braces are not supported';
      if (++groups > L.braceGroups) return `more than ${L.braceGroups} brace groups`;
      group = { start: i, alternatives: 1 };
      continue;
    }
    if (c === ',' && group) {
      if (++group.alternatives > L.alternativesPerGroup) return `a brace group with more than ${L.alternativesPerGroup} alternatives`;
      continue;
    }
    if (c === '}' && group) {
      const body = glob.slice(group.start + 1, i);
      // picomatch turns `{a..z}` into `[a-z]`; a longer range such as `{1..100000}` becomes a wrong character class.
      if (group.alternatives === 1 && body.includes('..') && !/^[A-Za-z0-9]\.\.[A-Za-z0-9]$/.test(body))
        return `brace range "{${body}}" is not supported (single characters only, e.g. {a..z})`;
      expansions *= group.alternatives;
      if (expansions > L.braceExpansions) return `braces that expand to more than ${L.braceExpansions} paths`;
      group = null;
      continue;
    }
    if (c === '/') {
      previousSegmentGlobstar = false;
      segmentStars = 0;
      segmentStart = i + 1;
      continue;
    }
    if (c !== '*') continue;
    let run = 1;
    while (glob[i + run] === '*') run++;
    if (run > 2) return `a run of ${run} "*"`;
    const end = i + run;
    const wholeSegment = run === 2 && i === segmentStart && (end === glob.length || glob[end] === '/');
    wildcards++;
    if (wholeSegment) {
      if (previousSegmentGlobstar) return '"**/**": consecutive "**" segments';
      if (++globstars > L.globstars) return `more than ${L.globstars} "**" segments`;
      previousSegmentGlobstar = true;
      i = end; // the `/` after it (or the end): the next segment starts there
      segmentStars = 0;
      segmentStart = i + 1;
      continue;
    }
    if (++segmentStars > L.starsPerSegment) return `more than ${L.starsPerSegment} "*" in one path segment`;
    i = end - 1;
    if (wildcards > L.wildcards) break;
  }
  if (group) return 'unclosed "{"';
  if (wildcards > L.wildcards) return `more than ${L.wildcards} wildcards ("*" and "**")`;
  return null;
}
