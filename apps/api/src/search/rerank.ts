/** How much of the blended score comes from embedding similarity; the rest is the full-text rank. */
export const SEMANTIC_WEIGHT = 0.7;

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`Vectors of different dimensions: ${a.length} and ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface RankedCandidate<T> {
  readonly candidate: T;
  readonly score: number;
}

/**
 * Orders full-text candidates by `SEMANTIC_WEIGHT × cosine(query, chunk) + (1 − SEMANTIC_WEIGHT) ×
 * ftsScore / max(ftsScore)`. The full-text score is normalised per query (ts_rank values are not
 * comparable across queries); ties keep the full-text order, so the result is deterministic.
 */
export function rerank<T extends { readonly score: number }>(
  candidates: readonly T[],
  queryVector: readonly number[],
  chunkVectors: readonly (readonly number[])[],
): RankedCandidate<T>[] {
  if (candidates.length !== chunkVectors.length) throw new Error(`${chunkVectors.length} vectors for ${candidates.length} candidates`);
  const maxFts = Math.max(0, ...candidates.map((c) => c.score));
  return candidates
    .map((candidate, index) => {
      const fts = maxFts > 0 ? candidate.score / maxFts : 0;
      return {
        candidate,
        index,
        score: SEMANTIC_WEIGHT * cosineSimilarity(queryVector, chunkVectors[index]!) + (1 - SEMANTIC_WEIGHT) * fts,
      };
    })
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ candidate, score }) => ({ candidate, score }));
}
