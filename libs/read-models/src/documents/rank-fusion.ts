/** Reciprocal rank fusion's constant (Cormack et al.): damps the weight of the very first ranks. */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each document scores Σ 1 / (RRF_K + rank) over the lists that hold it
 * (rank from 1), so a document only one leg found still ranks, and one both found ranks higher.
 * Ties keep the order of first appearance (the first list's order first), so the result is deterministic.
 */
export function fuseByReciprocalRank(lists: readonly (readonly string[])[]): Array<{ id: string; score: number }> {
  const scores = new Map<string, number>();
  for (const list of lists) list.forEach((id, rank) => scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + rank + 1)));
  const order = [...scores.keys()];
  return order
    .map((id, index) => ({ id, index, score: scores.get(id)! }))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map(({ id, score }) => ({ id, score }));
}
